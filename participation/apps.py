from django.apps import AppConfig


class ParticipationConfig(AppConfig):
    name = "participation"
    verbose_name = "Requests to take part"
    default_auto_field = "django.db.models.BigAutoField"
