"""Where a party stands toward its reward, counted exactly as its reward is
(`entitlement.sales_owed`: net of refunds, in the campaign's currency, buyers with a positive net)."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from referrals.models import Attribution, RewardPlan
from referrals.rewards.entitlement import bracket_reward


def party_sales(party_ids: set[int]) -> dict[int, tuple[int, Decimal]]:
    """Per party: how many buyers and how much of sales are credited to it today."""
    sales: dict[int, Decimal] = defaultdict(Decimal)
    buyers: dict[int, set[str]] = defaultdict(set)
    if party_ids:
        credited = Attribution.objects.filter(party_id__in=party_ids, earns=True).select_related("order")
        for attribution in credited:
            party_id = attribution.party_id
            assert party_id is not None
            net = attribution.order.net_commissionable_amount
            sales[party_id] += net
            if net > 0:
                buyers[party_id].add(attribution.order.customer_email)
    return {party_id: (len(buyers[party_id]), sales[party_id]) for party_id in party_ids}


@dataclass(frozen=True)
class PartyProgress:
    buyers: int
    sales: Decimal
    min_buyers: int
    min_sales: Decimal
    reward: Decimal  # what the party earns on today's sales, once it qualifies
    next_rate: Decimal | None  # the rate of the next bracket, if there is one above today's sales
    sales_to_next_rate: Decimal | None  # how much more of sales reaches it

    @property
    def qualifies(self) -> bool:
        return self.buyers >= self.min_buyers and self.sales >= self.min_sales

    @property
    def buyers_percent(self) -> int:
        return 100 if not self.min_buyers else min(100, int(self.buyers * 100 / self.min_buyers))

    @property
    def sales_percent(self) -> int:
        return 100 if not self.min_sales else min(100, int(self.sales * 100 / self.min_sales))


def party_progress(*, party_id: int, plan: RewardPlan | None) -> PartyProgress | None:
    """The party's buyers and sales against the plan's thresholds and brackets (None without a plan)."""
    if plan is None:
        return None
    buyers, sales = party_sales({party_id})[party_id]
    next_rate = sales_to_next = None
    for bracket in plan.party_brackets:
        upper = Decimal(bracket["up_to"]) if bracket.get("up_to") is not None else None
        if upper is not None and sales < upper:
            # the next bracket is the one after this (if any): its rate applies above `upper`
            following = plan.party_brackets[plan.party_brackets.index(bracket) + 1 :]
            if following:
                next_rate, sales_to_next = Decimal(following[0]["rate"]), upper - sales
            break
    return PartyProgress(
        buyers=buyers,
        sales=sales,
        min_buyers=plan.min_party_buyers,
        min_sales=plan.min_party_sales,
        reward=bracket_reward(sales, plan.party_brackets),
        next_rate=next_rate,
        sales_to_next_rate=sales_to_next,
    )
