"""The audit trail of personal-data exports and erasures (SPEC §13).

Written by the `privacy` app; the model stays in referrals, where its table was created.
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PrivacyRequestKind(models.TextChoices):
    EXPORT = "export", _("Export")  # everything held about a person was handed out
    ERASURE = "erasure", _("Erasure")  # the person's data was replaced by neutral values


class PrivacyRequest(models.Model):
    """Audit trail of exports and erasures of a person's data: who, when, why, what it touched.

    The person is named by their pseudonym (`backend.privacy.pseudonymous_email`), never by their
    address: the trail itself must not keep what was erased.
    """

    kind = models.CharField(max_length=8, choices=PrivacyRequestKind.choices)
    subject = models.CharField(max_length=254, db_index=True)
    by = models.ForeignKey("backend.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.CharField(max_length=500, blank=True)
    summary = models.JSONField(default=dict)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} of {self.subject}"
