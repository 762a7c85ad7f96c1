"""Shop endpoints: one per shop that sends Soirée its order webhooks (SPEC §15)."""

from django.db import IntegrityError, transaction

from backend.errors import Conflict
from orders.models import ShopEndpoint
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
