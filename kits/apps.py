from django.apps import AppConfig


class KitsConfig(AppConfig):
    name = "kits"
    verbose_name = "Kits and logistics"

    def ready(self) -> None:
        from ambassadors.signals import host_selected
        from kits.receivers import allocate_kit_when_host_selected

        host_selected.connect(allocate_kit_when_host_selected, dispatch_uid="kits.allocate_on_selection")
