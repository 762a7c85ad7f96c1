"""One-time sign-in links sent with host invitations (the page that spends them is the portal's).

The token is Django's password-reset token with its own salt and lifetime. Its hash covers the
user's last login, so signing in (by this link or any other way) spends it: single use.
"""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode

from backend.models import User


class SigninLinkTokenGenerator(PasswordResetTokenGenerator):
    # A value, not a path (the module moved): changing it would void every link already sent.
    key_salt = "ambassadors.signin.SigninLinkTokenGenerator"

    @property
    def timeout(self) -> int:
        """Read at each check, so the lifetime follows the setting (the base class reads its own)."""
        return settings.SIGNIN_LINK_MAX_AGE_SECONDS

    def check_token(self, user: User | None, token: str | None) -> bool:  # type: ignore[override]
        # The base class checks age against PASSWORD_RESET_TIMEOUT; sign-in links have their own.
        if not (user and token):
            return False
        try:
            timestamp_b36, _hash = token.split("-")
            timestamp = base36_to_int(timestamp_b36)
        except ValueError:
            return False
        if self._num_seconds(self._now()) - timestamp > self.timeout:
            return False
        return any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )


signin_link_tokens = SigninLinkTokenGenerator()


def signin_path_for(user: User) -> str:
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse(
        "portal:signin-link", kwargs={"uidb64": uidb64, "token": signin_link_tokens.make_token(user)}
    )


def signin_url_for(user: User) -> str:
    """The absolute one-time link put in invitation e-mails."""
    return f"{settings.SITE_URL}{signin_path_for(user)}"


def _user_from_uidb64(uidb64: str) -> User | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


def user_from_link(uidb64: str, token: str) -> User | None:
    """The active user a sign-in link names while its token is good; None for a bad or spent link."""
    user = _user_from_uidb64(uidb64)
    if user is None or not signin_link_tokens.check_token(user, token):
        return None
    return user
