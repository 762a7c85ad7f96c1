"""The opt-out link of each e-mail (no sign-in) and the host's notification preferences (portal)."""

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from ambassadors.models import Guest
from ambassadors.portal.views import current_host
from backend.models import User
from notifications.models import HOST_KINDS, Kind
from notifications.services import host_preferences, set_host_preferences, turn_off
from notifications.tokens import read_opt_out_token


@require_http_methods(["GET", "POST"])
def stop(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks (a link scanner opening the link turns nothing off); POST turns this kind off."""
    wanted = read_opt_out_token(token)
    if wanted is None or (wanted.user_id is not None and not User.objects.filter(pk=wanted.user_id).exists()):
        return render(request, "notifications/stop.html", {"invalid": True}, status=404)
    guest = None
    if wanted.guest_id is not None:
        guest = Guest.objects.select_related("party").filter(pk=wanted.guest_id).first()
        if guest is None:  # the guest left the list: nothing is sent to them any more
            return render(request, "notifications/stop.html", {"done": True, "gone": True})
    context = {"kind": Kind(wanted.kind).label, "guest": guest}
    if request.method == "POST":
        turn_off(kind=wanted.kind, guest_id=wanted.guest_id, user_id=wanted.user_id)
        return render(request, "notifications/stop.html", {**context, "done": True})
    return render(request, "notifications/stop.html", context)


class PreferencesForm(forms.Form):
    wanted = forms.MultipleChoiceField(
        label=_("E-mails I receive"),
        choices=[(kind.value, kind.label) for kind in HOST_KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    current_host(request)  # hosts only (404 for anyone else)
    user = cast(User, request.user)  # signed in: login_required
    form = PreferencesForm(initial={"wanted": sorted(host_preferences(user=user))})
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            set_host_preferences(user=user, wanted=set(form.cleaned_data["wanted"]))
            messages.success(request, _("Your choices are saved."))
            return redirect("notifications:preferences")
    return render(
        request, "notifications/preferences.html", {"form": form}, status=400 if form.errors else 200
    )
