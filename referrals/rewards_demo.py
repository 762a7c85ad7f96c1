"""Demo data of rewards and payouts: the campaign's plan, and a demo host with money in every state.

Called by `seed_demo` (`seed_rewards(campaign=..., hosts=..., by=...)`); everything goes through the
services. The demo host (the first) gets a paid bank-transfer payout, an approved bonus under the
minimum, and two sales through their code waiting for the holding period. Running it twice adds
nothing.
"""

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ambassadors.models import Campaign, Host
from orders.services import OrderData, record_order
from referrals.codes import issue_host_code
from referrals.models import LedgerEntry, PayoutMethod, PayoutStatus, RewardPlan
from referrals.payouts import mark_payout_paid, reserve_payout
from referrals.rewards import adjust_rewards, set_reward_plan

DEMO_PLAN = {
    "party_brackets": [
        {"up_to": "500", "rate": "0.10"},
        {"up_to": "1500", "rate": "0.15"},
        {"up_to": None, "rate": "0.20"},
    ],
    "min_party_buyers": 3,
    "min_party_sales": Decimal("150.00"),
    "host_code_rate": Decimal("0.05"),
    "booking_bonus": Decimal("25.00"),
    "cap_per_host": Decimal("1000.00"),
    "holding_days": 30,
    "payout_minimum": Decimal("20.00"),
}


def seed_rewards(*, campaign: Campaign, hosts: Sequence[Host], by: Any) -> dict[str, int]:
    if not RewardPlan.objects.filter(campaign=campaign).exists():
        set_reward_plan(campaign=campaign, by=by, **DEMO_PLAN)
    if not hosts or LedgerEntry.objects.filter(host=hosts[0]).exists():
        return {"ledger_lines": LedgerEntry.objects.filter(campaign=campaign).count()}
    host = hosts[0]
    adjust_rewards(host=host, amount=Decimal("25.00"), reason="Welcome bonus: first party photos", by=by)
    payout, _ = reserve_payout(host=host)
    if payout is not None and payout.method == PayoutMethod.BANK_TRANSFER:
        mark_payout_paid(payout=payout, by=by)
    adjust_rewards(host=host, amount=Decimal("12.50"), reason="Best party photos of the week", by=by)
    code = issue_host_code(host=host).code
    for number, amount in enumerate(("89.90", "149.00"), start=1):
        record_order(
            source="api",
            data=OrderData(
                external_id=f"DEMO-REWARDS-{host.pk}-{number}",
                placed_at=timezone.now(),
                customer_email=f"demo.buyer{number}@example.com",
                currency=campaign.currency,
                subtotal=Decimal(amount),
                total=Decimal(amount),
                code=code,
            ),
        )
    return {
        "ledger_lines": LedgerEntry.objects.filter(campaign=campaign).count(),
        "payouts_paid": host.payouts.filter(status=PayoutStatus.PAID).count(),
    }
