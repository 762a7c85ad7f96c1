"""Password-reset e-mails, sent by the task worker, never inside the request.

The reset page answers the same, in the same time, whether the address has an account or not: it
only queues one task holding account ids (an empty list for an unknown address). The task builds
each link itself, so neither the address nor a live link sits in the task queue.
"""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_tasks import task

from backend.mail import Email, send_email
from backend.models import User


def password_reset_url(user: User) -> str:
    """The absolute link to the portal's page that sets a new password (Django's reset token)."""
    path = reverse(
        "portal:password-reset-confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{settings.SITE_URL}{path}"


@task()
def send_password_reset_emails(*, user_ids: list[int]) -> int:
    """Mail each active account its reset link, in its language; the number sent."""
    users = list(User.objects.filter(pk__in=user_ids, is_active=True))
    for user in users:
        send_email(
            Email(
                to=user.email,
                template="password_reset",
                context={"reset_url": password_reset_url(user)},
                language=user.language,
            )
        )
    return len(users)
