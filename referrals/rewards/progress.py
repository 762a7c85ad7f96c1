"""Where a party stands toward its reward, counted exactly as its reward is
(`entitlement.sales_owed`: net of refunds, in the campaign's currency, buyers with a positive net)."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from ambassadors.models import Party
from ambassadors.parties.figures import CHART_DAYS, Bracket, PartyFigures
from orders.models import AMOUNT_FIELDS, OrderStatus
from referrals.models import Attribution, Click, ReferralCode, RewardPlan
from referrals.rewards.entitlement import bracket_reward, party_tallies

# What `party_tallies` reads of an attribution and its order (`Order.net_commissionable_amount` and the
# buyer's address): the page of a busy host reads hundreds of these rows, and an order's other columns
# (addresses, the channel's payload) cost more to load than the sums.
TALLY_FIELDS = ("party_id", *(f"order__{name}" for name in AMOUNT_FIELDS), "order__customer_email")


def party_sales(party_ids: set[int]) -> dict[int, tuple[int, Decimal]]:
    """Per party: how many buyers and how much of sales are credited to it today."""
    earning = (
        Attribution.objects.filter(party_id__in=party_ids, earns=True)
        .exclude(order__status=OrderStatus.CANCELLED)
        .select_related("order")
        .only(*TALLY_FIELDS)
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


def party_page_figures(*, party: Party) -> PartyFigures:
    """The figures of the host's party page (`ambassadors.parties.figures`): the party's progress
    counted as its reward is (`party_progress`), its plan's brackets, the clicks on its link per
    local day, and which addresses ordered through it (to tell the guests who have not ordered yet;
    never shown). A fixed number of queries whatever the amount of data."""
    plan = RewardPlan.objects.filter(campaign_id=party.campaign_id).first()
    progress = party_progress(party_id=party.pk, plan=plan)
    brackets: list[Bracket] = []
    lower = Decimal("0")
    for bracket in plan.party_brackets if plan is not None else []:
        upper = Decimal(bracket["up_to"]) if bracket.get("up_to") is not None else None
        brackets.append(Bracket(starts_at=lower, up_to=upper, rate=Decimal(bracket["rate"])))
        lower = upper if upper is not None else lower
    code = ReferralCode.objects.filter(party_id=party.pk).values_list("created_at", flat=True).first()
    since = timezone.now() - timedelta(days=CHART_DAYS + 1)
    per_day = (
        Click.objects.filter(code__party_id=party.pk, at__gte=since)
        .annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(clicks=Count("id"))
        .values_list("day", "clicks")
    )
    buyer_emails = (
        Attribution.objects.filter(party_id=party.pk)
        .exclude(order__status=OrderStatus.CANCELLED)
        .exclude(order__customer_email="")
        .values_list("order__customer_email", flat=True)
    )
    return PartyFigures(
        currency=party.campaign.currency,
        buyers=progress.buyers if progress else 0,
        sales=progress.sales if progress else Decimal("0"),
        min_buyers=progress.min_buyers if progress else 0,
        min_sales=progress.min_sales if progress else Decimal("0"),
        reward=progress.reward if progress and progress.qualifies else Decimal("0"),
        brackets=brackets,
        clicks_by_day=dict(per_day),
        link_opened_on=timezone.localdate(code) if code is not None else None,
        buyer_emails=frozenset(buyer_emails),
    )
