"""Retention: personal data of finished campaigns is purged by idempotent jobs (SPEC §13).

Both periods run from the day a campaign closed (its `closed` status change):

- applications that were not selected are deleted `UNSELECTED_APPLICATION_RETENTION_DAYS` after
  it: no report counts them, and nothing owed depends on them (selected ones became hosts and stay);
- guests of its parties are anonymised `GUEST_RETENTION_DAYS` after it (`ambassadors.parties.retention`).

Click logs have their own purge (`referrals.codes.links.purge_clicks`).
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from ambassadors.models import Application, ApplicationStatus, Campaign


@transaction.atomic
def purge_unselected_applications(*, older_than_days: int | None = None) -> int:
    """Delete the applications never selected of campaigns closed longer than the retention period.
    Running it again deletes nothing more."""
    days = settings.UNSELECTED_APPLICATION_RETENTION_DAYS if older_than_days is None else older_than_days
    closed = Campaign.objects.closed_before(timezone.now() - timedelta(days=days))
    stale = (
        Application.objects.filter(campaign__in=closed, host__isnull=True)
        .exclude(status=ApplicationStatus.SELECTED)
        .values_list("pk", flat=True)
    )
    _, deleted = Application.objects.filter(pk__in=list(stale)).delete()
    return deleted.get(Application._meta.label, 0)


@task()
def purge_unselected_applications_task() -> int:
    return purge_unselected_applications()
