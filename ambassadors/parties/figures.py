"""The figures of a party's page that other apps know: its sales toward the reward, the clicks on
its link, which guests bought.

The parties app may not read referrals (apps depend the other way), so it asks: the page sends
`party_figures_wanted` and the app that owns codes, attributions and rewards answers with a
`PartyFigures` built the way its rewards are counted. Without an answer the page shows no figures.
The figures never say who bought: `buyer_emails` only lets the page tell which of the guests who
agreed to be contacted have not ordered yet, and is never shown.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from ambassadors.models import Guest, Party, PartyStatus
from ambassadors.signals import party_figures_wanted

CHART_DAYS = 14  # the clicks chart shows the last two weeks of the link's life
CHART_WIDTH, CHART_HEIGHT = 280, 80


@dataclass(frozen=True)
class Bracket:
    """One reward bracket: its rate applies to sales from `starts_at` up to `up_to` (None: no limit)."""

    starts_at: Decimal
    up_to: Decimal | None
    rate: Decimal


@dataclass(frozen=True)
class PartyFigures:
    currency: str
    buyers: int
    sales: Decimal
    min_buyers: int
    min_sales: Decimal
    reward: Decimal  # earned on today's sales, once the party qualifies
    brackets: list[Bracket]
    clicks_by_day: dict[date, int]  # local days with at least one click
    link_opened_on: date | None  # the first day the link could be clicked
    buyer_emails: frozenset[str] = field(default_factory=frozenset)

    @property
    def qualifies(self) -> bool:
        return self.buyers >= self.min_buyers and self.sales >= self.min_sales


def _percent(value: Decimal | int, of: Decimal | int) -> int:
    return 100 if not of else max(0, min(100, int(Decimal(value) * 100 / Decimal(of))))


def _scale(figures: PartyFigures) -> Decimal:
    """The sales bar's end: past the qualification threshold, every bracket bound, and today's sales."""
    bounds = [figures.min_sales, figures.sales] + [b.up_to for b in figures.brackets if b.up_to is not None]
    top = max(bounds)
    return top * Decimal("1.1") if top else Decimal(1)


def progress_context(figures: PartyFigures) -> dict[str, Any]:
    """What the template draws: each bar's share in percent, each bracket's mark and what it lacks."""
    scale = _scale(figures)
    sales = max(figures.sales, Decimal(0))  # refunds past the sales leave nothing, not less
    brackets = [
        {
            "bracket": bracket,
            "reached": sales >= bracket.starts_at,
            "current": sales >= bracket.starts_at and (bracket.up_to is None or sales < bracket.up_to),
            "to_go": max(bracket.starts_at - sales, Decimal(0)),
            "at_percent": _percent(bracket.starts_at, scale),
        }
        for bracket in figures.brackets
    ]
    return {
        "buyers_percent": _percent(figures.buyers, figures.min_buyers),
        "buyers_to_go": max(figures.min_buyers - figures.buyers, 0),
        "sales_percent": _percent(figures.sales, figures.min_sales),
        "sales_to_go": max(figures.min_sales - figures.sales, Decimal(0)),
        "scale_sales_percent": _percent(figures.sales, scale),
        "scale_threshold_percent": _percent(figures.min_sales, scale),
        "brackets": brackets,
    }


def clicks_chart(figures: PartyFigures, *, today: date) -> dict[str, Any]:
    """The last `CHART_DAYS` days of clicks as bars of an inline SVG, with its numbers for a table."""
    first = today - timedelta(days=CHART_DAYS - 1)
    if figures.link_opened_on is not None:
        first = max(first, min(figures.link_opened_on, today))
    days = [first + timedelta(days=n) for n in range((today - first).days + 1)]
    counts = [figures.clicks_by_day.get(day, 0) for day in days]
    most = max(counts, default=0)
    slot = CHART_WIDTH / len(days)  # the days shown fill the width
    bars = []
    for index, (day, count) in enumerate(zip(days, counts, strict=True)):
        height = round((CHART_HEIGHT - 4) * count / most, 1) if most else 0
        bars.append(
            {
                "day": day,
                "count": count,
                "x": round(index * slot + 1, 1),
                "width": round(slot - 2, 1),
                "height": height,
                "y": round(CHART_HEIGHT - height, 1),
            }
        )
    busiest = max(bars, key=lambda bar: (bar["count"], bar["day"])) if most else None
    return {
        "bars": bars,
        "total": sum(counts),
        "days": len(days),
        "first_day": first,
        "busiest": busiest,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
    }


def not_ordered_yet(party: Party, guests: list[Guest], figures: PartyFigures) -> list[Guest] | None:
    """After the party, the guests who agreed to be contacted and have not ordered through it yet
    (None before the party, or for a cancelled one). Only a guest's e-mail matches an order."""
    if party.status not in (PartyStatus.HELD, PartyStatus.CLOSED):
        return None
    return [
        guest
        for guest in guests
        if guest.marketing_consent_at is not None and guest.email and guest.email not in figures.buyer_emails
    ]


def party_figures(party: Party) -> PartyFigures | None:
    """The answer of the app that counts the party's sales, or None when no app answers."""
    for _receiver, answer in party_figures_wanted.send(sender=Party, party=party):
        if isinstance(answer, PartyFigures):
            return answer
    return None


def figures_context(party: Party, guests: list[Guest]) -> dict[str, Any]:
    """The party page's figures, ready for its template (empty when no app answers)."""
    if party.status == PartyStatus.CANCELLED:
        return {}
    figures = party_figures(party)
    if figures is None:
        return {}
    today = timezone.localdate()
    return {
        "figures": figures,
        "progress": progress_context(figures),
        "clicks": clicks_chart(figures, today=today),
        "not_ordered": not_ordered_yet(party, guests, figures),
    }
