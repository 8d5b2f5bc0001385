from django.apps import AppConfig


class ExecutionConfig(AppConfig):
    name = "apps.execution"
    label = "execution"
    verbose_name = "Bots"

    def ready(self) -> None:
        # New closed candles step the bots on them: datafeeds calls this after its commit.
        from apps.datafeeds.hooks import candles_stored_subscribe
        from apps.risk.usage import risk_profile_holders_register
        from apps.strategies.usage import strategy_holders_register

        from .services.bots import running_bots_on_profile, running_bots_on_strategies
        from .services.fanout import candles_stored

        candles_stored_subscribe(candles_stored)
        # A profile a running bot uses cannot be deleted (apps/risk asks this).
        risk_profile_holders_register(running_bots_on_profile)
        # A user's strategy a running bot uses cannot be deleted (apps/strategies asks this).
        strategy_holders_register(running_bots_on_strategies)
