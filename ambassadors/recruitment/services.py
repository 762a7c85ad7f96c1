"""Recruitment actions: campaigns and applications (selection is in `selection.py`).

Every function here is one business action: keyword-only, atomic, raising `Invalid` (bad input,
400) or `Conflict` (the current state refuses it, 409). Views, admin actions and commands call
these; nothing else writes a status.
"""

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ambassadors.models import (
    APPLICATION_TRANSITIONS,
    CAMPAIGN_TRANSITIONS,
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    Campaign,
    CampaignStatus,
    CampaignStatusChange,
    Host,
    HostStatus,
    SocialNetwork,
)
from ambassadors.recruitment import scoring
from ambassadors.recruitment.emails import application_received_email, application_rejected_email
from ambassadors.signals import application_received
from backend.addresses import clean_postal_code, normalise_phone
from backend.email_address import normalise_email
from backend.errors import Conflict, FieldChecks, Invalid
from backend.mail import send_email_on_commit
from backend.models import User
from backend.transitions import move_status
from backend.visible_text import check_visible_text

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
UTM_MAX_LENGTH = 100
MAX_FOLLOWER_COUNT = 2_000_000_000


@dataclass(frozen=True)
class SocialIdentity:
    """The applicant's social account: `verified` when it came from a social sign-in."""

    network: str
    uid: str
    handle: str
    profile_url: str
    follower_count: int | None
    verified: bool


# --- small helpers -----------------------------------------------------------------------------


def hash_ip(ip_address: str | None) -> str:
    """A salted, keyed hash of an IP address (the raw address is never stored)."""
    if not ip_address:
        return ""
    return hmac.new(settings.IP_HASH_SALT.encode(), ip_address.strip().encode(), hashlib.sha256).hexdigest()


def _text(value: str | None, *, field: str, max_length: int, required: bool = True) -> str:
    cleaned = (value or "").strip()
    if required and not cleaned:
        raise Invalid(_("This field is required."), code="required", field=field)
    if len(cleaned) > max_length:
        raise Invalid(
            _("Ensure this field has no more than %(max)d characters.") % {"max": max_length},
            code="max_length",
            field=field,
        )
    return cleaned


def _person_text(value: str | None, *, field: str, max_length: int, required: bool = True) -> str:
    """A name or a postal line: bounded, and only characters one can see (`backend.visible_text`)."""
    return check_visible_text(
        _text(value, field=field, max_length=max_length, required=required), field=field
    )


def _validated_social(social: SocialIdentity | None) -> dict[str, Any]:
    if social is None:
        return {}
    if social.network not in SocialNetwork.values:
        raise Invalid(
            f"Choose one of: {', '.join(SocialNetwork.values)}.",
            code="invalid_choice",
            field="social_network",
        )
    profile_url = _text(social.profile_url, field="social_profile_url", max_length=300, required=False)
    if profile_url:
        try:
            URLValidator(schemes=["http", "https"])(profile_url)
        except ValidationError:
            raise Invalid(_("Enter a valid URL."), code="invalid_url", field="social_profile_url") from None
    follower_count = social.follower_count
    if follower_count is not None and not (0 <= follower_count <= MAX_FOLLOWER_COUNT):
        raise Invalid(
            f"Follower count must be between 0 and {MAX_FOLLOWER_COUNT}.",
            code="out_of_range",
            field="follower_count",
        )
    return {
        "social_network": social.network,
        "social_uid": _text(social.uid, field="social_uid", max_length=191, required=False),
        "social_handle": _text(social.handle, field="social_handle", max_length=100, required=False),
        "social_profile_url": profile_url,
        "follower_count": follower_count,
        "social_verified": bool(social.verified),
    }


def _validated_utm(utm: dict[str, str]) -> dict[str, str]:
    """Landing utm_* values are captured as given, trimmed to their column; other keys are ignored."""
    return {key: str(utm.get(key) or "").strip()[:UTM_MAX_LENGTH] for key in UTM_KEYS}


def _language(language: str) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    short = (language or "").split("-")[0].lower()
    return short if short in codes else settings.LANGUAGE_CODE


def _raise_as_invalid(error: ValidationError) -> None:
    field, messages = next(iter(error.message_dict.items()))
    raise Invalid(str(messages[0]), field=None if field == NON_FIELD_ERRORS else field) from None


# --- applications ------------------------------------------------------------------------------


def _eligible_country(country: str, *, campaign: Campaign) -> str:
    country_code = _text(country, field="country", max_length=2).upper()
    if country_code not in campaign.eligible_countries:
        raise Invalid(
            _("Applications from %(country)s are not accepted for this campaign (eligible: %(eligible)s).")
            % {"country": country_code, "eligible": ", ".join(campaign.eligible_countries)},
            code="country_not_eligible",
            field="country",
        )
    return country_code


def _applicant_email(email: str) -> str:
    normalized_email = check_visible_text(
        normalise_email(_text(email, field="email", max_length=254)), field="email"
    )
    try:
        validate_email(normalized_email)
    except ValidationError:
        raise Invalid(_("Enter a valid e-mail address."), code="invalid_email", field="email") from None
    return normalized_email


def _expected_guests(expected_guests: int) -> int:
    if not isinstance(expected_guests, int) or not (1 <= expected_guests <= 200):
        raise Invalid(
            _("Expected guests must be between 1 and 200."), code="out_of_range", field="expected_guests"
        )
    return expected_guests


def _terms_accepted(accept_terms: bool, *, at: datetime) -> datetime:
    if not accept_terms:
        raise Invalid(_("The programme terms must be accepted."), code="terms_required", field="accept_terms")
    return at


def check_campaign_accepts_applications(*, campaign: Campaign, at: datetime | None = None) -> None:
    """Raise `Conflict` with the reason when the campaign's application form is not open."""
    at = at or timezone.now()
    if campaign.status != CampaignStatus.RECRUITING:
        raise Conflict(
            _("This campaign is not recruiting hosts."),
            code="campaign_not_recruiting",
            extra={"status": campaign.status},
        )
    window = {
        "applications_open_at": campaign.applications_open_at.isoformat(),
        "applications_close_at": campaign.applications_close_at.isoformat(),
    }
    if at < campaign.applications_open_at:
        raise Conflict(_("Applications are not open yet."), code="applications_not_open_yet", extra=window)
    if at >= campaign.applications_close_at:
        raise Conflict(_("Applications are closed."), code="applications_closed", extra=window)


@transaction.atomic
def submit_application(
    *,
    campaign: Campaign,
    first_name: str,
    last_name: str,
    email: str,
    phone: str,
    address_line1: str,
    address_line2: str,
    postal_code: str,
    city: str,
    country: str,
    motivation: str,
    expected_guests: int,
    preferred_party_period: str,
    accept_terms: bool,
    marketing_consent: bool,
    photo_consent: bool,
    social: SocialIdentity | None,
    utm: dict[str, str],
    ip_address: str | None,
    language: str,
) -> Application:
    """A fan applies to host. One application per e-mail per campaign (the database decides).

    Raises `Conflict` when the campaign is not open or the e-mail already applied, `Invalid` on
    any bad field (with `field` set). The acknowledgement e-mail leaves after commit.
    """
    check_campaign_accepts_applications(campaign=campaign)
    checks = FieldChecks()
    country_code = checks.run(lambda: _eligible_country(country, campaign=campaign))
    # A number without its country code is read in the address's country (a valid one, else home's).
    region = country_code or campaign.home_country
    now = timezone.now()
    application = Application(
        campaign=campaign,
        first_name=checks.run(lambda: _person_text(first_name, field="first_name", max_length=60)),
        last_name=checks.run(lambda: _person_text(last_name, field="last_name", max_length=60)),
        email=checks.run(lambda: _applicant_email(email)),
        phone=checks.run(lambda: normalise_phone(phone, region=region)),
        address_line1=checks.run(lambda: _person_text(address_line1, field="address_line1", max_length=120)),
        address_line2=checks.run(
            lambda: _person_text(address_line2, field="address_line2", max_length=120, required=False)
        ),
        postal_code=checks.run(lambda: clean_postal_code(postal_code, country=region)),
        city=checks.run(lambda: _person_text(city, field="city", max_length=80)),
        country=country_code,
        motivation=checks.run(lambda: _text(motivation, field="motivation", max_length=1000, required=False)),
        expected_guests=checks.run(lambda: _expected_guests(expected_guests)),
        preferred_party_period=checks.run(
            lambda: _text(
                preferred_party_period, field="preferred_party_period", max_length=100, required=False
            )
        ),
        terms_accepted_at=checks.run(lambda: _terms_accepted(accept_terms, at=now)),
        marketing_consent_at=now if marketing_consent else None,
        photo_consent_at=now if photo_consent else None,
        ip_hash=hash_ip(ip_address),
        language=_language(language),
        **(checks.run(lambda: _validated_social(social)) or {}),
        **(checks.run(lambda: _validated_utm(utm)) or {}),
    )
    # Every refused field in one answer, so the applicant mends them in one round.
    checks.raise_errors()
    application.score, application.score_explanation = scoring.compute_score(
        follower_count=application.follower_count,
        social_verified=application.social_verified,
        expected_guests=application.expected_guests,
        motivation=application.motivation,
    )
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        raise Conflict(
            _("An application with this e-mail address already exists for this campaign."),
            code="duplicate_application",
        ) from None
    ApplicationStatusChange.objects.create(
        application=application, by=None, at=now, from_status="", to_status=ApplicationStatus.SUBMITTED
    )
    scoring.refresh_risk_flags(application)
    send_email_on_commit(build=application_received_email, object_id=application.pk)
    application_received.send(sender=Application, application=application)
    return application


def _move_application(
    *, application: Application, to_status: str, by: User | None, reason: str = ""
) -> Application:
    locked, _previous = move_status(
        application,
        to_status=to_status,
        transitions=APPLICATION_TRANSITIONS,
        history=ApplicationStatusChange,
        by=by,
        reason=reason,
    )
    return locked


@transaction.atomic
def shortlist_application(*, application: Application, by: User | None, reason: str = "") -> Application:
    return _move_application(
        application=application, to_status=ApplicationStatus.SHORTLISTED, by=by, reason=reason
    )


@transaction.atomic
def waitlist_application(*, application: Application, by: User | None, reason: str = "") -> Application:
    return _move_application(
        application=application, to_status=ApplicationStatus.WAITLISTED, by=by, reason=reason
    )


@transaction.atomic
def reject_application(*, application: Application, by: User | None, reason: str) -> Application:
    """Reject with a reason, which is e-mailed to the applicant (so it is required)."""
    reason = _text(reason, field="reason", max_length=500)
    rejected = _move_application(
        application=application, to_status=ApplicationStatus.REJECTED, by=by, reason=reason
    )
    send_email_on_commit(build=application_rejected_email, object_id=rejected.pk)
    return rejected


# --- campaigns ---------------------------------------------------------------------------------


def validate_eligible_countries(countries: object) -> list[str]:
    """A non-empty list of distinct ISO 3166-1 alpha-2 codes, upper-cased; the first is the home country."""
    if not isinstance(countries, list) or not countries:
        raise Invalid("List at least one eligible country.", code="required", field="eligible_countries")
    codes = [str(code).strip().upper() for code in countries]
    for code in codes:
        if code not in phonenumbers.SUPPORTED_REGIONS:
            raise Invalid(
                f"{code!r} is not an ISO 3166-1 alpha-2 country code.",
                code="invalid_country",
                field="eligible_countries",
            )
    if len(set(codes)) != len(codes):
        raise Invalid("Each country may appear once.", code="duplicate_country", field="eligible_countries")
    return codes


def _validate_campaign_fields(campaign: Campaign) -> None:
    campaign.eligible_countries = validate_eligible_countries(campaign.eligible_countries)
    try:
        campaign.full_clean()
    except ValidationError as error:
        _raise_as_invalid(error)


@transaction.atomic
def create_campaign(*, by: User | None, **fields: Any) -> Campaign:
    """A new campaign, always in draft; the first eligible country is its home (phone region)."""
    fields.pop("status", None)
    campaign = Campaign(status=CampaignStatus.DRAFT, **fields)
    _validate_campaign_fields(campaign)
    campaign.save()
    CampaignStatusChange.objects.create(
        campaign=campaign, by=by, from_status="", to_status=CampaignStatus.DRAFT
    )
    return campaign


def check_campaign_changes(*, campaign: Campaign, changes: dict[str, Any]) -> None:
    """Rules on changing a stored campaign: a published slug is frozen; slots never below the hosts."""
    if "slug" in changes and changes["slug"] != campaign.slug and campaign.status != CampaignStatus.DRAFT:
        raise Invalid(
            "The slug cannot change once the campaign was published.", code="slug_frozen", field="slug"
        )
    if "host_slots" in changes:
        taken = Host.objects.filter(campaign=campaign).exclude(status=HostStatus.BANNED).count()
        if changes["host_slots"] < taken:
            raise Invalid(
                f"{taken} hosts are already selected; slots cannot go below that.",
                code="below_selected_hosts",
                field="host_slots",
            )


@transaction.atomic
def update_campaign(*, campaign: Campaign, by: User | None, **changes: Any) -> Campaign:
    """Change a campaign's settings (not its status). The slug is frozen once it has been published."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    changes.pop("status", None)
    check_campaign_changes(campaign=locked, changes=changes)
    for name, value in changes.items():
        setattr(locked, name, value)
    _validate_campaign_fields(locked)
    locked.save()
    return locked


@transaction.atomic
def transition_campaign(*, campaign: Campaign, to_status: str, by: User | None, reason: str = "") -> Campaign:
    """Move a campaign along draft → recruiting → selecting → running → closed, with a history row."""
    locked, _previous = move_status(
        campaign,
        to_status=to_status,
        transitions=CAMPAIGN_TRANSITIONS,
        history=CampaignStatusChange,
        by=by,
        reason=reason,
    )
    return locked


@transaction.atomic
def delete_campaign(*, campaign: Campaign, by: User | None) -> None:
    """Only a draft nobody applied to can be deleted; anything else is history."""
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if locked.status != CampaignStatus.DRAFT or locked.applications.exists():
        raise Conflict(
            "Only a draft campaign without applications can be deleted.",
            code="campaign_not_deletable",
            extra={"status": locked.status},
        )
    locked.delete()
