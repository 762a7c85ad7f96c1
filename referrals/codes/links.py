"""Referral links: `/r/<code>` logs a human click and sends the visitor to the shop (SPEC §7)."""

import hashlib
import hmac
import re
import secrets
from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from ambassadors.models import Campaign, CampaignStatus
from referrals.models import Click, ReferralCode

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


def follow_link(*, raw_code: str, ip_address: str, user_agent: str, referrer: str) -> str:
    """Where `/r/<raw_code>` sends the visitor, logging the click when it counts.

    A code that gives no click (unknown, deactivated, of a banned host or a cancelled party, outside
    its dates) is answered exactly like a valid one: the same parameters, a `ref` of the same
    shape for a person (a decoy that matches no click, so it credits nobody), and for a person the
    same database work (the lookup, then one more statement). Probing `/r/` tells nothing about
    which codes exist.
    """
    code = ReferralCode.objects.lookup(raw_code)
    now = timezone.now()
    person = not is_bot(user_agent)
    if code is None or not code.is_valid_at(now):
        return _landing_without_a_click(person=person)
    token = None
    if person:
        token = _new_token()
        Click.objects.create(
            code=code,
            at=now,
            token=token,
            visitor_hash=visitor_hash(ip_address, user_agent),
            referrer_host=referrer_host(referrer),
        )
    return shop_url(code.campaign.shop_url, campaign_slug=code.campaign.slug, token=token)


def share_link(code: ReferralCode) -> str:
    """The code's own `/r/` link, as a host shares it."""
    return settings.SITE_URL + reverse("referrals:redirect", args=[code.code])


def _new_token() -> str:
    return secrets.token_urlsafe(16)


def _landing_without_a_click(*, person: bool) -> str:
    """Unknown and inactive codes alike: the running campaign's shop, where a live code most likely
    leads (`DEFAULT_SHOP_URL` when no campaign runs), never the code's own campaign."""
    campaign = Campaign.objects.filter(status=CampaignStatus.RUNNING).only("slug", "shop_url").first()
    return shop_url(
        campaign.shop_url if campaign else settings.DEFAULT_SHOP_URL,
        campaign_slug=campaign.slug if campaign else None,
        token=_new_token() if person else None,
    )


def purge_clicks(*, older_than_days: int | None = None) -> int:
    """Delete click logs past the retention period; running it again deletes nothing more."""
    days = settings.CLICK_RETENTION_DAYS if older_than_days is None else older_than_days
    deleted, _ = Click.objects.filter(at__lt=timezone.now() - timedelta(days=days)).delete()
    return deleted
