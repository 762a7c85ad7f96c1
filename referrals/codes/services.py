"""Issuing and retiring referral codes (SPEC §7)."""

import logging
import secrets
import unicodedata
from collections.abc import Callable, Iterable

from django.db import IntegrityError, transaction
from django.utils import timezone

from ambassadors.models import Host, Party
from referrals.models import CODE_ALPHABET, CODE_SUFFIX_LENGTH, CodeKind, ReferralCode

logger = logging.getLogger(__name__)

_MAX_ATTEMPTS = 25


# Letters that Unicode does not decompose into a Latin base letter.
_FOLD = str.maketrans(
    {
        "Ł": "L",
        "ł": "l",
        "Ø": "O",
        "ø": "o",
        "Đ": "D",
        "đ": "d",
        "ß": "ss",
        "Æ": "AE",
        "æ": "ae",
        "Œ": "OE",
        "œ": "oe",
        "Þ": "TH",
        "þ": "th",
    }
)


def code_prefix(first_name: str) -> str:
    """`Zoë` → `ZOE`, `Łukasz` → `LUKASZ`; letters only, at most 10, `HOST` when nothing is left."""
    folded = unicodedata.normalize("NFKD", first_name.translate(_FOLD)).encode("ascii", "ignore").decode()
    letters = "".join(ch for ch in folded.upper() if "A" <= ch <= "Z")
    return letters[:10] or "HOST"


def generate_code(first_name: str) -> str:
    suffix = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_SUFFIX_LENGTH))
    return f"{code_prefix(first_name)}-{suffix}"


def _create_unique_code(
    *, first_name: str, existing: Callable[[], ReferralCode | None], **fields: object
) -> ReferralCode:
    """Insert a fresh code; uniqueness is the database's job, a collision simply draws again."""
    for _ in range(_MAX_ATTEMPTS):
        try:
            with transaction.atomic():
                return ReferralCode.objects.create(code=generate_code(first_name), **fields)
        except IntegrityError:
            already = existing()
            if already is not None:  # a concurrent call issued it first
                return already
    raise RuntimeError("could not draw a free referral code")  # 32^4 per prefix: practically unreachable


@transaction.atomic
def issue_host_code(*, host: Host) -> ReferralCode:
    """The host's code for their campaign; issuing twice returns the same code."""
    found = ReferralCode.objects.filter(host=host, kind=CodeKind.HOST).first()
    if found is not None:
        return found
    code = _create_unique_code(
        first_name=host.first_name,
        existing=lambda: ReferralCode.objects.filter(host=host, kind=CodeKind.HOST).first(),
        kind=CodeKind.HOST,
        host=host,
        campaign=host.campaign,
    )
    _mirror_on_commit(code)
    return code


@transaction.atomic
def issue_party_code(*, party: Party) -> ReferralCode:
    """The party's own code (valid from the party day to the end of its attribution window)."""
    found = ReferralCode.objects.filter(party=party).first()
    if found is not None:
        return found
    code = _create_unique_code(
        first_name=party.host.first_name,
        existing=lambda: ReferralCode.objects.filter(party=party).first(),
        kind=CodeKind.PARTY,
        host=party.host,
        campaign=party.campaign,
        party=party,
    )
    _mirror_on_commit(code)
    return code


@transaction.atomic
def deactivate_codes(*, host: Host, reason: str) -> int:
    """Retire every code of a host (ban): they stop crediting and their Stripe mirrors are switched off."""
    codes = list(ReferralCode.objects.select_for_update().filter(host=host, deactivated_at__isnull=True))
    now = timezone.now()
    for code in codes:
        code.deactivated_at = now
        code.deactivation_reason = reason[:200]
        code.save(update_fields=["deactivated_at", "deactivation_reason"])
        _deactivate_mirror_on_commit(code)
    return len(codes)


@transaction.atomic
def deactivate_party_code(*, party: Party, reason: str) -> None:
    code = ReferralCode.objects.select_for_update().filter(party=party, deactivated_at__isnull=True).first()
    if code is None:
        return
    code.deactivated_at = timezone.now()
    code.deactivation_reason = reason[:200]
    code.save(update_fields=["deactivated_at", "deactivation_reason"])
    _deactivate_mirror_on_commit(code)


def _mirror_on_commit(code: ReferralCode) -> None:
    from referrals.tasks import mirror_code_to_stripe

    if code.campaign.guest_discount_percent is None:
        return
    transaction.on_commit(lambda: mirror_code_to_stripe.enqueue(code_id=code.pk))


def _deactivate_mirror_on_commit(code: ReferralCode) -> None:
    from referrals.tasks import deactivate_stripe_mirror

    if not code.stripe_promotion_code_id and code.campaign.guest_discount_percent is None:
        return
    transaction.on_commit(lambda: deactivate_stripe_mirror.enqueue(code_id=code.pk))


def live_host_codes(host_ids: Iterable[int]) -> dict[int, str]:
    """Each host's own code while it is live (not deactivated): what their packing slips print."""
    return dict(
        ReferralCode.objects.filter(
            host_id__in=list(host_ids), kind=CodeKind.HOST, deactivated_at__isnull=True
        )
        .order_by("created_at")
        .values_list("host_id", "code")
    )
