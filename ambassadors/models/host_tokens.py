"""API tokens a host obtains with her own e-mail and password, for the brand's own app."""

from django.conf import settings
from django.db import models


class HostApiToken(models.Model):
    """One token of a host's API sign-in. Only its SHA-256 digest is stored (the token is 256 random
    bits, so a fast hash is enough); `prefix` names it to people. Deleting the row revokes it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="host_api_tokens"
    )
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user_id})"
