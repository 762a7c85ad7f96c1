import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.utils import timezone

from ambassadors.models import HostStatus
from ambassadors.parties import cancel_party, create_party
from referrals.codes import code_prefix, deactivate_codes, issue_host_code, issue_party_code
from referrals.links import follow_link, purge_clicks, visitor_hash
from referrals.models import CODE_ALPHABET, Click, CodeKind, ReferralCode
from tests.factories import HostFactory

pytestmark = pytest.mark.django_db(transaction=True)

CODE_FORMAT = re.compile(rf"^[A-Z]{{1,10}}-[{CODE_ALPHABET}]{{4}}$")
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
    monkeypatch.setattr("referrals.codes.generate_code", lambda name: next(draws))
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


def test_bots_are_redirected_but_not_counted(client):
    code = issue_host_code(host=HostFactory())
    response = client.get(f"/r/{code.code}", HTTP_USER_AGENT="facebookexternalhit/1.1")
    assert response.status_code == 302
    assert "ref=" not in response["Location"]
    assert Click.objects.count() == 0


def test_unknown_and_inactive_codes_redirect_like_a_valid_one_without_a_token(client, settings):
    settings.DEFAULT_SHOP_URL = "https://shop.example.com/"
    host = HostFactory()
    code = issue_host_code(host=host)
    valid = client.get(f"/r/{code.code}", HTTP_USER_AGENT=BROWSER)
    unknown = client.get("/r/NOBODY-2345", HTTP_USER_AGENT=BROWSER)
    deactivate_codes(host=host, reason="banned")
    inactive = client.get(f"/r/{code.code}", HTTP_USER_AGENT=BROWSER)

    for response in (unknown, inactive):
        assert response.status_code == valid.status_code == 302
        assert sorted(response.headers.keys()) == sorted(valid.headers.keys())
        assert "ref=" not in response["Location"]
        assert response["Location"].startswith("https://shop.example.com/")
    assert Click.objects.count() == 1


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


def test_follow_link_for_an_expired_party_code_gives_no_token():
    host = HostFactory()
    party = _party(host, days_from_now=1)
    code = ReferralCode.objects.get(party=party)
    party.attribution_ends_at = timezone.now() - timedelta(seconds=1)
    party.save(update_fields=["attribution_ends_at"])
    location = follow_link(raw_code=code.code, ip_address="198.51.100.1", user_agent=BROWSER, referrer="")
    assert "ref=" not in location
