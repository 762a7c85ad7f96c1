"""The rewards ledger: the plan applied to today's facts, with only the difference posted (SPEC §8).

`recompute_rewards(host)` compares what the host is owed per basis (`referrals.rewards.entitlement`)
with the ledger's sums per basis and posts the differences, so the ledger always equals the plan
applied to current facts. Manual adjustments and payouts are facts of their own and are never
recomputed.
"""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import BooleanField, Case, F, Max, Q, Sum, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from ambassadors.models import Campaign, CampaignStatus, Host, Party, PartyStatus
from ambassadors.models.campaigns import CAMPAIGN_PRESENTATION_FIELDS
from ambassadors.models.hosts import HOST_PERSONAL_FIELDS
from backend import planned
from backend.arrays import array_text
from backend.bulk import insert_new, unsaved
from backend.errors import Invalid
from backend.money import ZERO, round_money
from backend.prepared import Prepared
from referrals.models import Attribution, EntryKind, EntryState, LedgerEntry, RewardPlan
from referrals.rewards.entitlement import (
    Owed,
    Scope,
    cap_owed,
    earning_attributions,
    entitlement,
    sales_owed,
    validate_brackets,
)
from referrals.signals import rewards_approved

# Bases that recomputation owns; the others (adjustments, payouts) are never recomputed.
_COMPUTED_PREFIXES = ("party:", "order:", "booking:", "kit:", "cap")
# Bases that count toward the cap per host.
_EARNING_PREFIXES = ("party:", "order:", "booking:")


@transaction.atomic
def set_reward_plan(*, campaign: Campaign, by: Any, **fields: Any) -> RewardPlan:
    """Create or change a campaign's plan; every host of the campaign is recomputed under it."""
    if "party_brackets" in fields:
        fields["party_brackets"] = validate_brackets(fields["party_brackets"])
    for name in ("min_party_sales", "booking_bonus", "payout_minimum", "cap_per_host", "host_code_rate"):
        value = fields.get(name)
        if value is not None and Decimal(value) < 0:
            raise Invalid("Must not be negative.", code="min_value", field=name)
    if fields.get("host_code_rate") is not None and Decimal(fields["host_code_rate"]) > 1:
        raise Invalid("A rate is at most 1 (100 %).", code="max_value", field="host_code_rate")
    plan, _ = RewardPlan.objects.update_or_create(campaign=campaign, defaults=fields)
    for host in Host.objects.filter(campaign=campaign):
        recompute_rewards(host=host)
    return plan


def _in_scope(basis: str, bases: set[str] | None) -> bool:
    """Whether a recomputation owns `basis`: any computed basis, or only those of its scope."""
    if bases is None:
        return basis.startswith(_COMPUTED_PREFIXES)
    return basis in bases


def _starting_with(prefixes: tuple[str, ...]) -> Q:
    condition = Q()
    for prefix in prefixes:
        condition |= Q(basis__startswith=prefix)
    return condition


def _posted_per_basis(host: Host) -> dict[str, Decimal]:
    """What the ledger holds per computed basis of the host."""
    rows = (
        LedgerEntry.objects.filter(_starting_with(_COMPUTED_PREFIXES), host=host)
        .values("basis")
        .annotate(total=Sum("amount"))
    )
    return {row["basis"]: row["total"] for row in rows}


@dataclass
class _Waits:
    """When a host's pending lines become approvable: per basis (at least those being posted), and
    the latest of all its earning lines (what a further cap waits for)."""

    per_basis: dict[str, datetime] = field(default_factory=dict)
    earnings: datetime | None = None


def _posted_in_scopes(
    hosts: list[Host], scopes: dict[int, Scope]
) -> tuple[dict[int, dict[str, Decimal]], dict[int, Decimal], dict[int, _Waits]]:
    """Per host: what the ledger holds on the bases of its scope and on its cap, all it has earned
    (the cap's measure), and when its pending lines become approvable (`_Waits`). One query whose
    answer does not grow with the hosts' history: the lines outside the scopes are summed into one
    row per host and kind (earning or not)."""
    bases = {host.pk: scopes[host.pk].bases() | {"cap"} for host in hosts}
    scoped = set().union(*bases.values())
    posted: dict[int, dict[str, Decimal]] = {host.pk: {} for host in hosts}
    earned: dict[int, Decimal] = {host.pk: ZERO for host in hosts}
    waits: dict[int, _Waits] = {host.pk: _Waits() for host in hosts}
    for host_id, scoped_basis, is_earning, total, until in _posted_rows(hosts, scoped):
        host_waits = waits[host_id]
        if scoped_basis in bases[host_id]:
            posted[host_id][scoped_basis] = total
            if until is not None:
                host_waits.per_basis[scoped_basis] = until
        if is_earning:
            earned[host_id] += total
            if until is not None and (host_waits.earnings is None or until > host_waits.earnings):
                host_waits.earnings = until
    return posted, earned, waits


def _posted_rows(
    hosts: list[Host], scoped: set[str]
) -> list[tuple[int, str, bool, Decimal, datetime | None]]:
    """The ledger of `hosts` summed per (host, basis among `scoped` or '' for the others, earning or
    not): the sum and the latest `approvable_at` of its pending lines. On PostgreSQL one fixed
    statement whose lists are array parameters (no query to compile, a handful of values to quote)."""
    connection = connections[LedgerEntry.objects.db]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            planned.execute(
                cursor,
                _POSTED_ROWS,
                [
                    array_text(sorted(scoped)),
                    array_text(f"{prefix}%" for prefix in _EARNING_PREFIXES),
                    EntryState.PENDING,
                    array_text(host.pk for host in hosts),
                    array_text(sorted(scoped)),
                    array_text(f"{prefix}%" for prefix in _EARNING_PREFIXES),
                ],
            )
            return cursor.fetchall()
    earning = _starting_with(_EARNING_PREFIXES)
    return list(
        LedgerEntry.objects.filter(Q(basis__in=scoped) | earning, host__in=hosts)
        .values_list(
            "host_id",
            Case(When(basis__in=scoped, then=F("basis")), default=Value("")),
            Case(When(earning, then=Value(True)), default=Value(False)),
        )
        .annotate(total=Sum("amount"), until=Max("approvable_at", filter=Q(state=EntryState.PENDING)))
        .order_by()
    )


# The query `_posted_rows` runs elsewhere, its lists as arrays (bases have no LIKE wildcard but `%`
# at the end of the prefixes). Fixed fragments only: the table's name.
_POSTED_ROWS = (
    "SELECT host_id, CASE WHEN basis = ANY(%s::text[]) THEN basis ELSE '' END AS scoped_basis,"  # noqa: S608
    " basis LIKE ANY(%s::text[]) AS earning, SUM(amount) AS total,"
    " MAX(approvable_at) FILTER (WHERE state = %s) AS until"
    f" FROM {LedgerEntry._meta.db_table}"
    " WHERE host_id = ANY(%s::bigint[]) AND (basis = ANY(%s::text[]) OR basis LIKE ANY(%s::text[]))"
    " GROUP BY 1, 2, 3"
)


def _closed_party_bases(hosts: list[Host], party_ids: set[int] | None = None) -> dict[int, set[str]]:
    """Per host, the bases of its closed parties (among `party_ids` when given): their reward is final."""
    closed: dict[int, set[str]] = {host.pk: set() for host in hosts}
    if party_ids is not None and not party_ids:
        return closed  # no party named: none of them is closed (and no query to build)
    parties = Party.objects.filter(host__in=hosts, status=PartyStatus.CLOSED)
    if party_ids is not None:
        parties = parties.filter(pk__in=party_ids)
    for host_id, party_id in parties.values_list("host_id", "pk"):
        closed[host_id].add(f"party:{party_id}")
    return closed


def _keep_final(owed: dict[str, Owed], posted: dict[str, Decimal], final: set[str]) -> dict[str, Owed]:
    """A closed party's reward is what the ledger held when it closed: later refunds leave it alone."""
    kept = {basis: item for basis, item in owed.items() if basis not in final}
    for basis in final:
        if posted.get(basis):
            kept[basis] = Owed(posted[basis], EntryKind.ACCRUAL, f"{basis.replace(':', ' #')}: final")
    return kept


def _pending_until(host: Host) -> _Waits:
    """When each computed basis' latest pending line of the host becomes approvable (one query)."""
    rows = (
        LedgerEntry.objects.filter(_starting_with(_COMPUTED_PREFIXES), host=host, state=EntryState.PENDING)
        .values("basis")
        .annotate(until=Max("approvable_at"))
        .order_by()
    )
    waits = _Waits(per_basis={row["basis"]: row["until"] for row in rows})
    waits.earnings = max(
        (until for basis, until in waits.per_basis.items() if basis.startswith(_EARNING_PREFIXES)),
        default=None,
    )
    return waits


def _entry(
    host: Host,
    basis: str,
    difference: Decimal,
    owed: Owed | None,
    *,
    at: datetime,
    holding: timedelta,
    follows: datetime | None,
) -> LedgerEntry:
    """One difference posted. New money waits the holding period. A correction that takes money back
    follows the lines it corrects: pending until they are approvable (`follows`) while they wait,
    approved at once otherwise. The cap follows what it caps: the same rule, where `follows` also
    counts the earnings still waiting; a cap release is the cap's own correction."""
    if basis == "cap":
        kind: str = EntryKind.CAP
        if difference < 0 and owed is not None:
            description = owed.description
        else:
            description = "cap released: earnings went back under the cap"
        until = follows
    elif owed is not None and owed.kind != EntryKind.ACCRUAL:
        kind, description = owed.kind, owed.description
        until = at + holding if difference > 0 else follows
    elif difference > 0 and owed is not None:
        kind, description = EntryKind.ACCRUAL, owed.description
        until = at + holding
    else:
        kind = EntryKind.REVERSAL
        description = f"taken back: {owed.description if owed else basis}"
        until = at + holding if difference > 0 else follows
    waits = until is not None and until > at
    return unsaved(
        LedgerEntry,
        host=host,
        campaign=host.campaign,
        kind=kind,
        state=EntryState.PENDING if waits else EntryState.APPROVED,
        basis=basis,
        amount=difference,
        currency=host.campaign.currency,
        description=description[:300],
        created_at=at,
        approvable_at=until if waits and until is not None else at,
        approved_at=None if waits else at,
    )


def _differences(
    host: Host,
    plan: RewardPlan | None,
    *,
    owed: dict[str, Owed],
    posted: dict[str, Decimal],
    scope: Scope | None,
    waits: _Waits,
    earned: Decimal = ZERO,
    at: datetime,
) -> list[LedgerEntry]:
    """The entries that bring the host's computed bases (all of them, or those of `scope` and the
    cap) to `owed`. With a scope, `posted` holds at least its bases and the cap, and `earned` is all
    the host's earning bases hold: the cap is recomputed on it with the scope's bases replaced.
    `waits`: when the host's pending lines become approvable."""
    bases = None if scope is None else scope.bases()
    if bases is not None and plan is not None:
        earned -= sum((v for b, v in posted.items() if b in bases), ZERO)
        earned += sum((item.amount for item in owed.values()), ZERO)
        cap = cap_owed(plan, earned)
        if cap is not None:
            owed = {**owed, "cap": cap}
    holding = timedelta(days=plan.holding_days if plan else 30)
    entries = []
    for basis in sorted(set(owed) | {b for b in posted if _in_scope(b, bases) or b == "cap"}):
        if basis == "cap":
            continue  # last: it follows the earnings posted here
        difference = (owed[basis].amount if basis in owed else ZERO) - posted.get(basis, ZERO)
        if difference:
            entry = _entry(
                host,
                basis,
                difference,
                owed.get(basis),
                at=at,
                holding=holding,
                follows=waits.per_basis.get(basis),
            )
            entries.append(entry)
    cap_difference = (owed["cap"].amount if "cap" in owed else ZERO) - posted.get("cap", ZERO)
    if cap_difference:
        follows = [until for until in [waits.per_basis.get("cap")] if until is not None]
        if cap_difference < 0:  # more capped: it waits as long as the earnings it caps
            follows += [waits.earnings] if waits.earnings is not None else []
            follows += [
                entry.approvable_at
                for entry in entries
                if entry.state == EntryState.PENDING and entry.basis.startswith(_EARNING_PREFIXES)
            ]
        entries.append(
            _entry(
                host,
                "cap",
                cap_difference,
                owed.get("cap"),
                at=at,
                holding=holding,
                follows=max(follows) if follows else None,
            )
        )
    return entries


@transaction.atomic
def recompute_rewards(
    *, host: Host, scope: Scope | None = None, at: datetime | None = None
) -> list[LedgerEntry]:
    """Post, per basis, the difference between what today's facts give and what the ledger holds.

    With a `scope` (some parties, some host-code orders) only those bases and the cap are looked at:
    the other bases already equal their entitlement (this function and `recompute_rewards_in_scopes`
    are the only writers of computed bases), so the result is the same as a full recomputation, at
    the cost of one small query.
    """
    if scope is not None:
        return recompute_rewards_in_scopes(scopes={host.pk: scope}, at=at)
    at = at or timezone.now()
    host = Host.objects.select_for_update().select_related("campaign").get(pk=host.pk)
    plan = RewardPlan.objects.filter(campaign=host.campaign).first()
    posted = _posted_per_basis(host)
    owed = _keep_final(entitlement(host, plan), posted, _closed_party_bases([host])[host.pk])
    if plan is not None:
        owed.pop("cap", None)
        earned = sum((item.amount for b, item in owed.items() if b.startswith(_EARNING_PREFIXES)), ZERO)
        cap = cap_owed(plan, earned)
        if cap is not None:
            owed["cap"] = cap
    return _post(
        _differences(host, plan, owed=owed, posted=posted, scope=None, waits=_pending_until(host), at=at)
    )


# The hosts `recompute_rewards_in_scopes` locks on PostgreSQL: the same query, its ids an array,
# compiled once.
# What rewards never read of a host and her campaign: left out of the locked rows (a phone number
# alone is parsed per row; the campaign's texts come once per host row). Reward payloads carry ids.
_NOT_READ = (
    *HOST_PERSONAL_FIELDS,
    *(f"campaign__{name}" for name in CAMPAIGN_PRESENTATION_FIELDS),
)
_LOCKED_HOSTS: Prepared[Host] = Prepared(
    Host,
    lambda ids: Host.objects.select_for_update(of=("self",))
    .select_related("campaign__reward_plan")
    .defer(*_NOT_READ)
    .filter(
        RawSQL(  # noqa: S611 (the table's name only; the ids are a parameter)
            f"{Host._meta.db_table}.id = ANY(%s::bigint[])", (ids,), output_field=BooleanField()
        )
    )
    .order_by("pk"),
    for_write=True,
)


@transaction.atomic(savepoint=False)  # a failure fails the caller's transaction: no savepoint needed
def recompute_rewards_in_scopes(
    *, scopes: dict[int, Scope], at: datetime | None = None, fresh: Sequence[Attribution] = ()
) -> list[LedgerEntry]:
    """`recompute_rewards(host=…, scope=…)` for many hosts (by id) at once, with a few queries in all.

    Hosts are locked in id order, so two batches touching the same hosts never deadlock. `fresh`:
    attributions created in this transaction, with their orders (see `earning_attributions`).
    """
    if not scopes:
        return []
    at = at or timezone.now()
    # Only the hosts are locked (what serialises their ledgers); their campaign and plan come along.
    hosts: list[Host]
    if connections[Host.objects.db].vendor == "postgresql":
        hosts = _LOCKED_HOSTS.run(array_text(sorted(scopes)))
    else:
        hosts = list(
            Host.objects.select_for_update(of=("self",))
            .select_related("campaign__reward_plan")
            .defer(*_NOT_READ)
            .filter(pk__in=scopes)
            .order_by("pk")
        )
    posted, earned, waits = _posted_in_scopes(hosts, scopes)
    final = _closed_party_bases(hosts, {pk for scope in scopes.values() for pk in scope.party_ids})
    earning = earning_attributions(hosts, scopes, fresh)
    entries = []
    for host in hosts:
        plan = getattr(host.campaign, "reward_plan", None)
        owed = sales_owed(earning.get(host.pk, []), plan) if plan is not None else {}
        owed = _keep_final(owed, posted[host.pk], final[host.pk])
        entries += _differences(
            host,
            plan,
            owed=owed,
            posted=posted[host.pk],
            scope=scopes[host.pk],
            waits=waits[host.pk],
            earned=earned[host.pk],
            at=at,
        )
    return _post(entries)


def _post(entries: list[LedgerEntry]) -> list[LedgerEntry]:
    """Insert the entries; those approved at once are announced."""
    posted = insert_new(entries)
    approved = [entry for entry in posted if entry.state == EntryState.APPROVED]
    if approved:
        rewards_approved.send(sender=LedgerEntry, entries=approved)
    return posted


@transaction.atomic
def adjust_rewards(*, host: Host, amount: Decimal, reason: str, by: Any, gift: bool = False) -> LedgerEntry:
    """A manual adjustment by marketing, with its reason (audited; approved at once). A `gift` (store
    credit given with a note from the brand) is the same adjustment, told to the host as a gift."""
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("A reason is required.", code="required", field="reason")
    if not amount or round_money(amount) != amount:
        raise Invalid("Give a non-zero amount with at most two decimals.", code="invalid", field="amount")
    limit = Decimal(settings.LEDGER_ADJUSTMENT_LIMIT)
    if abs(amount) > limit:
        raise Invalid(
            f"An adjustment moves at most {limit} {host.campaign.currency} either way.",
            code="beyond_adjustment_limit",
            field="amount",
        )
    now = timezone.now()
    entry = LedgerEntry.objects.create(
        host=host,
        campaign=host.campaign,
        kind=EntryKind.ADJUSTMENT,
        state=EntryState.APPROVED,
        basis=f"{'gift' if gift else 'adjustment'}:{uuid.uuid4().hex[:16]}",
        amount=amount,
        currency=host.campaign.currency,
        description=f"adjustment: {reason}"[:300],
        created_at=now,
        approvable_at=now,
        approved_at=now,
        by=by,
        reason=reason[:500],
    )
    rewards_approved.send(sender=LedgerEntry, entries=[entry])
    return entry


@transaction.atomic
def approve_due_entries(*, at: datetime | None = None) -> int:
    """Approve pending entries whose holding period is over (idempotent; run daily)."""
    at = at or timezone.now()
    due = list(
        LedgerEntry.objects.select_for_update()
        .filter(state=EntryState.PENDING, approvable_at__lte=at)
        .values_list("pk", flat=True)
    )
    if not due:
        return 0
    approved = LedgerEntry.objects.filter(pk__in=due).update(state=EntryState.APPROVED, approved_at=at)
    rewards_approved.send(sender=LedgerEntry, entries=list(LedgerEntry.objects.filter(pk__in=due)))
    return approved


@dataclass(frozen=True)
class Balance:
    pending: Decimal
    approved: Decimal
    paid: Decimal

    @property
    def owed(self) -> Decimal:
        return self.pending + self.approved


def balance(host: Host) -> Balance:
    """Pending and approved amounts not paid yet, and what was paid out (payout lines excluded)."""
    rows = (
        LedgerEntry.objects.filter(host=host)
        .exclude(kind=EntryKind.PAYOUT)
        .values("state")
        .annotate(total=Sum("amount"))
    )
    totals = {row["state"]: row["total"] for row in rows}
    return Balance(
        pending=totals.get(EntryState.PENDING, ZERO),
        approved=totals.get(EntryState.APPROVED, ZERO),
        paid=totals.get(EntryState.PAID, ZERO),
    )


def recompute_after_attribution(
    *, attribution: Attribution, previous_host_id: int | None, created: bool
) -> None:
    """Keep the ledger equal to the plan after an order was credited, re-credited or refunded."""
    if created:
        recompute_after_attributions(attributions=[attribution])
        return
    for host_id in {pk for pk in (previous_host_id, attribution.host_id) if pk is not None}:
        recompute_rewards(host=Host.objects.get(pk=host_id))


def recompute_after_attributions(*, attributions: list[Attribution]) -> None:
    """Keep the ledger equal to the plan after new orders were credited: each host once, for the
    parties and host-code orders its new sales touched. `attributions` were created in this
    transaction, with their orders: the host-code ones are not read again."""
    party_ids: dict[int, set[int]] = defaultdict(set)
    order_ids: dict[int, set[int]] = defaultdict(set)
    for attribution in attributions:
        if attribution.host_id is None:
            continue
        if attribution.party_id is not None:
            party_ids[attribution.host_id].add(attribution.party_id)
        else:
            order_ids[attribution.host_id].add(attribution.order_id)
    recompute_rewards_in_scopes(
        scopes={
            host_id: Scope(party_ids=frozenset(party_ids[host_id]), order_ids=frozenset(order_ids[host_id]))
            for host_id in party_ids.keys() | order_ids.keys()
        },
        fresh=attributions,
    )


def recompute_running_campaigns(*, campaign_id: int | None = None) -> int:
    """Recompute every host of the running campaigns (a nightly safety net; idempotent).

    Returns the number of ledger lines posted: zero when the ledger already equals the plan."""
    hosts = Host.objects.filter(campaign__status=CampaignStatus.RUNNING).order_by("pk")
    if campaign_id is not None:
        hosts = hosts.filter(campaign_id=campaign_id)
    return sum(len(recompute_rewards(host=host)) for host in hosts)
