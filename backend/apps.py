from django.apps import AppConfig
from django.db.models.signals import post_migrate


class BackendConfig(AppConfig):
    name = "backend"
    verbose_name = "Soirée"

    def ready(self) -> None:
        from backend.roles import ensure_roles

        post_migrate.connect(ensure_roles, sender=self)
