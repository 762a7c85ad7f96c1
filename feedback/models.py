"""What hosts and guests say of the kit's pieces, and what the brand answers (SPEC §16).

Everything here is given by choice: a rating exists only once its author ticked the consent box, and
it goes with its author (privacy erasure, a guest's withdrawal).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ambassadors.models import Campaign, Guest, Host
from backend.private_files import private_storage
from kits.models import Item, ShipmentLine


class Fit(models.TextChoices):
    TOO_SMALL = "too_small", _("Too small")
    RIGHT = "right", _("Just right")
    TOO_BIG = "too_big", _("Too big")


class ColourOpinion(models.TextChoices):
    LOVE = "love", _("I love it")
    FINE = "fine", _("It is fine")
    DISLIKE = "dislike", _("Not for me")


class PieceFeedbackQuerySet(models.QuerySet["PieceFeedback"]):
    def by_hosts(self) -> "PieceFeedbackQuerySet":
        return self.filter(guest__isnull=True)

    def by_guests(self) -> "PieceFeedbackQuerySet":
        return self.filter(guest__isnull=False)


class PieceFeedback(models.Model):
    """One person's rating of one piece of a host's kit: the host's own, or a guest's at her party.

    A host rates each line of her kit once, a guest each line once (database constraints); both
    may change it until the kit is returned. `item` and `campaign` are copied from the line so that
    marketing's readings group without joining the shipments.
    """

    line = models.ForeignKey(ShipmentLine, on_delete=models.CASCADE, related_name="feedback")
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, related_name="+", help_text="The catalogue piece rated (its id)."
    )
    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The campaign of the kit the piece came in (its id).",
    )
    host = models.ForeignKey(
        Host,
        on_delete=models.CASCADE,
        related_name="piece_feedback",
        help_text="The host who gave the feedback (their id).",
    )
    # Set when a guest of the host's party wrote it; empty when the host did.
    guest = models.ForeignKey(
        Guest, null=True, blank=True, on_delete=models.CASCADE, related_name="piece_feedback"
    )
    fit = models.CharField(
        max_length=10, choices=Fit.choices, help_text="How the piece fits: too small, right, or too big."
    )
    colour = models.CharField(
        max_length=10,
        choices=ColourOpinion.choices,
        help_text="What the host thinks of the colour: love, fine, or dislike.",
    )
    quality = models.PositiveSmallIntegerField(
        help_text="Quality as the host rates it, from 1 (poor) to 5 (excellent)."
    )
    would_buy = models.BooleanField(help_text="True when the host would buy the piece.")
    comment = models.CharField(
        max_length=500, blank=True, help_text="The host's comment, in their words (at most 500 characters)."
    )
    photo = models.ImageField(upload_to="feedback/%Y/%m/", blank=True, storage=private_storage)
    photo_content_type = models.CharField(max_length=32, blank=True)
    consent_at = models.DateTimeField()
    created_at = models.DateTimeField(
        default=timezone.now, help_text="When the feedback was first given, UTC."
    )
    updated_at = models.DateTimeField(default=timezone.now, help_text="When the host last changed it, UTC.")

    objects = PieceFeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["line"], condition=Q(guest__isnull=True), name="one_host_rating_per_piece"
            ),
            models.UniqueConstraint(fields=["line", "guest"], name="one_guest_rating_per_piece"),
            models.CheckConstraint(
                condition=Q(quality__gte=1, quality__lte=5), name="feedback_quality_1_to_5"
            ),
        ]
        indexes = [models.Index(fields=["campaign", "item"])]

    def __str__(self) -> str:
        return f"feedback #{self.pk} on {self.item_id}"


class BrandAnswer(models.Model):
    """What the brand answers: to one SKU's feedback, or campaign-wide ("you said, we did") when no
    item is named. Written in French, English or both; each reader sees her language when it is there."""

    campaign = models.ForeignKey(
        Campaign,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The campaign whose hosts read the answer (its id).",
    )
    item = models.ForeignKey(
        Item,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The catalogue piece the answer is about (its id); null for an answer about the whole kit.",
    )
    text_fr = models.TextField(
        blank=True, help_text="The brand's answer in French; may be empty when given in English only."
    )
    text_en = models.TextField(
        blank=True, help_text="The brand's answer in English; may be empty when given in French only."
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, help_text="When the answer was published, UTC.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(text_fr="") | ~Q(text_en=""), name="brand_answer_has_text"),
        ]

    def __str__(self) -> str:
        return f"answer #{self.pk}"

    def text_in(self, language: str) -> str:
        if language.startswith("fr"):
            return self.text_fr or self.text_en
        return self.text_en or self.text_fr


class AnswerNotice(models.Model):
    """That one host was told of one answer (one e-mail each, however often the answer is posted)."""

    answer = models.ForeignKey(BrandAnswer, on_delete=models.CASCADE, related_name="notices")
    host = models.ForeignKey(Host, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["answer", "host"], name="one_notice_per_answer_per_host")
        ]
