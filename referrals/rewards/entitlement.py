"""What a host is owed on today's facts under their campaign's reward plan, per basis (SPEC §8).

`entitlement(host)` reads today's facts — earning attributions and their net sales after refunds,
bookings that became active hosts, kit settlements — and returns the amount owed per basis: the
party brackets on each qualifying party's sales, the host-code rate on each sale through the host's
code, the booking bonus, kit deductions, and the cap. Reads only: `referrals.rewards.services`
posts the differences to the ledger.
"""

import functools
import operator
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q

from ambassadors.models import Application, Host
from backend.errors import Invalid
from backend.money import ZERO, round_money
from kits.models import KitSettlement
from orders.models import OrderStatus
from referrals.models import Attribution, EntryKind, RewardPlan


def bracket_reward(sales: Decimal, brackets: list[dict[str, Any]]) -> Decimal:
    """Marginal brackets: each slice of `sales` earns its own bracket's rate."""
    reward = Decimal("0")
    lower = Decimal("0")
    for bracket in brackets:
        upper = Decimal(bracket["up_to"]) if bracket.get("up_to") is not None else None
        rate = Decimal(bracket["rate"])
        top = sales if upper is None else min(sales, upper)
        if top > lower:
            reward += (top - lower) * rate
        if upper is None or sales <= upper:
            break
        lower = upper
    return round_money(reward)


def validate_brackets(brackets: Any) -> list[dict[str, str | None]]:
    """Brackets in increasing order, rates between 0 and 1, only the last one open-ended."""
    if not isinstance(brackets, list) or not brackets:
        raise Invalid("At least one bracket is required.", code="required", field="party_brackets")
    cleaned: list[dict[str, str | None]] = []
    previous = Decimal("0")
    for index, bracket in enumerate(brackets):
        try:
            rate = Decimal(str(bracket["rate"]))
            upper = None if bracket.get("up_to") in (None, "") else Decimal(str(bracket["up_to"]))
        except (KeyError, TypeError, ArithmeticError) as error:
            raise Invalid(
                f"Bracket {index + 1} needs a numeric 'rate' and 'up_to'.",
                code="invalid",
                field="party_brackets",
            ) from error
        if not (Decimal("0") <= rate <= Decimal("1")):
            raise Invalid(
                f"Bracket {index + 1}: the rate must be between 0 and 1.",
                code="invalid",
                field="party_brackets",
            )
        last = index == len(brackets) - 1
        if upper is None and not last:
            raise Invalid("Only the last bracket may be open-ended.", code="invalid", field="party_brackets")
        if upper is not None and upper <= previous:
            raise Invalid("Brackets must go up.", code="invalid", field="party_brackets")
        cleaned.append({"up_to": None if upper is None else str(round_money(upper)), "rate": str(rate)})
        previous = upper or previous
    return cleaned


@dataclass(frozen=True)
class Owed:
    amount: Decimal
    kind: str
    description: str


@dataclass(frozen=True)
class Scope:
    """What changed: some parties' sales and some orders sold through the host code (None: everything)."""

    party_ids: frozenset[int] = frozenset()
    order_ids: frozenset[int] = frozenset()

    def __or__(self, other: "Scope") -> "Scope":
        return Scope(party_ids=self.party_ids | other.party_ids, order_ids=self.order_ids | other.order_ids)

    def covers(self, attribution: Attribution) -> bool:
        if attribution.party_id is not None:
            return attribution.party_id in self.party_ids
        return attribution.order_id in self.order_ids

    def bases(self) -> set[str]:
        return {f"party:{party_id}" for party_id in self.party_ids} | {
            f"order:{order_id}" for order_id in self.order_ids
        }


def _earns_for_host(attribution: Attribution, campaign_id: int | None) -> bool:
    """An attribution counts toward its host's rewards: it earns, its order is not cancelled, and it
    was credited in the host's campaign."""
    return (
        attribution.earns
        and attribution.order.status != OrderStatus.CANCELLED
        and attribution.campaign_id == campaign_id
    )


def earning_attributions(
    hosts: list[Host], scopes: dict[int, Scope] | None, fresh: Sequence[Attribution] = ()
) -> dict[int, list[Attribution]]:
    """Each host's attributions that earn in its campaign (within its scope, when given): one query.

    `fresh` are attributions created in this transaction, their orders in memory: the host-code
    orders among them are taken as they are instead of read again (an order has one attribution).
    """
    campaign_of = {host.pk: host.campaign_id for host in hosts}
    candidates: list[Attribution] = []
    party_ids: set[int] = set()
    order_ids: set[int] = set()
    if scopes is not None:
        union = functools.reduce(operator.or_, scopes.values(), Scope())
        known = [
            attribution
            for attribution in fresh
            if attribution.party_id is None
            and attribution.host_id in scopes
            and attribution.order_id in union.order_ids
        ]
        candidates += known
        party_ids = set(union.party_ids)
        order_ids = set(union.order_ids) - {attribution.order_id for attribution in known}
    if scopes is None or party_ids or order_ids:
        stored = (
            Attribution.objects.filter(host__in=hosts)
            .select_related("order")
            .only(
                "host_id",
                "campaign_id",
                "party_id",
                "earns",
                "order__id",
                "order__status",
                "order__total",
                "order__refunded_amount",
                "order__commissionable_amount",
                "order__reward_amount",
                "order__currency_status",
                "order__customer_email",
            )
        )
        if scopes is not None:
            stored = stored.filter(Q(party_id__in=party_ids) | Q(order_id__in=order_ids, party__isnull=True))
        candidates += stored
    grouped: dict[int, list[Attribution]] = defaultdict(list)
    for attribution in candidates:
        assert attribution.host_id is not None  # filtered on the host
        if not _earns_for_host(attribution, campaign_of[attribution.host_id]):
            continue
        if scopes is not None and not scopes[attribution.host_id].covers(attribution):
            continue
        grouped[attribution.host_id].append(attribution)
    return grouped


def party_tallies(earning: Sequence[Attribution]) -> dict[int, tuple[int, Decimal]]:
    """Per party of these earning attributions: its buyers (with a positive net) and its net sales,
    what a party's reward is computed on."""
    sales: dict[int, Decimal] = defaultdict(Decimal)
    buyers: dict[int, set[str]] = defaultdict(set)
    for attribution in earning:
        if attribution.party_id is None:
            continue
        net = attribution.order.net_commissionable_amount
        sales[attribution.party_id] += net
        if net > 0:
            buyers[attribution.party_id].add(attribution.order.customer_email)
    return {party_id: (len(buyers[party_id]), total) for party_id, total in sales.items()}


def sales_owed(earning: list[Attribution], plan: RewardPlan) -> dict[str, Owed]:
    owed: dict[str, Owed] = {}
    for attribution in earning:
        if attribution.party_id is None:
            order = attribution.order
            # Half a cent up, as orders and the report round (`backend.money`): 12.50 at 5 % earns 0.63.
            reward = round_money(order.net_commissionable_amount * plan.host_code_rate)
            if reward:
                owed[f"order:{order.pk}"] = Owed(
                    reward, EntryKind.ACCRUAL, f"sale through your code, order #{order.pk}"
                )
    for party_id, (buyers, sales) in party_tallies(earning).items():
        qualifies = buyers >= plan.min_party_buyers and sales >= plan.min_party_sales
        reward = bracket_reward(sales, plan.party_brackets) if qualifies else ZERO
        if reward:
            owed[f"party:{party_id}"] = Owed(
                reward, EntryKind.ACCRUAL, f"party #{party_id}: {sales} of sales"
            )
    return owed


def _bookings_owed(host: Host, plan: RewardPlan) -> dict[str, Owed]:
    if not plan.booking_bonus:
        return {}
    booked = (
        # SPEC §5: owed once the booked applicant is selected (a host row exists), signed in or not.
        Application.objects.filter(booking_guests__party__host=host, host__isnull=False)
        .distinct()
        .values_list("pk", flat=True)
    )
    return {
        f"booking:{application_id}": Owed(
            plan.booking_bonus,
            EntryKind.ACCRUAL,
            f"booking bonus: a guest was selected as a host (#{application_id})",
        )
        for application_id in booked
    }


def _kit_owed(host: Host) -> dict[str, Owed]:
    return {
        f"kit:{settlement.pk}": Owed(
            -settlement.amount_to_deduct,
            EntryKind.KIT_DEDUCTION,
            f"{settlement.missing_units} kit item(s) not returned ({settlement.get_policy_display()})",
        )
        for settlement in KitSettlement.objects.to_deduct().filter(host=host)
    }


def entitlement(host: Host, plan: RewardPlan | None) -> dict[str, Owed]:
    """What the host is owed per basis on today's facts (before manual adjustments and payouts)."""
    owed: dict[str, Owed] = {}
    if plan is not None:
        owed.update(sales_owed(earning_attributions([host], None).get(host.pk, []), plan))
        owed.update(_bookings_owed(host, plan))
        cap = cap_owed(plan, sum((item.amount for item in owed.values()), ZERO))
        if cap is not None:
            owed["cap"] = cap
    owed.update(_kit_owed(host))
    return owed


def cap_owed(plan: RewardPlan, earned: Decimal) -> Owed | None:
    if plan.cap_per_host is None or earned <= plan.cap_per_host:
        return None
    return Owed(plan.cap_per_host - earned, EntryKind.CAP, f"cap of {plan.cap_per_host} per host")


def scope_of(attribution: Attribution) -> Scope:
    if attribution.party_id is not None:
        return Scope(party_ids=frozenset({attribution.party_id}))
    return Scope(order_ids=frozenset({attribution.order_id}))
