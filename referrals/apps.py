from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"
    verbose_name = "Referrals, attribution and rewards"

    def ready(self) -> None:
        from referrals import receivers  # noqa: F401  - connects the listeners
