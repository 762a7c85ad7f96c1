from typing import ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backend.email_address import normalise_email


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: object) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=normalise_email(email), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> "User":
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person who signs in: a host (no usable password until they set one) or staff.

    E-mail is the identifier; roles are the groups `marketing`, `logistics` and `admin`.
    """

    username = None  # type: ignore[assignment]  # e-mail replaces the username
    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(_("language"), max_length=8, default="en")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    # The stubs type `AbstractUser.objects` as Django's username-based `UserManager`, which this replaces.
    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    class Meta:
        permissions = [
            ("view_personal_data", "Can see customers' and guests' personal data in clear"),
            ("run_payouts", "Can run payouts (send hosts their money)"),
        ]

    def __str__(self) -> str:
        return self.email

    def has_role(self, role: str) -> bool:
        if not self.is_active:
            return False
        if self.is_superuser:
            return True
        return self.groups.filter(name__in={role, "admin"}).exists()


class AuditEntry(models.Model):
    """One staff action: who did what to which object, and when.

    Written by `backend.audit.StaffAuditMiddleware` for every successful change a staff member makes
    through the API, the staff pages or the admin; never edited. It names the action (the route) and
    the object (its id or number), never the request body, so it holds no customer's personal data.
    """

    at = models.DateTimeField(
        _("at"), default=timezone.now, db_index=True, help_text="When the action was taken, UTC."
    )
    actor = models.ForeignKey(
        "backend.User",
        verbose_name=_("actor"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The staff account that acted (its id); null once that account is deleted.",
    )
    actor_email = models.EmailField(
        _("actor's e-mail"),
        help_text="The e-mail of the staff account that acted, kept after the account is gone.",
    )
    action = models.CharField(
        _("action"),
        max_length=120,
        db_index=True,
        help_text="What was done: the name of the route called (e.g. api:campaign-detail), or its path when it has none.",
    )
    method = models.CharField(
        _("method"), max_length=10, help_text="The HTTP method of the request (POST, PATCH, DELETE)."
    )
    path = models.CharField(_("path"), max_length=500, help_text="The path the request was sent to.")
    target = models.JSONField(
        _("object"),
        default=dict,
        blank=True,
        help_text='The object acted on: the keys in the route (e.g. {"pk": "3"}), plus `created_id`, `created_number`... for an object the request created.',
    )
    status_code = models.PositiveSmallIntegerField(
        _("status code"), help_text="The HTTP status the request was answered with."
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_email} {self.action} {self.target}"
