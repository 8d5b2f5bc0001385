from django.apps import AppConfig


class ExecutionConfig(AppConfig):
    name = "apps.execution"
    label = "execution"
    verbose_name = "Bots"

    def ready(self) -> None:
        # New closed candles step the bots on them: datafeeds calls this after its commit.
        from apps.datafeeds.hooks import candles_stored_subscribe

        from .services.fanout import candles_stored

        candles_stored_subscribe(candles_stored)
