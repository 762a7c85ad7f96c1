"""Masking personal data for staff who do not hold the personal-data permission, and the
neutral values that replace an erased person's data."""

import hashlib
import hmac

from django.conf import settings

from backend.email_address import normalise_email


def mask_email(email: str) -> str:
    """`clara@example.com` → `c***@example.com`: enough to tell people apart, not to write to them."""
    if not email:
        return ""
    local, at, domain = email.partition("@")
    if not at:
        return "***"
    return f"{local[:1]}***@{domain}"


def mask_phone(phone: str) -> str:
    """`+33612345678` → `+33*******78`."""
    if not phone:
        return ""
    return phone[:3] + "*" * max(len(phone) - 5, 0) + phone[-2:]


# Erased people keep their rows (aggregates, money) under a non-deliverable address (RFC 2606).
ERASED_EMAIL_DOMAIN = "erased.invalid"
ERASED_NAME = "Erased"


def pseudonymous_email(email: str) -> str:
    """The stand-in for an erased address: a keyed hash, so one person always maps to one pseudonym.

    The same pseudonym everywhere (account, applications, guest rows, orders) keeps what compares
    e-mails consistent after erasure: distinct buyers, self-referral, a guest who bought. Without
    the secret key, nobody can test a guess of the original address against it.
    """
    normalised = normalise_email(email)
    if is_erased_email(normalised):
        return normalised
    digest = hmac.new(
        f"backend.privacy-pseudonym:{settings.SECRET_KEY}".encode(), normalised.encode(), hashlib.sha256
    ).hexdigest()
    return f"erased-{digest[:24]}@{ERASED_EMAIL_DOMAIN}"


def is_erased_email(email: str) -> bool:
    return email.endswith(f"@{ERASED_EMAIL_DOMAIN}")
