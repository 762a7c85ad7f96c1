"""The rating form of one piece (the host's has a photo field too); the rules are in the service."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from feedback.models import ColourOpinion, Fit, PieceFeedback
from feedback.ratings.services import COMMENT_MAX_LENGTH, Rating

QUALITY_CHOICES = [("", "—"), *[(str(n), str(n)) for n in range(1, 6)]]


class RatingForm(forms.Form):
    fit = forms.ChoiceField(label=_("Fit"), choices=[("", "—"), *Fit.choices])
    colour = forms.ChoiceField(label=_("Colour"), choices=[("", "—"), *ColourOpinion.choices])
    quality = forms.TypedChoiceField(
        label=_("Quality (1 to 5)"), choices=QUALITY_CHOICES, coerce=int, help_text=_("5 is the best.")
    )
    would_buy = forms.BooleanField(label=_("I would buy it"), required=False)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_MAX_LENGTH}),
        help_text=_("Optional, at most 500 characters."),
    )
    consent = forms.BooleanField(
        label=_("I agree that the brand reads my opinion and may quote my comment without my name."),
        required=True,
    )

    def __init__(self, *args: Any, existing: PieceFeedback | None = None, **kwargs: Any):
        if existing is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "fit": existing.fit,
                "colour": existing.colour,
                "quality": str(existing.quality),
                "would_buy": existing.would_buy,
                "comment": existing.comment,
            }
        super().__init__(*args, **kwargs)

    def rating(self) -> Rating:
        data = self.cleaned_data
        return Rating(
            fit=data["fit"],
            colour=data["colour"],
            quality=data["quality"],
            would_buy=data["would_buy"],
            comment=data["comment"],
            consent=data["consent"],
        )


class HostRatingForm(RatingForm):
    photo = forms.FileField(
        label=_("A photo of you wearing it"),
        required=False,
        help_text=_("Optional. Only the brand's team sees it; you can remove it at any time."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    field_order = ["fit", "colour", "quality", "would_buy", "comment", "photo", "consent"]


class GuestLinkForm(forms.Form):
    email = forms.EmailField(label=_("The e-mail address you registered with"), max_length=254)
