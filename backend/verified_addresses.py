"""Only a verified e-mail address identifies a person (SPEC §15).

An address is verified for an account once someone used a one-time link we sent to it: the sign-in
link of an invitation or a password-reset link (both tokens cover the address, so a link sent before
the address changed no longer works). Nothing else proves it: typing an address, a provider's
claim, or an address set on an account by whoever holds it. The record is django-allauth's
`EmailAddress` (its `verified` flag, unique among verified rows), although allauth's own pages that
add or verify addresses are not routed.
"""

from typing import cast

from allauth.account.models import EmailAddress
from django.db import transaction

from backend.email_address import normalise_email
from backend.models import User


def user_with_verified_email(email: str) -> User | None:
    """The one account that proved it receives mail at `email`, or None."""
    address = (
        EmailAddress.objects.filter(email=normalise_email(email), verified=True)
        .select_related("user")
        .first()
    )
    return cast(User, address.user) if address is not None else None


def record_unverified_email(*, user: User) -> None:
    """Record a new account's own address as its primary one, not yet proven."""
    EmailAddress.objects.create(user=user, email=normalise_email(user.email), primary=True, verified=False)


@transaction.atomic
def mark_email_verified(*, user: User) -> bool:
    """The account's address is proven (a one-time link sent to it was used); it becomes primary.

    False, and nothing changes, when another account already holds that address verified (only
    staff editing accounts by hand can bring that about): an address identifies one person.
    """
    email = normalise_email(user.email)
    if EmailAddress.objects.filter(email=email, verified=True).exclude(user=user).exists():
        return False
    EmailAddress.objects.filter(user=user, primary=True).exclude(email=email).update(primary=False)
    updated = EmailAddress.objects.filter(user=user, email=email).update(verified=True, primary=True)
    if not updated:
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return True
