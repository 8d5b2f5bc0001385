from django.apps import AppConfig


class DatafeedsConfig(AppConfig):
    name = "apps.datafeeds"
    label = "datafeeds"
    verbose_name = "Market data"
