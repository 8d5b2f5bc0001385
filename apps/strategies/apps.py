from django.apps import AppConfig


class StrategiesConfig(AppConfig):
    name = "apps.strategies"
    label = "strategies"
    verbose_name = "Strategies"

    def ready(self) -> None:
        # Users' strategies are found by key through the registry (it never imports them).
        from .registry import user_resolver_install
        from .user_strategies import user_strategy_spec

        user_resolver_install(user_strategy_spec)
