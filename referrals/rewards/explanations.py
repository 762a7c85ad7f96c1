"""A host's ledger in plain words: each line says why, in the reader's language, without an id.

The ledger's own `description` is the staff's record (English, with ids); hosts read the sentence
made here from what the line is about (its `basis`): the party, the sale, the payout.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ambassadors.models import Party
from backend.templatetags.formatting import money
from orders.models import Order
from referrals.models import EntryKind, EntryState, LedgerEntry
from referrals.rewards.progress import party_sales


@dataclass(frozen=True)
class EarningLine:
    amount: Decimal
    currency: str
    state: str
    state_label: str
    because: str
    on: date
    approvable_on: date | None
    party: Party | None  # what a party line is about
    paid_out: bool


@dataclass(frozen=True)
class PartyTotal:
    title: str
    starts_on: date
    earned: Decimal
    currency: str


@dataclass(frozen=True)
class Month:
    first_day: date
    lines: list[EarningLine]
    total: Decimal
    currency: str


def _day(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def _basis_id(basis: str, prefix: str) -> int | None:
    head, _sep, tail = basis.partition(":")
    return int(tail) if head == prefix and tail.isdigit() else None


def _party_facts(party_ids: set[int]) -> dict[int, tuple[Party, int, Decimal]]:
    """Each party with its buyers and sales as credited today (what its reward is computed on)."""
    if not party_ids:
        return {}
    parties = Party.objects.filter(pk__in=party_ids).only("title", "starts_at")
    counted = party_sales(party_ids)
    return {party.pk: (party, *counted[party.pk]) for party in parties}


def _orders(order_ids: set[int]) -> dict[int, Order]:
    if not order_ids:
        return {}
    return {order.pk: order for order in Order.objects.filter(pk__in=order_ids)}


def _sentence(
    entry: LedgerEntry, parties: dict[int, tuple[Party, int, Decimal]], orders: dict[int, Order]
) -> str:
    taken_back = entry.amount < 0
    if (party_id := _basis_id(entry.basis, "party")) is not None and party_id in parties:
        party, buyers, sales = parties[party_id]
        about = ngettext(
            "Your party “%(title)s” of %(day)s — %(count)d buyer, %(sales)s of sales",
            "Your party “%(title)s” of %(day)s — %(count)d buyers, %(sales)s of sales",
            buyers,
        ) % {
            "title": party.title,
            "day": date_format(_day(party.starts_at), "DATE_FORMAT"),
            "count": buyers,
            "sales": money(sales, entry.currency),
        }
        return _("Corrected: %(about)s") % {"about": about} if taken_back else about
    if (order_id := _basis_id(entry.basis, "order")) is not None:
        order = orders.get(order_id)
        if order is None:
            return _("A sale through your code")
        day = date_format(_day(order.placed_at), "DATE_FORMAT")
        if taken_back:
            return _("Taken back: the sale of %(day)s through your code was refunded or cancelled") % {
                "day": day
            }
        return _("A sale through your code on %(day)s, %(amount)s") % {
            "day": day,
            "amount": money(order.net_commissionable_amount, order.reward_currency or order.currency),
        }
    if entry.basis.startswith("booking:"):
        return _("A guest of one of your parties became a host: thank you!")
    if entry.basis.startswith("kit:"):
        return _("Kit pieces not returned")
    if entry.basis == "cap":
        return _("Beyond the campaign's maximum per host")
    if entry.kind == EntryKind.PAYOUT:
        return _("Sent to you")
    if entry.kind == EntryKind.FORFEIT:
        return _("Kept by the brand after the end of your hosting")
    if entry.kind == EntryKind.ADJUSTMENT and entry.basis.startswith("gift:"):
        return _("A gift from the brand, with a note to you")
    if entry.kind == EntryKind.ADJUSTMENT:
        return (
            _("Adjusted by the brand: %(reason)s") % {"reason": entry.reason}
            if entry.reason
            else _("Adjusted by the brand")
        )
    return str(entry.get_kind_display())


def explain(entries: Iterable[LedgerEntry]) -> list[EarningLine]:
    entries = list(entries)
    parties = _party_facts({pid for e in entries if (pid := _basis_id(e.basis, "party")) is not None})
    orders = _orders({oid for e in entries if (oid := _basis_id(e.basis, "order")) is not None})
    states = dict(EntryState.choices)

    def party_of(entry: LedgerEntry) -> Party | None:
        party_id = _basis_id(entry.basis, "party")
        return parties[party_id][0] if party_id in parties else None

    return [
        EarningLine(
            amount=entry.amount,
            currency=entry.currency,
            state=entry.state,
            state_label=str(states.get(entry.state, entry.state)),
            because=_sentence(entry, parties, orders),
            on=_day(entry.created_at),
            approvable_on=_day(entry.approvable_at) if entry.state == EntryState.PENDING else None,
            party=party_of(entry),
            paid_out=entry.kind == EntryKind.PAYOUT,
        )
        for entry in entries
    ]


def by_month(lines: list[EarningLine]) -> list[Month]:
    """Newest month first; each month's lines as given (newest first) and what it earned (payouts,
    money leaving the balance, are not earnings)."""
    months: dict[date, list[EarningLine]] = defaultdict(list)
    for line in lines:
        months[line.on.replace(day=1)].append(line)
    return [
        Month(
            first_day=first_day,
            lines=month_lines,
            total=sum((line.amount for line in month_lines if not line.paid_out), Decimal("0")),
            currency=month_lines[0].currency,
        )
        for first_day, month_lines in sorted(months.items(), reverse=True)
    ]


def by_party(lines: list[EarningLine]) -> list[PartyTotal]:
    """What each party earned, all its lines together (corrections included), newest party first."""
    earned: dict[Party, list[EarningLine]] = defaultdict(list)
    for line in lines:
        if line.party is not None:
            earned[line.party].append(line)
    totals = [
        PartyTotal(
            title=party.title,
            starts_on=_day(party.starts_at),
            earned=sum((line.amount for line in party_lines), Decimal("0")),
            currency=party_lines[0].currency,
        )
        for party, party_lines in earned.items()
    ]
    return sorted(
        (total for total in totals if total.earned), key=lambda total: total.starts_on, reverse=True
    )
