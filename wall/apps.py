from django.apps import AppConfig


class WallConfig(AppConfig):
    name = "wall"
    verbose_name = "Photo wall"

    def ready(self) -> None:
        from wall import receivers  # noqa: F401  - connects the listeners
