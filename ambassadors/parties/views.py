"""Portal pages for a host's parties and guests, and the guests' public page reached by the QR code.

A host only ever reaches their own parties (another host's party is a 404). Every rule is in
`ambassadors.parties.services`; these views turn its errors into messages beside the fields.
"""

import io
from typing import Any

import qrcode
import qrcode.image.svg
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ambassadors.models import GUEST_LIST_OPEN_STATUSES, Guest, Host, Party, PartyStatus, PartyStatusChange
from ambassadors.parties import services
from ambassadors.parties.figures import figures_context
from ambassadors.parties.forms import GuestForm, GuestRegistrationForm, PartyForm, PartyHeldForm
from ambassadors.portal.context_processors import show_brand
from backend.errors import Conflict, DomainError, Invalid
from backend.throttles import ScopedRateThrottle


def _posted(request: HttpRequest) -> Any:
    """The sent form's data; an empty form sent is still a form sent (and gets its errors)."""
    return request.POST if request.method == "POST" else None


def _own_party(request: HttpRequest, party_id: int) -> Party:
    party = get_object_or_404(
        Party.objects.for_user(request.user).select_related("campaign", "host"), pk=party_id
    )
    show_brand(request, party.campaign)
    return party


def _show_error(request: HttpRequest, form: forms.Form, error: DomainError) -> None:
    """An `Invalid` on a field shows beside that field; anything else above the form."""
    if isinstance(error, Invalid) and error.field and error.field in form.fields:
        form.add_error(error.field, error.message)
    elif isinstance(error, Conflict) or not error.field:
        form.add_error(None, error.message)
    else:
        form.add_error(None, error.message)


def _limit_to_party_window(form: PartyForm, campaign: Any) -> None:
    """Let the phone's date picker offer only the campaign's party window (the service still checks)."""
    attrs = form.fields["starts_at"].widget.attrs
    attrs["min"] = timezone.localtime(campaign.party_window_start).strftime("%Y-%m-%dT%H:%M")
    attrs["max"] = timezone.localtime(campaign.party_window_end).strftime("%Y-%m-%dT%H:%M")


def public_url(party: Party) -> str:
    return settings.SITE_URL + reverse("party_public:register", args=[party.public_token])


@login_required
def party_list(request: HttpRequest) -> HttpResponse:
    parties = (
        Party.objects.for_user(request.user)
        .select_related("campaign")
        .with_guest_count()
        .order_by("-starts_at", "-id")
    )
    is_host = Host.objects.for_user(request.user).exists()
    return render(request, "parties/list.html", {"parties": parties, "is_host": is_host})


def _hosting_for(request: HttpRequest) -> Host:
    host = (
        Host.objects.for_user(request.user).select_related("campaign").order_by("-selected_at", "-id").first()
    )
    if host is None:
        raise Http404("Only hosts record parties.")
    show_brand(request, host.campaign)
    return host


@login_required
def party_create(request: HttpRequest) -> HttpResponse:
    host = _hosting_for(request)
    form = PartyForm(_posted(request))
    _limit_to_party_window(form, host.campaign)
    if request.method == "POST" and form.is_valid():
        try:
            party = services.create_party(host=host, by=request.user, **form.cleaned_data)
        except DomainError as error:
            _show_error(request, form, error)
        else:
            messages.success(request, _("Party created. Share its QR code with your guests."))
            return redirect("parties:detail", party_id=party.pk)
    return render(request, "parties/form.html", {"form": form, "host": host, "campaign": host.campaign})


@login_required
def party_edit(request: HttpRequest, party_id: int) -> HttpResponse:
    party = _own_party(request, party_id)
    initial = {
        "title": party.title,
        "starts_at": timezone.localtime(party.starts_at),
        "city": party.city,
        "postal_code": party.postal_code,
        "expected_guests": party.expected_guests,
        "notes": party.notes,
    }
    form = PartyForm(_posted(request), initial=initial)
    _limit_to_party_window(form, party.campaign)
    refusal = services.why_not_editable(party)
    if refusal:
        # Said before anything is typed: a held, closed or cancelled party's form is not shown.
        status = 409 if request.method == "POST" else 200
        context = {"form": None, "party": party, "campaign": party.campaign, "refusal": refusal}
        return render(request, "parties/form.html", context, status=status)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_party(party=party, by=request.user, **form.cleaned_data)
        except DomainError as error:
            _show_error(request, form, error)
        else:
            messages.success(request, _("Party updated."))
            return redirect("parties:detail", party_id=party.pk)
    return render(request, "parties/form.html", {"form": form, "party": party, "campaign": party.campaign})


@login_required
def party_detail(request: HttpRequest, party_id: int) -> HttpResponse:
    party = get_object_or_404(
        Party.objects.for_user(request.user)
        .select_related("campaign", "host")
        .prefetch_related(
            "photos",
            Prefetch("guests", queryset=Guest.objects.order_by("created_at", "id")),
            Prefetch("history", queryset=PartyStatusChange.objects.select_related("by")),
        ),
        pk=party_id,
    )
    return render(request, "parties/detail.html", _detail_context(party, guest_form=GuestForm()))


def _detail_context(party: Party, *, guest_form: GuestForm) -> dict[str, Any]:
    guests = list(party.guests.all())
    return {
        **figures_context(party, guests),
        "party": party,
        "guests": guests,
        "photos": list(party.photos.all()),
        "guest_form": guest_form,
        "guest_list_open": party.status in GUEST_LIST_OPEN_STATUSES,
        "can_edit": party.status == PartyStatus.PLANNED,
        "can_mark_held": party.status == PartyStatus.PLANNED and party.starts_at <= timezone.now(),
        "public_url": public_url(party),
    }


@login_required
@require_POST
def guest_add(request: HttpRequest, party_id: int) -> HttpResponse:
    party = _own_party(request, party_id)
    form = GuestForm(request.POST)
    if form.is_valid():
        try:
            guest = services.add_guest(
                party=party, by=request.user, language=request.LANGUAGE_CODE, **form.cleaned_data
            )
        except DomainError as error:
            _show_error(request, form, error)
        else:
            messages.success(request, _("%(name)s is on the guest list.") % {"name": guest.first_name})
            return redirect("parties:detail", party_id=party.pk)
    party = _own_party(request, party_id)
    return render(request, "parties/detail.html", _detail_context(party, guest_form=form), status=400)


@login_required
@require_POST
def guest_remove(request: HttpRequest, party_id: int, guest_id: int) -> HttpResponse:
    party = _own_party(request, party_id)
    guest = get_object_or_404(Guest.objects.filter(party=party), pk=guest_id)
    try:
        services.remove_guest(guest=guest, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Guest removed."))
    return redirect("parties:detail", party_id=party.pk)


@login_required
@require_POST
def party_cancel(request: HttpRequest, party_id: int) -> HttpResponse:
    party = _own_party(request, party_id)
    refusal = services.why_not_cancellable(party)
    if refusal:  # in the host's words, not the state machine's
        messages.error(request, refusal)
        return redirect("parties:detail", party_id=party.pk)
    try:
        services.cancel_party(party=party, by=request.user, reason=request.POST.get("reason", "")[:500])
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Party cancelled."))
    return redirect("parties:detail", party_id=party.pk)


@login_required
def party_held(request: HttpRequest, party_id: int) -> HttpResponse:
    party = _own_party(request, party_id)
    form = PartyHeldForm(_posted(request))
    refusal = services.why_not_reportable(party)
    if refusal:
        status = 409 if request.method == "POST" else 200
        return render(
            request, "parties/held.html", {"form": None, "party": party, "refusal": refusal}, status=status
        )
    if request.method == "POST" and form.is_valid():
        try:
            services.mark_party_held(
                party=party, by=request.user, photos=request.FILES.getlist("photos"), **form.cleaned_data
            )
        except DomainError as error:
            _show_error(request, form, error)
            if isinstance(error, Invalid) and error.field == "photos":
                form.photo_error = error.message  # type: ignore[attr-defined]  # shown beside the file input
        else:
            messages.success(request, _("Thank you! Your party is marked as held."))
            return redirect("parties:detail", party_id=party.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "parties/held.html",
        {"form": form, "party": party, "max_photo_mb": settings.PARTY_PHOTO_MAX_BYTES // (1024 * 1024)},
        status=status,
    )


@login_required
def party_qr(request: HttpRequest, party_id: int) -> HttpResponse:
    party = _own_party(request, party_id)
    return render(request, "parties/qr.html", {"party": party, "public_url": public_url(party)})


def qr_png(url: str) -> bytes:
    buffer = io.BytesIO()
    qrcode.make(url, box_size=12, border=4).save(buffer)
    return buffer.getvalue()


def qr_svg(url: str) -> bytes:
    return qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=4).to_string()


@login_required
def party_qr_image(request: HttpRequest, party_id: int, image_format: str) -> HttpResponse:
    party = _own_party(request, party_id)
    url = public_url(party)
    if image_format == "png":
        response = HttpResponse(qr_png(url), content_type="image/png")
    else:
        response = HttpResponse(qr_svg(url), content_type="image/svg+xml")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="party-{party.pk}-qr.{image_format}"'
    return response


# --- the guests' public pages -------------------------------------------------------------------


class _GuestRegistrationScope:
    throttle_scope = "guest_registration"


def registration_allowed(request: HttpRequest) -> bool:
    """The API's `guest_registration` throttle, shared by the HTML page (same counter, same rate)."""
    return ScopedRateThrottle().allow_request(request, _GuestRegistrationScope())  # type: ignore[arg-type]  # reads META and user only


def public_register(request: HttpRequest, token: str) -> HttpResponse:
    party = get_object_or_404(Party.objects.select_related("host", "campaign"), public_token=token)
    show_brand(request, party.campaign)
    form = GuestRegistrationForm(_posted(request))
    open_ = party.status in GUEST_LIST_OPEN_STATUSES
    if request.method == "POST" and open_:
        if not registration_allowed(request):
            form.is_valid()
            form.add_error(None, _("Too many registrations from here. Please try again later."))
            return render(
                request,
                "parties/public_register.html",
                {"party": party, "form": form, "open": open_},
                status=429,
            )
        if form.is_valid():
            try:
                guest = services.register_guest(
                    party=party, language=request.LANGUAGE_CODE, **form.cleaned_data
                )
            except DomainError as error:
                _show_error(request, form, error)
            else:
                request.session["party_registered_name"] = guest.first_name
                request.session["party_registered_booked"] = guest.booked_application_id is not None
                return redirect("party_public:thanks", token=token)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "parties/public_register.html", {"party": party, "form": form, "open": open_}, status=status
    )


def public_thanks(request: HttpRequest, token: str) -> HttpResponse:
    party = get_object_or_404(Party.objects.select_related("host", "campaign"), public_token=token)
    show_brand(request, party.campaign)
    return render(
        request,
        "parties/public_thanks.html",
        {
            "party": party,
            "first_name": request.session.get("party_registered_name", ""),
            "booked": request.session.get("party_registered_booked", False),
        },
    )


def guest_withdraw(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the guest's confirmation e-mail: confirm, then erase the guest's data."""
    guest = Guest.objects.select_related("party__campaign").filter(withdrawal_token=token).first()
    if guest is not None:
        show_brand(request, guest.party.campaign)
    if request.method == "POST":
        withdrawn = services.withdraw_guest(withdrawal_token=token)
        return render(request, "parties/withdrawn.html", {"withdrawn": withdrawn})
    if guest is None:
        return render(request, "parties/withdrawn.html", {"withdrawn": False}, status=404)
    return render(request, "parties/withdraw.html", {"guest": guest})
