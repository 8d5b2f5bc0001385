"""What the debug page and error reports may show of the settings and the environment."""

from __future__ import annotations

import re
from typing import Any

from django.views.debug import SafeExceptionReporterFilter

# scheme://user:password@host -> scheme://user:********@host (redis://:pw@..., postgresql://...)
_URL_PASSWORD = re.compile(
    r"(?P<head>[a-z][a-z0-9+.-]*://[^:/@\s]*:)(?P<password>[^@\s/]+)(?=@)", re.I
)
# password=..., secret=... inside a query string or a DSN (e.g. ?password=pw, "password=pw host=")
_KEY_VALUE_SECRET = re.compile(
    r"(?P<head>\b(?:password|passwd|pwd|secret|token|api_?key)=)(?P<password>[^&\s;]+)", re.I
)


def mask_credentials(text: str, substitute: str) -> str:
    text = _URL_PASSWORD.sub(lambda m: m["head"] + substitute, text)
    return _KEY_VALUE_SECRET.sub(lambda m: m["head"] + substitute, text)


class CredentialsHidingFilter(SafeExceptionReporterFilter):
    """Django's filter (it hides settings named like KEY, SECRET, PASS, TOKEN...) plus passwords
    inside any string of any setting or environment variable, however nested: REDIS_URL,
    CELERY_BROKER_URL, CACHES' LOCATION, CHANNEL_LAYERS' hosts."""

    hidden_settings = re.compile(
        "API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|CREDENTIAL|AUTHORIZATION", flags=re.I
    )

    def cleanse_setting(self, key: Any, value: Any) -> Any:
        cleansed = super().cleanse_setting(key, value)
        if isinstance(cleansed, str):
            return mask_credentials(str(cleansed), self.cleansed_substitute)
        return cleansed

    def get_traceback_frame_variables(self, request, tb_frame):
        """Local variables of each frame: named like a secret (password, token, key...) hidden,
        and URL passwords masked in the rest (a frame that just read REDIS_URL holds it)."""
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self._cleanse_local(name, value)) for name, value in variables]

    def _cleanse_local(self, name: str, value: Any) -> Any:
        if isinstance(name, str) and self.hidden_settings.search(name):
            return self.cleansed_substitute
        if isinstance(value, str):
            return mask_credentials(value, self.cleansed_substitute)
        return value
