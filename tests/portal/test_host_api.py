"""A host's own API token (issue 20, point 6): obtained with her own e-mail and password, stored
hashed, revocable, throttled like the sign-in; it reaches her own parties and nothing else."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from ambassadors.models import Guest, HostApiToken, PartyStatus
from ambassadors.parties.views import public_url
from tests import factories

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"
TOKEN_URL = "/api/v1/host/token/"


@pytest.fixture
def host(db):
    host = factories.HostFactory(application__email="clara@example.com", first_name="Clara")
    host.user.set_password(PASSWORD)
    host.user.save()
    return host


@pytest.fixture
def other_party(db):
    return factories.PartyFactory(title="Bea's party")


def _bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _sign_in(email: str = "clara@example.com", password: str = PASSWORD):
    return APIClient().post(TOKEN_URL, {"email": email, "password": password}, format="json")


def test_a_host_signs_in_and_scripts_her_own_party(host, other_party):
    party = factories.PartyFactory(host=host, title="Knitwear night")
    # when she signs in with her own e-mail and password
    response = _sign_in(email=" Clara@Example.com ")
    assert response.status_code == 201, response.json()
    token = response.json()["token"]
    stored = HostApiToken.objects.get(user=host.user)
    assert token not in (stored.digest, stored.prefix) and token.startswith(stored.prefix)  # stored hashed
    client = _bearer(token)
    # then she sees her own parties only
    listed = client.get("/api/v1/host/parties/").json()["results"]
    assert [row["id"] for row in listed] == [party.pk]
    assert client.get(f"/api/v1/host/parties/{party.pk}/").json()["title"] == "Knitwear night"
    # lists guests, one or many at once
    one = {"first_name": "Lou", "email": "lou@example.com", "guest_agreed": True}
    assert client.post(f"/api/v1/host/parties/{party.pk}/guests/", one, format="json").status_code == 201
    many = {
        "guests": [
            {"first_name": f"G{n}", "phone": f"+3361234567{n}", "guest_agreed": True} for n in range(3)
        ]
    }
    assert (
        client.post(f"/api/v1/host/parties/{party.pk}/guests/bulk/", many, format="json").status_code == 201
    )
    guests = client.get(f"/api/v1/host/parties/{party.pk}/guests/").json()["results"]
    assert len(guests) == 4 and guests[0]["email"] == "lou@example.com"
    # reads the link she shares
    share = client.get(f"/api/v1/host/parties/{party.pk}/share-link/").json()
    assert share["url"] == public_url(party)
    assert share["qr_svg"].lstrip().startswith("<")
    # and cancels
    cancelled = client.post(f"/api/v1/host/parties/{party.pk}/cancel/", {"reason": "ill"}, format="json")
    assert cancelled.json()["status"] == PartyStatus.CANCELLED


def test_a_host_token_cannot_reach_another_hosts_party(host, other_party):
    client = _bearer(_sign_in().json()["token"])
    base = f"/api/v1/host/parties/{other_party.pk}"
    guest = {"first_name": "Eve", "email": "eve@example.com", "guest_agreed": True}
    assert client.get(f"{base}/").status_code == 404
    assert client.get(f"{base}/guests/").status_code == 404
    assert client.get(f"{base}/share-link/").status_code == 404
    assert client.post(f"{base}/guests/", guest, format="json").status_code == 404
    assert client.post(f"{base}/guests/bulk/", {"guests": [guest]}, format="json").status_code == 404
    assert client.post(f"{base}/cancel/", {}, format="json").status_code == 404
    assert client.get("/api/v1/host/parties/", {"host": other_party.host_id}).json()["results"] == []
    assert not Guest.objects.exists()
    other_party.refresh_from_db()
    assert other_party.status != PartyStatus.CANCELLED


def test_a_host_token_reaches_no_staff_route_and_a_staff_token_no_host_route(host, marketing_user):
    client = _bearer(_sign_in().json()["token"])
    for url in (
        "/api/v1/parties/",
        "/api/v1/hosts/",
        "/api/v1/kits/items/",
        "/api/v1/orders/",
        "/api/v1/audit/",
    ):
        assert client.get(url).status_code == 401, url
    _, staff_token = AuthToken.objects.create(user=marketing_user)
    staff = APIClient()
    staff.credentials(HTTP_AUTHORIZATION=f"Token {staff_token}")
    assert staff.get("/api/v1/host/parties/").status_code == 401
    # a staff member's session opens no host route either (they would read every party)
    session = APIClient()
    session.force_login(marketing_user)
    assert session.get("/api/v1/host/parties/").status_code == 403


def test_the_host_routes_also_take_the_hosts_portal_session(host):
    party = factories.PartyFactory(host=host)
    session = APIClient()
    session.force_login(host.user)
    assert [row["id"] for row in session.get("/api/v1/host/parties/").json()["results"]] == [party.pk]


def test_a_revoked_or_expired_host_token_is_refused(host):
    token = _sign_in().json()["token"]
    client = _bearer(token)
    assert client.post("/api/v1/host/token/revoke/").status_code == 204
    assert not HostApiToken.objects.exists()
    assert client.get("/api/v1/host/parties/").status_code == 401
    expired = _sign_in().json()["token"]
    HostApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _bearer(expired).get("/api/v1/host/parties/").status_code == 401
    assert _bearer("host_forged").get("/api/v1/host/parties/").status_code == 401


def test_only_a_host_with_her_right_password_gets_a_token(host, marketing_user):
    assert _sign_in(password="wrong").status_code == 401
    assert _sign_in(email="marketing@staff.example.com").status_code == 401  # staff sign in for staff tokens
    factories.UserFactory(email="nobody@example.com")
    assert _sign_in(email="nobody@example.com").status_code == 401  # hosts nothing
    assert not HostApiToken.objects.exists()


def test_a_banned_host_or_a_host_made_staff_loses_her_token(host):
    client = _bearer(_sign_in().json()["token"])
    host.user.groups.add(Group.objects.get(name="marketing"))
    assert client.get("/api/v1/host/parties/").status_code == 401  # a host token never carries staff powers
    host.user.groups.clear()
    assert client.get("/api/v1/host/parties/").status_code == 200
    host.status = "banned"
    host.save(update_fields=["status"])
    assert client.get("/api/v1/host/parties/").status_code == 401
    assert _sign_in().status_code == 401


def test_the_host_sign_in_is_throttled_with_the_portals(host, monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"token_login": "3/minute"})
    client = APIClient()
    statuses = [
        client.post(
            TOKEN_URL, {"email": host.user.email, "password": f"guess {n}"}, format="json"
        ).status_code
        for n in range(3)
    ]
    assert statuses == [401, 401, 401]
    assert (
        client.post(TOKEN_URL, {"email": host.user.email, "password": PASSWORD}, format="json").status_code
        == 429
    )
    # the portal's sign-in page counts with it
    assert client.post("/signin/", {"username": host.user.email, "password": PASSWORD}).status_code == 429
    assert not HostApiToken.objects.exists()
