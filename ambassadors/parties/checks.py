"""Input checks of parties and guests: each raises `Invalid` on its field, or returns the clean value."""

import io
import re
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator, validate_email
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from ambassadors.models import Campaign
from backend.email_address import normalise_email
from backend.errors import Invalid
from backend.visible_text import check_visible_text

MAX_SOCIAL_POST_LINKS = 10
MAX_PHOTO_PIXELS = 40_000_000
PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}

_DIGIT = re.compile(r"\d")


def _day(moment: datetime) -> str:
    """A day as the reader's language writes it (4 décembre 2026, Dec. 4, 2026), never an ISO stamp."""
    return date_format(timezone.localtime(moment), "DATE_FORMAT")


def clean_text(value: str, *, field: str, max_length: int, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise Invalid(_("This field is required."), code="required", field=field)
    if len(value) > max_length:
        raise Invalid(
            _("At most %(count)d characters.") % {"count": max_length}, code="max_length", field=field
        )
    return value


def clean_person_name(value: str, *, field: str, required: bool) -> str:
    """A guest's first or last name: bounded, and only characters one can see (`backend.visible_text`)."""
    return check_visible_text(clean_text(value, field=field, max_length=60, required=required), field=field)


def clean_city(city: str) -> str:
    """A town's name only: digits mean someone typed a street address, which is never stored."""
    city = clean_text(city, field="city", max_length=80, required=True)
    if _DIGIT.search(city):
        raise Invalid(
            _("Give the city only (no street address or number)."), code="address_not_allowed", field="city"
        )
    return city


def clean_expected_guests(expected_guests: int) -> int:
    if not isinstance(expected_guests, int) or not 1 <= expected_guests <= 200:
        raise Invalid(_("Expect between 1 and 200 guests."), code="out_of_range", field="expected_guests")
    return expected_guests


def clean_starts_at(starts_at: datetime, campaign: Campaign) -> datetime:
    if timezone.is_naive(starts_at):
        raise Invalid(_("Give the time with its time zone."), code="naive_datetime", field="starts_at")
    if not campaign.party_window_start <= starts_at <= campaign.party_window_end:
        raise Invalid(
            _("The party must start inside the campaign's party window (%(start)s – %(end)s).")
            % {"start": _day(campaign.party_window_start), "end": _day(campaign.party_window_end)},
            code="outside_party_window",
            field="starts_at",
        )
    return starts_at


def clean_email(email: str, *, field: str = "email", required: bool = False) -> str:
    """Normalised (`backend.email_address`) and valid, or "" when optional and absent."""
    email = check_visible_text(normalise_email(email), field=field)
    if not email:
        if required:
            raise Invalid(_("This field is required."), code="required", field=field)
        return ""
    if len(email) > 254:
        raise Invalid(_("At most 254 characters."), code="max_length", field=field)
    try:
        validate_email(email)
    except ValidationError:
        raise Invalid(_("Enter a valid e-mail address."), code="invalid_email", field=field) from None
    return email


def clean_social_post_urls(urls: list[str]) -> list[str]:
    if len(urls) > MAX_SOCIAL_POST_LINKS:
        raise Invalid(
            _("At most %(count)d links.") % {"count": MAX_SOCIAL_POST_LINKS},
            code="too_many_links",
            field="social_post_urls",
        )
    validate = URLValidator(schemes=["https", "http"])
    cleaned: list[str] = []
    for url in urls:
        url = (url or "").strip()
        if not url:
            continue
        if len(url) > 500:
            raise Invalid(
                _("A link has at most 500 characters."), code="max_length", field="social_post_urls"
            )
        try:
            validate(url)
        except ValidationError:
            raise Invalid(
                _("Not a web link: %(url)s") % {"url": url[:80]}, code="invalid_url", field="social_post_urls"
            ) from None
        if url not in cleaned:
            cleaned.append(url)
    return cleaned


@dataclass(frozen=True)
class CheckedPhoto:
    """A photo re-encoded from its decoded pixels: no metadata (EXIF GPS would locate the home)."""

    content: ContentFile
    content_type: str
    size_bytes: int


def check_photo(upload: UploadedFile, *, field: str = "photos") -> CheckedPhoto:
    """Accept a real JPEG, PNG or WebP image (decoded, not trusted by name or header) under the size limit;
    an error names `field`."""
    size = upload.size or 0
    if size > settings.PARTY_PHOTO_MAX_BYTES:
        raise Invalid(
            _("A photo may weigh at most %(mb)d MB.")
            % {"mb": settings.PARTY_PHOTO_MAX_BYTES // (1024 * 1024) or 1},
            code="photo_too_large",
            field=field,
        )
    if size == 0:
        raise Invalid(_("The photo is empty."), code="invalid_image", field=field)
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format or ""
            width, height = image.size
            if width * height > MAX_PHOTO_PIXELS:
                raise Invalid(_("The photo has too many pixels."), code="photo_too_large", field=field)
            image.verify()
        if image_format not in PHOTO_FORMATS:
            raise Invalid(
                _("Photos must be JPEG, PNG or WebP images."), code="invalid_image_type", field=field
            )
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()  # decodes the pixels: a truncated or forged file fails here
            clean = ImageOps.exif_transpose(image)  # keep the orientation, drop the metadata
            if image_format == "JPEG" and clean.mode not in {"RGB", "L"}:
                clean = clean.convert("RGB")
            buffer = io.BytesIO()
            clean.save(buffer, format=image_format, **({"quality": 90} if image_format != "PNG" else {}))
    except Invalid:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise Invalid(_("The file is not a readable image."), code="invalid_image", field=field) from None
    finally:
        upload.seek(0)
    extension = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}[image_format]
    data = buffer.getvalue()
    return CheckedPhoto(
        content=ContentFile(data, name=f"{uuid.uuid4().hex}.{extension}"),
        content_type=PHOTO_FORMATS[image_format],
        size_bytes=len(data),
    )
