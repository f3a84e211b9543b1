from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportJobsConfig(AppConfig):
    name = "import_jobs"
    verbose_name = _("Imports in the background")
    default_auto_field = "django.db.models.BigAutoField"
