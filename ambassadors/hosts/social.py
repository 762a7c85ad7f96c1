"""Social sign-in (django-allauth) for the portal.

Two uses of one "Continue with …" button:

* an applicant on a campaign page: the verified identity (provider, uid, handle, profile URL,
  follower count where the provider gives it) is kept in the session for that campaign's form and
  the fan is sent back to it. Nobody is signed in and no account is created: accounts exist only
  for selected hosts.
* a host signing in: a social account already connected signs in; otherwise the identity that was
  verified on the host's application is connected to the host's account on first use.

Anything else (an unknown social account) is refused with a message on the sign-in page.
"""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter, get_adapter
from allauth.socialaccount.models import SocialLogin
from allauth.socialaccount.providers.base import AuthProcess
from django.contrib import messages
from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from ambassadors.hosts.services import activate_invited_hosts
from ambassadors.models import Host

# Session key holding the verified identities waiting for an application form, by campaign slug.
PENDING_IDENTITIES_SESSION_KEY = "pending_social_identities"
APPLY_ROUTE = "portal:apply"


def configured_providers(request: HttpRequest | None = None) -> set[str]:
    """The social networks the brand has set up (settings or the admin's social applications):
    sign-in with a social account is offered only for these."""
    return {provider.id for provider in get_adapter().list_providers(request)}  # type: ignore[arg-type]


def _as_count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def identity_from_sociallogin(sociallogin: SocialLogin) -> dict[str, Any]:
    """The verified identity a provider answered with, plus what can prefill the form."""
    account = sociallogin.account
    data = account.extra_data or {}
    followers = None
    for key in ("follower_count", "followers_count"):
        followers = _as_count(data.get(key))
        if followers is not None:
            break
    handle = data.get("username") or data.get("display_name") or data.get("name") or ""
    user = sociallogin.user
    return {
        "network": account.provider,
        "uid": str(account.uid)[:191],
        "handle": str(handle)[:100],
        "profile_url": str(account.get_profile_url() or "")[:300],
        "follower_count": followers,
        "verified": True,
        "prefill": {
            "email": getattr(user, "email", "") or "",
            "first_name": getattr(user, "first_name", "") or "",
            "last_name": getattr(user, "last_name", "") or "",
        },
    }


def _campaign_slug_of_apply_url(url: str | None) -> str | None:
    if not url:
        return None
    try:
        match = resolve(url.split("?", 1)[0])
    except Resolver404:
        return None
    if match.view_name != APPLY_ROUTE:
        return None
    return match.kwargs.get("slug")


def pending_identity(request: HttpRequest, campaign_slug: str) -> dict[str, Any] | None:
    return request.session.get(PENDING_IDENTITIES_SESSION_KEY, {}).get(campaign_slug)


def forget_pending_identity(request: HttpRequest, campaign_slug: str) -> None:
    pending = request.session.get(PENDING_IDENTITIES_SESSION_KEY, {})
    if campaign_slug in pending:
        del pending[campaign_slug]
        request.session[PENDING_IDENTITIES_SESSION_KEY] = pending


class PortalAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Host accounts are created by selection, never by a visitor.
        return False

    def login(self, request: HttpRequest, user: Any) -> None:
        super().login(request, user)
        # Signing in socially counts as accepting the invitation, as the one-time link does.
        activate_invited_hosts(user=user)


class PortalSocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return False

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        if sociallogin.state.get("process") == AuthProcess.CONNECT:
            # allauth's "connect another account" is not offered: the identity verified on the
            # application is the one a host signs in with (below).
            messages.error(
                request, _("Sign in with the social account you applied with: it is linked to you then.")
            )
            raise ImmediateHttpResponse(redirect("portal:signin"))
        next_url = sociallogin.state.get("next")
        campaign_slug = _campaign_slug_of_apply_url(next_url)
        if campaign_slug:
            # Applying never signs anyone in: the identity goes to the form, verified.
            pending = request.session.get(PENDING_IDENTITIES_SESSION_KEY, {})
            pending[campaign_slug] = identity_from_sociallogin(sociallogin)
            request.session[PENDING_IDENTITIES_SESSION_KEY] = pending
            raise ImmediateHttpResponse(HttpResponseRedirect(next_url))
        if sociallogin.is_existing:
            return
        host = (
            Host.objects.filter(
                application__social_network=sociallogin.account.provider,
                application__social_uid=str(sociallogin.account.uid),
                application__social_verified=True,
                user__is_active=True,
            )
            .select_related("user")
            .order_by("-selected_at")
            .first()
        )
        if host is not None:
            # The identity verified when applying: connect it to the host's account, then sign in.
            sociallogin.connect(request, host.user)
            return
        messages.error(
            request,
            _(
                "No host account is linked to this social account. Use the link from your invitation "
                "e-mail, or apply to a campaign first."
            ),
        )
        raise ImmediateHttpResponse(redirect("portal:signin"))
