"""A campaign's branding, set by marketing (API and admin): brand name, logo, cover image and two colours.

Its images are public (default storage, served under MEDIA_URL by `backend.public_media`): a logo
and a cover show no one. They are checked and re-encoded like party photos (a real JPEG, PNG or
WebP under the size limit, metadata dropped) and stored under a new random name.
"""

from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import transaction

from ambassadors.models import Campaign
from ambassadors.parties.checks import CheckedPhoto, check_photo
from backend.branding import DEFAULT_ACCENT_COLOUR, DEFAULT_PRIMARY_COLOUR, Brand
from backend.errors import FieldChecks, Invalid

BRAND_TEXT_FIELDS = ("brand_name", "brand_primary_colour", "brand_accent_colour")
BRAND_IMAGE_FIELDS = ("brand_logo", "brand_cover_image")
BRAND_FIELDS = (*BRAND_TEXT_FIELDS, *BRAND_IMAGE_FIELDS)


def _image_url(file: Any, *, absolute: bool) -> str:
    if not file:
        return ""
    url = str(default_storage.url(file.name))
    return f"{settings.SITE_URL}{url}" if absolute and url.startswith("/") else url


def brand_of(campaign: Campaign | None, *, absolute_urls: bool = False) -> Brand:
    """How pages and e-mails about `campaign` are dressed; what the campaign leaves empty is Soirée's.
    E-mails ask for absolute image URLs."""
    if campaign is None:
        return Brand()
    return Brand(
        name=campaign.brand_name or Brand.name,
        primary_colour=campaign.brand_primary_colour or DEFAULT_PRIMARY_COLOUR,
        accent_colour=campaign.brand_accent_colour or DEFAULT_ACCENT_COLOUR,
        logo_url=_image_url(campaign.brand_logo, absolute=absolute_urls),
        cover_image_url=_image_url(campaign.brand_cover_image, absolute=absolute_urls),
    )


def _check_text_fields(campaign: Campaign, names: list[str]) -> list[Invalid]:
    """Each refused field (model validators: lengths, colour format), all of them at once."""
    others = [field.name for field in Campaign._meta.fields if field.name not in names]
    try:
        campaign.full_clean(exclude=others, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        return [
            Invalid(str(message), code=getattr(error.error_dict[field][0], "code", None), field=field)
            for field, messages in error.message_dict.items()
            for message in messages[:1]
        ]
    return []


@transaction.atomic
def set_campaign_branding(*, campaign: Campaign, **changes: Any) -> Campaign:
    """Change the branding fields given (`BRAND_FIELDS`): an image field takes an upload, or None to
    remove the image. Every refused field is reported in one round; nothing is kept when one is."""
    unknown = set(changes) - set(BRAND_FIELDS)
    if unknown:
        raise Invalid(f"Unknown branding fields: {', '.join(sorted(unknown))}.", code="unknown_field")
    locked = Campaign.objects.select_for_update().get(pk=campaign.pk)
    checks = FieldChecks()
    uploads: dict[str, CheckedPhoto] = {}
    replaced: list[str] = []
    for name, value in changes.items():
        if name in BRAND_IMAGE_FIELDS:
            if value is not None:
                checked = checks.run(partial(check_photo, value, field=name))
                if checked is not None:
                    uploads[name] = checked
            if getattr(locked, name):
                replaced.append(getattr(locked, name).name)
            setattr(locked, name, "")
        else:
            setattr(locked, name, value.lower() if name.endswith("_colour") else value)
    checks.errors.extend(_check_text_fields(locked, [name for name in changes if name in BRAND_TEXT_FIELDS]))
    checks.raise_errors()
    for name, checked in uploads.items():
        getattr(locked, name).save(checked.content.name, checked.content, save=False)
    locked.save(update_fields=[*changes, "updated_at"])
    # The images replaced or removed go once the change is stored (a pending upload rolls back with it).
    transaction.on_commit(partial(_delete_files, replaced))
    return locked


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)
