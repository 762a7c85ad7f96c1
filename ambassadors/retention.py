"""Retention: personal data of finished campaigns is purged by idempotent jobs (SPEC §13).

Both periods run from the day a campaign closed (its `closed` status change):

- applications that were not selected are deleted `UNSELECTED_APPLICATION_RETENTION_DAYS` after
  it: no report counts them, and nothing owed depends on them (selected ones became hosts and stay);
- guests of its parties are anonymised `GUEST_RETENTION_DAYS` after it. The rows stay, so the
  reports' guest counts do not change; their names, phone and e-mail go (the e-mail becomes a
  per-row `@erased.invalid` address, unlinkable to anyone). The report's "guests who bought" is
  kept as recorded; only an order of that campaign refreshed later still (a refund more than the
  retention period after the close) would no longer find its buyer among the guests.

Click logs have their own purge (`referrals.codes.links.purge_clicks`).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django_tasks import task

from ambassadors.models import (
    Application,
    ApplicationStatus,
    Campaign,
    CampaignStatus,
    CampaignStatusChange,
    Guest,
)
from backend.privacy import ERASED_EMAIL_DOMAIN, ERASED_NAME


def campaigns_closed_before(cutoff: datetime) -> QuerySet[Campaign]:
    closed = CampaignStatusChange.objects.filter(to_status=CampaignStatus.CLOSED, at__lt=cutoff)
    return Campaign.objects.filter(status=CampaignStatus.CLOSED, pk__in=closed.values("campaign_id"))


def _cutoff(days: int) -> datetime:
    return timezone.now() - timedelta(days=days)


@transaction.atomic
def purge_unselected_applications(*, older_than_days: int | None = None) -> int:
    """Delete the applications never selected of campaigns closed longer than the retention period.
    Running it again deletes nothing more."""
    days = settings.UNSELECTED_APPLICATION_RETENTION_DAYS if older_than_days is None else older_than_days
    stale = (
        Application.objects.filter(campaign__in=campaigns_closed_before(_cutoff(days)), host__isnull=True)
        .exclude(status=ApplicationStatus.SELECTED)
        .values_list("pk", flat=True)
    )
    _, deleted = Application.objects.filter(pk__in=list(stale)).delete()
    return deleted.get(Application._meta.label, 0)


@transaction.atomic
def purge_closed_campaign_guests(*, older_than_days: int | None = None) -> int:
    """Anonymise the guests of parties of campaigns closed longer than the retention period; the
    rows stay for the guest counts. Running it again finds every guest already anonymised."""
    days = settings.GUEST_RETENTION_DAYS if older_than_days is None else older_than_days
    return (
        Guest.objects.filter(party__campaign__in=campaigns_closed_before(_cutoff(days)))
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
def purge_unselected_applications_task() -> int:
    return purge_unselected_applications()


@task()
def purge_closed_campaign_guests_task() -> int:
    return purge_closed_campaign_guests()
