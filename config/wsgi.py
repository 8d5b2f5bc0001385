"""WSGI entry point (plain HTTP; WebSockets need the ASGI application)."""

import os

from django.core.wsgi import get_wsgi_application

# A server process defaults to production settings, which refuse to start half-configured;
# development sets DJANGO_SETTINGS_MODULE=config.settings.local (make run and the Procfile do).
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
application = get_wsgi_application()
