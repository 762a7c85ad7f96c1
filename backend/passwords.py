"""What a password change does beyond the password: API tokens obtained with the old one stop working.

Sessions already end with the password (Django signs them with a hash of it); staff API tokens are
rows of their own and are deleted. Every path that changes a password — the portal, the admin, a
reset link, `manage.py changepassword` — saves it through `User.set_password()` and `save()`, after
which Django calls `password_changed()` on each configured password validator: the one hook they
all go through, so the rule is listed there (it validates nothing).
"""

from typing import Any

from django.utils.translation import gettext as _
from knox.models import AuthToken

from backend.models import User


def revoke_api_tokens(*, user: User) -> int:
    """Delete every API token of the user; the number deleted."""
    deleted, _by_model = AuthToken.objects.filter(user=user).delete()
    return deleted


class TokensDieWithThePassword:
    """A password "validator" that accepts every password and revokes tokens once one is changed."""

    def validate(self, password: str, user: Any = None) -> None:
        return None

    def password_changed(self, password: str, user: Any = None) -> None:
        if isinstance(user, User) and user.pk is not None:
            revoke_api_tokens(user=user)

    def get_help_text(self) -> str:
        return _("A new password signs you out everywhere else.")
