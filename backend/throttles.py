"""Rate limits per client, the client being `backend.client_address.client_ip`.

Every throttle of the API and the portal derives from these classes, never from DRF's own directly,
so none can count a forged `X-Forwarded-For` value as a new client (a test holds every import to it).
"""

from typing import Any

from django.http import HttpRequest
from rest_framework import throttling

from backend.client_address import client_ip


class _PerClientAddress:
    def get_ident(self, request: Any) -> str:
        return client_ip(request)


class AnonRateThrottle(_PerClientAddress, throttling.AnonRateThrottle):
    pass


class ScopedRateThrottle(_PerClientAddress, throttling.ScopedRateThrottle):
    pass


class SimpleRateThrottle(_PerClientAddress, throttling.SimpleRateThrottle):
    pass


class SignInThrottle(SimpleRateThrottle):
    """Password guesses per client address, on the portal's sign-in page and the admin's alike (one
    counter for both doors), at the API's token sign-in rate."""

    scope = "token_login"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": "portal_signin", "ident": self.get_ident(request)}


def sign_in_allowed(request: HttpRequest) -> bool:
    """Count one sign-in attempt from this client; False once it is over the limit."""
    # DRF's throttle reads only the cache and the client address; there is no DRF view here.
    return SignInThrottle().allow_request(request, None)  # type: ignore[arg-type]
