"""Referral links: `/r/<code>` logs a human click and sends the visitor to the shop (SPEC §7)."""

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from ambassadors.models import Campaign, HostStatus
from referrals.models import Click, CodeKind, ReferralCode, normalise_code

# Link previewers, crawlers and monitoring: followed, never counted.
_BOT_USER_AGENT = re.compile(
    r"bot|crawl|spider|slurp|preview|facebookexternalhit|facebot|whatsapp|telegram|discord|embedly|"
    r"headless|curl|wget|python-requests|httpclient|monitor|pingdom|lighthouse",
    re.IGNORECASE,
)


def is_bot(user_agent: str) -> bool:
    return not user_agent or bool(_BOT_USER_AGENT.search(user_agent))


def visitor_hash(ip_address: str, user_agent: str) -> str:
    """Salted HMAC of IP and user agent: enough to spot repeats, useless to recover an address."""
    message = f"{ip_address}|{user_agent}".encode()
    return hmac.new(settings.IP_HASH_SALT.encode(), message, hashlib.sha256).hexdigest()


def referrer_host(referrer: str) -> str:
    try:
        return (urlsplit(referrer).hostname or "")[:255]
    except ValueError:
        return ""


def shop_url(base: str, *, campaign_slug: str | None, token: str | None) -> str:
    """The shop address with our tracking parameters added to any it already has."""
    parts = urlsplit(base)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in _OUR_PARAMETERS]
    if token:
        query.append(("ref", token))
    query += [("utm_source", "ambassador"), ("utm_medium", "referral")]
    if campaign_slug:
        query.append(("utm_campaign", campaign_slug))
    return urlunsplit(parts._replace(query=urlencode(query)))


_OUR_PARAMETERS = {"ref", "utm_source", "utm_medium", "utm_campaign"}


def follow_link(
    *, raw_code: str, ip_address: str, user_agent: str, referrer: str, record_later: bool = True
) -> str:
    """Where `/r/<raw_code>` sends the visitor, logging the click when it counts.

    A code that gives no click (unknown, deactivated, of a banned host or a cancelled party, outside
    its dates) is answered exactly like a live one, whatever the campaigns' states: a shop a live
    code could lead to (the same host and parameter names), a `ref` of the same shape for a person
    (a decoy that matches no click, so it credits nobody), and the same work on the request path:
    the same two reads, then for a person the same enqueueing of `record_click`, which logs the
    click of a live code later and does nothing for a decoy. Probing `/r/`, by the answer or by its
    time, tells nothing about which codes exist. `record_later=False` logs the click at once (the
    demo's seeding, which places orders right after).
    """
    from referrals.tasks import record_click_task

    landings = _landings()
    code = ReferralCode.objects.lookup(raw_code)
    now = timezone.now()
    live = code if code is not None and code.is_valid_at(now) else None
    campaign = live.campaign if live is not None else _landing_for(normalise_code(raw_code), landings)
    token = None
    if not is_bot(user_agent):
        token = _new_token()
        record = record_click_task.enqueue if record_later else record_click
        record(
            code_id=live.pk if live is not None else None,
            at=now.isoformat(),
            token=token,
            visitor_hash=visitor_hash(ip_address, user_agent),
            referrer_host=referrer_host(referrer),
        )
    return shop_url(
        campaign.shop_url if campaign else settings.DEFAULT_SHOP_URL,
        campaign_slug=campaign.slug if campaign else None,
        token=token,
    )


def record_click(*, code_id: int | None, at: str, token: str, visitor_hash: str, referrer_host: str) -> bool:
    """Log the click behind a `ref` (`record_click_task`); True when it was logged now.

    `code_id` None is an unknown or inactive code's decoy: nothing is logged. Safe to run twice:
    the token is unique, a second run finds the click already there.
    """
    if code_id is None:
        return False
    _, created = Click.objects.get_or_create(
        token=token,
        defaults={
            "code_id": code_id,
            "at": datetime.fromisoformat(at),
            "visitor_hash": visitor_hash,
            "referrer_host": referrer_host,
        },
    )
    return created


def share_link(code: ReferralCode) -> str:
    """The code's own `/r/` link, as a host shares it."""
    return settings.SITE_URL + reverse("referrals:redirect", args=[code.code])


def _new_token() -> str:
    return secrets.token_urlsafe(16)


def _landings() -> list[Campaign]:
    """The campaigns a live code can lead to: those with a live host code (every selected host has
    one, and a host's party codes die with it), oldest first. Asked for every code alike."""
    live_host_codes = ReferralCode.objects.filter(
        campaign=OuterRef("pk"), kind=CodeKind.HOST, deactivated_at__isnull=True
    ).exclude(host__status=HostStatus.BANNED)
    return list(Campaign.objects.filter(Exists(live_host_codes)).only("slug", "shop_url").order_by("pk"))


def _landing_for(normalised_code: str, landings: list[Campaign]) -> Campaign | None:
    """Where an unknown or inactive code lands: one of the campaigns a live code leads to, chosen by
    a keyed hash of the code, so the same code always lands in the same place and nobody without
    SECRET_KEY can tell its landing from a live code's. No live code anywhere: the default shop."""
    if not landings:
        return None
    digest = salted_hmac("referrals.codes.links.landing", normalised_code).digest()
    return landings[int.from_bytes(digest[:8], "big") % len(landings)]


def purge_clicks(*, older_than_days: int | None = None) -> int:
    """Delete click logs past the retention period; running it again deletes nothing more."""
    days = settings.CLICK_RETENTION_DAYS if older_than_days is None else older_than_days
    deleted, _ = Click.objects.filter(at__lt=timezone.now() - timedelta(days=days)).delete()
    return deleted
