"""Who is told what, and when: each notification is recorded once, then sent by the e-mail task.

Time-bound notifications come from `send_due_notifications` (the job a brand schedules); the
others answer facts other apps announce (`notifications.receivers`). Both go through `_queue`,
which skips what its recipient turned off and what was already queued: a job run twice, or a fact
announced twice, sends nothing more.
"""

from collections import Counter
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import CharField, Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django_tasks import task

from ambassadors.models import Guest, Host, HostStatus, Party, PartyStatus
from backend.mail import send_email_on_commit
from backend.models import User
from backend.privacy import ERASED_EMAIL_DOMAIN
from kits.models import Shipment, ShipmentStatus
from notifications.emails import is_off, notification_email, party_earnings
from notifications.models import GUEST_KINDS, HOST_KINDS, Kind, OptOut, SentNotification
from referrals.models import Payout

# The guests' reminder goes out this long before the party (to guests listed before then).
REMINDER_BEFORE = timedelta(hours=24)
# The host is reminded to report a party still planned this long after it started.
REPORT_REMINDER_AFTER = timedelta(hours=12)
# The kit's return date is recalled this many days before it (on the day at the latest).
KIT_RETURN_NOTICE_DAYS = 3


@transaction.atomic
def turn_off(*, kind: str, guest_id: int | None = None, user_id: int | None = None) -> None:
    """A host's account stops this kind of notification; a guest stops every notification about
    their party (each comes once per party, so stopping only the one in hand would stop nothing).
    Doing it twice changes nothing."""
    if guest_id is not None:
        for guest_kind in GUEST_KINDS:
            OptOut.objects.get_or_create(kind=guest_kind, guest_id=guest_id)
    elif user_id is not None:
        OptOut.objects.get_or_create(kind=kind, user_id=user_id)


@transaction.atomic
def set_host_preferences(*, user: User, wanted: set[str]) -> None:
    """The host's account receives the host notifications in `wanted`, and none of the others."""
    for kind in HOST_KINDS:
        if kind in wanted:
            OptOut.objects.filter(kind=kind, user=user).delete()
        else:
            OptOut.objects.get_or_create(kind=kind, user=user)


def host_preferences(*, user: User) -> set[str]:
    """The host notifications the account receives."""
    off = set(OptOut.objects.filter(user=user, kind__in=HOST_KINDS).values_list("kind", flat=True))
    return {str(kind) for kind in HOST_KINDS if kind not in off}


def _queue(*, kind: str, about: str, guest: Guest | None = None, host: Host | None = None) -> bool:
    """Record the notification and send it once the transaction commits; False when its recipient
    turned it off or it was queued before."""
    if is_off(kind=kind, guest_id=guest.pk if guest else None, user_id=host.user_id if host else None):
        return False
    with transaction.atomic():
        sent, created = SentNotification.objects.get_or_create(kind=kind, guest=guest, host=host, about=about)
        if created:
            send_email_on_commit(build=notification_email, object_id=sent.pk)
    return created


def _reachable_guests() -> QuerySet[Guest]:
    """Guests we can write to: an e-mail, not erased."""
    return Guest.objects.exclude(email="").exclude(email__endswith=f"@{ERASED_EMAIL_DOMAIN}")


def _reachable_hosts(via: str = "host__") -> Q:
    """Hosts we can write to (through the relation `via`): an active account, not erased."""
    return Q(**{f"{via}user__is_active": True}) & ~Q(
        **{f"{via}user__email__endswith": f"@{ERASED_EMAIL_DOMAIN}"}
    )


def _not_yet(kind: str, *, to: str) -> Q:
    """Rows whose notification of `kind` was not queued yet and was not turned off (`to`: "guest"
    for guest rows, "host" for rows with a `host`)."""
    if to == "guest":
        sent = SentNotification.objects.filter(kind=kind, guest=OuterRef("pk"))
        off = OptOut.objects.filter(kind=kind, guest=OuterRef("pk"))
    else:
        sent = SentNotification.objects.filter(kind=kind, host=OuterRef("host"), about=OuterRef("about"))
        off = OptOut.objects.filter(kind=kind, user=OuterRef("host__user"))
    return ~Exists(sent) & ~Exists(off)


def _about(prefix: str) -> Concat:
    """`<prefix><pk>`, the `about` of a row's notification, for `_not_yet` to compare."""
    return Concat(Value(prefix), Cast("pk", CharField()), output_field=CharField())


def send_due_notifications(*, at: datetime | None = None) -> dict[str, int]:
    """Queue every time-bound notification that is due at `at` and was not queued yet.

    Idempotent: each is recorded once, so the job can run as often as a brand likes (hourly is
    enough). Returns how many of each kind were queued."""
    at = at or timezone.now()
    queued: Counter[str] = Counter()
    guests = _reachable_guests().select_related("party")

    upcoming = guests.filter(party__status=PartyStatus.PLANNED, party__starts_at__gt=at)
    for guest in upcoming.filter(_not_yet(Kind.GUEST_INVITATION, to="guest")):
        queued[Kind.GUEST_INVITATION] += _queue(
            kind=Kind.GUEST_INVITATION, about=f"party:{guest.party_id}", guest=guest
        )
    reminded = upcoming.filter(
        party__starts_at__lte=at + REMINDER_BEFORE, created_at__lte=F("party__starts_at") - REMINDER_BEFORE
    )
    for guest in reminded.filter(_not_yet(Kind.GUEST_REMINDER, to="guest")):
        queued[Kind.GUEST_REMINDER] += _queue(
            kind=Kind.GUEST_REMINDER, about=f"party:{guest.party_id}", guest=guest
        )
    # The thank-you carries the shop link: only to guests who asked for the brand's news, while the
    # party's code still credits orders.
    thanked = guests.filter(
        party__status=PartyStatus.HELD, party__attribution_ends_at__gt=at, marketing_consent_at__isnull=False
    )
    for guest in thanked.filter(_not_yet(Kind.GUEST_THANKS, to="guest")):
        queued[Kind.GUEST_THANKS] += _queue(
            kind=Kind.GUEST_THANKS, about=f"party:{guest.party_id}", guest=guest
        )

    unreported = (
        Party.objects.filter(
            _reachable_hosts(), status=PartyStatus.PLANNED, starts_at__lte=at - REPORT_REMINDER_AFTER
        )
        .exclude(host__status=HostStatus.BANNED)  # a banned host's party no longer counts
        .select_related("host")
        .annotate(about=_about("party:"))
    )
    for party in unreported.filter(_not_yet(Kind.HOST_REPORT_REMINDER, to="host")):
        queued[Kind.HOST_REPORT_REMINDER] += _queue(
            kind=Kind.HOST_REPORT_REMINDER, about=f"party:{party.pk}", host=party.host
        )

    today = timezone.localdate(at)
    kits_due = (
        Shipment.objects.filter(
            _reachable_hosts(),
            status=ShipmentStatus.DELIVERED,
            return_due_on__gte=today,
            return_due_on__lte=today + timedelta(days=KIT_RETURN_NOTICE_DAYS),
        )
        .select_related("host")
        .annotate(about=_about("shipment:"))
    )
    for shipment in kits_due.filter(_not_yet(Kind.HOST_KIT_RETURN, to="host")):
        queued[Kind.HOST_KIT_RETURN] += _queue(
            kind=Kind.HOST_KIT_RETURN, about=f"shipment:{shipment.pk}", host=shipment.host
        )
    return {str(kind): count for kind, count in queued.items()}


@task()
def send_due_notifications_task() -> dict[str, int]:
    return send_due_notifications()


def notify_party_cancelled(*, party: Party) -> int:
    """Each guest of the cancelled party is told (those who can be written to and did not turn it off)."""
    return sum(
        _queue(kind=Kind.GUEST_PARTY_CANCELLED, about=f"party:{party.pk}", guest=guest)
        for guest in _reachable_guests().filter(party=party)
    )


def notify_party_earned(*, party: Party) -> bool:
    """Once a party is closed (its reward final), its host is told what it earned, if anything."""
    if party_earnings(party) <= 0:
        return False
    host = Host.objects.filter(_reachable_hosts(via=""), pk=party.host_id).first()
    return host is not None and _queue(kind=Kind.HOST_EARNED, about=f"party:{party.pk}", host=host)


def notify_payout_sent(*, payout: Payout) -> bool:
    host = Host.objects.filter(_reachable_hosts(via=""), pk=payout.host_id).first()
    return host is not None and _queue(kind=Kind.HOST_PAYOUT_SENT, about=f"payout:{payout.pk}", host=host)
