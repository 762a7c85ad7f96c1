import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ambassadors.models import HostStatus
from ambassadors.parties.services import cancel_party, create_party
from referrals.codes.links import follow_link, purge_clicks, visitor_hash
from referrals.codes.services import code_prefix, deactivate_codes, issue_host_code, issue_party_code
from referrals.models import CODE_ALPHABET, Click, CodeKind, ReferralCode
from tests.factories import CampaignFactory, HostFactory

pytestmark = pytest.mark.django_db(transaction=True)

CODE_FORMAT = re.compile(rf"^[A-Z]{{1,10}}-[{CODE_ALPHABET}]{{4}}$")
# `secrets.token_urlsafe(16)`: 22 characters of the URL-safe base64 alphabet.
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{22}$")
BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148"


def _party(host, *, days_from_now=2):
    return create_party(
        host=host,
        by=host.user,
        title="Autumn evening",
        starts_at=timezone.now() + timedelta(days=days_from_now),
        city="Lyon",
        postal_code="69001",
        expected_guests=12,
    )


def test_host_code_is_first_name_and_four_unambiguous_characters():
    host = HostFactory(first_name="Zoë", application__first_name="Zoë")
    code = issue_host_code(host=host)
    assert CODE_FORMAT.match(code.code)
    assert code.code.startswith("ZOE-")
    assert not set(code.code.split("-")[1]) & set("0O1I")


def test_code_prefix_falls_back_when_the_name_has_no_latin_letters():
    assert code_prefix("Łukasz") == "LUKASZ"
    assert code_prefix("李") == "HOST"


def test_issuing_a_host_code_twice_returns_the_same_code():
    host = HostFactory()
    assert issue_host_code(host=host).pk == issue_host_code(host=host).pk
    assert ReferralCode.objects.filter(host=host).count() == 1


def test_selection_signal_issues_the_host_code():
    from ambassadors.signals import host_selected

    host = HostFactory()
    host_selected.send(sender=None, host=host, by=None)
    assert ReferralCode.objects.filter(host=host, kind=CodeKind.HOST).count() == 1


def test_creating_a_party_issues_its_own_code():
    host = HostFactory()
    party = _party(host)
    code = ReferralCode.objects.get(party=party)
    assert code.kind == CodeKind.PARTY and code.host == host
    assert CODE_FORMAT.match(code.code)


def test_codes_are_looked_up_case_insensitively_and_trimmed():
    code = issue_host_code(host=HostFactory())
    assert ReferralCode.objects.lookup(f"  {code.code.lower()} ") == code
    assert ReferralCode.objects.lookup("NOPE-2222") is None
    assert ReferralCode.objects.lookup("") is None


def test_a_collision_draws_another_code(monkeypatch):
    first = issue_host_code(host=HostFactory(first_name="Clara"))
    draws = iter([first.code, first.code, "CLARA-XYZW"])
    monkeypatch.setattr("referrals.codes.services.generate_code", lambda name: next(draws))
    second = issue_host_code(host=HostFactory(first_name="Clara"))
    assert second.code == "CLARA-XYZW"


def test_party_code_is_valid_from_the_party_day_to_the_end_of_its_window():
    host = HostFactory()
    party = _party(host, days_from_now=3)
    code = ReferralCode.objects.get(party=party)
    party_day_start = timezone.localtime(party.starts_at).replace(hour=0, minute=0, second=0, microsecond=0)
    assert not code.is_valid_at(party_day_start - timedelta(seconds=1))
    assert code.is_valid_at(party_day_start)
    assert code.is_valid_at(party.attribution_ends_at)
    assert not code.is_valid_at(party.attribution_ends_at + timedelta(seconds=1))


def test_cancelled_party_code_stops_working():
    host = HostFactory()
    party = _party(host)
    cancel_party(party=party, by=host.user, reason="rain")
    code = ReferralCode.objects.get(party=party)
    assert not code.is_valid_at(party.starts_at)


def test_banned_host_codes_stop_working_and_deactivation_is_recorded():
    host = HostFactory()
    code = issue_host_code(host=host)
    party_code = issue_party_code(party=_party(host))
    assert code.is_valid_at(timezone.now())

    host.status = HostStatus.BANNED
    host.save(update_fields=["status"])
    code.refresh_from_db()
    assert not code.is_valid_at(timezone.now())  # the ban alone already stops the code

    assert deactivate_codes(host=host, reason="banned") == 2
    party_code.refresh_from_db()
    assert party_code.deactivated_at is not None and party_code.deactivation_reason == "banned"
    assert deactivate_codes(host=host, reason="banned") == 0


def test_codes_are_never_deleted_because_a_code_protects_its_host():
    from django.db.models import ProtectedError

    host = HostFactory()
    issue_host_code(host=host)
    with pytest.raises(ProtectedError):
        host.delete()


def test_valid_link_redirects_to_the_shop_with_token_and_utm_and_logs_the_click(client, settings):
    host = HostFactory(application__campaign__shop_url="https://shop.example.com/autumn?lang=fr")
    code = issue_host_code(host=host)

    response = client.get(
        f"/r/{code.code.lower()}",
        HTTP_USER_AGENT=BROWSER,
        HTTP_REFERER="https://www.instagram.com/p/abc",
        REMOTE_ADDR="203.0.113.9",
    )

    assert response.status_code == 302
    location = urlsplit(response["Location"])
    query = parse_qs(location.query)
    assert (location.scheme, location.netloc, location.path) == ("https", "shop.example.com", "/autumn")
    assert query["lang"] == ["fr"]
    assert query["utm_source"] == ["ambassador"] and query["utm_medium"] == ["referral"]
    assert query["utm_campaign"] == [host.campaign.slug]
    click = Click.objects.get()
    assert query["ref"] == [click.token]
    assert click.code == code and click.referrer_host == "www.instagram.com"
    assert click.visitor_hash == visitor_hash("203.0.113.9", BROWSER)
    stored = " ".join(str(value) for value in Click.objects.values().get().values())
    assert "203.0.113.9" not in stored


def _answer(client, code):
    """A probe's view of `/r/<code>`: the response and how many SQL statements it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/r/{code}", HTTP_USER_AGENT=BROWSER)
    return response, len(queries)


def _shape(response, statements):
    """Everything a probe can compare, except the values that differ between two valid codes too."""
    location = urlsplit(response["Location"])
    query = parse_qs(location.query)
    return {
        "status": response.status_code,
        "headers": sorted(response.headers.keys()),
        "scheme": location.scheme,
        "parameters": sorted(query),
        "ref": [bool(TOKEN_SHAPE.match(ref)) for ref in query.get("ref", [])],
        "statements": statements,
    }


def _campaign_with_its_own_shop(name, *, status="running", opened_days_ago):
    return CampaignFactory(
        status=status,
        shop_url=f"https://{name}.example.com/shop",
        applications_open_at=timezone.now() - timedelta(days=opened_days_ago),
    )


def test_unknown_and_inactive_codes_answer_exactly_like_a_valid_one(client, settings):
    # given: three campaigns and a default, each with its own shop, and the production task backend
    # (a click is logged by a task that every code enqueues alike)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.DEFAULT_SHOP_URL = "https://default.example.com/"
    live = _campaign_with_its_own_shop("live", opened_days_ago=10)
    earlier = _campaign_with_its_own_shop("earlier", opened_days_ago=200)
    closed = _campaign_with_its_own_shop("closed", status="closed", opened_days_ago=400)
    valid_code = issue_host_code(host=HostFactory(application__campaign=earlier))
    banned = HostFactory(application__campaign=closed)
    inactive_code = issue_host_code(host=banned)
    deactivate_codes(host=banned, reason="banned")

    # when
    valid, valid_statements = _answer(client, valid_code.code)
    unknown, unknown_statements = _answer(client, "NOBODY-2345")
    inactive, inactive_statements = _answer(client, inactive_code.code)

    # then: status, header names, parameters, the ref's shape and the database work are the same
    expected = _shape(valid, valid_statements)
    assert expected["ref"] == [True] and expected["status"] == 302
    assert _shape(unknown, unknown_statements) == expected
    assert _shape(inactive, inactive_statements) == expected
    # an inactive code is an unknown one: never its own campaign's shop, but the shop of a campaign
    # a live code leads to (only `earlier` has one: `live` has no host yet, `closed` a banned one)
    unknown_location, inactive_location = (urlsplit(r["Location"]) for r in (unknown, inactive))
    assert inactive_location._replace(query="") == unknown_location._replace(query="")
    assert inactive_location.netloc == "earlier.example.com" != urlsplit(closed.shop_url).netloc
    assert urlsplit(live.shop_url).netloc != inactive_location.netloc
    for location in (unknown_location, inactive_location):
        query = parse_qs(location.query)
        assert (query["utm_source"], query["utm_medium"]) == (["ambassador"], ["referral"])
        assert query["utm_campaign"] == [earlier.slug]
    # once the worker ran, only the valid code logged a click; the decoys match none
    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")
    assert (
        list(Click.objects.values_list("token", flat=True))
        == parse_qs(urlsplit(valid["Location"]).query)["ref"]
    )


def test_without_a_running_campaign_unknown_and_inactive_codes_land_on_the_default_shop(client, settings):
    settings.DEFAULT_SHOP_URL = "https://default.example.com/?lang=fr"
    host = HostFactory(
        application__campaign=_campaign_with_its_own_shop("own", status="closed", opened_days_ago=9)
    )
    code = issue_host_code(host=host)
    deactivate_codes(host=host, reason="banned")

    for response, _ in (_answer(client, "NOBODY-2345"), _answer(client, code.code)):
        location = urlsplit(response["Location"])
        query = parse_qs(location.query)
        assert (response.status_code, location.netloc) == (302, "default.example.com")
        assert query["lang"] == ["fr"] and TOKEN_SHAPE.match(query["ref"][0])
        assert "utm_campaign" not in query
    assert Click.objects.count() == 0


def test_a_decoy_ref_credits_nobody(client):
    from orders.ingestion.rules import OrderData
    from orders.ingestion.services import record_order

    CampaignFactory(status="running")
    response, _ = _answer(client, "NOBODY-2345")
    [decoy] = parse_qs(urlsplit(response["Location"]).query)["ref"]

    order, _ = record_order(
        source="api",
        data=OrderData(
            external_id="DECOY-1",
            placed_at=timezone.now(),
            customer_email="lea@example.com",
            currency="EUR",
            subtotal=Decimal("80"),
            total=Decimal("80"),
            landing_token=decoy,
        ),
    )
    assert (order.attribution.method, order.attribution.reason) == ("none", "no_match")


def test_bots_get_no_ref_whether_the_code_is_valid_or_not(client):
    code = issue_host_code(host=HostFactory(application__campaign__status="running"))
    for raw in (code.code, "NOBODY-2345"):
        response = client.get(f"/r/{raw}", HTTP_USER_AGENT="facebookexternalhit/1.1")
        assert response.status_code == 302
        assert "ref" not in parse_qs(urlsplit(response["Location"]).query)
    assert Click.objects.count() == 0


def test_redirects_are_throttled(client, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"redirects": "3/minute"})
    statuses = [client.get("/r/ANY-2345", HTTP_USER_AGENT=BROWSER).status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]


def test_purge_clicks_deletes_only_logs_past_retention_and_is_idempotent(settings):
    settings.CLICK_RETENTION_DAYS = 90
    code = issue_host_code(host=HostFactory())
    old = Click.objects.create(
        code=code, token="old", visitor_hash="x", at=timezone.now() - timedelta(days=91)
    )
    recent = Click.objects.create(
        code=code, token="recent", visitor_hash="x", at=timezone.now() - timedelta(days=89)
    )
    assert purge_clicks() == 1
    assert purge_clicks() == 0
    assert list(Click.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not Click.objects.filter(pk=old.pk).exists()


def test_purge_clicks_command_reports_what_it_deleted(settings):
    from io import StringIO

    from django.core.management import call_command

    code = issue_host_code(host=HostFactory())
    Click.objects.create(code=code, token="t", visitor_hash="x", at=timezone.now() - timedelta(days=200))
    out = StringIO()
    call_command("purge_clicks", stdout=out)
    assert "purged 1 click(s)" in out.getvalue()


def test_follow_link_for_an_expired_party_code_logs_no_click_and_lands_like_an_unknown_code(settings):
    settings.DEFAULT_SHOP_URL = "https://default.example.com/"
    host = HostFactory(application__campaign__shop_url="https://own.example.com/")
    party = _party(host, days_from_now=1)
    code = ReferralCode.objects.get(party=party)
    party.attribution_ends_at = timezone.now() - timedelta(seconds=1)
    party.save(update_fields=["attribution_ends_at"])
    location = follow_link(raw_code=code.code, ip_address="198.51.100.1", user_agent=BROWSER, referrer="")
    assert urlsplit(location).netloc == "default.example.com"
    assert Click.objects.count() == 0
