"""The rating pages: the host's (portal, her own kits only) and the guest's (the party's public page,
known by the link sent to her e-mail). The rules are in `feedback.ratings.services`."""

from pathlib import Path
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from ambassadors.models import Guest, Party
from ambassadors.parties.views import registration_allowed
from ambassadors.portal.context_processors import show_brand
from backend.errors import DomainError, InvalidFields
from backend.models import User
from backend.private_files import private_file_response
from feedback.answers.services import answers_seen_by
from feedback.models import BrandAnswer, PieceFeedback
from feedback.ratings import guests
from feedback.ratings.forms import GuestLinkForm, HostRatingForm, RatingForm
from feedback.ratings.services import (
    kit_lines_for_party_guests,
    kit_open_for_feedback,
    ratable_lines,
    rate_piece_as_guest,
    rate_piece_as_host,
    remove_feedback_photo,
)
from kits.models import Shipment, ShipmentLine, ShipmentStatus

Answers = dict[tuple[int, int | None], list[BrandAnswer]]


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _show_errors(request: HttpRequest, form: RatingForm, error: DomainError) -> None:
    """Beside its field when the form has it; otherwise above the pieces (the piece's form may not be
    shown: a returned kit, a piece of another party)."""
    errors: list[DomainError] = list(error.errors) if isinstance(error, InvalidFields) else [error]
    for one in errors:
        if one.field and one.field in form.fields:
            form.add_error(one.field, one.message)
        else:
            messages.error(request, one.message)


def _pieces(
    lines: list[ShipmentLine],
    feedback: dict[int, PieceFeedback],
    answers: Answers,
    *,
    form_class: type[RatingForm],
    bound: RatingForm | None = None,
    bound_line: int | None = None,
) -> list[dict[str, Any]]:
    language = get_language() or "en"
    pieces = []
    for line in lines:
        mine = feedback.get(line.pk)
        form = bound if bound is not None and line.pk == bound_line else None
        pieces.append(
            {
                "line": line,
                "feedback": mine,
                "open": kit_open_for_feedback(line.shipment),
                "form": form or form_class(prefix=f"line-{line.pk}", existing=mine),
                "answers": [
                    answer.text_in(language)
                    for answer in answers.get((line.shipment.campaign_id, line.item_id), [])
                ]
                if mine
                else [],
            }
        )
    return pieces


def _campaign_notes(answers: Answers) -> list[dict[str, Any]]:
    """The campaign-wide notes ("you said, we did") of the campaigns the person gave feedback in."""
    language = get_language() or "en"
    return [
        {"campaign": answer.campaign.name, "text": answer.text_in(language), "at": answer.created_at}
        for (_campaign, item), found in sorted(answers.items(), key=lambda pair: pair[0][0])
        if item is None
        for answer in found
    ]


# --- the host ---------------------------------------------------------------------------------------


def _host_lines(request: HttpRequest) -> list[ShipmentLine]:
    shipments = Shipment.objects.for_user(_user(request)).exclude(
        status__in=[ShipmentStatus.CANCELLED, ShipmentStatus.ALLOCATED, ShipmentStatus.PACKED]
    )
    return list(
        ratable_lines(shipments).select_related("shipment__campaign").order_by("shipment_id", "item__sku")
    )


def _host_page(
    request: HttpRequest, *, bound: RatingForm | None = None, bound_line: int | None = None, status: int = 200
) -> HttpResponse:
    lines = _host_lines(request)
    feedback = {
        row.line_id: row
        for row in PieceFeedback.objects.by_hosts().filter(line__in=[line.pk for line in lines])
    }
    answers = answers_seen_by(feedback=list(feedback.values()))
    context = {
        "pieces": _pieces(
            lines, feedback, answers, form_class=HostRatingForm, bound=bound, bound_line=bound_line
        ),
        "notes": _campaign_notes(answers),
    }
    return render(request, "feedback/host.html", context, status=status)


@login_required
def host_feedback(request: HttpRequest) -> HttpResponse:
    return _host_page(request)


@login_required
@require_POST
def host_rate(request: HttpRequest, line_id: int) -> HttpResponse:
    line = get_object_or_404(
        ShipmentLine.objects.filter(shipment__host__user=_user(request), returnable=True).select_related(
            "shipment"
        ),
        pk=line_id,
    )
    form = HostRatingForm(request.POST, request.FILES, prefix=f"line-{line.pk}")
    if form.is_valid():
        try:
            rate_piece_as_host(
                line=line, by=_user(request), rating=form.rating(), photo=form.cleaned_data["photo"]
            )
        except DomainError as error:
            _show_errors(request, form, error)
            return _host_page(request, bound=form, bound_line=line.pk, status=error.status_code)
        messages.success(request, _("Thank you! Your opinion is saved."))
        return redirect(reverse("feedback:mine") + f"#piece-{line.pk}")
    return _host_page(request, bound=form, bound_line=line.pk, status=400)


def _own_feedback(request: HttpRequest, feedback_id: int) -> PieceFeedback:
    return get_object_or_404(
        PieceFeedback.objects.by_hosts().filter(host__user=_user(request)).exclude(photo=""), pk=feedback_id
    )


@login_required
@require_safe
def host_photo(request: HttpRequest, feedback_id: int) -> HttpResponseBase:
    feedback = _own_feedback(request, feedback_id)
    return private_file_response(
        feedback.photo, content_type=feedback.photo_content_type, filename=Path(feedback.photo.name).name
    )


@login_required
@require_POST
def host_remove_photo(request: HttpRequest, feedback_id: int) -> HttpResponse:
    feedback = _own_feedback(request, feedback_id)
    remove_feedback_photo(feedback=feedback, by=_user(request))
    messages.success(request, _("Your photo is removed."))
    return redirect("feedback:mine")


# --- the guest --------------------------------------------------------------------------------------


def _session_guest(request: HttpRequest, party: Party) -> Guest | None:
    guest_id = request.session.get(guests.SESSION_KEY, {}).get(party.public_token)
    if guest_id is None:
        return None
    return Guest.objects.select_related("party").filter(pk=guest_id, party=party).first()


def _guest_page(
    request: HttpRequest,
    party: Party,
    guest: Guest | None,
    *,
    link_form: GuestLinkForm | None = None,
    bound: RatingForm | None = None,
    bound_line: int | None = None,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {"party": party, "guest": guest, "link_form": link_form or GuestLinkForm()}
    if guest is not None:
        lines = list(kit_lines_for_party_guests(guest).select_related("shipment__campaign"))
        feedback = {row.line_id: row for row in PieceFeedback.objects.filter(guest=guest)}
        answers = answers_seen_by(feedback=list(feedback.values()))
        context["pieces"] = _pieces(
            lines, feedback, answers, form_class=RatingForm, bound=bound, bound_line=bound_line
        )
        context["notes"] = _campaign_notes(answers)
    return render(request, "feedback/guest.html", context, status=status)


def guest_feedback(request: HttpRequest, token: str) -> HttpResponse:
    """The party's pieces for the guest known in this browser; otherwise, the form asking for her link."""
    party = get_object_or_404(Party.objects.select_related("host", "campaign"), public_token=token)
    show_brand(request, party.campaign)
    guest = _session_guest(request, party)
    if request.method != "POST" or guest is not None:
        return _guest_page(request, party, guest)
    form = GuestLinkForm(request.POST)
    if not registration_allowed(request):
        form.is_valid()
        form.add_error(None, _("Too many requests from here. Please try again later."))
        return _guest_page(request, party, None, link_form=form, status=429)
    if not form.is_valid():
        return _guest_page(request, party, None, link_form=form, status=400)
    guests.send_guest_link(party=party, email=form.cleaned_data["email"])
    messages.success(
        request, _("If this address is on the guest list, a link to rate the pieces is on its way to it.")
    )
    return redirect("feedback_public:pieces", token=token)


def guest_link(request: HttpRequest, token: str, link: str) -> HttpResponse:
    """The link of the e-mail: remembers the guest in this browser for this party, then shows the pieces."""
    party = get_object_or_404(Party, public_token=token)
    guest = guests.guest_from_link(party=party, token=link)
    if guest is None:
        messages.error(request, _("This link is not valid (any more). Ask for a new one below."))
    else:
        known = dict(request.session.get(guests.SESSION_KEY, {}))
        known[party.public_token] = guest.pk
        request.session[guests.SESSION_KEY] = known
    return redirect("feedback_public:pieces", token=token)


@require_POST
def guest_rate(request: HttpRequest, token: str, line_id: int) -> HttpResponse:
    party = get_object_or_404(Party.objects.select_related("host", "campaign"), public_token=token)
    show_brand(request, party.campaign)
    guest = _session_guest(request, party)
    if guest is None:
        return _guest_page(request, party, None, status=403)
    line = get_object_or_404(ShipmentLine.objects.select_related("shipment"), pk=line_id)
    form = RatingForm(request.POST, prefix=f"line-{line.pk}")
    if form.is_valid():
        try:
            rate_piece_as_guest(line=line, guest=guest, rating=form.rating())
        except DomainError as error:
            _show_errors(request, form, error)
            return _guest_page(
                request, party, guest, bound=form, bound_line=line.pk, status=error.status_code
            )
        messages.success(request, _("Thank you! Your opinion is saved."))
        return redirect("feedback_public:pieces", token=token)
    return _guest_page(request, party, guest, bound=form, bound_line=line.pk, status=400)
