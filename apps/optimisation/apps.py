from django.apps import AppConfig


class OptimisationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps.optimisation"
    label = "optimisation"
