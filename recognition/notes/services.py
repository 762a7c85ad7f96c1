"""Personal notes from the brand to hosts (SPEC §16), with an optional gift of store credit.

A gift is an approved manual adjustment of the host's rewards ledger, made through the ledger's
own audited path (`adjust_rewards`: a reason, who made it, the configured limit), in the same
transaction as the note: a refused gift leaves no note, and a refused note no gift.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from ambassadors.models import Campaign, Host
from backend.errors import Invalid
from backend.models import User
from recognition.milestones.services import recognised_hosts
from recognition.models import BrandNote, MilestoneKind
from referrals.rewards.services import adjust_rewards

BODY_MAX_LENGTH = 2000
GIFT_REASON = "gift from the brand with a personal note"


def _checked_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise Invalid("Write the note.", code="required", field="body")
    if len(body) > BODY_MAX_LENGTH:
        raise Invalid(f"A note holds at most {BODY_MAX_LENGTH} characters.", code="max_length", field="body")
    return body


def _note(
    *, host: Host, body: str, gift_amount: Decimal | None, milestone: str, by: User | None
) -> BrandNote:
    gift = None
    if gift_amount is not None:
        if gift_amount <= 0:
            raise Invalid("A gift is a positive amount.", code="invalid", field="gift_amount")
        try:
            gift = adjust_rewards(host=host, amount=gift_amount, reason=GIFT_REASON, by=by, gift=True)
        except Invalid as refused:
            raise Invalid(refused.message, code=refused.code, field="gift_amount") from refused
    return BrandNote.objects.create(
        host=host,
        body=body,
        milestone=milestone,
        gift=gift,
        gift_amount=gift_amount if gift is not None else None,
        gift_currency=host.campaign.currency if gift is not None else "",
        by=by,
        created_at=timezone.now(),
    )


@transaction.atomic
def write_brand_note(
    *, host: Host, body: str, gift_amount: Decimal | None = None, by: User | None
) -> BrandNote:
    """A thank-you to one host, greeting her by name when she reads it; with a gift if given."""
    return _note(host=host, body=_checked_body(body), gift_amount=gift_amount, milestone="", by=by)


@transaction.atomic
def write_milestone_notes(
    *,
    campaign: Campaign,
    milestone: str,
    body: str,
    gift_amount: Decimal | None = None,
    by: User | None,
) -> list[BrandNote]:
    """The same thank-you to every host of the campaign who reached `milestone`: one note per host
    (each greets her by her own name), each gift its own audited ledger line; all or nothing."""
    body = _checked_body(body)
    if milestone not in MilestoneKind.values:
        raise Invalid("Choose a milestone.", code="invalid_choice", field="milestone")
    hosts = list(
        recognised_hosts()
        .filter(campaign=campaign, milestones__kind=milestone)
        .select_related("campaign")
        .order_by("pk")
    )
    if not hosts:
        raise Invalid(
            "No host of this campaign has reached this milestone.", code="no_hosts", field="milestone"
        )
    return [
        _note(host=host, body=body, gift_amount=gift_amount, milestone=milestone, by=by) for host in hosts
    ]


def mark_notes_read(*, note_ids: list[int]) -> int:
    """The host has read these notes (the notes page showed them): unread ones get their read time."""
    return BrandNote.objects.filter(pk__in=note_ids, read_at__isnull=True).update(read_at=timezone.now())
