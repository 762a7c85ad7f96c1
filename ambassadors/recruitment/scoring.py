"""An application's score (with a readable explanation) and its risk flags.

The score ranks merit for marketing; risk flags are facts for a human to look at. They are kept
apart on purpose: a flag never silently lowers a score.
"""

import math
import re
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path
from typing import Any

from django.db.models import Q

from ambassadors.models import Application, HostStatus

FOLLOWERS_POINTS_PER_DECADE = Decimal(10)  # 10 points per factor of ten followers: 1k → 30, 1M → 60
FOLLOWERS_POINTS_MAX = Decimal(60)
VERIFIED_BONUS = Decimal(15)
POINTS_PER_EXPECTED_GUEST = Decimal(1)
EXPECTED_GUESTS_COUNTED_MAX = 25  # more promised guests than this earns nothing extra
MOTIVATION_BONUS = Decimal(5)
MOTIVATION_BONUS_MIN_CHARS = 100
# Applications from one IP address to one campaign beyond which each of them is flagged.
MANY_FROM_ONE_IP = 3

TWO_PLACES = Decimal("0.01")


class RiskFlag:
    SAME_PHONE = "same_phone"
    SAME_ADDRESS = "same_address"
    DISPOSABLE_EMAIL = "disposable_email"
    MANY_FROM_ONE_IP = "many_from_one_ip"
    PREVIOUSLY_BANNED = "previously_banned"


@cache
def disposable_domains() -> frozenset[str]:
    path = Path(__file__).resolve().parent / "data" / "disposable_email_domains.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def is_disposable_email(email: str) -> bool:
    domain = email.rsplit("@", 1)[-1].lower()
    parts = domain.split(".")
    # A subdomain of a disposable domain is disposable too (x.mailinator.com).
    return any(".".join(parts[i:]) in disposable_domains() for i in range(len(parts) - 1))


def address_key(*, address_line1: str, postal_code: str) -> str:
    """The comparable form of an address: lower-case, letters and digits only, plus the postal code."""
    return re.sub(r"[^0-9a-z]+", "", f"{address_line1}{postal_code}".lower())


def compute_score(
    *, follower_count: int | None, social_verified: bool, expected_guests: int, motivation: str
) -> tuple[Decimal, list[dict[str, Any]]]:
    """The score and one explanation line per factor that gave points."""
    explanation: list[dict[str, Any]] = []
    followers = follower_count or 0
    followers_points = min(
        FOLLOWERS_POINTS_MAX,
        (Decimal(math.log10(followers + 1)) * FOLLOWERS_POINTS_PER_DECADE).quantize(
            TWO_PLACES, rounding=ROUND_HALF_UP
        ),
    )
    explanation.append(
        {
            "factor": "followers",
            "points": str(followers_points),
            "detail": f"{followers} followers, log-scaled ({FOLLOWERS_POINTS_PER_DECADE} points per ×10, at most {FOLLOWERS_POINTS_MAX})",
        }
    )
    if social_verified:
        explanation.append(
            {
                "factor": "verified",
                "points": str(VERIFIED_BONUS.quantize(TWO_PLACES)),
                "detail": "social account verified by sign-in",
            }
        )
    counted_guests = min(expected_guests, EXPECTED_GUESTS_COUNTED_MAX)
    guests_points = (POINTS_PER_EXPECTED_GUEST * counted_guests).quantize(TWO_PLACES)
    explanation.append(
        {
            "factor": "expected_guests",
            "points": str(guests_points),
            "detail": f"{expected_guests} expected guests ({POINTS_PER_EXPECTED_GUEST} point each, at most {EXPECTED_GUESTS_COUNTED_MAX} counted)",
        }
    )
    if len(motivation.strip()) >= MOTIVATION_BONUS_MIN_CHARS:
        explanation.append(
            {
                "factor": "motivation",
                "points": str(MOTIVATION_BONUS.quantize(TWO_PLACES)),
                "detail": f"motivation of at least {MOTIVATION_BONUS_MIN_CHARS} characters",
            }
        )
    total = sum((Decimal(line["points"]) for line in explanation), Decimal(0))
    return total.quantize(TWO_PLACES), explanation


def compute_risk_flags(application: Application) -> list[str]:
    """Flags for one stored application, looking at the other applications of its campaign."""
    others = Application.objects.filter(campaign_id=application.campaign_id).exclude(pk=application.pk)
    flags: list[str] = []
    if others.filter(phone=application.phone).exists():
        flags.append(RiskFlag.SAME_PHONE)
    key = address_key(address_line1=application.address_line1, postal_code=application.postal_code)
    same_postal = others.filter(postal_code=application.postal_code).values_list(
        "address_line1", "postal_code"
    )
    if any(address_key(address_line1=line1, postal_code=postal) == key for line1, postal in same_postal):
        flags.append(RiskFlag.SAME_ADDRESS)
    if is_disposable_email(application.email):
        flags.append(RiskFlag.DISPOSABLE_EMAIL)
    if application.ip_hash and others.filter(ip_hash=application.ip_hash).count() + 1 >= MANY_FROM_ONE_IP:
        flags.append(RiskFlag.MANY_FROM_ONE_IP)
    if (
        Application.objects.filter(host__status=HostStatus.BANNED)
        .filter(Q(phone=application.phone) | Q(email=application.email))
        .exclude(pk=application.pk)
        .exists()
    ):
        flags.append(RiskFlag.PREVIOUSLY_BANNED)
    return flags


def refresh_risk_flags(application: Application) -> None:
    """Recompute and store the flags of `application` and of the applications it now resembles."""
    in_campaign = Application.objects.filter(campaign_id=application.campaign_id)
    key = address_key(address_line1=application.address_line1, postal_code=application.postal_code)
    same_address_ids = [
        pk
        for pk, line1, postal in in_campaign.filter(postal_code=application.postal_code).values_list(
            "pk", "address_line1", "postal_code"
        )
        if address_key(address_line1=line1, postal_code=postal) == key
    ]
    related = in_campaign.filter(
        Q(pk=application.pk)
        | Q(phone=application.phone)
        | Q(pk__in=same_address_ids)
        | (Q(ip_hash=application.ip_hash) & ~Q(ip_hash=""))
    )
    for other in related:
        flags = compute_risk_flags(other)
        if flags != other.risk_flags:
            other.risk_flags = flags
            other.save(update_fields=["risk_flags", "updated_at"])
    application.refresh_from_db(fields=["risk_flags"])
