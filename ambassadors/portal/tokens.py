"""A host's API tokens: her own sign-in (e-mail and password, as on the portal) gives a hashed,
expiring, revocable token for the brand's own app. It is read by the host routes only
(`/api/v1/host/...`): no other route knows the scheme, so it never reaches staff routes. Those
routes also take the host's portal session, and no staff member whatever the way in.
"""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from ambassadors.models import Host, HostApiToken, HostStatus
from backend.models import User
from backend.permissions import user_has_any_role

KEYWORD = b"bearer"
# Tells a host token from a staff token at a glance (and to secret scanners); not a secret.
HOST_MARK = "host_"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def may_use_host_api(user: Any) -> bool:
    """An active person hosting in a campaign (not banned), with no staff role: a host token never
    carries a staff member's powers (staff sign in for their own token)."""
    return (
        bool(user.is_active)
        and not user_has_any_role(user)
        and Host.objects.for_user(user).exclude(status=HostStatus.BANNED).exists()
    )


@transaction.atomic
def issue_host_token(*, user: User) -> tuple[HostApiToken, str]:
    """A new token for the host; the token itself is returned this once (only its digest is kept).
    It lives as long as a portal session."""
    token = HOST_MARK + secrets.token_urlsafe(32)
    row = HostApiToken.objects.create(
        user=user,
        digest=token_digest(token),
        prefix=token[: len(HOST_MARK) + 4],
        expires_at=timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE),
    )
    return row, token


@transaction.atomic
def revoke_host_token(*, token: HostApiToken) -> None:
    """The token is refused from now on."""
    HostApiToken.objects.filter(pk=token.pk).delete()


class HostTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <host token>`; a wrong, expired or revoked token is refused (401)."""

    def authenticate(self, request: Request) -> tuple[User, HostApiToken] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send `Authorization: Bearer <host token>`.")
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The host token is not valid.") from None
        row = (
            HostApiToken.objects.select_related("user")
            .filter(digest=token_digest(token), expires_at__gt=timezone.now())
            .first()
        )
        if row is None or not may_use_host_api(row.user):
            raise exceptions.AuthenticationFailed("The host token is not valid, has expired or was revoked.")
        return row.user, row

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="host"'


class UsesHostApi(BasePermission):
    """A host (her token, or her portal session): no staff member, whatever the way in, so that the
    host routes answer with her own parties only."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated) and may_use_host_api(request.user)


class HostTokenScheme(OpenApiAuthenticationExtension):
    target_class = HostTokenAuthentication
    name = "hostToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "`Bearer <token>`: a host's token, from `POST /api/v1/host/token/` with her own "
            "e-mail and password. It reaches the `/api/v1/host/` routes only, and her own parties only.",
        }
