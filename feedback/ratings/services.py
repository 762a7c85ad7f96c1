"""Rating the kit's pieces (SPEC §16): a host rates each piece of her kit, a guest of her party each
piece she tried; once per piece and person, changeable until the kit is returned."""

from dataclasses import dataclass

from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ambassadors.models import Guest, Host, PartyStatus
from ambassadors.parties.checks import check_photo
from backend.errors import Conflict, Invalid, InvalidFields
from backend.models import User
from feedback.models import ColourOpinion, Fit, PieceFeedback
from kits.models import Shipment, ShipmentLine, ShipmentStatus

# The host has the kit in hand: rated from when it ships until it comes back.
RATABLE_KIT_STATUSES = frozenset({ShipmentStatus.SHIPPED, ShipmentStatus.DELIVERED})
COMMENT_MAX_LENGTH = 500


@dataclass(frozen=True)
class Rating:
    """What a person says of one piece, as typed (checked by `_checked`)."""

    fit: str
    colour: str
    quality: int
    would_buy: bool
    comment: str = ""
    consent: bool = False


def ratable_lines(shipments: QuerySet[Shipment]) -> QuerySet[ShipmentLine]:
    """The pieces people rate: the garment samples of the kits (promotion material is not rated)."""
    return ShipmentLine.objects.filter(shipment__in=shipments, returnable=True).select_related("item")


def kit_lines_for_party_guests(guest: Guest) -> QuerySet[ShipmentLine]:
    """The pieces a guest may rate: those of her party's host's kit for the party's campaign."""
    party = guest.party
    shipments = Shipment.objects.live().filter(host_id=party.host_id, campaign_id=party.campaign_id)
    return ratable_lines(shipments)


def kit_open_for_feedback(shipment: Shipment) -> bool:
    return shipment.status in RATABLE_KIT_STATUSES


def _checked(rating: Rating) -> Rating:
    errors: list[Invalid] = []
    if rating.fit not in Fit.values:
        errors.append(Invalid(_("Choose how it fits."), code="invalid_choice", field="fit"))
    if rating.colour not in ColourOpinion.values:
        errors.append(
            Invalid(_("Choose what you think of the colour."), code="invalid_choice", field="colour")
        )
    if not isinstance(rating.quality, int) or not 1 <= rating.quality <= 5:
        errors.append(Invalid(_("Rate the quality from 1 to 5."), code="invalid_choice", field="quality"))
    comment = (rating.comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        errors.append(
            Invalid(
                _("A comment has at most %(count)d characters.") % {"count": COMMENT_MAX_LENGTH},
                code="max_length",
                field="comment",
            )
        )
    if not rating.consent:
        errors.append(
            Invalid(_("Tick the box to share your opinion with the brand."), code="required", field="consent")
        )
    if errors:
        raise InvalidFields(errors)
    return Rating(
        fit=rating.fit,
        colour=rating.colour,
        quality=rating.quality,
        would_buy=bool(rating.would_buy),
        comment=comment,
        consent=True,
    )


def _lock_open_kit(line: ShipmentLine) -> Shipment:
    shipment = Shipment.objects.select_for_update().get(pk=line.shipment_id)
    if not kit_open_for_feedback(shipment):
        raise Conflict(
            _("This kit is no longer open for opinions: it has been returned."),
            code="kit_closed_for_feedback",
            extra={"current": shipment.status, "allowed": sorted(RATABLE_KIT_STATUSES)},
        )
    return shipment


def _delete_on_commit(storage: Storage, name: str) -> None:
    """The replaced or removed photo goes only once the change is committed."""
    transaction.on_commit(lambda: storage.delete(name))


def _save(
    *, line: ShipmentLine, shipment: Shipment, guest: Guest | None, rating: Rating, photo: UploadedFile | None
) -> PieceFeedback:
    checked_photo = None
    if photo is not None:
        try:
            checked_photo = check_photo(photo)
        except Invalid as error:
            raise Invalid(error.message, code=error.code, field="photo") from None
    now = timezone.now()
    feedback = (
        PieceFeedback.objects.select_for_update().filter(line=line, guest=guest).first()
        if guest is not None
        else PieceFeedback.objects.select_for_update().filter(line=line, guest__isnull=True).first()
    )
    values = {
        "fit": rating.fit,
        "colour": rating.colour,
        "quality": rating.quality,
        "would_buy": rating.would_buy,
        "comment": rating.comment,
        "consent_at": now,
        "updated_at": now,
    }
    if feedback is None:
        feedback = PieceFeedback(
            line=line,
            item_id=line.item_id,
            campaign_id=shipment.campaign_id,
            host_id=shipment.host_id,
            guest=guest,
        )
    for name, value in values.items():
        setattr(feedback, name, value)
    if checked_photo is not None:
        if feedback.photo:
            _delete_on_commit(feedback.photo.storage, feedback.photo.name)
        feedback.photo = checked_photo.content  # type: ignore[assignment]  # a ContentFile, stored on save
        feedback.photo_content_type = checked_photo.content_type
    feedback.save()
    return feedback


@transaction.atomic
def rate_piece_as_host(
    *, line: ShipmentLine, by: User, rating: Rating, photo: UploadedFile | None = None
) -> PieceFeedback:
    """The host's opinion of one piece of her own kit (created, or changed if she gave one)."""
    if not Host.objects.filter(pk=line.shipment.host_id, user=by).exists():
        raise Invalid(_("This piece is not in your kit."), code="not_your_kit", field="line")
    checked = _checked(rating)
    shipment = _lock_open_kit(line)
    return _save(line=line, shipment=shipment, guest=None, rating=checked, photo=photo)


@transaction.atomic
def rate_piece_as_guest(*, line: ShipmentLine, guest: Guest, rating: Rating) -> PieceFeedback:
    """A guest's opinion of a piece she tried at her party: only the pieces of that party's host's kit."""
    if not kit_lines_for_party_guests(guest).filter(pk=line.pk).exists():
        raise Invalid(_("This piece was not at your party."), code="not_at_your_party", field="line")
    if guest.party.status == PartyStatus.CANCELLED:
        raise Conflict(_("This party was cancelled."), code="party_cancelled")
    checked = _checked(rating)
    shipment = _lock_open_kit(line)
    return _save(line=line, shipment=shipment, guest=guest, rating=checked, photo=None)


@transaction.atomic
def remove_feedback_photo(*, feedback: PieceFeedback, by: User) -> PieceFeedback:
    """The host takes her photo back (the file goes once the change is committed)."""
    if feedback.guest_id is not None or not Host.objects.filter(pk=feedback.host_id, user=by).exists():
        raise Invalid(_("This opinion is not yours."), code="not_yours")
    if feedback.photo:
        _delete_on_commit(feedback.photo.storage, feedback.photo.name)
        feedback.photo = ""  # type: ignore[assignment]  # an empty file field
        feedback.photo_content_type = ""
        feedback.updated_at = timezone.now()
        feedback.save(update_fields=["photo", "photo_content_type", "updated_at"])
    return feedback
