"""Parties, guests and bookings (SPEC §5): every state change of a party or its guest list.

Reads that scope data live on `Party.objects` (`for_user`, `for_host`); these functions change state.
"""

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from ambassadors.models import (
    GUEST_LIST_OPEN_STATUSES,
    PARTY_TRANSITIONS,
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    Campaign,
    CampaignStatus,
    Guest,
    GuestSource,
    Host,
    HostStatus,
    Party,
    PartyPhoto,
    PartyStatus,
    PartyStatusChange,
)
from ambassadors.parties.checks import (
    CheckedPhoto,
    check_photo,
    clean_city,
    clean_email,
    clean_expected_guests,
    clean_person_name,
    clean_social_post_urls,
    clean_starts_at,
    clean_text,
)
from ambassadors.parties.emails import guest_confirmation_email
from ambassadors.recruitment import scoring
from ambassadors.signals import party_cancelled, party_closed, party_created, party_held, party_photo_deleted
from backend.addresses import clean_postal_code, normalise_phone
from backend.errors import Conflict, FieldChecks, Invalid, InvalidTransition
from backend.mail import send_email_on_commit
from backend.transitions import check_transition, move_status

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

MAX_PHOTOS_PER_PARTY = 5
# Hosts who may plan parties: a banned host is out, an alumni host's campaign is over.
PLANNING_HOST_STATUSES = frozenset({HostStatus.INVITED, HostStatus.ACTIVE, HostStatus.PAUSED})


# --- parties ------------------------------------------------------------------------------------


def _with_campaign_and_host() -> QuerySet[Party]:
    return Party.objects.select_related("campaign", "host")


def _locked(party: Party) -> Party:
    return _with_campaign_and_host().select_for_update().get(pk=party.pk)


def _move(party: Party, to_status: str, *, by: Any, reason: str = "", **fields: Any) -> Party:
    """Lock the party, check the move against its map, save it with `fields`, write the history row."""
    moved, _previous = move_status(
        party,
        to_status=to_status,
        transitions=PARTY_TRANSITIONS,
        history=PartyStatusChange,
        by=by,
        reason=reason,
        fields=fields,
        queryset=_with_campaign_and_host(),
    )
    return moved


# What a host reads when a form of her party no longer applies (two whole sentences, each translated).
_PAST_PARTY: dict[str, "StrOrPromise"] = {
    PartyStatus.HELD: gettext_lazy("This party has been held."),
    PartyStatus.CLOSED: gettext_lazy("This party is closed."),
    PartyStatus.CANCELLED: gettext_lazy("This party was cancelled."),
}


def why_not_editable(party: Party) -> str | None:
    """Why the party's form cannot be sent now (shown before it is filled), or None."""
    if party.status != PartyStatus.PLANNED:
        consequence = _("Its details can no longer be edited.")
        return f"{_PAST_PARTY.get(party.status) or ''} {consequence}".strip()
    return None


def why_not_cancellable(party: Party) -> str | None:
    """Why the party cannot be cancelled now (a page sent before it was held or closed), or None."""
    if party.status != PartyStatus.PLANNED:
        consequence = _("It can no longer be cancelled.")
        return f"{_PAST_PARTY.get(party.status) or ''} {consequence}".strip()
    return None


def why_not_reportable(party: Party, *, at: datetime | None = None) -> str | None:
    """Why the party cannot be reported as held now (shown before the form is filled), or None."""
    if party.status != PartyStatus.PLANNED:
        consequence = _("There is nothing to report any more.")
        return f"{_PAST_PARTY.get(party.status) or ''} {consequence}".strip()
    if party.starts_at > (at or timezone.now()):
        return _("A party can be reported once it has started.")
    return None


@transaction.atomic
def create_party(
    *,
    host: Host,
    by: Any,
    title: str,
    starts_at: datetime,
    city: str,
    postal_code: str,
    expected_guests: int,
    notes: str = "",
) -> Party:
    """Record a planned party for a host who may still plan one; the party code follows on commit."""
    if host.status not in PLANNING_HOST_STATUSES:
        raise Conflict(
            _("A host in status “%(status)s” cannot plan parties.")
            % {"status": HostStatus(host.status).label},
            code="host_cannot_plan",
            extra={"host_status": host.status},
        )
    campaign = host.campaign
    if campaign.status not in {CampaignStatus.SELECTING, CampaignStatus.RUNNING, CampaignStatus.RECRUITING}:
        raise Conflict(_("The campaign does not take parties any more."), code="campaign_closed")
    starts_at = clean_starts_at(starts_at, campaign)
    party = Party.objects.create(
        host=host,
        campaign=campaign,
        title=clean_text(title, field="title", max_length=120, required=True),
        starts_at=starts_at,
        city=clean_city(city),
        postal_code=clean_postal_code(postal_code, country=host.country),
        expected_guests=clean_expected_guests(expected_guests),
        notes=clean_text(notes, field="notes", max_length=1000, required=False),
        attribution_ends_at=starts_at + timedelta(days=campaign.attribution_window_days),
        public_token=secrets.token_urlsafe(18),
    )
    PartyStatusChange.objects.create(party=party, by=by, from_status="", to_status=PartyStatus.PLANNED)
    transaction.on_commit(lambda: party_created.send(sender=Party, party=party, by=by))
    return party


@transaction.atomic
def update_party(
    *,
    party: Party,
    by: Any,
    title: str | None = None,
    starts_at: datetime | None = None,
    city: str | None = None,
    postal_code: str | None = None,
    expected_guests: int | None = None,
    notes: str | None = None,
) -> Party:
    """Edit a planned party; a held, closed or cancelled party's facts are history."""
    party = _locked(party)
    if party.status != PartyStatus.PLANNED:
        raise Conflict(
            _("Only a planned party can be edited."),
            code="party_not_editable",
            extra={"current": party.status, "allowed": [PartyStatus.PLANNED]},
        )
    fields: list[str] = []
    if title is not None:
        party.title = clean_text(title, field="title", max_length=120, required=True)
        fields.append("title")
    if starts_at is not None:
        party.starts_at = clean_starts_at(starts_at, party.campaign)
        party.attribution_ends_at = party.starts_at + timedelta(days=party.campaign.attribution_window_days)
        fields += ["starts_at", "attribution_ends_at"]
    if city is not None:
        party.city = clean_city(city)
        fields.append("city")
    if postal_code is not None:
        party.postal_code = clean_postal_code(postal_code, country=party.host.country)
        fields.append("postal_code")
    if expected_guests is not None:
        party.expected_guests = clean_expected_guests(expected_guests)
        fields.append("expected_guests")
    if notes is not None:
        party.notes = clean_text(notes, field="notes", max_length=1000, required=False)
        fields.append("notes")
    if fields:
        party.save(update_fields=[*fields, "updated_at"])
    return party


@transaction.atomic
def cancel_party(*, party: Party, by: Any, reason: str = "") -> Party:
    party = _move(party, PartyStatus.CANCELLED, by=by, reason=reason, cancelled_at=timezone.now())
    party_cancelled.send(sender=Party, party=party, by=by)
    return party


def _store_photos(party: Party, photos: list[CheckedPhoto]) -> None:
    existing = party.photos.count()
    if existing + len(photos) > MAX_PHOTOS_PER_PARTY:
        raise Invalid(
            _("A party has at most %(count)d photos (%(existing)d already).")
            % {"count": MAX_PHOTOS_PER_PARTY, "existing": existing},
            code="too_many_photos",
            field="photos",
        )
    for photo in photos:
        PartyPhoto.objects.create(
            party=party, image=photo.content, content_type=photo.content_type, size_bytes=photo.size_bytes
        )


@transaction.atomic
def mark_party_held(
    *,
    party: Party,
    by: Any,
    actual_guests: int,
    highlights: str = "",
    social_post_urls: list[str] | None = None,
    photos: list[UploadedFile] | None = None,
) -> Party:
    """The host's report after the party: guests who came, highlights, up to 5 photos, post links."""
    checked = [check_photo(photo) for photo in photos or []]
    if not isinstance(actual_guests, int) or not 0 <= actual_guests <= 500:
        raise Invalid(_("Give between 0 and 500 guests."), code="out_of_range", field="actual_guests")
    highlights = clean_text(highlights, field="highlights", max_length=2000, required=False)
    links = clean_social_post_urls(social_post_urls or [])
    party = _locked(party)
    check_transition(current=party.status, to_status=PartyStatus.HELD, transitions=PARTY_TRANSITIONS)
    if party.starts_at > timezone.now():
        raise Conflict(_("A party can be reported once it has started."), code="party_not_started")
    _store_photos(party, checked)
    held = _move(
        party,
        PartyStatus.HELD,
        by=by,
        held_at=timezone.now(),
        actual_guests=actual_guests,
        highlights=highlights,
        social_post_urls=links,
    )
    party_held.send(sender=Party, party=held, by=by)
    return held


@transaction.atomic
def add_party_photos(*, party: Party, by: Any, photos: list[UploadedFile]) -> list[PartyPhoto]:
    """Add photos to a held party's report (never more than 5 in all)."""
    checked = [check_photo(photo) for photo in photos]
    if not checked:
        raise Invalid(_("Choose at least one photo."), code="required", field="photos")
    party = _locked(party)
    if party.status != PartyStatus.HELD:
        raise Conflict(
            _("Photos are added to a held party's report."),
            code="party_not_held",
            extra={"current": party.status, "allowed": [PartyStatus.HELD]},
        )
    before = set(party.photos.values_list("pk", flat=True))
    _store_photos(party, checked)
    return list(party.photos.exclude(pk__in=before))


@transaction.atomic
def delete_party_photo(*, photo: PartyPhoto, by: Any) -> None:
    party = _locked(photo.party)
    if party.status != PartyStatus.HELD:
        raise Conflict(_("A closed party's report is final."), code="party_not_held")
    party_photo_deleted.send(sender=PartyPhoto, photo=photo, by=by)
    photo.image.delete(save=False)
    photo.delete()


@transaction.atomic
def close_party(*, party: Party, by: Any = None, at: datetime | None = None) -> Party:
    """Close a held party whose attribution window has ended: its reward becomes final."""
    at = at or timezone.now()
    party = _locked(party)
    check_transition(current=party.status, to_status=PartyStatus.CLOSED, transitions=PARTY_TRANSITIONS)
    if party.attribution_ends_at > at:
        raise Conflict(
            _("The party's attribution window has not ended yet."),
            code="attribution_window_open",
            extra={"attribution_ends_at": party.attribution_ends_at.isoformat()},
        )
    party = _move(party, PartyStatus.CLOSED, by=by, reason="attribution window ended", closed_at=at)
    party_closed.send(sender=Party, party=party, by=by)
    return party


def close_due_parties(*, at: datetime | None = None) -> list[int]:
    """Close every held party whose window has ended. Idempotent: a closed party is never touched again."""
    at = at or timezone.now()
    closed: list[int] = []
    for party_id in Party.objects.due_for_closing(at).order_by("id").values_list("id", flat=True):
        try:
            close_party(party=Party(pk=party_id), at=at)
        except (InvalidTransition, Conflict):
            continue  # closed meanwhile by a concurrent run
        closed.append(party_id)
    return closed


@task()
def close_due_parties_task() -> int:
    return len(close_due_parties())


# --- guests -------------------------------------------------------------------------------------


def _lock_open_guest_list(party: Party) -> Party:
    party = _locked(party)
    if party.status not in GUEST_LIST_OPEN_STATUSES:
        raise Conflict(
            _("This party's guest list is closed."),
            code="guest_list_closed",
            extra={"current": party.status, "allowed": sorted(GUEST_LIST_OPEN_STATUSES)},
        )
    if party.guests.count() >= settings.PARTY_MAX_GUESTS:
        raise Conflict(
            _("This party's guest list is full (%(count)d guests).") % {"count": settings.PARTY_MAX_GUESTS},
            code="guest_list_full",
            extra={"max_guests": settings.PARTY_MAX_GUESTS},
        )
    return party


def _insert_guest(guest: Guest) -> Guest:
    try:
        with transaction.atomic():
            guest.save()
    except IntegrityError:
        raise Conflict(
            _("This e-mail address is already on the party's guest list."),
            code="guest_already_registered",
        ) from None
    return guest


def _send_guest_confirmation(guest: Guest) -> None:
    if guest.email:
        send_email_on_commit(build=guest_confirmation_email, object_id=guest.pk)


@transaction.atomic
def add_guest(
    *,
    party: Party,
    by: Any,
    first_name: str,
    last_name: str = "",
    email: str = "",
    phone: str = "",
    guest_agreed: bool,
    language: str = "en",
) -> Guest:
    """The host lists a guest (e-mail and/or phone), confirming that the guest agreed to it."""
    guest = _listed_guest(
        party=party,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        guest_agreed=guest_agreed,
        language=language,
    )
    guest.party = _lock_open_guest_list(party)
    guest = _insert_guest(guest)
    _send_guest_confirmation(guest)
    return guest


def _listed_guest(
    *,
    party: Party,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    guest_agreed: bool,
    language: str,
) -> Guest:
    """The checked, unsaved guest a host lists (one rule for one guest and for a batch)."""
    if not guest_agreed:
        raise Invalid(
            _("Confirm that your guest agreed to be on the list."),
            code="consent_required",
            field="guest_agreed",
        )
    first_name = clean_person_name(first_name, field="first_name", required=True)
    last_name = clean_person_name(last_name, field="last_name", required=False)
    email = clean_email(email)
    phone = normalise_phone(phone, region=party.host.country, required=False)
    if not email and not phone:
        raise Invalid(_("Give an e-mail address or a phone number."), code="contact_required", field="email")
    return Guest(
        party=party,
        source=GuestSource.HOST,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        consent_at=timezone.now(),
        withdrawal_token=secrets.token_urlsafe(32),
        language=language,
    )


# The most guests one call may list: a whole party's list (PARTY_MAX_GUESTS is 200 by default).
BULK_MAX_GUESTS = 200


@transaction.atomic
def add_guests(
    *, party: Party, by: Any, guests: Sequence[dict[str, Any]], language: str = "en"
) -> list[Guest]:
    """The host lists many guests at once (each as `add_guest` takes one), or none of them.

    Every refused guest is named as `guests.<index>.<field>`, together: a bad row, an e-mail already on
    the list or twice in the batch. A list too full for the whole batch refuses it (409). A constant
    number of queries, whatever the number of guests (their confirmations are queued after commit).
    """
    checks = FieldChecks()
    listed: list[Guest | None] = []
    for index, row in enumerate(guests):
        row_checks = FieldChecks()
        listed.append(row_checks.run(partial(_listed_guest, party=party, language=language, **row)))
        checks.errors.extend(
            Invalid(
                error.message, code=error.code, field=f"guests.{index}.{error.field or 'non_field_errors'}"
            )
            for error in row_checks.errors
        )
    party = _lock_open_guest_list(party)
    emails = [guest.email for guest in listed if guest is not None and guest.email]
    already_listed = set(party.guests.filter(email__in=emails).values_list("email", flat=True))
    first_row: dict[str, int] = {}
    for index, guest in enumerate(listed):
        if guest is None or not guest.email:
            continue
        if guest.email in already_listed or guest.email in first_row:
            checks.errors.append(
                Invalid(
                    _("This e-mail address is already on the party's guest list."),
                    code="guest_already_registered",
                    field=f"guests.{index}.email",
                )
            )
        first_row.setdefault(guest.email, index)
    checks.raise_errors()
    if party.guests.count() + len(listed) > settings.PARTY_MAX_GUESTS:
        raise Conflict(
            _("This party's guest list is full (%(count)d guests).") % {"count": settings.PARTY_MAX_GUESTS},
            code="guest_list_full",
            extra={"max_guests": settings.PARTY_MAX_GUESTS},
        )
    new_guests = [guest for guest in listed if guest is not None]
    for guest in new_guests:
        guest.party = party
    try:
        with transaction.atomic():
            created = Guest.objects.bulk_create(new_guests)
    except IntegrityError:  # listed by another request since the check
        raise Conflict(
            _("This e-mail address is already on the party's guest list."), code="guest_already_registered"
        ) from None
    for guest in created:
        _send_guest_confirmation(guest)
    return created


@transaction.atomic
def register_guest(
    *,
    party: Party,
    first_name: str,
    last_name: str = "",
    email: str,
    phone: str = "",
    accept_terms: bool,
    marketing_consent: bool = False,
    wants_to_host: bool = False,
    language: str = "en",
) -> Guest:
    """A guest registers on the party's public page; "I want to host too" books an application."""
    if not accept_terms:
        raise Invalid(_("Accept the terms to register."), code="consent_required", field="accept_terms")
    first_name = clean_person_name(first_name, field="first_name", required=True)
    last_name = clean_person_name(last_name, field="last_name", required=False)
    email = clean_email(email, required=True)
    phone = normalise_phone(phone, region=party.host.country, required=False)
    party = _lock_open_guest_list(party)
    now = timezone.now()
    guest = _insert_guest(
        Guest(
            party=party,
            source=GuestSource.SELF,
            first_name=first_name,
            last_name=last_name,
            email=email,
            phone=phone,
            consent_at=now,
            marketing_consent_at=now if marketing_consent else None,
            wants_to_host=wants_to_host,
            withdrawal_token=secrets.token_urlsafe(32),
            language=language,
        )
    )
    if wants_to_host:
        application = book_host_from_party(guest=guest, party=party)
        if application is not None:
            guest.booked_application = application
            guest.save(update_fields=["booked_application"])
    _send_guest_confirmation(guest)
    return guest


def next_open_campaign(*, at: datetime | None = None) -> Campaign | None:
    """The campaign a booked guest applies to: open now and closing first, else the next to open."""
    at = at or timezone.now()
    open_now = Campaign.objects.open_for_applications(at).order_by("applications_close_at", "id").first()
    if open_now is not None:
        return open_now
    return (
        Campaign.objects.filter(status=CampaignStatus.RECRUITING, applications_open_at__gt=at)
        .order_by("applications_open_at", "id")
        .first()
    )


def book_host_from_party(*, guest: Guest, party: Party) -> Application | None:
    """Turn a guest's "I would like to host" into an application linked to the party it came from.

    The guest gave only a name, an e-mail and maybe a phone: the application carries those, no
    address (marketing completes it with the applicant). None when no campaign recruits, or when
    this e-mail already applied to that campaign (that application is left as it is).
    """
    campaign = next_open_campaign()
    if campaign is None:
        return None
    application = Application(
        campaign=campaign,
        first_name=guest.first_name,
        last_name=guest.last_name,
        email=guest.email,
        phone=guest.phone,
        address_line1="",
        postal_code="",
        city="",
        country=campaign.home_country,
        motivation="",
        expected_guests=party.expected_guests,
        terms_accepted_at=guest.consent_at,
        marketing_consent_at=guest.marketing_consent_at,
        booked_from_party=party,
        language=guest.language,
    )
    application.score, application.score_explanation = scoring.compute_score(
        follower_count=None, social_verified=False, expected_guests=application.expected_guests, motivation=""
    )
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        return None
    ApplicationStatusChange.objects.create(
        application=application,
        by=None,
        from_status="",
        to_status=ApplicationStatus.SUBMITTED,
        reason=f"booked at party #{party.pk}",
    )
    # The recruitment flags, minus those that compare a phone or an address the guest never gave.
    unknown = {scoring.RiskFlag.SAME_ADDRESS} | ({scoring.RiskFlag.SAME_PHONE} if not guest.phone else set())
    application.risk_flags = [flag for flag in scoring.compute_risk_flags(application) if flag not in unknown]
    application.save(update_fields=["risk_flags"])
    return application


@transaction.atomic
def remove_guest(*, guest: Guest, by: Any) -> None:
    """The host takes a guest off the list while the list is open."""
    party = _locked(guest.party)
    if party.status not in GUEST_LIST_OPEN_STATUSES:
        raise Conflict(_("This party's guest list is closed."), code="guest_list_closed")
    guest.delete()


@transaction.atomic
def withdraw_guest(*, withdrawal_token: str) -> bool:
    """The guest leaves the list through their e-mail link: their data is erased. False if already gone."""
    deleted, _ = Guest.objects.filter(withdrawal_token=withdrawal_token).delete()
    return bool(deleted)
