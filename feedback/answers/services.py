"""The brand answers what was said (SPEC §16): to one SKU's feedback or campaign-wide; every host who
gave feedback it concerns is told once, by e-mail in her language, and reads it in the portal."""

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from ambassadors.models import Campaign, Host
from ambassadors.recruitment.branding import brand_of
from backend.errors import Invalid, InvalidFields
from backend.mail import Email, email_builder, send_email_on_commit
from backend.models import User
from feedback.models import AnswerNotice, BrandAnswer, PieceFeedback
from kits.models import Item

ANSWER_MAX_LENGTH = 2000


def answers_for(*, campaign_ids: set[int]) -> QuerySet[BrandAnswer]:
    return BrandAnswer.objects.filter(campaign_id__in=campaign_ids).select_related("item", "campaign")


@transaction.atomic
def post_brand_answer(
    *, campaign: Campaign, item: Item | None, text_fr: str, text_en: str, by: User | None
) -> BrandAnswer:
    """Post the answer, and tell each host who rated the piece (or any piece of the campaign, for a
    campaign-wide note) once."""
    text_fr, text_en = (text_fr or "").strip(), (text_en or "").strip()
    errors = [
        Invalid(
            _("An answer has at most %(count)d characters.") % {"count": ANSWER_MAX_LENGTH},
            code="max_length",
            field=name,
        )
        for name, text in (("text_fr", text_fr), ("text_en", text_en))
        if len(text) > ANSWER_MAX_LENGTH
    ]
    if not text_fr and not text_en:
        errors.append(
            Invalid(_("Write the answer in French, English or both."), code="required", field="text_fr")
        )
    if item is not None and not PieceFeedback.objects.filter(campaign=campaign, item=item).exists():
        errors.append(
            Invalid(
                _("No one has given feedback on this piece in this campaign."),
                code="no_feedback",
                field="item",
            )
        )
    if errors:
        raise InvalidFields(errors)
    answer = BrandAnswer.objects.create(campaign=campaign, item=item, text_fr=text_fr, text_en=text_en, by=by)
    concerned = PieceFeedback.objects.by_hosts().filter(campaign=campaign)
    if item is not None:
        concerned = concerned.filter(item=item)
    host_ids = sorted(set(concerned.values_list("host_id", flat=True)))
    AnswerNotice.objects.bulk_create([AnswerNotice(answer=answer, host_id=host_id) for host_id in host_ids])
    for notice in AnswerNotice.objects.filter(answer=answer).only("pk"):
        send_email_on_commit(build=answer_notice_email, object_id=notice.pk)
    return answer


def answers_seen_by(*, feedback: list[PieceFeedback]) -> dict[tuple[int, int | None], list[BrandAnswer]]:
    """The answers each piece's feedback has received, keyed by (campaign, item); campaign-wide notes
    under (campaign, None). One query whatever the number of pieces."""
    campaign_ids = {row.campaign_id for row in feedback}
    item_ids = {row.item_id for row in feedback}
    found: dict[tuple[int, int | None], list[BrandAnswer]] = {}
    for answer in answers_for(campaign_ids=campaign_ids).filter(
        Q(item__isnull=True) | Q(item_id__in=item_ids)
    ):
        found.setdefault((answer.campaign_id, answer.item_id), []).append(answer)
    return found


@email_builder
def answer_notice_email(notice_id: int) -> Email | None:
    """Tell the host the brand answered what she said; none once she or the answer is gone."""
    notice = (
        AnswerNotice.objects.select_related(
            "answer__item", "answer__campaign", "host__user", "host__application"
        )
        .filter(pk=notice_id)
        .first()
    )
    if notice is None or not notice.host.user.is_active:
        return None
    host: Host = notice.host
    language = host.application.language
    answer = notice.answer
    return Email(
        to=host.user.email,
        template="feedback_answer",
        context={
            "first_name": host.first_name,
            "campaign_name": answer.campaign.name_in(language),
            "piece": answer.item.name if answer.item else "",
            "answer": answer.text_in(language),
            "portal_url": settings.SITE_URL + reverse("feedback:mine"),
        },
        language=language,
        brand=brand_of(answer.campaign, absolute_urls=True),
    )
