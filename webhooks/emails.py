"""The e-mail that tells the admins an endpoint was disabled after failing for too long."""

from django.db.models import Q

from backend import roles
from backend.mail import Email, email_builder
from backend.models import User
from webhooks.models import Endpoint


def admins_to_tell() -> list[int]:
    """Active admins (the admin role, or superusers) with an e-mail address, by id."""
    return list(
        User.objects.filter(Q(is_superuser=True) | Q(groups__name=roles.ADMIN), is_active=True)
        .exclude(email="")
        .distinct()
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@email_builder
def endpoint_disabled_email(endpoint_and_user: str) -> Email | None:
    """`endpoint_and_user` is "<endpoint id>:<user id>"; nothing when either is gone."""
    endpoint_id, _, user_id = str(endpoint_and_user).partition(":")
    endpoint = Endpoint.objects.filter(pk=int(endpoint_id)).first()
    user = User.objects.filter(pk=int(user_id or 0), is_active=True).first()
    if endpoint is None or user is None or not user.email:
        return None
    return Email(
        to=user.email,
        template="webhook_endpoint_disabled",
        context={
            "url": endpoint.url,
            "endpoint_id": endpoint.pk,
            "failures": endpoint.consecutive_failures,
            "failing_since": endpoint.failing_since,
        },
        language=user.language or "en",
    )
