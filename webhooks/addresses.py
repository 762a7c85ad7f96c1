"""Where a webhook may be sent: an https URL to a public address (SSRF). The check runs when an
endpoint is registered and again before each request (a name may resolve elsewhere later).
DEBUG or `WEBHOOK_ALLOW_LOCAL_URLS` also allow http and private or loopback addresses."""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _

from backend.errors import Invalid


def local_urls_allowed() -> bool:
    return bool(settings.DEBUG or settings.WEBHOOK_ALLOW_LOCAL_URLS)


def _check_public_host(host: str, port: int) -> None:
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)}
    except (socket.gaierror, UnicodeError):
        raise Invalid(
            _("The URL's host name does not resolve."), code="unresolvable_host", field="url"
        ) from None
    for address in addresses:
        ip = ipaddress.ip_address(str(address).split("%")[0])
        if not ip.is_global or ip.is_multicast:
            raise Invalid(
                _("The URL leads to a private, loopback or reserved address."),
                code="private_address",
                field="url",
            )


def check_endpoint_url(url: str) -> str:
    """The URL as given, or `Invalid` (field `url`) saying why it may not receive webhooks."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise Invalid(_("Give a valid URL."), code="invalid", field="url") from None
    allowed_schemes = {"https", "http"} if local_urls_allowed() else {"https"}
    if parts.scheme not in allowed_schemes:
        raise Invalid(_("The URL must start with https://."), code="https_required", field="url")
    if not parts.hostname:
        raise Invalid(_("Give a valid URL."), code="invalid", field="url")
    if parts.username or parts.password:
        raise Invalid(
            _("The URL may not carry a user name or password."), code="credentials_in_url", field="url"
        )
    if not local_urls_allowed():
        _check_public_host(parts.hostname, port or 443)
    return url
