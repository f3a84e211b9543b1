from django.apps import AppConfig


class ImportJobsConfig(AppConfig):
    name = "import_jobs"
    verbose_name = "Imports in the background"
    default_auto_field = "django.db.models.BigAutoField"
