"""French first: every portal page and every form error a host, a fan or a guest meets reads in
French on a French page.

Two detectors, both over the visible text of the page:
- an English sentence of our own catalogue shown as it is (a string marked for translation but
  rendered outside the language, or one whose translation is missing);
- an English sentence nobody marked: a run of text holding two or more words that only English
  uses ("the", "your", "of"…). The data of the pages is written in French so that only our own
  words can trip it.
"""

import html as html_lib
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ambassadors.models import PartyStatus
from kits.catalogue.services import set_kit_template
from kits.shipments import services as kits
from kits.stock.services import receive_stock
from tests.e2e.test_portal_in_browser import portal_routes_without_arguments
from tests.factories import CampaignFactory, GuestFactory, HostFactory, ItemFactory, PartyFactory

pytestmark = pytest.mark.django_db

# Words French never uses on its own: two of them in one run of text make it English.
ENGLISH_ONLY = {
    "the", "your", "you", "of", "and", "is", "are", "this", "with", "from", "has", "have", "not",
    "will", "be", "by", "was", "can", "been", "which", "when", "there", "here", "what", "who",
    "should", "would", "please", "yet", "any", "more", "only", "than", "that", "these", "those",
    "it", "its", "our", "we", "they", "their", "for", "to", "no", "at", "on", "an", "or", "as",
}  # fmt: skip
WORD = re.compile(r"[A-Za-zÀ-ÿ’']+")
ENGLISH_LANGUAGE_NAME = "English"  # the language menu names each language in its own tongue


def visible_runs(page_html: str) -> list[str]:
    """The texts a reader sees, one run per element, tags, scripts and styles removed."""
    body = re.sub(r"(?is)<(script|style|svg)\b.*?</\1>", " ", page_html)
    body = re.sub(r"(?is)<!--.*?-->", " ", body)
    # attributes a reader meets too: labels of icons and images, placeholders
    attributes = re.findall(r'(?:aria-label|alt|placeholder|title)="([^"]*)"', body)
    runs = re.split(r"<[^>]+>", body) + attributes
    return [" ".join(html_lib.unescape(run).split()) for run in runs if run.strip()]


def catalogue_sentences() -> set[str]:
    """English sentences of our French catalogue that are translated to something else."""
    po = (Path(settings.BASE_DIR) / "locale" / "fr" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    sentences = set()
    for block in po.split("\n\n"):
        msgid = "".join(re.findall(r'^(?:msgid )?"(.*)"$', block.split("msgstr")[0], re.M))
        msgstr = "".join(re.findall(r'^(?:msgstr )?"(.*)"$', block.split("msgstr", 1)[-1], re.M))
        if len(WORD.findall(msgid)) >= 3 and "%" not in msgid and "{" not in msgid and msgid != msgstr:
            sentences.add(msgid.replace('\\"', '"'))
    return sentences


def english_on(page_html: str, sentences: set[str]) -> list[str]:
    found = []
    for run in visible_runs(page_html):
        words = [word.lower() for word in WORD.findall(run)]
        if sum(word in ENGLISH_ONLY for word in words) >= 2:
            found.append(run)
        found.extend(sentence for sentence in sentences if sentence in run)
    return found


@pytest.fixture
def programme(db):
    """A French campaign with a host whose pages all have content: parties in every state with
    guests, a shipped kit."""
    campaign = CampaignFactory(
        name="Automne-hiver 2026",
        description="Recevez la collection chez vous et invitez vos amies.",
        collection_name="Collection automne-hiver",
        eligible_countries=["FR"],
        terms_url="https://marque.example.com/reglement",
        privacy_url="https://marque.example.com/confidentialite",
    )
    host = HostFactory(application__campaign=campaign, first_name="Clara", status="active")
    user = host.user
    user.set_password("un-Long-secret-42")
    user.save()
    now = timezone.now()
    parties = {
        "planned": PartyFactory(
            host=host, campaign=campaign, title="Apéro tricot", starts_at=now + timedelta(days=5)
        ),
        "started": PartyFactory(
            host=host, campaign=campaign, title="Soirée laine", starts_at=now - timedelta(hours=3)
        ),
    }
    for status in (PartyStatus.HELD, PartyStatus.CLOSED, PartyStatus.CANCELLED):
        parties[status] = PartyFactory(
            host=host, campaign=campaign, title=f"Soirée {status}", status=status,
            starts_at=now - timedelta(days=40),
        )  # fmt: skip
    for party in parties.values():
        GuestFactory(party=party, first_name="Inès", last_name="Moreau")
    coat = ItemFactory(sku="AW26-MANTEAU-XL", name="Manteau en laine bouillie")
    set_kit_template(campaign=campaign, lines=[(coat, 2)], by=None)
    receive_stock(item=coat, quantity=2, by=None)
    shipment = kits.mark_packed(shipment=kits.allocate_kit(host=host, by=None), by=None)
    shipment = kits.mark_shipped(shipment=shipment, carrier="Colissimo", tracking_number="6A1234567", by=None)
    return {"campaign": campaign, "host": host, "parties": parties, "shipment": shipment}


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def french_client(user=None) -> Client:
    client = Client()
    client.cookies["django_language"] = "fr"
    if user is not None:
        client.force_login(user)
    return client


def check_french(pages: dict[str, str]) -> None:
    sentences = catalogue_sentences()
    english = {name: found for name, html in pages.items() if (found := english_on(html, sentences))}
    assert english == {}, "English on French pages"


def test_every_public_page_is_french(programme):
    client = french_client()
    campaign, party = programme["campaign"], programme["parties"]["planned"]
    paths = {
        "campaign": reverse("portal:apply", kwargs={"slug": campaign.slug}),
        "application thanks": reverse("portal:apply-thanks", kwargs={"slug": campaign.slug}),
        "sign-in": reverse("portal:signin"),
        "password reset": reverse("portal:password-reset"),
        "password reset sent": reverse("portal:password-reset-sent"),
        "guest registration": reverse("party_public:register", kwargs={"token": party.public_token}),
        "guest's pieces, asking for her link": reverse(
            "feedback_public:pieces", kwargs={"token": party.public_token}
        ),
    }
    pages = {}
    for name, path in paths.items():
        response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        assert '<html lang="fr">' in response.content.decode(), name
        pages[name] = response.content.decode()
    check_french(pages)


def test_every_host_page_is_french(programme):
    client = french_client(programme["host"].user)
    paths = {path: path for path in portal_routes_without_arguments()}
    for state, party in programme["parties"].items():
        for name in ("parties:detail", "parties:edit", "parties:held", "parties:qr"):
            paths[f"{name} ({state})"] = reverse(name, kwargs={"party_id": party.pk})
    paths["kit"] = reverse("kits:my_kit_detail", kwargs={"number": programme["shipment"].number})
    pages = {}
    for name, path in paths.items():
        response = client.get(path)
        assert response.status_code == 200, (name, path, response.status_code)
        pages[name] = response.content.decode()
    assert len(pages) >= 25
    check_french(pages)


def test_every_form_error_is_french(programme):
    host, campaign = programme["host"], programme["campaign"]
    planned, started = programme["parties"]["planned"], programme["parties"]["started"]
    public, host_client = french_client(), french_client(host.user)
    listed = planned.guests.get()
    valid_party = {
        "title": "Apéro laine",
        "starts_at": local(timezone.now() + timedelta(days=10)),
        "city": "Lyon",
        "postal_code": "69003",
        "expected_guests": "12",
    }
    sent = {
        "application, empty": public.post(reverse("portal:apply", kwargs={"slug": campaign.slug}), {}),
        "application, wrong values": public.post(
            reverse("portal:apply", kwargs={"slug": campaign.slug}),
            {
                "first_name": "Zoé\u202e",
                "last_name": "Roux",
                "email": "pas-une-adresse",
                "phone": "12",
                "address_line1": "3 rue des Lilas",
                "postal_code": "ABCDE",
                "city": "Lyon",
                "country": "FR",
                "expected_guests": "0",
                "follower_count": "-1",
                "social_network": "instagram",
            },
        ),  # fmt: skip
        "sign-in, wrong password": public.post(
            reverse("portal:signin"), {"username": host.user.email, "password": "faux"}
        ),
        "guest registration, empty": public.post(
            reverse("party_public:register", kwargs={"token": planned.public_token}), {}
        ),
        "guest registration, wrong values": public.post(
            reverse("party_public:register", kwargs={"token": planned.public_token}),
            {"first_name": "Inès", "email": "pas-une-adresse", "phone": "12", "accept_terms": ""},
        ),
        "party, empty": host_client.post(reverse("parties:create"), {}),
        "party, outside the window": host_client.post(
            reverse("parties:create"),
            {
                "title": "Trop tard",
                "starts_at": "2099-01-01T20:00",
                "city": "Lyon 3e",
                "postal_code": "ABCDE",
                "expected_guests": "0",
            },
        ),  # fmt: skip
        # each of these passes the form and is refused by the rules behind it, one rule at a time
        **{
            f"party, {rule}": host_client.post(reverse("parties:create"), {**valid_party, **change})
            for rule, change in {
                "street in the city": {"city": "12 rue des Lilas"},
                "postal code of another country": {"postal_code": "1000"},
                "outside the window": {"starts_at": local(campaign.party_window_end + timedelta(days=3))},
            }.items()
        },
        "photo, not an image": host_client.post(
            reverse("parties:held", kwargs={"party_id": started.pk}),
            {"actual_guests": "4", "photos": [SimpleUploadedFile("x.jpg", b"not a photo", "image/jpeg")]},
        ),
        "guest, already listed": host_client.post(
            reverse("parties:guest-add", kwargs={"party_id": planned.pk}),
            {"first_name": "Inès", "email": listed.email, "guest_agreed": "on"},
        ),
        "guest, empty": host_client.post(reverse("parties:guest-add", kwargs={"party_id": planned.pk}), {}),
        "guest, no consent": host_client.post(
            reverse("parties:guest-add", kwargs={"party_id": planned.pk}),
            {"first_name": "Inès", "email": "ines@example.com"},
        ),
        "party report, wrong values": host_client.post(
            reverse("parties:held", kwargs={"party_id": started.pk}),
            {"actual_guests": "-3", "social_post_urls": "pas un lien"},
        ),
        "profile, wrong values": host_client.post(
            reverse("portal:profile"),
            {"phone": "12", "postal_code": "ABCDE", "city": "", "address_line1": ""},
        ),
        "kit problem, empty": host_client.post(
            reverse("kits:report_problem", kwargs={"number": programme["shipment"].number}), {}
        ),
    }
    pages = {}
    for name, response in sent.items():
        assert response.status_code in {400, 409, 200}, (name, response.status_code)
        html = response.content.decode()
        assert "errorlist" in html or "form-errors" in html, name  # an error is shown
        pages[name] = html
    check_french(pages)


def test_the_detector_finds_english(programme):
    # the check itself can fail: the same pages in English are caught
    client = Client()
    client.force_login(programme["host"].user)
    html = client.get(reverse("parties:detail", kwargs={"party_id": programme["parties"]["planned"].pk}))
    assert english_on(html.content.decode(), catalogue_sentences())
    assert english_on("<p>Give the city only (no street address or number).</p>", set())
    assert not english_on("<p>Indiquez la ville seulement (ni rue ni numéro).</p>", set())


def test_the_feedback_pages_and_their_errors_are_french(programme):
    # given a guest who opened her link and a host with a shipped kit
    from feedback.ratings.guests import guest_link_token

    host, party = programme["host"], programme["parties"]["planned"]
    guest = party.guests.get()
    line = programme["shipment"].lines.get()
    host_client, guest_client = french_client(host.user), french_client()
    guest_client.get(
        reverse("feedback_public:guest-link", args=[party.public_token, guest_link_token(guest)])
    )
    pieces = reverse("feedback_public:pieces", kwargs={"token": party.public_token})
    wrong = {f"line-{line.pk}-comment": "x" * 501, f"line-{line.pk}-quality": "9"}

    pages = {
        "host's opinions": host_client.get(reverse("feedback:mine")),
        "guest's pieces": guest_client.get(pieces),
        "host's opinion, wrong values": host_client.post(reverse("feedback:rate", args=[line.pk]), wrong),
        "guest's opinion, wrong values": guest_client.post(f"{pieces}{line.pk}/", wrong),
        "guest's link, wrong address": french_client().post(pieces, {"email": "pas-une-adresse"}),
    }

    html = {name: response.content.decode() for name, response in pages.items()}
    assert {name: response.status_code for name, response in pages.items()} == {
        "host's opinions": 200, "guest's pieces": 200, "host's opinion, wrong values": 400,
        "guest's opinion, wrong values": 400, "guest's link, wrong address": 400,
    }  # fmt: skip
    assert "Manteau en laine bouillie" in html["guest's pieces"]
    check_french(html)
