from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = _("Calls to action")

    def ready(self):
        from django.db.backends.signals import connection_created

        from .search import register_sqlite_fold

        # The search's accent folding on SQLite (PostgreSQL has the unaccent extension).
        connection_created.connect(register_sqlite_fold, dispatch_uid="tracker-sqlite-fold")
