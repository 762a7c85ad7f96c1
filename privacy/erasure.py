"""Right to erasure: what is personal about a person replaced by neutral values, across every app
(SPEC §13); the rows that aggregates and money depend on stay, under the person's pseudonym."""

from collections.abc import Collection
from dataclasses import asdict, dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import Model, Q, Sum
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from knox.models import AuthToken

from ambassadors.models import Application, Guest, Host, Party, PartyPhoto
from backend.email_address import normalise_email
from backend.errors import Conflict, Invalid
from backend.models import User
from backend.privacy import ERASED_NAME, pseudonymous_email
from feedback.models import PieceFeedback
from kits.models import Shipment, ShipmentProblem
from notifications.models import OptOut, SentNotification
from orders.models import Order, StripeEvent
from recognition.models import BrandNote, LeaderboardConsent, Milestone
from referrals.models import (
    Attribution,
    AttributionMethod,
    EntryKind,
    EntryState,
    LedgerEntry,
    Payout,
    PayoutStatus,
    PrivacyRequest,
    PrivacyRequestKind,
)
from referrals.reports.facts import rekey_sale_buyers
from wall.services import erase_wall_photos

# Keys of a Stripe object that carry the buyer's identity (Checkout Session, Charge, PaymentIntent).
_STRIPE_PERSONAL_KEYS = frozenset(
    {"name", "email", "phone", "address", "customer_email", "receipt_email", "shipping", "shipping_details"}
)


@dataclass
class ErasureSummary:
    """How many rows of each kind the erasure rewrote or removed (zeros when nothing was left)."""

    pseudonym: str
    accounts: int = 0
    applications: int = 0
    hosts: int = 0
    parties: int = 0
    party_photos: int = 0
    wall_photos: int = 0
    piece_feedback: int = 0
    shipments: int = 0
    guests: int = 0
    orders: int = 0
    stripe_events: int = 0
    social_accounts: int = 0
    email_addresses: int = 0
    tokens: int = 0
    queued_emails: int = 0
    milestones: int = 0
    brand_notes: int = 0
    notifications: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _refuse_if_money_owed(host_ids: list[int]) -> None:
    """Erasure waits while the person is owed money, because paying them needs who they are.

    A pending payout may still go out as a bank transfer, whose export gives finance the host's
    name and e-mail, or as store credit e-mailed to them; an unpaid positive balance becomes such a
    payout at the next run. Once paid (or settled by a manual adjustment with a reason, if the
    person waives it), erasure proceeds. A negative balance (the host owes the brand) does not
    block: erasing it breaks no payment.
    """
    pending_payouts = Payout.objects.filter(host_id__in=host_ids, status=PayoutStatus.PENDING).count()
    balances = (
        LedgerEntry.objects.filter(host_id__in=host_ids, state__in=[EntryState.PENDING, EntryState.APPROVED])
        .exclude(kind=EntryKind.PAYOUT)
        .values("currency")
        .annotate(total=Sum("amount"))
        .order_by("currency")
    )
    owed = {row["currency"]: f"{row['total']:.2f}" for row in balances if row["total"] > 0}
    if pending_payouts or owed:
        raise Conflict(
            "This person is owed rewards: pay them out (or settle the balance) before erasing.",
            code="money_owed",
            extra={"pending_payouts": pending_payouts, "unpaid_balance": owed},
        )


def _postal_prefix(postal_code: str) -> str:
    """Kept for reports grouped by postal area (the first two characters: a whole département)."""
    return (postal_code or "")[:2]


def _scrub_stripe_object(value: Any, *, address: str, pseudonym: str) -> Any:
    if isinstance(value, dict):
        return {
            key: (
                _neutral_stripe_value(item, pseudonym=pseudonym)
                if key in _STRIPE_PERSONAL_KEYS
                else _scrub_stripe_object(item, address=address, pseudonym=pseudonym)
            )
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_scrub_stripe_object(item, address=address, pseudonym=pseudonym) for item in value]
    if isinstance(value, str) and normalise_email(value) == address:
        return pseudonym
    return value


def _neutral_stripe_value(value: Any, *, pseudonym: str) -> Any:
    if value is None:
        return None
    if isinstance(value, str):
        return pseudonym if "@" in value else ""
    return None


def _delete_file_on_commit(storage: Storage, name: str) -> None:
    """The file goes only once the erasure is committed: a rolled-back erasure keeps the photo."""
    transaction.on_commit(lambda: storage.delete(name))


def _scrub_admin_history(objects: dict[type[Model], Collection[int]]) -> None:
    """The admin's change history names objects by their `str()`, which holds names and addresses."""
    for model, pks in objects.items():
        if pks:
            LogEntry.objects.filter(
                content_type=ContentType.objects.get_for_model(model), object_id__in=[str(pk) for pk in pks]
            ).update(object_repr=ERASED_NAME)


@transaction.atomic
def erase_personal_data(*, email: str, by: User, reason: str) -> ErasureSummary:
    """Replace everything personal about the person with this e-mail by neutral values.

    Kept, under the person's pseudonym: orders with their amounts, attribution and rewards, so
    reports and ledgers read the same before and after; guest rows (reports count guests); the
    host rows, parties and shipments behind ledgers and kit costs. Rewritten: names, e-mail,
    phone, street address and town (the postal code keeps its first two characters, the report's
    postal area), social identity, motivation and other free text, party photos (deleted, with their
    place on the photo wall), Stripe
    event payloads naming the buyer, and queued e-mails to them (deleted). The account is
    deactivated with an unusable password; its social accounts, e-mail addresses and API tokens are
    deleted, and so are the notifications sent to them and their choices of notifications. Running it again finds nothing left to rewrite. Refused while the person is owed money
    (`_refuse_if_money_owed`).
    """
    address = normalise_email(email)
    if not address:
        raise Invalid("An e-mail address is required.", code="required", field="email")
    if not (reason or "").strip():
        raise Invalid("A reason is required.", code="required", field="reason")
    pseudonym = pseudonymous_email(address)
    summary = ErasureSummary(pseudonym=pseudonym)

    user_ids = set(
        User.objects.filter(Q(email=address) | Q(hostings__application__email=address)).values_list(
            "pk", flat=True
        )
    )
    users = list(User.objects.select_for_update().filter(pk__in=user_ids).order_by("pk"))
    hosts = list(
        Host.objects.select_for_update()
        .filter(Q(application__email=address) | Q(user__in=users))
        .order_by("pk")
    )
    host_ids = [host.pk for host in hosts]
    _refuse_if_money_owed(host_ids)

    # Manual re-attributions name the host they credit in their sentence.
    hosts_by_pk = {host.pk: host for host in hosts}
    for attribution in Attribution.objects.filter(host_id__in=host_ids, method=AttributionMethod.MANUAL):
        if attribution.host_id is None:
            continue
        host = hosts_by_pk[attribution.host_id]
        if host.full_name.strip() and host.full_name in attribution.explanation:
            attribution.explanation = attribution.explanation.replace(host.full_name, f"{ERASED_NAME} host")
            attribution.save(update_fields=["explanation"])

    applications = list(
        Application.objects.filter(Q(email=address) | Q(host__in=host_ids)).values_list("pk", flat=True)
    )
    for application in Application.objects.filter(pk__in=applications).only("pk", "postal_code"):
        Application.objects.filter(pk=application.pk).update(
            first_name=ERASED_NAME,
            last_name="",
            email=pseudonym,
            phone="",
            address_line1="",
            address_line2="",
            postal_code=_postal_prefix(application.postal_code),
            city="",
            motivation="",
            preferred_party_period="",
            social_handle="",
            social_profile_url="",
            social_uid="",
            follower_count=None,
            ip_hash="",
            updated_at=timezone.now(),
        )
    summary.applications = len(applications)

    for host in hosts:
        Host.objects.filter(pk=host.pk).update(
            first_name=ERASED_NAME,
            last_name="",
            phone="",
            address_line1="",
            address_line2="",
            postal_code=_postal_prefix(host.postal_code),
            city="",
        )
    summary.hosts = len(hosts)

    parties = list(Party.objects.filter(host_id__in=host_ids).only("pk", "postal_code"))
    for party in parties:
        Party.objects.filter(pk=party.pk).update(
            title=f"Party #{party.pk}",
            city="",
            postal_code=_postal_prefix(party.postal_code),
            notes="",
            highlights="",
            social_post_urls=[],
            updated_at=timezone.now(),
        )
    summary.parties = len(parties)
    photos = list(PartyPhoto.objects.filter(party__host_id__in=host_ids))
    # Off the wall and out of its cached feed first, with the wall's public copies.
    summary.wall_photos = erase_wall_photos(photo_ids=[photo.pk for photo in photos])
    for photo in photos:
        _delete_file_on_commit(photo.image.storage, photo.image.name)
    PartyPhoto.objects.filter(pk__in=[photo.pk for photo in photos]).delete()
    summary.party_photos = len(photos)

    # Recognition is about the person: her milestones, the brand's notes to her (a gift's ledger line
    # stays, like every ledger line) and her consent to the public list go.
    summary.milestones, _ = Milestone.objects.filter(host_id__in=host_ids).delete()
    summary.brand_notes, _ = BrandNote.objects.filter(host_id__in=host_ids).delete()
    LeaderboardConsent.objects.filter(host_id__in=host_ids).delete()

    shipments = list(Shipment.objects.filter(host_id__in=host_ids).only("pk", "ship_to_postal_code"))
    for shipment in shipments:
        Shipment.objects.filter(pk=shipment.pk).update(
            ship_to_name=ERASED_NAME,
            ship_to_line1="",
            ship_to_line2="",
            ship_to_postal_code=_postal_prefix(shipment.ship_to_postal_code),
            ship_to_city="",
            ship_to_phone="",
        )
    ShipmentProblem.objects.filter(shipment__host_id__in=host_ids).update(description="")
    summary.shipments = len(shipments)

    # What notifications remember of the person: what was sent to them, what they turned off.
    guest_ids = list(Guest.objects.filter(email=address).values_list("pk", flat=True))
    sent, _ = SentNotification.objects.filter(Q(host_id__in=host_ids) | Q(guest_id__in=guest_ids)).delete()
    off, _ = OptOut.objects.filter(Q(user_id__in=user_ids) | Q(guest_id__in=guest_ids)).delete()
    summary.notifications = sent + off
    # Opinions on the kit's pieces go with their author, the host's and her photos as a guest's.
    feedback = list(
        PieceFeedback.objects.filter(Q(guest__isnull=True, host_id__in=host_ids) | Q(guest__email=address))
    )
    for opinion in feedback:
        if opinion.photo:
            _delete_file_on_commit(opinion.photo.storage, opinion.photo.name)
    PieceFeedback.objects.filter(pk__in=[opinion.pk for opinion in feedback]).delete()
    summary.piece_feedback = len(feedback)

    # Guest rows stay (reports count guests; a guest who bought still matches the order's pseudonym).
    guests = Guest.objects.filter(email=address)
    summary.guests = guests.update(
        first_name=ERASED_NAME, last_name="", email=pseudonym, phone="", marketing_consent_at=None
    )

    order_ids = list(Order.objects.filter(customer_email=address).values_list("pk", flat=True))
    Order.objects.filter(pk__in=order_ids).update(customer_email=pseudonym, updated_at=timezone.now())
    # The report's distinct-buyer key follows the pseudonym, as a later refresh of the row would.
    rekey_sale_buyers(order_ids=order_ids, email=pseudonym)
    summary.orders = len(order_ids)

    for event in StripeEvent.objects.filter(payload__icontains=address):
        event.payload = _scrub_stripe_object(event.payload, address=address, pseudonym=pseudonym)
        event.save(update_fields=["payload"])
        summary.stripe_events += 1

    summary.social_accounts, _ = SocialAccount.objects.filter(user_id__in=user_ids).delete()
    summary.email_addresses, _ = EmailAddress.objects.filter(
        Q(user_id__in=user_ids) | Q(email__iexact=address)
    ).delete()
    summary.tokens, _ = AuthToken.objects.filter(user_id__in=user_ids).delete()
    for user in users:
        user.email = pseudonymous_email(user.email)
        user.first_name = ""
        user.last_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["email", "first_name", "last_name", "is_active", "password"])
    summary.accounts = len(users)

    # E-mails to the person wait in the task queue with their address and name.
    summary.queued_emails, _ = DBTaskResult.objects.filter(args_kwargs__icontains=address).delete()

    _scrub_admin_history(
        {
            Application: applications,
            Host: host_ids,
            Party: [party.pk for party in parties],
            Shipment: [shipment.pk for shipment in shipments],
            Guest: list(Guest.objects.filter(email=pseudonym).values_list("pk", flat=True)),
            Order: order_ids,
            User: user_ids,
        }
    )
    PrivacyRequest.objects.create(
        kind=PrivacyRequestKind.ERASURE,
        subject=pseudonym,
        by=by,
        reason=reason.strip()[:500],
        summary=summary.as_dict(),
    )
    return summary
