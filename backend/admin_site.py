"""The admin site: Django's, with the portal's limit on password guesses at its sign-in form."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from backend.throttles import sign_in_allowed

TOO_MANY_ATTEMPTS = "too_many_attempts"


class ThrottledAdminAuthenticationForm(AdminAuthenticationForm):
    """Counts each attempt against the client's sign-in limit; over it, no password is checked."""

    def clean(self) -> dict[str, Any]:
        if self.request is not None and not sign_in_allowed(self.request):
            raise ValidationError(
                _("Too many attempts. Wait a minute, then try again."), code=TOO_MANY_ATTEMPTS
            )
        return super().clean()


class AdminSite(admin.AdminSite):
    login_form = ThrottledAdminAuthenticationForm

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().login(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        if form is not None and form.is_bound and form.has_error(NON_FIELD_ERRORS, TOO_MANY_ATTEMPTS):
            response.status_code = 429
        return response
