"""The admin site: Django's, with the portal's limit on password guesses at its sign-in form."""

from typing import Any

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from backend import roles
from backend.permissions import user_has_role
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

    def index(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> TemplateResponse:
        """The admin's home, where staff land, links the staff pages their role opens."""
        pages = []
        if user_has_role(request.user, roles.MARKETING):
            pages.append(
                {
                    "url": reverse("insights:campaigns"),
                    "name": _("Insights"),
                    "description": _("Each campaign's funnel, sales, regions, best hosts and return on kit."),
                }
            )
        return super().index(request, {**(extra_context or {}), "staff_pages": pages})

    def login(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        response = super().login(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        if form is not None and form.is_bound and form.has_error(NON_FIELD_ERRORS, TOO_MANY_ATTEMPTS):
            response.status_code = 429
        return response
