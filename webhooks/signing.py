"""The signature every delivery carries, in the manner of Stripe's: `Soiree-Signature: t=<unix>,v1=<hex>`,
where the hex is the HMAC-SHA256, keyed with the endpoint's secret, of `"<t>.<raw body>"`. The timestamp
is signed with the body, so a receiver can refuse an old delivery replayed (README shows how to check)."""

import hashlib
import hmac
import secrets

SIGNATURE_HEADER = "Soiree-Signature"
EVENT_ID_HEADER = "Soiree-Event-Id"


def new_endpoint_secret() -> str:
    return f"whsec_{secrets.token_urlsafe(32)}"


def signature_header(*, secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"
