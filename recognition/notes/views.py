"""The host's notes page (SPEC §16): the brand's notes to her, each greeting her by name, marked
read once shown; and her choice to appear on the campaign's public leaderboard. Only her own."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from ambassadors.models import Host
from ambassadors.portal.views import current_host
from recognition.leaderboard.services import (
    has_leaderboard_consent,
    leaderboard_is_public,
    set_leaderboard_consent,
)
from recognition.models import BrandNote, Milestone
from recognition.notes.services import mark_notes_read

# The page shows the latest notes; older ones stay (and in the API for marketing).
PAGE_ROWS = 50


class LeaderboardConsentForm(forms.Form):
    listed = forms.BooleanField(
        required=False,
        label=gettext_lazy("Show my first name and city on the campaign's list of top hosts"),
        help_text=gettext_lazy(
            "Only if the brand publishes that list. You can change your mind at any time."
        ),
    )


def dashboard_recognition(host: Host) -> dict[str, Any]:
    """The dashboard's block: her milestones and how many notes she has not read (two queries)."""
    return {
        "milestones": list(Milestone.objects.filter(host=host).order_by("reached_at", "id")),
        "unread_notes": BrandNote.objects.filter(host=host, read_at__isnull=True).count(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def notes(request: HttpRequest) -> HttpResponse:
    host = current_host(request)
    if request.method == "POST":
        form = LeaderboardConsentForm(request.POST)
        if form.is_valid():
            listed = set_leaderboard_consent(host=host, consents=form.cleaned_data["listed"])
            messages.success(
                request,
                _("You are on the list of top hosts if the brand publishes it.")
                if listed
                else _("You are no longer on the list of top hosts."),
            )
            return redirect("recognition:notes")
    else:
        form = LeaderboardConsentForm(initial={"listed": has_leaderboard_consent(host)})
    shown = list(
        BrandNote.objects.filter(host__user_id=host.user_id)
        .select_related("host")
        .order_by("-created_at", "-id")[:PAGE_ROWS]
    )
    unread = {note.pk for note in shown if note.read_at is None}
    mark_notes_read(note_ids=sorted(unread))
    return render(
        request,
        "recognition/notes.html",
        {
            "host": host,
            "notes": shown,
            "unread": unread,
            "form": form,
            "leaderboard_public": leaderboard_is_public(host.campaign),
        },
    )
