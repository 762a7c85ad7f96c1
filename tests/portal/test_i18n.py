"""French and English: complete catalogues, a language switch, and locale-aware dates and money."""

import gettext
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from backend.templatetags.formatting import money
from tests.factories import CampaignFactory

LOCALE = Path(settings.BASE_DIR) / "locale"
SOURCE_FOLDERS = ["backend", "ambassadors", "kits", "orders", "referrals", "locale"]


def read_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgid (plural joined), translations, flags."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict = {"flags": "", "msgstr": []}
        current = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] = line
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                if current.startswith("msgstr"):
                    entry["msgstr"].append(match.group(2))
                else:
                    entry[current] = match.group(2)
            elif line.startswith('"') and current:
                if current.startswith("msgstr"):
                    entry["msgstr"][-1] += line[1:-1]
                else:
                    entry[current] += line[1:-1]
        if entry.get("msgid"):
            entries.append(entry)
    return entries


def test_every_french_message_is_translated_and_compiled():
    # English is the source language: an empty English msgstr falls back to the msgid itself.
    language = "fr"
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    entries = read_po(po)

    assert entries
    untranslated = [e["msgid"] for e in entries if not all(e["msgstr"]) or "fuzzy" in e["flags"]]
    assert untranslated == []
    with (LOCALE / language / "LC_MESSAGES" / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]
    singular = [e for e in entries if "msgid_plural" not in e and "msgctxt" not in e]
    stale = [
        e["msgid"]
        for e in singular
        if compiled.get(e["msgid"].replace('\\"', '"').replace("\\n", "\n")) is None
    ]
    assert stale == [], "the .mo is older than the .po: run compilemessages"


@pytest.mark.skipif(not shutil.which("xgettext"), reason="needs GNU gettext (Debian package gettext)")
def test_the_french_catalogue_covers_every_string_marked_in_the_code(tmp_path, settings, monkeypatch):
    # given a copy of the code and its catalogues (makemessages writes beside the code it reads)
    root = Path(settings.BASE_DIR)
    for folder in SOURCE_FOLDERS:
        shutil.copytree(root / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__"))
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)

    # when the catalogue is refreshed from today's code
    call_command("makemessages", locale=["fr"], no_location=True, verbosity=0)

    # then nothing new waits for a translation
    entries = read_po(tmp_path / "locale" / "fr" / "LC_MESSAGES" / "django.po")
    missing = [e["msgid"] for e in entries if not all(e["msgstr"]) or "fuzzy" in e["flags"]]
    assert missing == [], "new strings to translate in locale/fr (makemessages, then compilemessages)"


def test_the_language_switch_changes_the_page_language(client, db):
    campaign = CampaignFactory()
    page_url = reverse("portal:apply", kwargs={"slug": campaign.slug})
    assert '<html lang="en">' in client.get(page_url).content.decode()

    switched = client.post(reverse("portal:language"), {"language": "fr", "next": page_url})

    assert switched.status_code == 302 and switched["Location"] == page_url
    html = client.get(page_url).content.decode()
    assert '<html lang="fr">' in html
    assert "Postuler pour organiser une soirée" in html
    assert 'name="language" value="fr" lang="fr" aria-current="true"' in html  # the menu marks it


def test_the_browser_language_is_honoured_on_a_first_visit(client, db):
    campaign = CampaignFactory()

    html = client.get(
        reverse("portal:apply", kwargs={"slug": campaign.slug}), HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9"
    ).content.decode()

    assert '<html lang="fr">' in html


@pytest.mark.parametrize(
    "language,amount,currency,expected",
    [
        ("en", Decimal("1234.5"), "EUR", "€1,234.50"),
        ("fr", Decimal("1234.5"), "EUR", "1\u00a0234,50\u00a0€"),
        ("en", Decimal("-12.3"), "GBP", "-£12.30"),
        ("fr", Decimal("0"), "USD", "0,00\u00a0$"),
        ("en", None, "EUR", ""),
    ],
)
def test_money_is_written_the_way_the_language_writes_it(language, amount, currency, expected):
    with translation.override(language):
        assert money(amount, currency) == expected


def test_money_in_a_regional_language_is_written_as_its_language_writes_it():
    with translation.override("fr-ca"):
        assert money(Decimal("1234.5"), "CAD") == "1\u00a0234,50\u00a0CA$"


def test_money_without_an_active_language_follows_the_settings_even_once_they_change(settings):
    # given no active language (a management command): the settings' separators, no grouping
    settings.NUMBER_GROUPING = 0
    with translation.override(None):
        assert money(Decimal("1234.5"), "EUR") == "€1234.50"
        # when the settings group by thousands, then the next amount does too
        settings.NUMBER_GROUPING = 3
        assert money(Decimal("1234.5"), "EUR") == "€1,234.50"


def test_a_signed_in_hosts_choice_of_language_is_kept_for_their_emails(client, db):
    from tests.factories import HostFactory

    host = HostFactory()
    client.force_login(host.user)

    client.post(reverse("portal:language"), {"language": "fr", "next": "/portal/"})
    client.post(reverse("portal:language"), {"language": "xx", "next": "/portal/"})

    host.user.refresh_from_db()
    assert host.user.language == "fr"
