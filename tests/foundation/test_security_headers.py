"""Security headers on portal pages: a Content-Security-Policy whose nonce is the one the page's own
scripts carry, no inline styles or scripts without it, and the referrer and framing policies."""

import re

import pytest

from referrals.codes.services import issue_host_code
from tests.factories import HostFactory, PartyFactory

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split("; ") if part}


@pytest.mark.parametrize("path", ["/portal/share/", "/portal/parties/{party}/qr/"])
def test_a_portal_page_with_a_script_runs_it_under_the_policys_nonce(client, path):
    # given a signed-in host with a page that carries an inline script
    host = HostFactory()
    issue_host_code(host=host)
    party = PartyFactory(host=host)
    client.force_login(host.user)

    # when
    response = client.get(path.format(party=party.pk))

    # then the policy allows our own origin and this response's nonce only
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    [nonce] = [value for value in policy["script-src"] if value.startswith("'nonce-")]
    html = response.content.decode()
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all(f'nonce="{nonce[7:-1]}"' in tag for tag in scripts)
    assert "<style" not in html and " style=" not in html


def test_every_page_gets_a_fresh_nonce(client):
    host = HostFactory()
    issue_host_code(host=host)
    client.force_login(host.user)
    first, second = (_policy(client.get("/portal/share/"))["script-src"] for _ in range(2))
    assert first != second


def test_public_pages_carry_the_policy_and_the_referrer_and_framing_policies(client):
    response = client.get("/signin/")
    assert response.status_code == 200
    assert _policy(response)["default-src"] == ["'self'"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
