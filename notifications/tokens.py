"""The one-click opt-out link of each e-mail: a signed token naming the recipient and the kind.

It works without signing in, never expires (an old e-mail's link must still stop the next one) and
cannot be forged or edited: the signature covers the guest or account id and the kind.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from notifications.models import Kind

_SALT = "notifications.opt-out"


@dataclass(frozen=True)
class OptOutRequest:
    kind: str
    guest_id: int | None = None
    user_id: int | None = None


def opt_out_token(request: OptOutRequest) -> str:
    payload = (
        {"k": request.kind, "g": request.guest_id}
        if request.guest_id
        else {"k": request.kind, "u": request.user_id}
    )
    return signing.dumps(payload, salt=_SALT, compress=True)


def opt_out_url(request: OptOutRequest) -> str:
    return settings.SITE_URL + reverse("notifications:stop", args=[opt_out_token(request)])


def read_opt_out_token(token: str) -> OptOutRequest | None:
    """The request a token carries, or None when it was not signed by us or names no known kind."""
    try:
        payload = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("k") not in Kind.values:
        return None
    guest_id, user_id = payload.get("g"), payload.get("u")
    if isinstance(guest_id, int) and user_id is None:
        return OptOutRequest(kind=payload["k"], guest_id=guest_id)
    if isinstance(user_id, int) and guest_id is None:
        return OptOutRequest(kind=payload["k"], user_id=user_id)
    return None
