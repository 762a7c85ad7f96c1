"""The host's page of a party's photos on the wall: share each one (ticking that everyone pictured
agreed), see what marketing decided and why, un-mark it; give or withdraw her photo-rights consent."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ambassadors.hosts.services import set_photo_consent
from ambassadors.models import Party, PartyPhoto
from backend.errors import DomainError, Invalid
from wall import services
from wall.models import SHARED_STATUSES, WallPhoto


class ShareForm(forms.Form):
    everyone_agreed = forms.BooleanField(
        label=gettext_lazy("Everyone in this photo agreed to be on the public wall"),
        error_messages={"required": gettext_lazy("Tick this once everyone in the photo has agreed.")},
    )


def _own_party(request: HttpRequest, party_id: int) -> Party:
    return get_object_or_404(
        Party.objects.for_user(request.user).select_related("host__application", "campaign"), pk=party_id
    )


def _own_photo(party: Party, photo_id: int) -> PartyPhoto:
    return get_object_or_404(PartyPhoto.objects.filter(party=party), pk=photo_id)


def _page(
    request: HttpRequest, party: Party, *, failed: tuple[int, ShareForm] | None = None, status: int = 200
) -> HttpResponse:
    photos = list(party.photos.all())
    shares = {row.photo_id: row for row in WallPhoto.objects.filter(photo__in=photos)}
    rows: list[dict[str, Any]] = []
    for photo in photos:
        share = shares.get(photo.pk)
        form = failed[1] if failed and failed[0] == photo.pk else ShareForm(prefix=f"photo-{photo.pk}")
        rows.append(
            {
                "photo": photo,
                "share": share,
                "shared": share is not None and share.status in SHARED_STATUSES,
                "can_share": share is None or share.status == "withdrawn",
                "form": form,
            }
        )
    context = {
        "party": party,
        "rows": rows,
        "consent_given": party.host.application.photo_consent_at is not None,
    }
    return render(request, "wall/party_photos.html", context, status=status)


@login_required
def party_photos(request: HttpRequest, party_id: int) -> HttpResponse:
    return _page(request, _own_party(request, party_id))


@login_required
@require_POST
def share_photo(request: HttpRequest, party_id: int, photo_id: int) -> HttpResponse:
    party = _own_party(request, party_id)
    photo = _own_photo(party, photo_id)
    form = ShareForm(request.POST, prefix=f"photo-{photo.pk}")
    if not form.is_valid():
        return _page(request, party, failed=(photo.pk, form), status=400)
    try:
        services.share_photo(photo=photo, by=request.user, everyone_agreed=True)
    except DomainError as error:
        if isinstance(error, Invalid) and error.field in form.fields:
            form.add_error(error.field, error.message)
        else:
            form.add_error(None, error.message)
        return _page(
            request, party, failed=(photo.pk, form), status=400 if isinstance(error, Invalid) else 409
        )
    messages.success(request, _("Photo shared: it appears on the wall once the brand has approved it."))
    return redirect("wall_portal:party-photos", party_id=party.pk)


@login_required
@require_POST
def unshare_photo(request: HttpRequest, party_id: int, photo_id: int) -> HttpResponse:
    party = _own_party(request, party_id)
    wall_photo = WallPhoto.objects.filter(photo=_own_photo(party, photo_id)).first()
    if wall_photo is not None:
        services.withdraw_photo(wall_photo=wall_photo, by=request.user, reason="un-marked by the host")
    messages.success(request, _("Photo removed from the wall."))
    return redirect("wall_portal:party-photos", party_id=party.pk)


@login_required
@require_POST
def photo_consent(request: HttpRequest, party_id: int) -> HttpResponse:
    party = _own_party(request, party_id)
    given = request.POST.get("given")
    if given not in {"yes", "no"}:
        return _page(request, party, status=400)
    set_photo_consent(user=request.user, given=given == "yes", by=request.user)  # type: ignore[arg-type]
    if given == "yes":
        messages.success(request, _("Thank you: you can now share photos of your parties."))
    else:
        messages.success(request, _("Consent withdrawn: your photos are no longer on the wall."))
    return redirect("wall_portal:party-photos", party_id=party.pk)
