"""SESSION_ENGINE: Django's database sessions, stored in UserSession with the signed-in user."""

from django.apps import apps
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore


class SessionStore(DatabaseSessionStore):
    @classmethod
    def get_model_class(cls):
        # From the app registry: the model refers to this store (get_session_store_class).
        return apps.get_model("accounts", "UserSession")

    def create_model_instance(self, data):
        session = super().create_model_instance(data)
        try:
            session.user_id = int(data.get(SESSION_KEY))
        except (TypeError, ValueError):
            session.user_id = None
        return session
