from django.apps import AppConfig


class ExchangesConfig(AppConfig):
    name = "apps.exchanges"
    label = "exchanges"
    verbose_name = "Exchange accounts"

    def ready(self) -> None:
        from .crypto import field_keys
        from .redaction import redaction_install

        # Every log record of every logger is redacted from here on (ccxt's included).
        redaction_install()
        # Fail fast at start-up on a missing (production) or malformed key, not at first use.
        field_keys()
