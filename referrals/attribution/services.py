"""Which host (and party) brought an order, by a rule a person can read (SPEC §7).

Rules, first match wins:
  1. code  — the code entered at checkout is one of ours and valid at the order time (a Stripe
             promotion code id is matched through our codes' mirror first, then its code text);
  2. link  — the landing token is a click of one of our links inside the attribution window;
  3. guest — the buyer's e-mail is a guest of a party held before the order, inside its window
             (the most recent such party);
  4. none  — unattributed, with the reason (`unknown_code`, `expired_code`, `no_match`, or
             `unresolved_promotion_code` when Stripe could not tell a promotion code's text).
A buyer who is the host is credited with `self_referral` and earns nothing; so does a paused or
banned host. An order paid in another currency than its host's campaign counts in the campaign's
currency at its day's exchange rate (`orders.exchange_rates`); while that rate is missing it stays
unattributed with `waiting_for_rate`, and is credited when the rate is loaded. The decision depends
only on the order and today's codes, clicks, guest lists and rates, never on other orders, so it is
deterministic whatever order orders arrive in.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connections, transaction
from django.db.models import BooleanField, Min, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from ambassadors.models import Campaign, Guest, Host, Party, PartyStatus
from ambassadors.models.campaigns import CAMPAIGN_PRESENTATION_FIELDS
from ambassadors.models.hosts import HOST_PERSONAL_FIELDS
from ambassadors.models.parties import PARTY_STORY_FIELDS
from backend.arrays import array_text
from backend.bulk import insert_new, unsaved
from backend.errors import Invalid
from backend.prepared import Prepared
from orders.exchange_rates import Conversion, conversion_for, order_day, record_reward_currency
from orders.models import Order
from orders.stripe.promotion_codes import resolve_order_promotion_code
from referrals.models import (
    Attribution,
    AttributionChange,
    AttributionMethod,
    AttributionReason,
    Click,
    ReferralCode,
)
from referrals.reports.facts import refresh_attributed_sale, refresh_attributed_sales
from referrals.rewards.services import recompute_after_attribution, recompute_after_attributions
from referrals.signals import orders_attributed

_HELD_STATUSES = (PartyStatus.HELD, PartyStatus.CLOSED)


@dataclass(frozen=True)
class Decision:
    method: str
    reason: str = ""
    host: Host | None = None
    party: Party | None = None
    referral_code: ReferralCode | None = None
    click: Click | None = None
    explanation: str = ""
    # The campaign's currency when the order was paid in another one, and the conversion to it
    # (None while the day's rate is missing).
    reward_currency: str = ""
    conversion: Conversion | None = None

    @property
    def earns(self) -> bool:
        return self.host is not None and not self.reason


def _ago(earlier: datetime, later: datetime) -> str:
    """'2 days', '5 hours', '12 minutes' — the largest whole unit, for the explanation sentence."""
    seconds = max(0, int((later - earlier).total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "moments"


def _credited(decision: Decision, order: Order) -> Decision:
    """Apply the no-earning cases to a matched decision."""
    host = decision.host
    assert host is not None
    if order.customer_email and order.customer_email == host.user.email:
        return Decision(
            **{
                **decision.__dict__,
                "reason": AttributionReason.SELF_REFERRAL,
                "explanation": f"{decision.explanation} (self-referral: the buyer is the host, nothing earned)",
            }
        )
    if not host.earns:
        return Decision(
            **{
                **decision.__dict__,
                "reason": AttributionReason.HOST_NOT_EARNING,
                "explanation": f"{decision.explanation} (host {host.status}: nothing earned)",
            }
        )
    return decision


@dataclass
class _Facts:
    """Today's codes, clicks and guest lists the orders being decided may match, each looked up
    once for all of them (and only for the orders an earlier rule left undecided)."""

    codes: dict[str, ReferralCode] = field(default_factory=dict)
    # Stripe promotion code id → the referral code it mirrors
    promotion_codes: dict[str, ReferralCode] = field(default_factory=dict)
    clicks: dict[str, Click] = field(default_factory=dict)
    # e-mail → the held parties that e-mail is a guest of
    parties_of_guest: dict[str, list[Party]] = field(default_factory=dict)


def _code_key(order: Order) -> str:
    return order.code.strip().upper()


# What crediting a sale never reads of a code's host, her account, her campaign and her party: left
# out of the codes' rows (one per code of a batch; a phone number is parsed per row).
_NOT_READ = (
    *(f"host__{name}" for name in HOST_PERSONAL_FIELDS),
    *(f"host__user__{name}" for name in ("password", "last_login", "first_name", "last_name", "date_joined")),
    *(f"host__campaign__{name}" for name in CAMPAIGN_PRESENTATION_FIELDS),
    *(f"party__{name}" for name in PARTY_STORY_FIELDS),
)


# The codes `_load_codes` reads on PostgreSQL: the same query, its two lists as arrays, compiled once.
_CODES: Prepared[ReferralCode] = Prepared(
    ReferralCode,
    lambda codes, promotion_ids: ReferralCode.objects.select_related("host__user", "host__campaign", "party")
    .defer(*_NOT_READ)
    .filter(
        RawSQL(  # noqa: S611 (the table's name only; the lists are parameters)
            # The column's own type, so each list is read through its index (the code's unique one,
            # the mirror id's partial one): as text, the code took the pattern index and the empty
            # mirror list a scan of every host code, 2.5 ms of a webhook on the 1M-order programme.
            f"({ReferralCode._meta.db_table}.code = ANY(%s::varchar[])"
            f" OR ({ReferralCode._meta.db_table}.stripe_promotion_code_id = ANY(%s::varchar[])"
            f" AND {ReferralCode._meta.db_table}.stripe_promotion_code_id <> ''))",
            (codes, promotion_ids),
            output_field=BooleanField(),
        )
    )
    .order_by(),
)


def _guests_of(emails: Any, earliest: datetime, latest: datetime, *statuses: str) -> Any:
    """The guests with these e-mails at parties held or closed whose window covers the orders'
    times (an array of e-mails on PostgreSQL: `_GUESTS`); the rule takes the most recent party,
    whatever order they come in."""
    if isinstance(emails, str):
        sql = f"{Guest._meta.db_table}.email = ANY(%s::varchar[])"
        email = Q(RawSQL(sql, (emails,), output_field=BooleanField()))  # noqa: S611 (the table's name only)
    else:
        email = Q(email__in=emails)
    return (
        Guest.objects.select_related("party__host__user", "party__host__campaign")
        .filter(
            email,
            party__attribution_ends_at__gte=earliest,
            party__starts_at__lte=latest,
            party__status__in=statuses,
        )
        .order_by()
    )


# The params in the order of the compiled SQL: the e-mails, then the other filters by name.
_GUESTS: Prepared[Guest] = Prepared(Guest, _guests_of)


def _load_codes(facts: _Facts, orders: list[Order]) -> None:
    keys = {_code_key(order) for order in orders if order.code}
    promotion_ids = {order.promotion_code_id for order in orders if order.promotion_code_id}
    if not keys and not promotion_ids:
        return
    # Unordered (the order's SQL costs more Python than the rows): codes are unique, and a Stripe
    # promotion code mirrored twice resolves to its oldest code, as it always has.
    codes: Iterable[ReferralCode]
    if connections[ReferralCode.objects.db].vendor == "postgresql":
        codes = _CODES.run(array_text(sorted(keys)), array_text(sorted(promotion_ids)))
    else:
        codes = (
            ReferralCode.objects.select_related("host__user", "host__campaign", "party")
            .defer(*_NOT_READ)
            .filter(Q(code__in=keys) | Q(stripe_promotion_code_id__in=promotion_ids))
            .order_by()
        )
    for code in codes:
        if code.code in keys:
            facts.codes[code.code] = code
        if code.stripe_promotion_code_id in promotion_ids:
            kept = facts.promotion_codes.get(code.stripe_promotion_code_id)
            if kept is None or (code.created_at, code.pk) < (kept.created_at, kept.pk):
                facts.promotion_codes[code.stripe_promotion_code_id] = code


def _load_clicks(facts: _Facts, orders: list[Order]) -> None:
    tokens = {order.landing_token for order in orders if order.landing_token}
    if tokens:
        facts.clicks = {
            click.token: click
            for click in Click.objects.select_related(
                "code__host__user", "code__host__campaign", "code__party", "code__campaign"
            )
            .filter(token__in=tokens)
            .order_by()  # tokens are unique
        }


def _load_guest_lists(facts: _Facts, orders: list[Order]) -> None:
    buyers = [order for order in orders if order.customer_email]
    if not buyers:
        return
    emails = sorted({order.customer_email for order in buyers})
    earliest, latest = min(order.placed_at for order in buyers), max(order.placed_at for order in buyers)
    if connections[Guest.objects.db].vendor == "postgresql":
        guests = _GUESTS.run(array_text(emails), earliest, latest, *_HELD_STATUSES)
    else:
        guests = list(_guests_of(emails, earliest, latest, *_HELD_STATUSES))
    for guest in guests:
        facts.parties_of_guest.setdefault(guest.email, []).append(guest.party)


def _by_code(order: Order, facts: _Facts) -> tuple[Decision | None, str]:
    code = facts.promotion_codes.get(order.promotion_code_id) if order.promotion_code_id else None
    if code is None and not order.code:
        return None, AttributionReason.UNRESOLVED_PROMOTION_CODE if order.promotion_code_id else ""
    code = code or facts.codes.get(_code_key(order))
    if code is None:
        return None, AttributionReason.UNKNOWN_CODE
    if not code.is_valid_at(order.placed_at):
        return None, AttributionReason.EXPIRED_CODE
    return Decision(
        method=AttributionMethod.CODE,
        host=code.host,
        party=code.party,
        referral_code=code,
        explanation=f"code {code.code} entered at checkout",
    ), ""


def _by_link(order: Order, facts: _Facts) -> Decision | None:
    if not order.landing_token:
        return None
    click = facts.clicks.get(order.landing_token)
    if click is None:
        return None
    window = timedelta(days=click.code.campaign.attribution_window_days)
    if not (click.at <= order.placed_at <= click.at + window) or not click.code.is_valid_at(click.at):
        return None
    return Decision(
        method=AttributionMethod.LINK,
        host=click.code.host,
        party=click.code.party,
        referral_code=click.code,
        click=click,
        explanation=f"link of {click.code.code} clicked {_ago(click.at, order.placed_at)} earlier",
    )


def _by_guest_list(order: Order, facts: _Facts) -> Decision | None:
    if not order.customer_email:
        return None
    held = [
        party
        for party in facts.parties_of_guest.get(order.customer_email, ())
        if party.starts_at <= order.placed_at <= party.attribution_ends_at
    ]
    if not held:
        return None
    party = max(held, key=lambda party: (party.starts_at, party.pk))  # the most recent party
    return Decision(
        method=AttributionMethod.GUEST,
        host=party.host,
        party=party,
        explanation=f"guest of party #{party.pk} held {_ago(party.starts_at, order.placed_at)} earlier",
    )


def _unattributed(order: Order, code_problem: str) -> Decision:
    reason = code_problem or AttributionReason.NO_MATCH
    sentences: dict[str, str] = {
        AttributionReason.UNKNOWN_CODE: f"unattributed: code {order.code} is not one of ours",
        AttributionReason.EXPIRED_CODE: f"unattributed: code {order.code} was not valid at the order time",
        AttributionReason.UNRESOLVED_PROMOTION_CODE: (
            f"unattributed: Stripe promotion code {order.promotion_code_id} could not be read "
            f"({order.promotion_code_problem or 'unknown reason'}); reconciliation asks again"
        ),
        AttributionReason.NO_MATCH: "unattributed: no code, link or guest list matched",
    }
    return Decision(method=AttributionMethod.NONE, reason=reason, explanation=sentences[reason])


def decide_many(orders: list[Order]) -> list[Decision]:
    """The attribution the rules give each order on today's facts (reads only), in the order given.

    Rule by rule, first match wins: each rule's facts are read in one query for the orders that
    the rules before it left undecided, so a batch costs at most three queries.
    """
    facts = _Facts()
    matched: dict[int, Decision] = {}
    code_problems: dict[int, str] = {}
    _load_codes(facts, orders)
    for index, order in enumerate(orders):
        decision, code_problems[index] = _by_code(order, facts)
        if decision is not None:
            matched[index] = decision
    for rule, load in ((_by_link, _load_clicks), (_by_guest_list, _load_guest_lists)):
        undecided = [index for index in range(len(orders)) if index not in matched]
        load(facts, [orders[index] for index in undecided])
        for index in undecided:
            decision = rule(orders[index], facts)
            if decision is not None:
                matched[index] = decision
    return [
        _in_campaign_currency(order, _credited(matched[index], order))
        if index in matched
        else _unattributed(order, code_problems[index])
        for index, order in enumerate(orders)
    ]


def _in_campaign_currency(order: Order, decision: Decision) -> Decision:
    """A credited decision with the order's amount in the campaign's currency, or waiting for the
    rate of the order's day (unattributed, `waiting_for_rate`) while that rate is missing."""
    assert decision.host is not None
    currency = decision.host.campaign.currency
    if currency == order.currency:
        return decision
    conversion = conversion_for(order=order, currency=currency)
    if conversion is not None:
        return Decision(**{**decision.__dict__, "reward_currency": currency, "conversion": conversion})
    return Decision(
        method=AttributionMethod.NONE,
        reason=AttributionReason.WAITING_FOR_RATE,
        reward_currency=currency,
        explanation=(
            f"waiting for the {order.currency} to {currency} rate of {order_day(order)}: "
            f"{decision.explanation}"
        ),
    )


def decide(order: Order) -> Decision:
    """The attribution the rules give `order` on today's facts (reads only)."""
    return decide_many([order])[0]


def _attribution_values(decision: Decision, *, at: datetime | None = None) -> dict[str, Any]:
    return {
        "method": decision.method,
        "reason": decision.reason,
        "host": decision.host,
        "party": decision.party,
        "campaign_id": decision.host.campaign_id if decision.host else None,
        "referral_code": decision.referral_code,
        "click": decision.click,
        "earns": decision.earns,
        "explanation": decision.explanation[:300],
        "decided_at": at or timezone.now(),
    }


def _write(order: Order, decision: Decision, *, by: Any, change_reason: str) -> Attribution:
    current = Attribution.objects.select_for_update().filter(order=order).first()
    values = _attribution_values(decision)
    record_reward_currency(order=order, currency=decision.reward_currency, conversion=decision.conversion)
    if current is None:
        created = Attribution.objects.create(order=order, **values)
        recompute_after_attribution(attribution=created, previous_host_id=None, created=True)
        refresh_attributed_sale(order=order, attribution=created)
        orders_attributed.send(sender=Attribution, attributions=[created])
        return created
    previous_host_id = current.host_id
    AttributionChange.objects.create(
        order=order,
        by=by,
        from_method=current.method,
        from_host=current.host,
        from_party=current.party,
        to_method=decision.method,
        to_host=decision.host,
        to_party=decision.party,
        reason=change_reason[:500],
    )
    for name, value in values.items():
        setattr(current, name, value)
    current.save(update_fields=list(values))
    recompute_after_attribution(attribution=current, previous_host_id=previous_host_id, created=False)
    refresh_attributed_sale(order=order, attribution=current)
    orders_attributed.send(sender=Attribution, attributions=[current])
    return current


@transaction.atomic(savepoint=False)  # see attribute_recorded_orders
def attribute_orders(*, orders: Sequence[Order]) -> list[Attribution]:
    """Give newly recorded orders their attributions, in the order given; an order that already has
    one keeps it (a second call changes nothing)."""
    existing = {
        attribution.order_id: attribution for attribution in Attribution.objects.filter(order__in=orders)
    }
    created = attribute_recorded_orders(orders=[order for order in orders if order.pk not in existing])
    by_order = {**existing, **{attribution.order_id: attribution for attribution in created}}
    return [by_order[order.pk] for order in orders]


# No savepoint of its own: it runs inside the transaction that records the orders (once per webhook,
# so every round trip counts), and a failure here fails that transaction anyway.
@transaction.atomic(savepoint=False)
def attribute_recorded_orders(*, orders: Sequence[Order]) -> list[Attribution]:
    """Give orders recorded in this very transaction their attributions, in the order given.

    They cannot have one yet, so nothing is read to check: an attribution's unique order stays the
    last word. Set-based for a batch of imported orders: the rules read their facts once for all of
    them, the attributions are inserted together, each affected host's rewards are recomputed once
    for all its new sales, and the report rows are written together. One order is a batch of one.
    """
    decisions = decide_many(list(orders))
    for order, decision in zip(orders, decisions, strict=True):
        if decision.reward_currency:  # paid in another currency than its campaign's
            record_reward_currency(
                order=order, currency=decision.reward_currency, conversion=decision.conversion
            )
    at = timezone.now()  # one decision time for the batch
    created = insert_new(
        [
            unsaved(Attribution, order=order, **_attribution_values(decision, at=at))
            for order, decision in zip(orders, decisions, strict=True)
        ]
    )
    recompute_after_attributions(attributions=created)
    refresh_attributed_sales(attributions=created)
    orders_attributed.send(sender=Attribution, attributions=created)
    return created


def attribute_order(*, order: Order) -> Attribution:
    """Give a newly recorded order its attribution; a second call for the same order changes nothing."""
    (attribution,) = attribute_orders(orders=[order])
    return attribution


@transaction.atomic
def reattribute_order(
    *, order: Order, host: Host | None, party: Party | None, by: Any, reason: str
) -> Attribution:
    """Marketing credits an order by hand (or un-credits it with `host=None`); the reason is audited."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("A reason is required to re-attribute an order.", code="required", field="reason")
    if party is not None and host is not None and party.host_id != host.pk:
        raise Invalid("The party belongs to another host.", code="party_not_of_host", field="party")
    if party is not None and host is None:
        host = party.host
    if host is None:
        decision = Decision(
            method=AttributionMethod.MANUAL,
            reason=AttributionReason.NO_MATCH,
            explanation=f"unattributed by marketing: {reason}",
        )
    else:
        where = f" (party #{party.pk})" if party else ""
        decision = _in_campaign_currency(
            order,
            _credited(
                Decision(
                    method=AttributionMethod.MANUAL,
                    host=host,
                    party=party,
                    explanation=f"credited to {host.full_name}{where} by marketing: {reason}",
                ),
                order,
            ),
        )
        if decision.reason == AttributionReason.WAITING_FOR_RATE:
            raise Invalid(
                f"No {order.currency} to {decision.reward_currency} rate for {order_day(order)} yet: "
                "load the day's exchange rates first.",
                code="rate_missing",
                field="host",
            )
    return _write(Order.objects.select_for_update().get(pk=order.pk), decision, by=by, change_reason=reason)


def reconcile_unattributed(*, now: datetime | None = None, max_window_days: int = 365) -> int:
    """Re-examine unattributed orders still inside a window: guests or reports may have come later,
    and a Stripe promotion code that could not be read is asked for again.

    Only automatic `none` decisions are revisited (a manual decision stands). Returns how many
    orders found their host. Running it twice changes nothing the second time.
    """
    now = now or timezone.now()
    candidates = (
        Attribution.objects.filter(
            method=AttributionMethod.NONE, order__placed_at__gte=now - timedelta(days=max_window_days)
        )
        .select_related("order")
        .order_by("pk")
    )

    def decide_again(attribution: Attribution) -> tuple[Decision, str] | None:
        if attribution.reason == AttributionReason.UNRESOLVED_PROMOTION_CODE:
            resolve_order_promotion_code(order=attribution.order)
        decision = decide(attribution.order)
        if decision.method == AttributionMethod.NONE:
            return None
        return decision, "reconciliation: a later guest list or report matched"

    return _write_new_decisions(candidates, decide_again)


def credit_orders_waiting_for_rate() -> int:
    """Orders that waited for an exchange rate are decided again now that rates were loaded: those
    whose rate is there are credited (in their campaign's currency). Returns how many."""
    waiting = (
        Attribution.objects.filter(reason=AttributionReason.WAITING_FOR_RATE)
        .select_related("order")
        .order_by("pk")
    )

    def decide_again(attribution: Attribution) -> tuple[Decision, str] | None:
        decision = decide(attribution.order)
        if decision.reason == AttributionReason.WAITING_FOR_RATE:
            return None
        return decision, f"the exchange rate of {order_day(attribution.order)} was loaded"

    return _write_new_decisions(waiting, decide_again)


def _write_new_decisions(
    attributions: Any, decide_again: Callable[[Attribution], tuple[Decision, str] | None]
) -> int:
    """Each automatic decision taken again; the new ones written, each in its own transaction.
    Returns how many changed."""
    changed = 0
    for attribution in attributions.iterator(chunk_size=500):
        again = decide_again(attribution)
        if again is None:
            continue
        decision, change_reason = again
        with transaction.atomic():
            _write(attribution.order, decision, by=None, change_reason=change_reason)
        changed += 1
    return changed


def first_campaign_year_start() -> datetime | None:
    """1 January (UTC) of the year the first campaign opened: no order placed before it can be any
    campaign's sale. None before the first campaign."""
    first = Campaign.objects.aggregate(first=Min("applications_open_at"))["first"]
    return None if first is None else datetime(first.astimezone(UTC).year, 1, 1, tzinfo=UTC)


def stop_earning_for_cancelled_order(*, order: Order) -> int:
    """A cancelled order earns nothing: its attribution says so (the credit and its reason stay)."""
    return Attribution.objects.filter(order=order, earns=True).update(earns=False)
