"""Names, e-mail addresses and postal lines a person types hold only characters one can see.

Refused: control characters (Unicode category Cc: NUL, line breaks, escapes), format characters
(Cf: bidirectional overrides and isolates such as U+202E, zero-width spaces and joiners such as
U+200B, the byte-order mark, soft hyphens), line and paragraph separators (Zl, Zp), surrogates,
private-use and unassigned code points (Cs, Co, Cn), and the letters drawn as blanks (Hangul
fillers, the braille blank). They hide or reorder what staff read on a screen or a packing slip,
make two addresses that look the same differ, and break what comes after (PostgreSQL refuses NUL,
a mail header refuses a line break). Zero-width joiners go too: a name reads the same without them.

One rule for every path: services call `check_visible_text` (an `Invalid` on the field, the API's
one error shape), portal forms list `validate_visible_text` on their fields (the message beside the
field, in the visitor's language).
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from backend.errors import Invalid

HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})
BLANK_LETTERS = frozenset({"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"})
CODE = "invisible_character"


def first_hidden_character(value: str) -> str | None:
    """The first character of `value` one cannot see (see the module), or None."""
    for character in value:
        if character in BLANK_LETTERS or unicodedata.category(character) in HIDDEN_CATEGORIES:
            return character
    return None


def check_visible_text(value: str, *, field: str) -> str:
    """`value` as it is, or `Invalid` on `field` naming the first hidden character."""
    hidden = first_hidden_character(value)
    if hidden is not None:
        raise Invalid(
            _("Remove the invisible or control character (U+%(code_point)s) from this field.")
            % {"code_point": f"{ord(hidden):04X}"},
            code=CODE,
            field=field,
        )
    return value


def validate_visible_text(value: str) -> None:
    """The same rule as a Django form validator."""
    hidden = first_hidden_character(value)
    if hidden is not None:
        raise ValidationError(
            _("Remove the invisible or control character (U+%(code_point)s) from this field."),
            code=CODE,
            params={"code_point": f"{ord(hidden):04X}"},
        )
