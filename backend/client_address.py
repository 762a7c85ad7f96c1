"""The client's address, as the proxies in front of Soirée vouch for it.

`TRUSTED_PROXY_COUNT` says how many proxies we run in front of the application. Each appends the
address it received the request from to `X-Forwarded-For`, so the entry that many places from the
right is the client as our outermost proxy saw it; anything further left was sent by the client and
proves nothing. With no proxy (the default) the header is ignored and the socket's address is the
client. The rule is Django REST framework's own (`NUM_PROXIES`, which the settings set to the same
number), written once here for throttles, the applications' risk flag and the click hash alike.
"""

from django.conf import settings
from django.http import HttpRequest
from rest_framework.request import Request


def client_ip(request: HttpRequest | Request) -> str:
    remote_addr: str = request.META.get("REMOTE_ADDR", "") or ""
    proxies: int = settings.TRUSTED_PROXY_COUNT
    forwarded_for = request.META.get("HTTP_X_FORWARDED_FOR")
    if proxies == 0 or forwarded_for is None:
        return remote_addr
    addresses = forwarded_for.split(",")
    return addresses[-min(proxies, len(addresses))].strip()
