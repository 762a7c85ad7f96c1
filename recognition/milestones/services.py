"""Milestones computed from facts, for every host at once (SPEC §16).

Each kind is one set-based query over the programme (never a query per host); the candidates are
inserted with ON CONFLICT DO NOTHING against the unique (host, kind) pair, so running the job again,
or twice at once, records each milestone once. Then the milestones not yet announced are claimed
(rows locked, skipping those another run holds) and one e-mail per milestone is queued.

What each kind means, read from today's facts:
- first party held: a party of hers is held or closed;
- first qualified party: a held or closed party whose credited sales meet the campaign's reward
  plan thresholds (buyers with a positive net, net sales), counted as the party's reward is;
- 10 / 50 guests welcomed: guests on the lists of her held and closed parties;
- first sale: an order credited to her (code, link or party) that earns and is not wholly refunded;
- top ten: one of her held or closed parties ranks in the top ten of its campaign by credited net
  sales (RANK(): parties tied at tenth place all rank tenth), with sales above zero.
A milestone once reached stays reached (a party later pushed out of the top ten keeps it).
Banned hosts and people whose account is closed (erased) are not recognised.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, F, Min, Q, QuerySet, Sum, Window
from django.db.models.functions import Rank
from django.utils import timezone

from ambassadors.models import Guest, Host, HostStatus, Party, PartyStatus
from backend.mail import send_email_on_commit
from recognition.milestones.emails import milestone_email
from recognition.models import Milestone, MilestoneKind
from referrals.models import AttributedSale

HELD_STATUSES = [PartyStatus.HELD, PartyStatus.CLOSED]
GUEST_MILESTONES = ((10, MilestoneKind.TEN_GUESTS), (50, MilestoneKind.FIFTY_GUESTS))
TOP_RANK = 10


def recognised_hosts() -> QuerySet[Host]:
    """The hosts milestones are recorded for: not banned, with an open account (not erased)."""
    return Host.objects.exclude(status=HostStatus.BANNED).filter(user__is_active=True)


def _held_party_sales() -> QuerySet[AttributedSale]:
    """The earning sales credited to held or closed parties of recognised hosts (net of refunds, in
    the campaign's currency), grouped per party by the callers as the party's reward counts them."""
    return AttributedSale.objects.filter(
        is_sale=True,
        order__attribution__earns=True,
        party__status__in=HELD_STATUSES,
        party__host__in=recognised_hosts().values("pk"),
    ).order_by()


def _first_parties_held() -> Iterable[tuple[int, int | None]]:
    rows = (
        Party.objects.filter(status__in=HELD_STATUSES, host__in=recognised_hosts().values("pk"))
        .values("host_id")
        .annotate(party_id=Min("pk"))
        .order_by()
    )
    return ((row["host_id"], row["party_id"]) for row in rows)


def _first_qualified_parties() -> Iterable[tuple[int, int | None]]:
    rows = (
        _held_party_sales()
        .values(
            "party_id",
            "party__host_id",
            "party__campaign__reward_plan__min_party_buyers",
            "party__campaign__reward_plan__min_party_sales",
        )
        .filter(party__campaign__reward_plan__isnull=False)
        .annotate(sales=Sum("net"), buyers=Count("buyer", filter=Q(net__gt=0), distinct=True))
        .filter(
            buyers__gte=F("party__campaign__reward_plan__min_party_buyers"),
            sales__gte=F("party__campaign__reward_plan__min_party_sales"),
            sales__gt=0,
        )
    )
    first: dict[int, int] = {}
    for row in rows:
        host_id, party_id = row["party__host_id"], row["party_id"]
        first[host_id] = min(first.get(host_id, party_id), party_id)
    return first.items()


def _guests_welcomed(at_least: int) -> Iterable[tuple[int, int | None]]:
    rows = (
        Guest.objects.filter(party__status__in=HELD_STATUSES, party__host__in=recognised_hosts().values("pk"))
        .values("party__host_id")
        .annotate(guests=Count("pk"))
        .filter(guests__gte=at_least)
        .order_by()
    )
    return ((row["party__host_id"], None) for row in rows)


def _first_sales() -> Iterable[tuple[int, int | None]]:
    rows = (
        AttributedSale.objects.filter(
            is_sale=True,
            net__gt=0,
            order__attribution__earns=True,
            host__in=recognised_hosts().values("pk"),
        )
        .values("host_id")
        .annotate(first=Min("placed_at"))
        .order_by()
    )
    return ((row["host_id"], None) for row in rows)


def _top_ten_parties() -> Iterable[tuple[int, int | None]]:
    ranked = (
        _held_party_sales()
        .values("party_id", "party__host_id", "party__campaign_id")
        .annotate(sales=Sum("net"))
        .filter(sales__gt=0)
        .annotate(rank=Window(Rank(), partition_by=F("party__campaign_id"), order_by=F("sales").desc()))
        .filter(rank__lte=TOP_RANK)  # the database keeps the top of each campaign (an outer query)
    )
    best: dict[int, int] = {}
    for row in ranked:
        host_id, party_id = row["party__host_id"], row["party_id"]
        best[host_id] = min(best.get(host_id, party_id), party_id)
    return best.items()


def reached_milestones() -> list[tuple[int, str, int | None]]:
    """Every (host, kind, party) reached on today's facts, whether recorded already or not."""
    reached: list[tuple[int, str, int | None]] = []
    sources: list[tuple[str, Iterable[tuple[int, int | None]]]] = [
        (MilestoneKind.FIRST_PARTY_HELD, _first_parties_held()),
        (MilestoneKind.FIRST_QUALIFIED_PARTY, _first_qualified_parties()),
        *((kind, _guests_welcomed(count)) for count, kind in GUEST_MILESTONES),
        (MilestoneKind.FIRST_SALE, _first_sales()),
        (MilestoneKind.TOP_TEN_PARTY, _top_ten_parties()),
    ]
    for kind, rows in sources:
        reached += [(host_id, kind, party_id) for host_id, party_id in rows]
    return reached


@dataclass(frozen=True)
class MilestoneRun:
    recorded: int  # new milestones inserted by this run
    announced: int  # e-mails queued by this run

    def as_dict(self) -> dict[str, int]:
        return {"recorded": self.recorded, "announced": self.announced}


def record_milestones(*, at: datetime | None = None) -> MilestoneRun:
    """Record the milestones reached since the last run and announce each once (idempotent; the
    periodic job). Safe to run twice at once: the database's unique (host, kind) pair and the
    claim of unannounced rows (`announce_milestones`) let each milestone be written and e-mailed once."""
    at = at or timezone.now()
    before = Milestone.objects.count()
    Milestone.objects.bulk_create(
        [
            Milestone(host_id=host_id, kind=kind, party_id=party_id, reached_at=at)
            for host_id, kind, party_id in reached_milestones()
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    recorded = max(Milestone.objects.count() - before, 0)
    return MilestoneRun(recorded=recorded, announced=announce_milestones(at=at))


@transaction.atomic
def announce_milestones(*, at: datetime | None = None) -> int:
    """Queue one e-mail per milestone not yet announced and mark it announced, in one transaction:
    rows another run holds are skipped (it announces them), so no milestone is e-mailed twice."""
    at = at or timezone.now()
    due = list(
        Milestone.objects.select_for_update(skip_locked=True)
        .filter(announced_at__isnull=True)
        .values_list("pk", flat=True)
    )
    Milestone.objects.filter(pk__in=due).update(announced_at=at)
    for milestone_id in due:
        send_email_on_commit(build=milestone_email, object_id=milestone_id)
    return len(due)
