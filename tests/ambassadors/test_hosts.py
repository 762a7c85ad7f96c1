"""Host states, marketing's host list, a host's own rows, and the one-time sign-in link."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.shortcuts import resolve_url
from django.utils import timezone

from ambassadors.hosts.signin import signin_path_for
from ambassadors.models import HostStatus
from ambassadors.recruitment.selection import select_application
from tests.factories import ApplicationFactory, HostFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- host states -------------------------------------------------------------------------------


def test_marketing_moves_a_host_with_history(marketing_client, marketing_user):
    host = HostFactory(status=HostStatus.ACTIVE)
    response = marketing_client.post(
        f"/api/v1/hosts/{host.pk}/transition/", {"status": "paused", "reason": "on holiday"}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "paused"
    row = response.json()["history"][-1]
    assert (row["by"], row["from_status"], row["to_status"], row["reason"]) == (
        marketing_user.email,
        "active",
        "paused",
        "on holiday",
    )


@pytest.mark.parametrize(
    ("current", "requested"),
    [("banned", "active"), ("alumni", "active"), ("active", "invited"), ("paused", "invited")],
)
def test_illegal_host_moves_are_refused(marketing_client, current, requested):
    host = HostFactory(status=current)
    response = marketing_client.post(f"/api/v1/hosts/{host.pk}/transition/", {"status": requested})
    assert response.status_code == 409
    assert response.json()["extra"]["current"] == current
    host.refresh_from_db()
    assert host.status == current
    assert not host.history.exists()


def test_a_banned_host_earns_nothing(marketing_client):
    host = HostFactory(status=HostStatus.ACTIVE)
    marketing_client.post(f"/api/v1/hosts/{host.pk}/transition/", {"status": "banned"})
    host.refresh_from_db()
    assert host.earns is False


def test_the_host_list_is_for_marketing_filtered_and_in_constant_queries(
    marketing_client, logistics_client, django_assert_max_num_queries
):
    active = HostFactory.create_batch(5, status=HostStatus.ACTIVE)
    paused = HostFactory(status=HostStatus.PAUSED)
    assert logistics_client.get("/api/v1/hosts/").status_code == 403
    with django_assert_max_num_queries(4):
        response = marketing_client.get("/api/v1/hosts/")
    assert response.json()["total"] == 6
    assert response.json()["results"][0]["phone"].startswith("+33")
    paused_only = marketing_client.get("/api/v1/hosts/?status=paused").json()["results"]
    assert [row["id"] for row in paused_only] == [paused.pk]
    by_campaign = marketing_client.get(f"/api/v1/hosts/?campaign={active[0].campaign_id}").json()["results"]
    assert [row["id"] for row in by_campaign] == [active[0].pk]


# --- a host's own rows -------------------------------------------------------------------------


def test_a_host_sees_only_their_own_host_rows(api_client, django_assert_max_num_queries):
    mine = HostFactory()
    later = HostFactory(application__email=mine.user.email)  # same person, another campaign
    foreign = HostFactory()
    api_client.force_authenticate(mine.user)
    with django_assert_max_num_queries(3):
        response = api_client.get("/api/v1/me/hosts/")
    assert response.status_code == 200
    assert sorted(row["id"] for row in response.json()["results"]) == sorted([mine.pk, later.pk])
    assert api_client.get(f"/api/v1/me/hosts/{mine.pk}/").status_code == 200
    assert api_client.get(f"/api/v1/me/hosts/{foreign.pk}/").status_code == 404


def test_a_host_cannot_use_the_marketing_routes(api_client):
    host = HostFactory()
    other = HostFactory()
    api_client.force_authenticate(host.user)
    assert api_client.get("/api/v1/hosts/").status_code == 403
    assert api_client.get(f"/api/v1/hosts/{other.pk}/").status_code == 403
    assert api_client.get(f"/api/v1/applications/{other.application_id}/").status_code == 403


def test_my_hosts_needs_a_sign_in(api_client):
    assert api_client.get("/api/v1/me/hosts/").status_code in (401, 403)


# --- the one-time sign-in link -----------------------------------------------------------------


@pytest.fixture
def invited_host(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        host = select_application(application=ApplicationFactory(email="lea@example.com"), by=None)
    return host


def link_from_invitation() -> str:
    return re.search(r"http://testserver(/signin/link/\S+/)", mail.outbox[-1].body).group(1)


def test_the_invitation_link_signs_in_activates_and_redirects(client, invited_host, settings):
    link = link_from_invitation()
    response = client.get(link)
    assert response.status_code == 302
    assert response.url == resolve_url(settings.LOGIN_REDIRECT_URL)
    assert int(client.session["_auth_user_id"]) == invited_host.user_id
    invited_host.refresh_from_db()
    assert invited_host.status == HostStatus.ACTIVE
    assert invited_host.activated_at is not None
    change = invited_host.history.last()
    assert (change.from_status, change.to_status, change.by) == ("invited", "active", invited_host.user)


def test_the_link_works_once(client, invited_host):
    link = link_from_invitation()
    assert client.get(link).status_code == 302
    client.logout()
    response = client.get(link)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session
    assert b"no longer works" in response.content


def test_the_link_expires(client, invited_host, settings):
    link = link_from_invitation()
    # a day past the default lifetime (the token clock is local time, hence the day of margin)
    with time_machine.travel(
        timezone.now() + timedelta(seconds=settings.SIGNIN_LINK_MAX_AGE_SECONDS, days=1)
    ):
        response = client.get(link)
    assert response.status_code == 400
    invited_host.refresh_from_db()
    assert invited_host.status == HostStatus.INVITED


def test_the_link_lives_longer_than_a_password_reset_when_configured(client, invited_host, settings):
    settings.PASSWORD_RESET_TIMEOUT = 60
    settings.SIGNIN_LINK_MAX_AGE_SECONDS = 3 * 24 * 3600
    link = link_from_invitation()
    with time_machine.travel(timezone.now() + timedelta(days=2)):
        assert client.get(link).status_code == 302


@pytest.mark.parametrize("mangle", ["uid", "token"])
def test_a_tampered_link_shows_the_friendly_page(client, invited_host, mangle):
    link = signin_path_for(invited_host.user)
    _, _, _, uidb64, token, _ = link.split("/")
    if mangle == "uid":
        link = f"/signin/link/AAAA{uidb64}/{token}/"
    else:
        link = f"/signin/link/{uidb64}/{token[:-2]}zz/"
    response = client.get(link)
    assert response.status_code == 400
    assert "_auth_user_id" not in client.session


def test_a_link_of_another_user_does_not_work_for_them(client, invited_host):
    other = UserFactory()
    uidb64 = signin_path_for(other).split("/")[3]
    token = signin_path_for(invited_host.user).split("/")[4]
    assert client.get(f"/signin/link/{uidb64}/{token}/").status_code == 400


def test_the_link_leaves_an_active_or_paused_host_as_is(client):
    host = HostFactory(status=HostStatus.PAUSED)
    assert client.get(signin_path_for(host.user)).status_code == 302
    host.refresh_from_db()
    assert host.status == HostStatus.PAUSED
