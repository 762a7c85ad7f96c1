"""A person's right of access and right to erasure, across every app (SPEC §13).

A person is identified by their e-mail address: it is what links an applicant, a host's account,
a guest registration and an order. Export gathers everything held about them; erasure replaces it
with neutral values and keeps the rows that aggregates and money depend on (orders, attributions,
ledger lines, guest counts), under the person's pseudonym (`backend.privacy.pseudonymous_email`).

Click logs are out of reach on purpose: they hold a salted hash of IP and user agent, never
anything that links them to a person, and are purged after `CLICK_RETENTION_DAYS`.
"""

from collections.abc import Collection
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from decimal import Decimal
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
from backend.errors import Conflict, Invalid
from backend.models import User
from backend.privacy import ERASED_NAME, pseudonymous_email
from kits.models import Shipment, ShipmentProblem
from orders.models import Order, StripeEvent
from referrals.models import (
    AttributedSale,
    Attribution,
    AttributionMethod,
    EntryKind,
    EntryState,
    LedgerEntry,
    Payout,
    PayoutAccount,
    PayoutStatus,
    PrivacyRequest,
    PrivacyRequestKind,
    ReferralCode,
)
from referrals.reports.facts import buyer_key

# Keys of a Stripe object that carry the buyer's identity (Checkout Session, Charge, PaymentIntent).
_STRIPE_PERSONAL_KEYS = frozenset(
    {"name", "email", "phone", "address", "customer_email", "receipt_email", "shipping", "shipping_details"}
)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def _money(value: Decimal | None) -> str | None:
    return f"{value:.2f}" if value is not None else None


# --- Export ---------------------------------------------------------------------------------------


def _application_data(application: Application) -> dict[str, Any]:
    return {
        "id": application.pk,
        "campaign": application.campaign.name,
        "status": application.status,
        "created_at": _iso(application.created_at),
        "first_name": application.first_name,
        "last_name": application.last_name,
        "email": application.email,
        "phone": str(application.phone or ""),
        "address_line1": application.address_line1,
        "address_line2": application.address_line2,
        "postal_code": application.postal_code,
        "city": application.city,
        "country": application.country,
        "motivation": application.motivation,
        "expected_guests": application.expected_guests,
        "preferred_party_period": application.preferred_party_period,
        "language": application.language,
        "consents": {
            "terms_accepted_at": _iso(application.terms_accepted_at),
            "marketing_consent_at": _iso(application.marketing_consent_at),
            "photo_consent_at": _iso(application.photo_consent_at),
        },
        "social": {
            "network": application.social_network,
            "handle": application.social_handle,
            "profile_url": application.social_profile_url,
            "uid": application.social_uid,
            "follower_count": application.follower_count,
            "verified": application.social_verified,
        },
        "utm": {
            "source": application.utm_source,
            "medium": application.utm_medium,
            "campaign": application.utm_campaign,
            "term": application.utm_term,
            "content": application.utm_content,
        },
        "score": _money(application.score),
        "risk_flags": list(application.risk_flags),
        "booked_from_party": application.booked_from_party_id,
    }


def _party_data(party: Party) -> dict[str, Any]:
    return {
        "id": party.pk,
        "title": party.title,
        "status": party.status,
        "starts_at": _iso(party.starts_at),
        "city": party.city,
        "postal_code": party.postal_code,
        "expected_guests": party.expected_guests,
        "actual_guests": party.actual_guests,
        "notes": party.notes,
        "highlights": party.highlights,
        "social_post_urls": list(party.social_post_urls),
        "photos": [photo.image.name for photo in party.photos.all()],
        # Guests are other people: how many, never who.
        "guest_count": party.guests.count(),
    }


def _shipment_data(shipment: Shipment) -> dict[str, Any]:
    return {
        "number": shipment.number,
        "status": shipment.status,
        "ship_to": {
            "name": shipment.ship_to_name,
            "line1": shipment.ship_to_line1,
            "line2": shipment.ship_to_line2,
            "postal_code": shipment.ship_to_postal_code,
            "city": shipment.ship_to_city,
            "country": shipment.ship_to_country,
            "phone": str(shipment.ship_to_phone or ""),
        },
        "carrier": shipment.carrier,
        "tracking_number": shipment.tracking_number,
        "allocated_at": _iso(shipment.allocated_at),
        "shipped_at": _iso(shipment.shipped_at),
        "delivered_at": _iso(shipment.delivered_at),
        "lines": [{"sku": line.item.sku, "quantity": line.quantity} for line in shipment.lines.all()],
        "problems_reported": [
            {"kind": problem.kind, "description": problem.description, "created_at": _iso(problem.created_at)}
            for problem in shipment.problems.all()
        ],
    }


def _host_data(host: Host) -> dict[str, Any]:
    return {
        "id": host.pk,
        "campaign": host.campaign.name,
        "status": host.status,
        "selected_at": _iso(host.selected_at),
        "activated_at": _iso(host.activated_at),
        "first_name": host.first_name,
        "last_name": host.last_name,
        "phone": str(host.phone or ""),
        "address_line1": host.address_line1,
        "address_line2": host.address_line2,
        "postal_code": host.postal_code,
        "city": host.city,
        "country": host.country,
        "referral_codes": [
            {
                "code": code.code,
                "kind": code.kind,
                "created_at": _iso(code.created_at),
                "deactivated_at": _iso(code.deactivated_at),
            }
            for code in ReferralCode.objects.filter(host=host).order_by("created_at", "id")
        ],
        "parties": [
            _party_data(party)
            for party in Party.objects.filter(host=host)
            .prefetch_related("photos")
            .order_by("starts_at", "id")
        ],
        "shipments": [
            _shipment_data(shipment)
            for shipment in Shipment.objects.filter(host=host).prefetch_related("lines__item", "problems")
        ],
        "ledger": [
            {
                "kind": entry.kind,
                "state": entry.state,
                "amount": _money(entry.amount),
                "currency": entry.currency,
                "description": entry.description,
                "created_at": _iso(entry.created_at),
                "approved_at": _iso(entry.approved_at),
                "paid_at": _iso(entry.paid_at),
            }
            for entry in LedgerEntry.objects.filter(host=host).order_by("created_at", "id")
        ],
        "payouts": [
            {
                "id": payout.pk,
                "amount": _money(payout.amount),
                "currency": payout.currency,
                "method": payout.method,
                "status": payout.status,
                "created_at": _iso(payout.created_at),
                "paid_at": _iso(payout.paid_at),
            }
            for payout in Payout.objects.filter(host=host).order_by("created_at", "id")
        ],
    }


def _guest_data(guest: Guest) -> dict[str, Any]:
    party = guest.party
    return {
        # The party is someone else's: its day and town, not its host or title.
        "party": {"id": party.pk, "starts_at": _iso(party.starts_at), "city": party.city},
        "source": guest.source,
        "first_name": guest.first_name,
        "last_name": guest.last_name,
        "email": guest.email,
        "phone": str(guest.phone or ""),
        "consent_at": _iso(guest.consent_at),
        "marketing_consent_at": _iso(guest.marketing_consent_at),
        "wants_to_host": guest.wants_to_host,
        "language": guest.language,
        "created_at": _iso(guest.created_at),
    }


def _order_data(order: Order) -> dict[str, Any]:
    return {
        "source": order.source,
        "external_id": order.external_id,
        "placed_at": _iso(order.placed_at),
        "customer_email": order.customer_email,
        "status": order.status,
        "currency": order.currency,
        "subtotal": _money(order.subtotal),
        "discount": _money(order.discount),
        "shipping": _money(order.shipping),
        "tax": _money(order.tax),
        "total": _money(order.total),
        "refunded_amount": _money(order.refunded_amount),
        "code": order.code,
        "lines": [
            {"sku": line.sku, "quantity": line.quantity, "unit_price": _money(line.unit_price)}
            for line in order.lines.all()
        ],
        "refunds": [
            {
                "amount": _money(refund.amount),
                "currency": refund.currency,
                "status": refund.status,
                "refunded_at": _iso(refund.refunded_at),
            }
            for refund in order.refunds.all()
        ],
    }


def _user_data(user: User) -> dict[str, Any]:
    account = PayoutAccount.objects.filter(user=user).first()
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "language": user.language,
        "is_active": user.is_active,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "social_accounts": [
            {
                "provider": social.provider,
                "uid": social.uid,
                "date_joined": _iso(social.date_joined),
                "last_login": _iso(social.last_login),
                "extra_data": social.extra_data,
            }
            for social in SocialAccount.objects.filter(user=user).order_by("id")
        ],
        "payout_account": (
            {
                "preferred_method": account.preferred_method,
                "stripe_account_id": account.stripe_account_id,
                "payouts_enabled": account.payouts_enabled,
            }
            if account is not None
            else None
        ),
    }


@transaction.atomic
def export_personal_data(*, email: str, by: User) -> dict[str, Any]:
    """Everything held about the person with this e-mail, JSON-ready (ISO times in UTC, money as
    decimal strings). Orders show their amounts, never the host they were credited to; parties
    where the person was a guest show their day and town only. The export itself is recorded."""
    address = normalise_email(email)
    if not address:
        raise Invalid("An e-mail address is required.", code="required", field="email")
    user = User.objects.filter(email=address).first()
    hosts = (
        Host.objects.filter(Q(application__email=address) | Q(user__email=address))
        .select_related("campaign")
        .order_by("selected_at", "id")
    )
    data: dict[str, Any] = {
        "email": address,
        "generated_at": _iso(timezone.now()),
        "account": _user_data(user) if user is not None else None,
        "applications": [
            _application_data(application)
            for application in Application.objects.filter(email=address)
            .select_related("campaign")
            .order_by("created_at", "id")
        ],
        "hosts": [_host_data(host) for host in hosts],
        "guest_registrations": [
            _guest_data(guest)
            for guest in Guest.objects.filter(email=address)
            .select_related("party")
            .order_by("created_at", "id")
        ],
        "orders": [
            _order_data(order)
            for order in Order.objects.filter(customer_email=address)
            .prefetch_related("lines", "refunds")
            .order_by("placed_at", "id")
        ],
        "clicks": "Not linkable to a person: only a salted hash of IP address and browser is kept.",
    }
    PrivacyRequest.objects.create(
        kind=PrivacyRequestKind.EXPORT,
        subject=pseudonymous_email(address),
        by=by,
        summary={
            "applications": len(data["applications"]),
            "hosts": len(data["hosts"]),
            "guest_registrations": len(data["guest_registrations"]),
            "orders": len(data["orders"]),
        },
    )
    return data


# --- Erasure --------------------------------------------------------------------------------------


@dataclass
class ErasureSummary:
    """How many rows of each kind the erasure rewrote or removed (zeros when nothing was left)."""

    pseudonym: str
    accounts: int = 0
    applications: int = 0
    hosts: int = 0
    parties: int = 0
    party_photos: int = 0
    shipments: int = 0
    guests: int = 0
    orders: int = 0
    stripe_events: int = 0
    social_accounts: int = 0
    email_addresses: int = 0
    tokens: int = 0
    queued_emails: int = 0

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
    owed = {row["currency"]: _money(row["total"]) for row in balances if row["total"] > 0}
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
    if isinstance(value, str) and value.strip().lower() == address:
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
    postal area), social identity, motivation and other free text, party photos (deleted), Stripe
    event payloads naming the buyer, and queued e-mails to them (deleted). The account is
    deactivated with an unusable password; its social accounts, e-mail addresses and API tokens are
    deleted. Running it again finds nothing left to rewrite. Refused while the person is owed money
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
    for photo in photos:
        _delete_file_on_commit(photo.image.storage, photo.image.name)
    PartyPhoto.objects.filter(pk__in=[photo.pk for photo in photos]).delete()
    summary.party_photos = len(photos)

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

    # Guest rows stay (reports count guests; a guest who bought still matches the order's pseudonym).
    guests = Guest.objects.filter(email=address)
    summary.guests = guests.update(
        first_name=ERASED_NAME, last_name="", email=pseudonym, phone="", marketing_consent_at=None
    )

    order_ids = list(Order.objects.filter(customer_email=address).values_list("pk", flat=True))
    Order.objects.filter(pk__in=order_ids).update(customer_email=pseudonym, updated_at=timezone.now())
    # The report's distinct-buyer key follows the pseudonym, as a later refresh of the row would.
    AttributedSale.objects.filter(order_id__in=order_ids).update(buyer=buyer_key(pseudonym))
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
