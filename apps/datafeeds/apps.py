from django.apps import AppConfig


class DatafeedsConfig(AppConfig):
    name = "apps.datafeeds"
    label = "datafeeds"
    verbose_name = "Market data"

    def ready(self) -> None:
        from . import caching  # noqa: F401 (connects the symbol cache's signals)
