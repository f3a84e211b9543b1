from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = "Alerts, digests and background work"
    default_auto_field = "django.db.models.BigAutoField"
