"""Portal forms. They bound and shape input; business rules stay in the services."""

from typing import Any

from django import forms
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from ambassadors.models import Host, SocialNetwork
from ambassadors.portal.tasks import send_password_reset_emails
from backend.addresses import clean_postal_code, normalise_phone
from backend.email_address import normalise_email
from backend.errors import Invalid
from backend.visible_text import validate_visible_text

# Names shown in the country list; a campaign's other codes show as themselves.
COUNTRY_NAMES = {
    "FR": _("France"),
    "BE": _("Belgium"),
    "CH": _("Switzerland"),
    "LU": _("Luxembourg"),
    "MC": _("Monaco"),
    "DE": _("Germany"),
    "ES": _("Spain"),
    "IT": _("Italy"),
    "NL": _("Netherlands"),
    "PT": _("Portugal"),
    "AT": _("Austria"),
    "IE": _("Ireland"),
    "GB": _("United Kingdom"),
    "US": _("United States"),
    "CA": _("Canada"),
}
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
# Networks a fan may declare by hand (Google is a sign-in provider, not an audience).
DECLARABLE_NETWORKS = [
    ("", _("None")),
    (SocialNetwork.INSTAGRAM, "Instagram"),
    (SocialNetwork.TIKTOK, "TikTok"),
    (SocialNetwork.FACEBOOK, "Facebook"),
    (SocialNetwork.OTHER, _("Other")),
]


class ApplicationForm(forms.Form):
    """The campaign page's form. With a verified social identity the self-declared part is dropped."""

    first_name = forms.CharField(label=_("First name"), max_length=60, validators=[validate_visible_text])
    last_name = forms.CharField(label=_("Last name"), max_length=60, validators=[validate_visible_text])
    email = forms.EmailField(label=_("E-mail"), max_length=254, validators=[validate_visible_text])
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        help_text=_("With the country code if you are not in the campaign's country, e.g. +32 …"),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    address_line1 = forms.CharField(label=_("Address"), max_length=120, validators=[validate_visible_text])
    address_line2 = forms.CharField(
        label=_("Address (line 2)"), max_length=120, required=False, validators=[validate_visible_text]
    )
    postal_code = forms.CharField(label=_("Postal code"), max_length=12)
    city = forms.CharField(label=_("City"), max_length=80, validators=[validate_visible_text])
    country = forms.ChoiceField(label=_("Country"))
    social_network = forms.ChoiceField(label=_("Social network"), choices=DECLARABLE_NETWORKS, required=False)
    social_handle = forms.CharField(label=_("Your handle"), max_length=100, required=False)
    social_profile_url = forms.URLField(
        label=_("Profile link"), max_length=300, required=False, assume_scheme="https"
    )
    follower_count = forms.IntegerField(
        label=_("Followers"),
        required=False,
        validators=[MinValueValidator(0), MaxValueValidator(1_000_000_000)],
    )
    motivation = forms.CharField(
        label=_("Why would you like to host?"), max_length=1000, required=False, widget=forms.Textarea
    )
    expected_guests = forms.IntegerField(
        label=_("How many guests do you expect?"),
        validators=[MinValueValidator(1), MaxValueValidator(200)],
    )
    preferred_party_period = forms.CharField(
        label=_("When would you like to hold your party?"), max_length=100, required=False
    )
    accept_terms = forms.BooleanField(label=_("I accept the programme terms"))
    marketing_consent = forms.BooleanField(
        label=_("I would like to receive the brand's news"), required=False
    )
    photo_consent = forms.BooleanField(label=_("The brand may share photos of my party"), required=False)
    # A honeypot: invisible to people, filled in by bots.
    website = forms.CharField(
        label=_("Leave this field empty"), required=False, max_length=200, widget=forms.TextInput
    )

    def __init__(self, *args: Any, countries: list[str], verified: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country = self.fields["country"]
        assert isinstance(country, forms.ChoiceField)
        country.choices = [(code, COUNTRY_NAMES.get(code, code)) for code in countries]
        for name in UTM_FIELDS:
            self.fields[name] = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)
        if verified:
            for name in ("social_network", "social_handle", "social_profile_url", "follower_count"):
                del self.fields[name]
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.fields["email"].widget.attrs.update({"autocomplete": "email"})
        self.fields["first_name"].widget.attrs.update({"autocomplete": "given-name"})
        self.fields["last_name"].widget.attrs.update({"autocomplete": "family-name"})
        self.fields["postal_code"].widget.attrs.update({"autocomplete": "postal-code"})
        self.fields["address_line1"].widget.attrs.update({"autocomplete": "address-line1"})
        self.fields["address_line2"].widget.attrs.update({"autocomplete": "address-line2"})
        self.fields["city"].widget.attrs.update({"autocomplete": "address-level2"})

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Phone and postal code are read for the chosen country, in the same round as the other fields.
        country = data.get("country")
        if country:
            for name, check in (
                ("phone", lambda value: normalise_phone(value, region=country)),
                ("postal_code", lambda value: clean_postal_code(value, country=country)),
            ):
                if data.get(name):
                    try:
                        data[name] = check(data[name])
                    except Invalid as refused:
                        self.add_error(name, refused.message)
        if (
            data.get("social_network")
            and not data.get("social_handle")
            and not data.get("social_profile_url")
        ):
            self.add_error("social_handle", _("Give your handle or your profile link."))
        return data

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))


class SignInForm(AuthenticationForm):
    """E-mail and password. Hosts without a password use their link or a social account."""

    username = forms.EmailField(
        label=_("E-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )

    def clean(self) -> dict[str, Any]:
        email = normalise_email(self.cleaned_data.get("username"))
        password = self.cleaned_data.get("password")
        if email and password:
            self.user_cache = authenticate(self.request, username=email, password=password)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class ProfileForm(forms.ModelForm):
    """Phone and postal address of a host, validated as the API does (phone for the host's country)."""

    class Meta:
        model = Host
        fields = ["phone", "address_line1", "address_line2", "postal_code", "city"]
        labels = {
            "phone": _("Phone"),
            "address_line1": _("Address"),
            "address_line2": _("Address (line 2)"),
            "postal_code": _("Postal code"),
            "city": _("City"),
        }
        # The model's help texts describe the fields to the API and the admin, in English; the labels
        # say enough to the host.
        help_texts = dict.fromkeys(fields, "")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The same parsing as the API and the application form: national or international, E.164 out.
        self.fields["phone"] = forms.CharField(
            label=_("Phone"),
            max_length=32,
            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        )
        if self.instance.pk and not self.is_bound:
            self.initial["phone"] = self.instance.phone.as_international if self.instance.phone else ""
        autocomplete = {
            "address_line1": "address-line1",
            "address_line2": "address-line2",
            "postal_code": "postal-code",
            "city": "address-level2",
        }
        for name, token in autocomplete.items():
            self.fields[name].widget.attrs["autocomplete"] = token
        for name in ("address_line1", "address_line2", "city"):
            self.fields[name].validators.append(validate_visible_text)

    def clean_phone(self) -> str:
        try:
            return normalise_phone(self.cleaned_data["phone"], region=self.instance.country)
        except Invalid:
            raise forms.ValidationError(
                _("Enter a valid phone number for your country, e.g. 06 12 34 56 78."), code="invalid_phone"
            ) from None

    def clean_postal_code(self) -> str:
        try:
            return clean_postal_code(self.cleaned_data["postal_code"], country=self.instance.country)
        except Invalid as refused:
            raise forms.ValidationError(refused.message, code=refused.code) from None


class HostPasswordResetForm(PasswordResetForm):
    """Also reaches hosts who never set a password: their link lets them choose one."""

    def get_users(self, email: str) -> Any:
        return get_user_model()._default_manager.filter(email__iexact=email.strip(), is_active=True)

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Queue the e-mails instead of sending them here: a known and an unknown address do the same work."""
        user_ids = list(self.get_users(self.cleaned_data["email"]).values_list("pk", flat=True))
        send_password_reset_emails.enqueue(user_ids=user_ids)
