"""Portal (HTML) views: the public campaign page, sign-in, the host's profile.

The host's dashboard reads kits and referral codes too: it lives in `backend.dashboard`, the one
place allowed to span apps, and shares `current_host` from here.

Thin: a form bounds the input, a service applies the rules, a template renders. Every page reads a
fixed number of queries whatever the amount of data.
"""

from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods
from django.views.i18n import set_language

from ambassadors.hosts import social
from ambassadors.hosts.services import activate_invited_hosts
from ambassadors.hosts.signin import user_from_link
from ambassadors.models import Campaign, CampaignStatus, Host, HostStatus, SocialNetwork
from ambassadors.portal.context_processors import show_brand
from ambassadors.portal.forms import (
    UTM_FIELDS,
    ApplicationForm,
    HostPasswordResetForm,
    ProfileForm,
    SignInForm,
)
from ambassadors.recruitment.services import SocialIdentity, submit_application
from backend.client_address import client_ip
from backend.errors import Conflict, DomainError, Invalid, InvalidFields
from backend.models import User
from backend.throttles import SimpleRateThrottle, sign_in_allowed
from backend.verified_addresses import mark_email_verified

# ---------------------------------------------------------------------------------------------
# Public campaign page and application form
# ---------------------------------------------------------------------------------------------


def _public_campaign(slug: str) -> Campaign:
    campaign = get_object_or_404(Campaign, slug=slug)
    if campaign.status == CampaignStatus.DRAFT:
        raise Http404
    return campaign


def _closed_reason(campaign: Campaign) -> str | None:
    now = timezone.now()
    if campaign.status != CampaignStatus.RECRUITING or now >= campaign.applications_close_at:
        return _("Applications for this campaign are closed.")
    if now < campaign.applications_open_at:
        return _("Applications open on %(date)s.") % {
            "date": date_format(timezone.localtime(campaign.applications_open_at), "DATETIME_FORMAT")
        }
    return None


@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, slug: str) -> HttpResponse:
    """The campaign page: what it is, then the form (with a social account or by hand)."""
    campaign = _public_campaign(slug)
    show_brand(request, campaign)
    closed_reason = _closed_reason(campaign)
    identity = social.pending_identity(request, campaign.slug)
    countries = list(campaign.eligible_countries) or [campaign.home_country]
    form_kwargs: dict[str, Any] = {"countries": countries, "verified": identity is not None}

    if request.method == "POST" and closed_reason is None:
        form = ApplicationForm(request.POST, **form_kwargs)
        # Only accepted applications count against the network's limit (mobile carriers put many
        # fans behind one address); a refused one keeps everything typed.
        throttle = ApplicationFormThrottle()
        if not throttle.has_room(request):
            form.add_error(None, _("Too many applications from your network. Try again later."))
            return render(
                request, "portal/apply.html", _apply_context(campaign, form, identity, None), status=429
            )
        if form.is_bot:
            # Answer like a success and keep nothing.
            return redirect("portal:apply-thanks", slug=campaign.slug)
        if form.is_valid():
            data = form.cleaned_data
            if identity is not None:
                social_identity = SocialIdentity(
                    network=identity["network"],
                    uid=identity["uid"],
                    handle=identity["handle"],
                    profile_url=identity["profile_url"],
                    follower_count=identity["follower_count"],
                    verified=True,
                )
            elif data.get("social_network"):
                social_identity = SocialIdentity(
                    network=data["social_network"],
                    uid="",
                    handle=data.get("social_handle") or "",
                    profile_url=data.get("social_profile_url") or "",
                    follower_count=data.get("follower_count"),
                    verified=False,
                )
            else:
                social_identity = None
            try:
                submit_application(
                    campaign=campaign,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    phone=data["phone"],
                    address_line1=data["address_line1"],
                    address_line2=data["address_line2"],
                    postal_code=data["postal_code"],
                    city=data["city"],
                    country=data["country"],
                    motivation=data["motivation"],
                    expected_guests=data["expected_guests"],
                    preferred_party_period=data["preferred_party_period"],
                    accept_terms=data["accept_terms"],
                    marketing_consent=data["marketing_consent"],
                    photo_consent=data["photo_consent"],
                    social=social_identity,
                    utm={name: data[name] for name in UTM_FIELDS if data.get(name)},
                    ip_address=client_ip(request),
                    language=translation.get_language() or "en",
                )
            except DomainError as error:
                _attach_domain_error(form, error)
            else:
                throttle.count(request)
                social.forget_pending_identity(request, campaign.slug)
                return redirect("portal:apply-thanks", slug=campaign.slug)
        status = 409 if isinstance(getattr(form, "domain_error", None), Conflict) else 400
        return render(
            request, "portal/apply.html", _apply_context(campaign, form, identity, None), status=status
        )

    initial = {name: request.GET.get(name, "")[:100] for name in UTM_FIELDS}
    initial["country"] = countries[0]
    if identity is not None:
        initial.update({key: value for key, value in identity["prefill"].items() if value})
    form = ApplicationForm(initial=initial, **form_kwargs)
    # A form sent after the window closed is refused with the reason, like the API's 409.
    status = 409 if request.method == "POST" else 200
    return render(
        request, "portal/apply.html", _apply_context(campaign, form, identity, closed_reason), status=status
    )


# The services speak English to the API; the portal says the same in the visitor's language.
ERROR_MESSAGES = {
    "invalid_phone": gettext_lazy("Enter a valid phone number for your country, e.g. 06 12 34 56 78."),
    "invalid_email": gettext_lazy("Enter a valid e-mail address."),
    "terms_required": gettext_lazy("Please accept the programme terms."),
    "country_not_eligible": gettext_lazy("This campaign does not recruit in your country."),
    "duplicate_application": gettext_lazy(
        "You have already applied to this campaign with this e-mail address."
    ),
    "applications_closed": gettext_lazy("Applications for this campaign are closed."),
    "applications_not_open_yet": gettext_lazy("Applications for this campaign are not open yet."),
    "campaign_not_recruiting": gettext_lazy("Applications for this campaign are closed."),
    "required": gettext_lazy("This field is required."),
    "max_length": gettext_lazy("This answer is too long."),
    "invalid_url": gettext_lazy("Enter a valid URL."),
    "out_of_range": gettext_lazy("This value is out of range."),
}


def _attach_domain_error(form: ApplicationForm, error: DomainError) -> None:
    """A service's refusal goes beside its field when the form shows that field, else above the form."""
    form.domain_error = error  # type: ignore[attr-defined]  # read by the view to pick the status code
    refused: list[DomainError] = list(error.errors) if isinstance(error, InvalidFields) else [error]
    for one in refused:
        message = str(ERROR_MESSAGES.get(one.code, one.message))
        field = one.field if isinstance(one, Invalid) else None
        if field and field in form.fields and field not in form.errors:
            form.add_error(field, message)
        elif not field or field not in form.fields:
            form.add_error(None, message)


class PasswordResetThrottle(SimpleRateThrottle):
    """Reset e-mails per address: nobody can flood a host's inbox from one machine."""

    scope = "password_reset"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class ApplicationFormThrottle(SimpleRateThrottle):
    """The API's per-IP limit on applications, shared with the form (same scope, same counter)."""

    scope = "applications"

    def get_cache_key(self, request: Any, view: Any) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    # DRF's throttle reads only the cache and the client address from the request.
    def has_room(self, request: HttpRequest) -> bool:
        """Whether one more application may come from this address, counting nothing."""
        if self.rate is None:
            return True
        num_requests, duration = self.parse_rate(self.rate)
        if num_requests is None or duration is None:
            return True
        self.key = self.get_cache_key(request, None)
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        self.history = [moment for moment in self.history if moment > self.now - duration]
        return len(self.history) < num_requests

    def count(self, request: HttpRequest) -> None:
        """Count an accepted application against the address."""
        if self.rate is not None and self.has_room(request):
            self.throttle_success()


def _apply_context(
    campaign: Campaign, form: ApplicationForm | None, identity: dict | None, closed_reason: str | None
) -> dict[str, Any]:
    network_label = ""
    if identity is not None:
        network = identity["network"]
        network_label = str(SocialNetwork(network).label) if network in SocialNetwork.values else network
    return {
        "campaign": campaign,
        "form": form,
        "identity": identity,
        "network_label": network_label,
        "closed_reason": closed_reason,
        "apply_url": reverse("portal:apply", kwargs={"slug": campaign.slug}),
    }


def apply_thanks(request: HttpRequest, slug: str) -> HttpResponse:
    campaign = _public_campaign(slug)
    show_brand(request, campaign)
    return render(request, "portal/apply_thanks.html", {"campaign": campaign})


@require_http_methods(["POST"])
def switch_language(request: HttpRequest) -> HttpResponse:
    """Django's language switch; a signed-in person's choice is also kept for the e-mails we send."""
    response = set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        User.objects.filter(pk=request.user.pk).update(language=language)
    return response


# ---------------------------------------------------------------------------------------------
# Sign-in, sign-out, password reset
# ---------------------------------------------------------------------------------------------


class SignInView(auth_views.LoginView):
    template_name = "portal/signin.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Password guessing is slowed per address, like the API's token sign-in.
        if not sign_in_allowed(request):
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, _("Too many attempts. Wait a minute, then try again."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        activate_invited_hosts(user=form.get_user())
        return response


@never_cache
@require_GET
def signin_with_link(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Sign the host in, turn their invitations active, and go to the portal; a bad link says so."""
    user = user_from_link(uidb64, token)
    if user is None:
        return render(request, "ambassadors/signin_link_invalid.html", status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    mark_email_verified(user=user)  # the link was sent to the address: its holder proved it
    activate_invited_hosts(user=user)
    return redirect(settings.LOGIN_REDIRECT_URL)


class SignOutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "portal/password_reset.html"
    form_class = HostPasswordResetForm  # queues the e-mail (`ambassadors.portal.tasks`)
    success_url = reverse_lazy("portal:password-reset-sent")

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not PasswordResetThrottle().allow_request(request, None):  # type: ignore[arg-type]
            form = self.get_form()
            form.errors.clear()
            form.add_error(None, _("Too many requests from here. Try again later."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "portal/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "portal/password_reset_confirm.html"
    success_url = reverse_lazy("portal:password-reset-complete")

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        mark_email_verified(user=form.user)  # the reset link was sent to the address
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "portal/password_reset_complete.html"


# ---------------------------------------------------------------------------------------------
# Host pages
# ---------------------------------------------------------------------------------------------


def current_host(request: HttpRequest) -> Host:
    """The signed-in person's hosting in their latest campaign; 404 for anyone who hosts nothing."""
    host = (
        Host.objects.for_user(request.user)
        .exclude(status=HostStatus.BANNED)
        .select_related("campaign")
        .order_by("-selected_at", "-id")
        .first()
    )
    if host is None:
        raise Http404
    show_brand(request, host.campaign)
    return host


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    host = current_host(request)
    contact_form = ProfileForm(instance=host, prefix="contact")
    user = cast(User, request.user)  # signed in: login_required
    # Changing a password asks for the current one; a host who has none yet (accounts are created
    # without one) chooses a first password without it.
    had_password = user.has_usable_password()
    password_form_class = PasswordChangeForm if had_password else SetPasswordForm
    password_form = password_form_class(user, prefix="password")
    status = 200
    if request.method == "POST" and "contact-phone" in request.POST:
        contact_form = ProfileForm(request.POST, instance=host, prefix="contact")
        if contact_form.is_valid():
            updated = contact_form.save(commit=False)
            updated.save(update_fields=ProfileForm.Meta.fields)
            messages.success(request, _("Your details are saved."))
            return redirect("portal:profile")
        status = 400
    elif request.method == "POST":
        password_form = password_form_class(user, request.POST, prefix="password")
        if password_form.is_valid():
            user = password_form.save()
            update_session_auth_hash(request, user)
            if had_password:
                messages.success(request, _("Your password is changed."))
            else:
                messages.success(request, _("Your password is set. You can now sign in with it."))
            return redirect("portal:profile")
        status = 400
    return render(
        request,
        "portal/profile.html",
        {"host": host, "contact_form": contact_form, "password_form": password_form},
        status=status,
    )
