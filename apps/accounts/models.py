"""Users are Django's own; the API token model comes from rest_framework.authtoken."""
