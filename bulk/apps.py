from django.apps import AppConfig


class BulkConfig(AppConfig):
    name = "bulk"
    verbose_name = "Work in bulk"
    default_auto_field = "django.db.models.BigAutoField"
