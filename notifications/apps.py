from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications to guests and hosts"

    def ready(self) -> None:
        from notifications import receivers  # noqa: F401  - connects the listeners
