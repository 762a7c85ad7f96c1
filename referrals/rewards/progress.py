"""Where a party stands toward its reward, counted exactly as its reward is
(`entitlement.sales_owed`: net of refunds, in the campaign's currency, buyers with a positive net)."""

from dataclasses import dataclass
from decimal import Decimal

from orders.models import OrderStatus
from referrals.models import Attribution, RewardPlan
from referrals.rewards.entitlement import bracket_reward, party_tallies


def party_sales(party_ids: set[int]) -> dict[int, tuple[int, Decimal]]:
    """Per party: how many buyers and how much of sales are credited to it today."""
    earning = (
        Attribution.objects.filter(party_id__in=party_ids, earns=True)
        .exclude(order__status=OrderStatus.CANCELLED)
        .select_related("order")
        if party_ids
        else []
    )
    counted = party_tallies(list(earning))
    return {party_id: counted.get(party_id, (0, Decimal("0"))) for party_id in party_ids}


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
    brackets = plan.party_brackets
    for bracket, following in zip(brackets, brackets[1:], strict=False):
        # the bracket today's sales fall in; the next one's rate applies above its upper bound
        if bracket.get("up_to") is not None and sales < Decimal(bracket["up_to"]):
            next_rate, sales_to_next = Decimal(following["rate"]), Decimal(bracket["up_to"]) - sales
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
