from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulkConfig(AppConfig):
    name = "bulk"
    verbose_name = _("Work in bulk")
    default_auto_field = "django.db.models.BigAutoField"
