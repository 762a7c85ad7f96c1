"""Retention purges (SPEC §13): idempotent jobs, counted from the day a campaign closed."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from ambassadors.models import Application, ApplicationStatus, CampaignStatus, CampaignStatusChange, Guest
from ambassadors.parties.retention import purge_closed_campaign_guests, purge_closed_campaign_guests_task
from ambassadors.recruitment.retention import (
    purge_unselected_applications,
    purge_unselected_applications_task,
)
from referrals.reports.filters import ReportFilters
from referrals.reports.query import attribution_report
from tests import factories

pytestmark = pytest.mark.django_db


def closed_campaign(*, days_ago: int):
    campaign = factories.CampaignFactory(status=CampaignStatus.CLOSED)
    CampaignStatusChange.objects.create(
        campaign=campaign,
        from_status=CampaignStatus.RUNNING,
        to_status=CampaignStatus.CLOSED,
        at=timezone.now() - timedelta(days=days_ago),
    )
    return campaign


def test_unselected_applications_of_a_long_closed_campaign_are_deleted_once(settings):
    # given
    settings.UNSELECTED_APPLICATION_RETENTION_DAYS = 180
    old = closed_campaign(days_ago=200)
    recent = closed_campaign(days_ago=10)
    for status in (ApplicationStatus.REJECTED, ApplicationStatus.WAITLISTED, ApplicationStatus.SUBMITTED):
        factories.ApplicationFactory(campaign=old, status=status)
    host = factories.HostFactory(application__campaign=old)
    kept_recent = factories.ApplicationFactory(campaign=recent, status=ApplicationStatus.REJECTED)

    # when
    first = purge_unselected_applications()
    second = purge_unselected_applications()

    # then
    assert (first, second) == (3, 0)
    assert set(Application.objects.values_list("pk", flat=True)) == {host.application_id, kept_recent.pk}


def test_a_campaign_still_running_keeps_its_applications(settings):
    campaign = factories.CampaignFactory(status=CampaignStatus.RUNNING)
    factories.ApplicationFactory(campaign=campaign, status=ApplicationStatus.REJECTED)
    assert purge_unselected_applications(older_than_days=1) == 0
    assert Application.objects.count() == 1


def test_guests_of_a_long_closed_campaign_are_anonymised_and_still_counted(settings):
    # given
    settings.GUEST_RETENTION_DAYS = 365
    old = closed_campaign(days_ago=400)
    party = factories.PartyFactory(host=factories.HostFactory(application__campaign=old), status="closed")
    factories.GuestFactory(party=party, email="nina@example.com", last_name="Roux", phone="+33611111111")
    factories.GuestFactory(party=party, email="", phone="+33622222222", first_name="Lou")
    recent_guest = factories.GuestFactory(party__host__application__campaign=closed_campaign(days_ago=30))
    guests_before = attribution_report(filters=ReportFilters(campaign_id=old.pk)).totals.guests

    # when
    first = purge_closed_campaign_guests()
    second = purge_closed_campaign_guests()

    # then
    assert (first, second) == (2, 0)
    anonymised = list(
        Guest.objects.filter(party=party).values_list("first_name", "last_name", "email", "phone")
    )
    assert all(name == "Erased" and last == "" and phone == "" for name, last, _, phone in anonymised)
    assert all(email.endswith("@erased.invalid") for *_, email, _ in anonymised)
    assert len({email for *_, email, _ in anonymised}) == 2
    assert attribution_report(filters=ReportFilters(campaign_id=old.pk)).totals.guests == guests_before == 2
    recent_guest.refresh_from_db()
    assert recent_guest.email.endswith("@example.com")


def test_purges_run_as_commands_and_tasks(settings):
    old = closed_campaign(days_ago=1000)
    factories.ApplicationFactory(campaign=old, status=ApplicationStatus.REJECTED)
    factories.GuestFactory(party__host__application__campaign=old)

    assert purge_unselected_applications_task.enqueue().return_value == 1
    assert purge_closed_campaign_guests_task.enqueue().return_value == 1
    factories.ApplicationFactory(campaign=old, status=ApplicationStatus.SHORTLISTED)
    call_command("purge_applications", "--days", "900")
    call_command("purge_guests", "--days", "900")
    assert not Application.objects.exclude(host__isnull=False).exists()
