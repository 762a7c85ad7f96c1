"""Shop endpoints: one per shop that sends Soirée its order webhooks (SPEC §15)."""

from collections.abc import Sequence
from datetime import datetime
from typing import cast

from django.db import IntegrityError, transaction

from backend.errors import Conflict, Invalid
from orders.models import ShopApiKey, ShopApiKeyScope, ShopEndpoint
from orders.shops.secrets import encrypt_secret


@transaction.atomic
def create_shop_endpoint(*, name: str, slug: str, platform: str, secret: str) -> ShopEndpoint:
    """A new endpoint at `/webhooks/<platform>/<slug>/`; its secret is kept encrypted."""
    try:
        with transaction.atomic():
            return ShopEndpoint.objects.create(
                name=name, slug=slug, platform=platform, encrypted_secret=encrypt_secret(secret)
            )
    except IntegrityError:
        raise Conflict(f"A shop endpoint named {slug} already exists.", code="slug_taken") from None


@transaction.atomic
def update_shop_endpoint(
    *, endpoint: ShopEndpoint, name: str | None = None, secret: str | None = None
) -> ShopEndpoint:
    """Rename an endpoint or replace its secret (e.g. after the shop rotated it); the slug stays."""
    endpoint = ShopEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    fields = ["updated_at"]
    if name is not None:
        endpoint.name = name
        fields.append("name")
    if secret is not None:
        endpoint.encrypted_secret = encrypt_secret(secret)
        fields.append("encrypted_secret")
    endpoint.save(update_fields=fields)
    return endpoint


# --- shop API keys ----------------------------------------------------------------------------


@transaction.atomic
def create_shop_api_key(
    *, name: str, scopes: Sequence[str], expiry_date: datetime | None = None
) -> tuple[ShopApiKey, str]:
    """A new key for a shop, doing only what its scopes name. The full key is returned this once:
    only its prefix and hash are kept."""
    unknown = sorted(set(scopes) - set(ShopApiKeyScope.values))
    if unknown:
        raise Invalid(f"Unknown scopes: {', '.join(unknown)}.", code="invalid_choice", field="scopes")
    if not scopes:
        raise Invalid("A key needs at least one scope.", code="empty", field="scopes")
    api_key, key = ShopApiKey.objects.create_key(
        name=name, scopes=sorted(set(scopes)), expiry_date=expiry_date
    )
    return cast(ShopApiKey, api_key), key


@transaction.atomic
def revoke_shop_api_key(*, api_key: ShopApiKey) -> ShopApiKey:
    """Refuse the key from now on, for good (a revoked key is never valid again); idempotent."""
    locked = ShopApiKey.objects.select_for_update().get(pk=api_key.pk)
    if not locked.revoked:
        locked.revoked = True
        locked.save(update_fields=["revoked"])
    return locked
