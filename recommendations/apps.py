from django.apps import AppConfig


class RecommendationsConfig(AppConfig):
    name = "recommendations"
    verbose_name = "Calls to action"

    def ready(self):
        from django.db.backends.signals import connection_created

        from .search import register_sqlite_fold

        # The search's accent folding on SQLite (PostgreSQL has the unaccent extension).
        connection_created.connect(register_sqlite_fold, dispatch_uid="tracker-sqlite-fold")
