"""SPEC §15: one setting says how many proxies stand in front, one function gives the client address,
and throttles, the many-applications-from-one-address risk flag and the click hash all use it.
(`test_behind_a_proxy.py` proves the throttles against a real gunicorn.)"""

import re
from pathlib import Path

import pytest
from django.test import RequestFactory
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle

from ambassadors.models import Application
from ambassadors.recruitment.services import hash_ip
from backend.client_address import client_ip
from referrals.codes.links import visitor_hash
from referrals.codes.services import issue_host_code
from referrals.models import Click
from tests.ambassadors.test_applications import payload
from tests.factories import CampaignFactory, HostFactory

ROOT = Path(__file__).resolve().parents[2]
APP_CODE = [
    path
    for package in ("backend", "ambassadors", "kits", "orders", "referrals", "privacy")
    for path in (ROOT / package).rglob("*.py")
    if "migrations" not in path.parts
]
BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Safari/604.1"


def request_from(remote_addr: str, forwarded_for: str | None = None):
    extra = {"REMOTE_ADDR": remote_addr}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "client"),
    [
        (0, None, "10.0.0.2"),
        (0, "203.0.113.7", "10.0.0.2"),  # nobody vouches for the header: ignored
        (0, "198.51.100.1, 203.0.113.7", "10.0.0.2"),
        (1, None, "10.0.0.2"),
        (1, "203.0.113.7", "203.0.113.7"),
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the left part was sent by the client
        (1, " 203.0.113.7 ", "203.0.113.7"),
        (2, "198.51.100.1, 203.0.113.7, 10.0.0.9", "203.0.113.7"),
        (2, "203.0.113.7", "203.0.113.7"),  # fewer entries than proxies: the left-most
    ],
)
def test_the_client_is_the_entry_our_outermost_proxy_added(settings, proxies, forwarded_for, client):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(request_from("10.0.0.2", forwarded_for)) == client


@pytest.mark.parametrize("proxies", [0, 1, 2])
def test_the_rule_is_drfs_own_for_the_same_number_of_proxies(settings, monkeypatch, proxies):
    settings.TRUSTED_PROXY_COUNT = proxies
    monkeypatch.setattr(api_settings, "NUM_PROXIES", proxies)
    for forwarded_for in (None, "203.0.113.7", "198.51.100.1, 203.0.113.7", "a, b, c"):
        request = request_from("10.0.0.2", forwarded_for)
        assert client_ip(request) == BaseThrottle().get_ident(request)


def test_drf_allauth_and_the_function_are_told_the_same_number_of_proxies():
    from allauth import app_settings as allauth_settings
    from django.conf import settings

    assert settings.TRUSTED_PROXY_COUNT == 0  # the default: no proxy is trusted
    assert api_settings.NUM_PROXIES == settings.TRUSTED_PROXY_COUNT
    assert allauth_settings.TRUSTED_PROXY_COUNT == settings.TRUSTED_PROXY_COUNT


def test_no_code_reads_the_socket_address_or_drfs_throttles_but_through_the_one_function():
    readers = {
        path.relative_to(ROOT).as_posix()
        for path in APP_CODE
        if re.search(
            r"REMOTE_ADDR|HTTP_X_FORWARDED_FOR|[\"']x-forwarded-for", path.read_text(), re.IGNORECASE
        )
    }
    assert readers == {"backend/client_address.py"}
    throttles = {
        path.relative_to(ROOT).as_posix()
        for path in APP_CODE
        if re.search(r"rest_framework(\.throttling| import throttling)", path.read_text())
    }
    assert throttles == {"backend/throttles.py"}


@pytest.mark.django_db
def test_behind_a_proxy_the_risk_flag_counts_applications_by_the_forwarded_client(settings, api_client):
    # given one proxy in front, and three people applying through it from the same address
    settings.TRUSTED_PROXY_COUNT = 1
    campaign = CampaignFactory()
    url = f"/api/v1/public/campaigns/{campaign.slug}/applications/"
    for number, forged in enumerate(("1.1.1.1", "2.2.2.2", "3.3.3.3")):
        response = api_client.post(
            url,
            payload(email=f"fan{number}@example.com"),
            format="json",
            REMOTE_ADDR="10.0.0.2",  # the proxy
            HTTP_X_FORWARDED_FOR=f"{forged}, 203.0.113.9",  # what the client sent, then what the proxy saw
        )
        assert response.status_code == 201, response.json()

    # then each is hashed under the address the proxy saw, and the three are flagged together
    applications = Application.objects.order_by("pk")
    assert {application.ip_hash for application in applications} == {hash_ip("203.0.113.9")}
    assert "many_from_one_ip" in applications.last().risk_flags


@pytest.mark.django_db
def test_without_a_proxy_a_forged_header_changes_neither_the_hash_nor_the_flag(api_client):
    campaign = CampaignFactory()
    response = api_client.post(
        f"/api/v1/public/campaigns/{campaign.slug}/applications/",
        payload(),
        format="json",
        REMOTE_ADDR="198.51.100.4",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    assert response.status_code == 201
    assert Application.objects.get().ip_hash == hash_ip("198.51.100.4")


@pytest.mark.django_db
def test_behind_a_proxy_the_click_is_hashed_with_the_forwarded_client(settings, client):
    settings.TRUSTED_PROXY_COUNT = 1
    code = issue_host_code(host=HostFactory())
    response = client.get(
        f"/r/{code.code}",
        HTTP_USER_AGENT=BROWSER,
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.9",
    )
    assert response.status_code == 302
    assert Click.objects.get().visitor_hash == visitor_hash("203.0.113.9", BROWSER)
