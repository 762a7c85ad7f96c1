from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class BackendConfig(AppConfig):
    name = "backend"
    verbose_name = "Soirée"

    def ready(self) -> None:
        from backend.roles import ensure_roles

        post_migrate.connect(ensure_roles, sender=self)


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin on our site class (`backend.admin_site`): sign-in attempts are limited.

    Named in INSTALLED_APPS in place of `django.contrib.admin`; `BackendConfig` stays this module's
    default for `backend`."""

    default = False
    default_site = "backend.admin_site.AdminSite"
