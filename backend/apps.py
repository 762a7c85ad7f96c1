from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate, pre_migrate


class BackendConfig(AppConfig):
    name = "backend"
    verbose_name = "Soirée"

    def ready(self) -> None:
        from backend.planned import forget_all
        from backend.roles import ensure_roles

        post_migrate.connect(ensure_roles, sender=self)
        # Any app's migration may change what a prepared statement reads: forget them all, before
        # and after (a migration's own statements read the schema as it changes).
        pre_migrate.connect(forget_all, dispatch_uid="backend-planned-before")
        post_migrate.connect(forget_all, dispatch_uid="backend-planned-after")


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin on our site class (`backend.admin_site`): sign-in attempts are limited.

    Named in INSTALLED_APPS in place of `django.contrib.admin`; `BackendConfig` stays this module's
    default for `backend`."""

    default = False
    default_site = "backend.admin_site.AdminSite"
