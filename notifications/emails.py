"""The notification e-mails, built from the database when the e-mail task runs (`backend.mail`).

The task holds the id of a `SentNotification` only. The builder reads it and what it is about as they
are now, and sends nothing when the recipient turned it off since, can no longer be written to, or
the fact moved on (a reminder for a party cancelled in the meantime).
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone, translation

from ambassadors.models import Guest, Host, Party, PartyStatus
from ambassadors.parties.emails import withdrawal_url
from ambassadors.recruitment.branding import brand_of
from backend.mail import Attachment, Email, email_builder
from backend.privacy import is_erased_email
from kits.models import Shipment, ShipmentStatus
from notifications.calendar import party_calendar, party_location, party_page_url
from notifications.models import Kind, OptOut, SentNotification
from notifications.tokens import OptOutRequest, opt_out_url
from referrals.models import LedgerEntry, Payout, PayoutMethod, PayoutStatus, ReferralCode

# What must still be true of the party when a guest's notification is sent.
_GUEST_PARTY_STATUS = {
    Kind.GUEST_INVITATION: {PartyStatus.PLANNED},
    Kind.GUEST_REMINDER: {PartyStatus.PLANNED},
    Kind.GUEST_THANKS: {PartyStatus.HELD, PartyStatus.CLOSED},
    Kind.GUEST_PARTY_CANCELLED: {PartyStatus.CANCELLED},
}


def is_off(*, kind: str, guest_id: int | None = None, user_id: int | None = None) -> bool:
    """True when the guest or the host's account turned this kind of notification off."""
    if guest_id is not None:
        return OptOut.objects.filter(kind=kind, guest_id=guest_id).exists()
    if user_id is not None:
        return OptOut.objects.filter(kind=kind, user_id=user_id).exists()
    return False


def party_earnings(party: Party) -> Decimal:
    """What the party earned its host, net of what was taken back, as the ledger holds it."""
    total = LedgerEntry.objects.filter(host_id=party.host_id, basis=f"party:{party.pk}").aggregate(
        total=Sum("amount")
    )["total"]
    return total or Decimal("0")


def _absolute(name: str, *args: Any) -> str:
    return settings.SITE_URL + reverse(name, args=args)


def _shop_link(party: Party) -> tuple[str, str]:
    """The party's referral link and code while the code credits orders; the campaign's shop otherwise."""
    code = ReferralCode.objects.select_related("host", "party").filter(party=party).first()
    if code is not None and code.is_shareable_at(timezone.now()):
        return _absolute("referrals:redirect", code.code), code.code
    return party.campaign.shop_url, ""


@email_builder
def notification_email(sent_id: int) -> Email | None:
    sent = (
        SentNotification.objects.select_related(
            "guest__party__host", "guest__party__campaign", "host__user", "host__campaign"
        )
        .filter(pk=sent_id)
        .first()
    )
    if sent is None:
        return None
    if sent.guest is not None:
        return _guest_email(sent, sent.guest)
    if sent.host is not None:
        return _host_email(sent, sent.host)
    return None


def _guest_email(sent: SentNotification, guest: Guest) -> Email | None:
    party = guest.party
    if (
        not guest.email
        or is_erased_email(guest.email)
        or is_off(kind=sent.kind, guest_id=guest.pk)
        or party.status not in _GUEST_PARTY_STATUS[Kind(sent.kind)]
    ):
        return None
    context: dict[str, Any] = {
        "first_name": guest.first_name,
        "host_first_name": party.host.first_name,
        "party_title": party.title,
        "starts_at": party.starts_at,
        "location": party_location(party),
        "party_url": party_page_url(party),
        "withdrawal_url": withdrawal_url(guest),
        "opt_out_url": opt_out_url(OptOutRequest(kind=sent.kind, guest_id=guest.pk)),
    }
    attachments: tuple[Attachment, ...] = ()
    if sent.kind == Kind.GUEST_INVITATION:
        with translation.override(guest.language):
            attachments = (Attachment("soiree.ics", party_calendar(party), "text/calendar"),)
    if sent.kind == Kind.GUEST_THANKS:
        context["shop_url"], context["code"] = _shop_link(party)
    return Email(
        to=guest.email,
        template=f"notify_{sent.kind}",
        context=context,
        language=guest.language,
        attachments=attachments,
        brand=brand_of(party.campaign, absolute_urls=True),
    )


def _host_email(sent: SentNotification, host: Host) -> Email | None:
    user = host.user
    if not user.is_active or is_erased_email(user.email) or is_off(kind=sent.kind, user_id=user.pk):
        return None
    context = _host_context(sent, host)
    if context is None:
        return None
    context |= {
        "first_name": host.first_name,
        "opt_out_url": opt_out_url(OptOutRequest(kind=sent.kind, user_id=user.pk)),
        "preferences_url": _absolute("notifications:preferences"),
    }
    return Email(
        to=user.email,
        template=f"notify_{sent.kind}",
        context=context,
        language=user.language,
        brand=brand_of(host.campaign, absolute_urls=True),
    )


def _host_context(sent: SentNotification, host: Host) -> dict[str, Any] | None:
    """What the host's e-mail says, or None when the fact moved on since it was queued."""
    object_id = int(sent.about.partition(":")[2])
    if sent.kind == Kind.HOST_REPORT_REMINDER:
        party = Party.objects.filter(pk=object_id, host=host, status=PartyStatus.PLANNED).first()
        if party is None:
            return None
        return {
            "party_title": party.title,
            "starts_at": party.starts_at,
            "report_url": _absolute("parties:held", party.pk),
        }
    if sent.kind == Kind.HOST_KIT_RETURN:
        shipment = Shipment.objects.filter(pk=object_id, host=host, status=ShipmentStatus.DELIVERED).first()
        if shipment is None or shipment.return_due_on is None or shipment.number is None:
            return None
        return {
            "return_due_on": shipment.return_due_on,
            "kit_url": _absolute("kits:my_kit_detail", shipment.number),
        }
    if sent.kind == Kind.HOST_EARNED:
        party = Party.objects.select_related("campaign").filter(pk=object_id, host=host).first()
        if party is None or (amount := party_earnings(party)) <= 0:
            return None
        return {
            "party_title": party.title,
            "starts_at": party.starts_at,
            "amount": amount,
            "currency": party.campaign.currency,
            "earnings_url": _absolute("referrals:earnings"),
        }
    if sent.kind == Kind.HOST_PAYOUT_SENT:
        payout = Payout.objects.filter(pk=object_id, host=host, status=PayoutStatus.PAID).first()
        if payout is None:
            return None
        return {
            "amount": payout.amount,
            "currency": payout.currency,
            "method": PayoutMethod(payout.method).label,
            "payouts_url": _absolute("referrals:payouts"),
        }
    return None
