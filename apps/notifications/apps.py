from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"
    verbose_name = "Alerts"

    def ready(self) -> None:
        # The channel URLs hold tokens, encrypted like exchange keys: rotate_field_keys
        # re-encrypts them too.
        from apps.exchanges.crypto import encrypted_columns_register

        from .models import NotificationChannel

        encrypted_columns_register(
            name="alert channel", model=NotificationChannel, fields=("url_encrypted",)
        )
