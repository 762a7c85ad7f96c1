"""The attribution rules of SPEC §7, each precedence case and window edge, through real order recording."""

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from ambassadors.models import HostStatus, PartyStatus
from orders.ingestion.rules import OrderData
from orders.ingestion.services import record_order
from referrals.attribution.services import decide, reattribute_order, reconcile_unattributed
from referrals.codes.services import issue_host_code, issue_party_code
from referrals.models import Attribution, AttributionChange, AttributionMethod, AttributionReason, Click
from tests import factories
from tests.factories import GuestFactory, PartyFactory

pytestmark = pytest.mark.django_db

_ids = itertools.count(1)


def HostFactory(**kwargs):  # noqa: N802 - a factory: hosts selected well before the orders of these tests
    kwargs.setdefault("selected_at", timezone.now() - timedelta(days=90))
    return factories.HostFactory(**kwargs)


def _order(*, at=None, email="buyer@example.com", code="", token="", subtotal="100.00"):
    amount = Decimal(subtotal)
    order, _ = record_order(
        source="api",
        data=OrderData(
            external_id=f"ord-{next(_ids)}",
            placed_at=at or timezone.now(),
            customer_email=email,
            currency="EUR",
            subtotal=amount,
            total=amount,
            code=code,
            landing_token=token,
        ),
    )
    return Attribution.objects.get(order=order)


def _click(code, *, at):
    return Click.objects.create(code=code, at=at, token=f"tok-{next(_ids)}", visitor_hash="h")


def _held_party(host, *, started, window_days=30):
    party = PartyFactory(
        host=host,
        starts_at=started,
        status=PartyStatus.HELD,
        attribution_ends_at=started + timedelta(days=window_days),
    )
    return party


def test_code_entered_at_checkout_credits_its_host_with_a_readable_sentence():
    host = HostFactory()
    code = issue_host_code(host=host)
    attribution = _order(code=code.code.lower())
    assert (attribution.method, attribution.host, attribution.earns) == (AttributionMethod.CODE, host, True)
    assert attribution.explanation == f"code {code.code} entered at checkout"
    assert attribution.campaign == host.campaign


def test_party_code_credits_the_host_and_the_party():
    party = PartyFactory(starts_at=timezone.now() - timedelta(hours=2))
    code = issue_party_code(party=party)
    attribution = _order(code=code.code)
    assert (attribution.host, attribution.party) == (party.host, party)


def test_link_click_inside_the_window_credits_the_code_host():
    host = HostFactory()
    code = issue_host_code(host=host)
    now = timezone.now()
    click = _click(code, at=now - timedelta(days=2, minutes=5))
    attribution = _order(at=now, token=click.token)
    assert (attribution.method, attribution.host, attribution.click) == (AttributionMethod.LINK, host, click)
    assert attribution.explanation == f"link of {code.code} clicked 2 days earlier"


def test_link_window_edges_to_the_second():
    host = HostFactory()
    code = issue_host_code(host=host)
    window = timedelta(days=host.campaign.attribution_window_days)
    now = timezone.now()
    inside = _click(code, at=now - window)
    outside = _click(code, at=now - window - timedelta(seconds=1))
    assert _order(at=now, token=inside.token).method == AttributionMethod.LINK
    assert _order(at=now, token=outside.token).method == AttributionMethod.NONE


def test_guest_of_a_held_party_is_credited_to_the_most_recent_party():
    now = timezone.now()
    older = _held_party(HostFactory(), started=now - timedelta(days=10))
    newer = _held_party(HostFactory(), started=now - timedelta(days=5))
    GuestFactory(party=older, email="lou@example.com")
    GuestFactory(party=newer, email="lou@example.com")
    attribution = _order(at=now, email="LOU@example.com ")
    assert (attribution.method, attribution.party) == (AttributionMethod.GUEST, newer)
    assert attribution.explanation == f"guest of party #{newer.pk} held 5 days earlier"


def test_guest_window_edges_to_the_second_and_planned_parties_do_not_count():
    now = timezone.now()
    party = _held_party(HostFactory(), started=now - timedelta(days=30), window_days=30)
    GuestFactory(party=party, email="edge@example.com")
    assert _order(at=party.attribution_ends_at, email="edge@example.com").method == AttributionMethod.GUEST
    late = _order(at=party.attribution_ends_at + timedelta(seconds=1), email="edge@example.com")
    assert late.method == AttributionMethod.NONE

    planned = PartyFactory(starts_at=now - timedelta(days=1), status=PartyStatus.PLANNED)
    GuestFactory(party=planned, email="planned@example.com")
    assert _order(email="planned@example.com").reason == AttributionReason.NO_MATCH


def test_code_beats_link_beats_guest():
    now = timezone.now()
    code_host, link_host, guest_host = HostFactory(), HostFactory(), HostFactory()
    code = issue_host_code(host=code_host)
    click = _click(issue_host_code(host=link_host), at=now - timedelta(hours=1))
    GuestFactory(party=_held_party(guest_host, started=now - timedelta(days=1)), email="all@example.com")

    assert _order(at=now, email="all@example.com", code=code.code, token=click.token).host == code_host
    assert _order(at=now, email="all@example.com", token=click.token).host == link_host
    assert _order(at=now, email="all@example.com").host == guest_host


def test_a_bad_code_falls_through_to_the_link_rule():
    host = HostFactory()
    click = _click(issue_host_code(host=host), at=timezone.now() - timedelta(hours=1))
    assert _order(code="NOPE-2345", token=click.token).method == AttributionMethod.LINK


def test_unknown_and_expired_codes_are_unattributed_with_their_reason():
    unknown = _order(code="NOBODY-2345")
    assert (unknown.method, unknown.reason, unknown.host) == (AttributionMethod.NONE, "unknown_code", None)
    assert unknown.explanation == "unattributed: code NOBODY-2345 is not one of ours"

    party = PartyFactory(starts_at=timezone.now() + timedelta(days=3))
    code = issue_party_code(party=party)
    early = _order(code=code.code)  # before the party day
    assert (early.method, early.reason) == (AttributionMethod.NONE, "expired_code")

    nothing = _order()
    assert nothing.reason == AttributionReason.NO_MATCH


def test_self_referral_is_credited_but_earns_nothing():
    host = HostFactory()
    code = issue_host_code(host=host)
    attribution = _order(code=code.code, email=host.user.email.upper())
    assert (attribution.host, attribution.reason, attribution.earns) == (host, "self_referral", False)
    assert "self-referral" in attribution.explanation


@pytest.mark.parametrize("status", [HostStatus.PAUSED])
def test_paused_host_is_credited_but_earns_nothing(status):
    host = HostFactory(status=status)
    attribution = _order(code=issue_host_code(host=host).code)
    assert (attribution.host, attribution.earns, attribution.reason) == (host, False, "host_not_earning")


def test_banned_host_codes_do_not_credit():
    host = HostFactory()
    code = issue_host_code(host=host)
    host.status = HostStatus.BANNED
    host.save(update_fields=["status"])
    attribution = _order(code=code.code)
    assert (attribution.method, attribution.reason) == (AttributionMethod.NONE, "expired_code")


def test_attribution_happens_once_per_order_even_when_recorded_twice():
    host = HostFactory()
    code = issue_host_code(host=host)
    data = OrderData(
        external_id="twice",
        placed_at=timezone.now(),
        customer_email="b@example.com",
        currency="EUR",
        subtotal=Decimal("10"),
        total=Decimal("10"),
        code=code.code,
    )
    record_order(source="api", data=data)
    record_order(source="api", data=data)
    assert Attribution.objects.count() == 1


def test_manual_reattribution_requires_a_reason_and_is_audited(marketing_user):
    from backend.errors import Invalid

    attribution = _order()
    host = HostFactory()
    with pytest.raises(Invalid):
        reattribute_order(order=attribution.order, host=host, party=None, by=marketing_user, reason=" ")

    updated = reattribute_order(
        order=attribution.order,
        host=host,
        party=None,
        by=marketing_user,
        reason="customer phoned: Clara sent her",
    )
    assert (updated.method, updated.host, updated.earns) == (AttributionMethod.MANUAL, host, True)
    change = AttributionChange.objects.get()
    assert (change.by, change.from_method, change.to_host, change.reason) == (
        marketing_user,
        AttributionMethod.NONE,
        host,
        "customer phoned: Clara sent her",
    )


def test_manual_reattribution_refuses_a_party_of_another_host(marketing_user):
    from backend.errors import Invalid

    attribution = _order()
    with pytest.raises(Invalid):
        reattribute_order(
            order=attribution.order,
            host=HostFactory(),
            party=PartyFactory(),
            by=marketing_user,
            reason="mistake",
        )
    assert AttributionChange.objects.count() == 0


def test_reconciliation_credits_orders_whose_guest_was_added_later_and_is_idempotent():
    now = timezone.now()
    party = _held_party(HostFactory(), started=now - timedelta(days=3))
    attribution = _order(at=now - timedelta(days=1), email="late@example.com")
    assert attribution.method == AttributionMethod.NONE

    GuestFactory(party=party, email="late@example.com")
    assert reconcile_unattributed() == 1
    assert reconcile_unattributed() == 0

    attribution.refresh_from_db()
    assert (attribution.method, attribution.party) == (AttributionMethod.GUEST, party)
    assert attribution.explanation == decide(attribution.order).explanation
    assert AttributionChange.objects.get().reason.startswith("reconciliation")


def test_reconciliation_leaves_manual_decisions_alone(marketing_user):
    now = timezone.now()
    party = _held_party(HostFactory(), started=now - timedelta(days=3))
    attribution = _order(at=now - timedelta(days=1), email="kept@example.com")
    reattribute_order(order=attribution.order, host=None, party=None, by=marketing_user, reason="fraud")
    GuestFactory(party=party, email="kept@example.com")
    assert reconcile_unattributed() == 0
