"""Retention of party guests (SPEC §13), an idempotent job like the purge of applications
(`ambassadors.recruitment.retention`), counted from the day the campaign closed.

Guests of a closed campaign's parties are anonymised `GUEST_RETENTION_DAYS` after it. The rows
stay, so the reports' guest counts do not change; their names, phone and e-mail go (the e-mail
becomes a per-row `@erased.invalid` address, unlinkable to anyone). The report's "guests who
bought" is kept as recorded; only an order of that campaign refreshed later still (a refund more
than the retention period after the close) would no longer find its buyer among the guests.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django_tasks import task

from ambassadors.models import Campaign, Guest
from backend.privacy import ERASED_EMAIL_DOMAIN, ERASED_NAME


@transaction.atomic
def purge_closed_campaign_guests(*, older_than_days: int | None = None) -> int:
    """Anonymise the guests of parties of campaigns closed longer than the retention period; the
    rows stay for the guest counts. Running it again finds every guest already anonymised."""
    days = settings.GUEST_RETENTION_DAYS if older_than_days is None else older_than_days
    closed = Campaign.objects.closed_before(timezone.now() - timedelta(days=days))
    return (
        Guest.objects.filter(party__campaign__in=closed)
        .exclude(email__endswith=f"@{ERASED_EMAIL_DOMAIN}")
        .update(
            first_name=ERASED_NAME,
            last_name="",
            phone="",
            email=Concat(
                Value("erased-guest-"),
                Cast("pk", output_field=CharField()),
                Value(f"@{ERASED_EMAIL_DOMAIN}"),
                output_field=CharField(),
            ),
            marketing_consent_at=None,
        )
    )


@task()
def purge_closed_campaign_guests_task() -> int:
    return purge_closed_campaign_guests()
