from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Alerts, digests and background work")
    default_auto_field = "django.db.models.BigAutoField"
