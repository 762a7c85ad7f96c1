"""Right of access: everything held about a person, across every app, as JSON (SPEC §13)."""

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from allauth.socialaccount.models import SocialAccount
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ambassadors.models import Application, Guest, Host, Party
from backend.email_address import normalise_email
from backend.errors import Invalid
from backend.models import User
from backend.privacy import pseudonymous_email
from feedback.models import PieceFeedback
from kits.models import Shipment
from notifications.models import OptOut, SentNotification
from orders.models import Order
from recognition.models import BrandNote, LeaderboardConsent, Milestone
from referrals.models import (
    LedgerEntry,
    Payout,
    PayoutAccount,
    PrivacyRequest,
    PrivacyRequestKind,
    ReferralCode,
)


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def _money(value: Decimal | None) -> str | None:
    return f"{value:.2f}" if value is not None else None


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
        "milestones": [
            {"kind": milestone.kind, "reached_at": _iso(milestone.reached_at)}
            for milestone in Milestone.objects.filter(host=host).order_by("reached_at", "id")
        ],
        "notes_from_the_brand": [
            {
                "body": note.body,
                "gift_amount": _money(note.gift_amount),
                "gift_currency": note.gift_currency,
                "created_at": _iso(note.created_at),
                "read_at": _iso(note.read_at),
            }
            for note in BrandNote.objects.filter(host=host).order_by("created_at", "id")
        ],
        "on_the_public_list_of_top_hosts": LeaderboardConsent.objects.filter(host=host).exists(),
        "notifications_sent": _notifications_sent(host=host),
    }


def _notifications_sent(**recipient: Any) -> list[dict[str, Any]]:
    return [
        {"kind": sent.kind, "about": sent.about, "at": _iso(sent.created_at)}
        for sent in SentNotification.objects.filter(**recipient).order_by("created_at", "id")
    ]


def _notifications_turned_off(**recipient: Any) -> list[dict[str, Any]]:
    return [
        {"kind": off.kind, "at": _iso(off.at)}
        for off in OptOut.objects.filter(**recipient).order_by("at", "id")
    ]


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
        "notifications_sent": _notifications_sent(guest=guest),
        "notifications_turned_off": _notifications_turned_off(guest=guest),
    }


def _opinion_data(opinion: PieceFeedback) -> dict[str, Any]:
    return {
        "sku": opinion.item.sku,
        "campaign": opinion.campaign_id,
        "as": "guest" if opinion.guest_id else "host",
        "fit": opinion.fit,
        "colour": opinion.colour,
        "quality": opinion.quality,
        "would_buy": opinion.would_buy,
        "comment": opinion.comment,
        "photo": opinion.photo.name or None,
        "consent_at": _iso(opinion.consent_at),
        "updated_at": _iso(opinion.updated_at),
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
        "notifications_turned_off": _notifications_turned_off(user=user),
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
        "opinions": [
            _opinion_data(opinion)
            for opinion in PieceFeedback.objects.filter(
                Q(guest__isnull=True, host__in=hosts) | Q(guest__email=address)
            )
            .select_related("item")
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
            "opinions": len(data["opinions"]),
            "orders": len(data["orders"]),
        },
    )
    return data
