"""Portal forms for parties and guests. They only shape input; the rules live in `ambassadors.parties.services`."""

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.visible_text import validate_visible_text


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)  # type: ignore[arg-type]  # widget kwargs


class PartyForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=DateTimeLocalInput(), input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    city = forms.CharField(
        label=_("City"), max_length=80, help_text=_("The city only: never your street address.")
    )
    postal_code = forms.CharField(label=_("Postal code"), max_length=12)
    expected_guests = forms.IntegerField(label=_("Expected guests"), min_value=1, max_value=200)
    notes = forms.CharField(
        label=_("Notes"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class PartyHeldForm(forms.Form):
    actual_guests = forms.IntegerField(label=_("Guests who came"), min_value=0, max_value=500)
    highlights = forms.CharField(
        label=_("Highlights"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    social_post_urls = forms.CharField(
        label=_("Links to your social posts (one per line)"),
        max_length=5100,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "inputmode": "url"}),
    )

    def clean_social_post_urls(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["social_post_urls"].splitlines() if line.strip()]


class GuestForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=60, validators=[validate_visible_text])
    last_name = forms.CharField(
        label=_("Last name"), max_length=60, required=False, validators=[validate_visible_text]
    )
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        validators=[validate_visible_text],
    )
    phone = forms.CharField(
        label=_("Phone"), max_length=32, required=False, widget=forms.TextInput(attrs={"type": "tel"})
    )
    guest_agreed = forms.BooleanField(
        label=_("My guest agreed to be on this list and to hear from the brand about this party."),
        required=False,
    )


class GuestRegistrationForm(forms.Form):
    first_name = forms.CharField(
        label=_("First name"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        validators=[validate_visible_text],
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=60,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        validators=[validate_visible_text],
    )
    email = forms.CharField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        validators=[validate_visible_text],
    )
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    accept_terms = forms.BooleanField(
        label=_("I agree that the brand keeps my name and contact details for this party and its offers."),
        required=False,
    )
    marketing_consent = forms.BooleanField(label=_("Send me the brand's news (optional)."), required=False)
    wants_to_host = forms.BooleanField(label=_("I would like to host a party too."), required=False)
