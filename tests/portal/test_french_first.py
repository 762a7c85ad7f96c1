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
import importlib
import inspect
import pkgutil
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ambassadors.models import Application, PartyPhoto, PartyStatus
from ambassadors.portal.tasks import send_password_reset_emails
from ambassadors.recruitment.services import reject_application
from backend.mail import send_email
from backend.models import User
from feedback.models import AnswerNotice, BrandAnswer
from kits.catalogue.services import set_kit_template
from kits.shipments import services as kits
from kits.stock.services import receive_stock
from notifications.models import Kind, SentNotification
from notifications.tokens import OptOutRequest, opt_out_url
from recognition.leaderboard.services import set_leaderboard_consent, set_public_leaderboard
from recognition.milestones.services import record_milestones
from recognition.models import Milestone
from recognition.notes.services import write_brand_note
from referrals.codes.services import issue_host_code, issue_party_code
from referrals.models import Click
from referrals.payouts.services import mark_payout_paid, run_payouts
from referrals.rewards.services import adjust_rewards, approve_due_entries, set_reward_plan
from tests.e2e.test_portal_in_browser import portal_routes_without_arguments
from tests.factories import (
    ApplicationFactory,
    CampaignFactory,
    GuestFactory,
    HostFactory,
    ItemFactory,
    PartyFactory,
)
from tests.parties.conftest import image_upload
from tests.referrals.test_rewards import _buy
from wall.services import approve_photo, share_photo
from webhooks.models import Endpoint

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
    # recognised: milestones on the dashboard, a note with a gift, on the campaign's public list
    record_milestones()
    write_brand_note(host=host, body="Merci pour vos belles soirées !", gift_amount=Decimal("15.00"), by=None)
    set_leaderboard_consent(host=host, consents=True)
    set_public_leaderboard(campaign=campaign, on=True)
    return {"campaign": campaign, "host": host, "parties": parties, "shipment": shipment}


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


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


def held_with_photo(programme):
    """The held party with a photo its host may share (she gave her photo-rights consent)."""
    host, party = programme["host"], programme["parties"][PartyStatus.HELD]
    Application.objects.filter(pk=host.application_id).update(photo_consent_at=timezone.now())
    if not party.photos.exists():
        PartyPhoto.objects.create(
            party=party, image=image_upload(), content_type="image/png", size_bytes=100, width=64, height=48
        )
    return party


def photo_wall_page(programme) -> str:
    """The campaign's wall with one approved photo, read in French."""
    photo = held_with_photo(programme).photos.get()
    approve_photo(wall_photo=share_photo(photo=photo, by=None, everyone_agreed=True), by=None)
    response = french_client().get(reverse("wall:page", kwargs={"slug": programme["campaign"].slug}))
    assert response.status_code == 200 and "<img" in response.content.decode()
    return response.content.decode()


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
        "top hosts": reverse("recognition:leaderboard", kwargs={"slug": campaign.slug}),
        "stop e-mails (guest)": path_of(
            opt_out_url(OptOutRequest(kind="guest_reminder", guest_id=party.guests.get().pk))
        ),
        "stop e-mails (host)": path_of(
            opt_out_url(OptOutRequest(kind="host_earned", user_id=programme["host"].user_id))
        ),
        "stop e-mails, wrong link": "/notifications/stop/nope/",
        "photo wall, empty": reverse("wall:page", kwargs={"slug": campaign.slug}),
        "guest's pieces, asking for her link": reverse(
            "feedback_public:pieces", kwargs={"token": party.public_token}
        ),
    }
    pages = {"photo wall": photo_wall_page(programme)}
    for name, path in paths.items():
        response = client.get(path)
        assert response.status_code == (404 if "wrong" in name else 200), (name, response.status_code)
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
    paths["wall photos"] = reverse(
        "wall_portal:party-photos", kwargs={"party_id": held_with_photo(programme).pk}
    )
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


# --- pages with money, dates, codes and kits; the e-mails ----------------------------------------

ENGLISH_MONTHS = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\b\.?"
)
ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
NUMERIC_DATE = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b")  # 12/04/2026: the 12th of April or December 4?
SYMBOL_FIRST = re.compile(r"[€£$]\s?\d")  # "€642.80": how English writes money
COLON_WITHOUT_SPACE = re.compile(r"[A-Za-zÀ-ÿ]:(?=\s|$)")  # French puts a space before a colon


def badly_written_dates_and_money(page_html: str, language: str) -> list[str]:
    """Dates and amounts not written the way the page's language writes them."""
    found = []
    for run in visible_runs(page_html):
        found += ISO_TIMESTAMP.findall(run) + NUMERIC_DATE.findall(run)
        if language == "fr":
            found += SYMBOL_FIRST.findall(run) + ENGLISH_MONTHS.findall(run)
            if COLON_WITHOUT_SPACE.search(run):
                found.append(run)
    return found


@pytest.fixture
def earning_programme(programme, settings):
    """The programme once the host earns: a reward plan, her code and her parties' codes with sales
    and clicks, guests who agreed to be contacted, rewards approved and paid, her kit back."""

    settings.STRIPE_SECRET_KEY = ""  # paid by bank transfer
    host, parties = programme["host"], programme["parties"]
    set_reward_plan(
        campaign=programme["campaign"],
        by=None,
        party_brackets=[{"up_to": "500", "rate": "0.10"}, {"up_to": None, "rate": "0.125"}],
        host_code_rate=Decimal("0.05"),
        min_party_buyers=2,
        min_party_sales=Decimal("150"),
        payout_minimum=Decimal("20"),
    )
    _buy(issue_host_code(host=host).code, "120", email="acheteuse@example.com")
    # the party of three hours ago sells through its code, then its host marks it held
    party = parties["started"]
    code = issue_party_code(party=party)
    _buy(code.code, "342.80", email="amie@example.com")
    _buy(code.code, "300", email=party.guests.get().email)
    Click.objects.create(code=code, at=timezone.now(), token="clic", visitor_hash="v")
    GuestFactory(party=party, first_name="Maëlle", marketing_consent_at=timezone.now())
    party.status, party.held_at, party.actual_guests = PartyStatus.HELD, timezone.now(), 9
    party.save(update_fields=["status", "held_at", "actual_guests"])
    approve_due_entries(at=timezone.now() + timedelta(days=31))
    run_payouts()
    mark_payout_paid(payout=host.payouts.get(status="pending"), by=None)
    adjust_rewards(host=host, amount=Decimal("25.00"), reason="photos", by=None)
    return programme


def test_every_page_with_money_dates_codes_and_kits_is_french(earning_programme):
    host, held = earning_programme["host"], earning_programme["parties"]["started"]
    shipment = earning_programme["shipment"]
    client = french_client(host.user)
    kit_url = reverse("kits:my_kit_detail", kwargs={"number": shipment.number})
    pages = {}
    for name, path in {
        "dashboard": reverse("portal:dashboard"),
        "earnings": reverse("referrals:earnings"),
        "payouts": reverse("referrals:payouts"),
        "share": reverse("referrals:share"),
        "held party with its figures": reverse("parties:detail", kwargs={"party_id": held.pk}),
        "kit on its way": kit_url,
    }.items():
        response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        pages[name] = response.content.decode()
    # the kit received (its message), then back at the warehouse
    received = client.post(reverse("kits:confirm_received", kwargs={"number": shipment.number}), follow=True)
    pages["kit received"] = received.content.decode()
    kits.receive_return(
        shipment=shipment, lines=[kits.ReturnedLine(sku="AW26-MANTEAU-XL", good=1, damaged=1)], by=None
    )
    pages["kit returned"] = client.get(kit_url).content.decode()
    # the figures are there to be read: sales in euros, the party's progress, the guests to contact
    assert "642,80\u00a0€" in pages["held party with its figures"]
    assert 'id="not-ordered-title"' in pages["held party with its figures"]
    assert "Maëlle" in pages["held party with its figures"]
    assert "Merci" in pages["kit received"]
    check_french(pages)
    assert {
        name: found for name, html in pages.items() if (found := badly_written_dates_and_money(html, "fr"))
    } == {}


def test_dates_and_money_are_written_for_the_language(earning_programme):
    """French: "4 déc. 2026" style dates, "642,80 €"; English: never 12/04/2026 nor a bare timestamp."""
    host, held = earning_programme["host"], earning_programme["parties"]["started"]
    paths = [
        reverse("portal:dashboard"),
        reverse("referrals:earnings"),
        reverse("referrals:payouts"),
        reverse("parties:list"),
        reverse("parties:detail", kwargs={"party_id": held.pk}),
        reverse("kits:my_kit"),
    ]
    for language in ("fr", "en"):
        client = Client()
        client.cookies["django_language"] = language
        client.force_login(host.user)
        found = {
            path: found
            for path in paths
            if (found := badly_written_dates_and_money(client.get(path).content.decode(), language))
        }
        assert found == {}, language
    english = Client()
    english.cookies["django_language"] = "en"
    english.force_login(host.user)
    assert "€642.80" in english.get(reverse("parties:detail", kwargs={"party_id": held.pk})).content.decode()


def email_builders() -> dict[str, object]:
    """Every e-mail builder of the project's apps (module-level functions marked by `@email_builder`),
    wherever they live: every module of every app of ours is read."""
    builders = {}
    ours = [
        config for config in apps.get_app_configs() if Path(config.path).parent == Path(settings.BASE_DIR)
    ]
    for config in ours:
        package = importlib.import_module(config.name)
        for module_info in pkgutil.walk_packages(package.__path__, f"{config.name}."):
            if re.search(r"\.(migrations|management)(\.|$)", module_info.name):
                continue
            module = importlib.import_module(module_info.name)
            for name, function in inspect.getmembers(module, inspect.isfunction):
                if getattr(function, "builds_email", False) and function.__module__ == module.__name__:
                    builders[f"{module.__name__}.{name}"] = function
    return builders


def email_templates() -> set[str]:
    """The name of every e-mail template the project ships (`emails/<name>.txt`)."""
    names = set()
    for folder in Path(settings.BASE_DIR).glob("*/templates/emails"):
        names |= {path.name.removesuffix(".txt") for path in folder.glob("*.txt")}
    return {name for name in names if not name.endswith("_subject")}


def test_every_email_reads_in_french(earning_programme, mailoutbox):
    """Each e-mail, built as its task builds it, for French recipients with French data (a builder
    that writes several e-mails, such as the notifications', is given one object for each)."""

    host, parties = earning_programme["host"], earning_programme["parties"]
    planned, held = parties["planned"], parties["started"]
    applicant = ApplicationFactory(campaign=earning_programme["campaign"], first_name="Zoé", language="fr")
    rejected = ApplicationFactory(campaign=earning_programme["campaign"], first_name="Léa", language="fr")
    reject_application(application=rejected, by=None, reason="La campagne est complète dans votre ville.")
    host.application.language = "fr"
    host.application.save(update_fields=["language"])
    host.user.language = "fr"
    host.user.save(update_fields=["language"])
    earning_programme["campaign"].brand_name = "Maison Automne"  # every e-mail wears its campaign's brand
    earning_programme["campaign"].save(update_fields=["brand_name"])
    guest = GuestFactory(party=planned, first_name="Inès", language="fr")
    shipment = kits.confirm_delivery(shipment=earning_programme["shipment"], by=None)
    shipment.return_due_on = timezone.localdate() + timedelta(days=2)  # the campaign set no date
    shipment.save(update_fields=["return_due_on"])
    guests_of = {
        Kind.GUEST_INVITATION: guest,
        Kind.GUEST_REMINDER: guest,
        Kind.GUEST_THANKS: GuestFactory(party=held, first_name="Agathe", language="fr"),
        Kind.GUEST_PARTY_CANCELLED: GuestFactory(
            party=parties[PartyStatus.CANCELLED], first_name="Chloé", language="fr"
        ),
    }
    about_of = {
        Kind.HOST_REPORT_REMINDER: f"party:{planned.pk}",
        Kind.HOST_KIT_RETURN: f"shipment:{shipment.pk}",
        Kind.HOST_EARNED: f"party:{held.pk}",
        Kind.HOST_PAYOUT_SENT: f"payout:{host.payouts.get(status='paid').pk}",
    }
    notifications = [
        SentNotification.objects.get_or_create(kind=kind, guest=someone, about=f"party:{someone.party_id}")[
            0
        ].pk
        for kind, someone in guests_of.items()
    ] + [
        SentNotification.objects.get_or_create(kind=kind, host=host, about=about)[0].pk
        for kind, about in about_of.items()
    ]
    milestone = Milestone.objects.filter(host=host).first()
    assert milestone is not None
    answer = BrandAnswer.objects.create(
        campaign=earning_programme["campaign"],
        item=shipment.lines.get().item,
        text_fr="Le manteau existera en camel la saison prochaine.",
        text_en="The coat comes in camel next season.",
    )
    notice = AnswerNotice.objects.create(answer=answer, host=host)
    french_admin = User.objects.create_superuser(
        email="admin@maison.example.com", password=None, language="fr"
    )
    endpoint = Endpoint.objects.create(
        url="https://crm.example.com/soiree",
        events=["payout.paid"],
        secret="whsec_x",
        consecutive_failures=20,
    )
    endpoint.failing_since = timezone.now() - timedelta(days=1)
    endpoint.save(update_fields=["failing_since"])
    objects_of = {
        "ambassadors.recruitment.emails.application_received_email": [applicant.pk],
        "ambassadors.recruitment.emails.application_rejected_email": [rejected.pk],
        "ambassadors.recruitment.emails.host_invitation_email": [host.pk],
        "ambassadors.parties.emails.guest_confirmation_email": [guest.pk],
        "notifications.emails.notification_email": notifications,
        "recognition.milestones.emails.milestone_email": [milestone.pk],
        "feedback.answers.services.answer_notice_email": [notice.pk],
        "feedback.ratings.guests.guest_link_email": [guest.pk],
        "webhooks.emails.endpoint_disabled_email": [f"{endpoint.pk}:{french_admin.pk}"],
    }
    # Written to staff about no campaign: in Soirée's own dress.
    staff_emails = {"webhooks.emails.endpoint_disabled_email"}
    builders = email_builders()
    assert set(builders) == set(objects_of), "a new e-mail: give it French test data here"
    mailoutbox.clear()
    used = set()
    for path, build in builders.items():
        for object_id in objects_of[path]:
            email = build(object_id)
            assert email is not None and email.language == "fr", (path, object_id)
            if path not in staff_emails:
                assert email.brand is not None and email.brand.name == "Maison Automne", (path, "brand")
            used.add(email.template)
            send_email(email)
    # the password reset is sent by its task, in the account's language
    send_password_reset_emails.call(user_ids=[host.user.pk])
    used.add("password_reset")
    assert used == email_templates(), "every e-mail template is rendered here"
    sentences = catalogue_sentences()
    found = {}
    for message in mailoutbox:
        text = f"<p>{html_lib.escape(message.subject)}</p>" + "".join(
            f"<p>{html_lib.escape(line)}</p>" for line in message.body.splitlines()
        )
        if english := english_on(text, sentences) + badly_written_dates_and_money(text, "fr"):
            found[message.subject] = english
    assert len(mailoutbox) == sum(len(objects) for objects in objects_of.values()) + 1
    assert found == {}, "English in French e-mails"


def test_every_message_after_an_action_is_french(earning_programme, settings):
    """The messages shown after a host's action, refused or done (kit, payouts, parties)."""
    host, parties = earning_programme["host"], earning_programme["parties"]
    shipment = earning_programme["shipment"]
    client = french_client(host.user)
    closed = parties[PartyStatus.CLOSED]
    confirm = reverse("kits:confirm_received", kwargs={"number": shipment.number})
    sent = {
        "kit received": client.post(confirm, follow=True),
        "kit received twice": client.post(confirm, follow=True),
        "payout method chosen": client.post(
            reverse("referrals:payouts"), {"action": "method", "method": "store_credit"}, follow=True
        ),
        "payout method unknown": client.post(
            reverse("referrals:payouts"), {"action": "method", "method": "bitcoin"}, follow=True
        ),
        "payout action unknown": client.post(reverse("referrals:payouts"), {"action": "?"}, follow=True),
        "Stripe not offered": client.post(reverse("referrals:payouts"), {"action": "connect"}, follow=True),
        "cancel a closed party": client.post(
            reverse("parties:cancel", kwargs={"party_id": closed.pk}), follow=True
        ),
        "remove a guest of a closed party": client.post(
            reverse(
                "parties:guest-remove", kwargs={"party_id": closed.pk, "guest_id": closed.guests.get().pk}
            ),
            follow=True,
        ),
    }
    pages = {}
    for name, response in sent.items():
        assert response.status_code == 200, (name, response.status_code)
        html = response.content.decode()
        assert 'class="messages' in html, name  # a message is shown
        pages[name] = html
    check_french(pages)


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


def test_the_staff_insights_pages_are_french(earning_programme, marketing_user):
    """Marketing's insights pages (staff, but read in French first like every page)."""
    client = french_client(marketing_user)
    campaign = earning_programme["campaign"]
    pages = {}
    for name, path in {
        "campaigns": reverse("insights:campaigns"),
        "a campaign": reverse("insights:campaign", kwargs={"campaign_id": campaign.pk}),
    }.items():
        response = client.get(path)
        assert response.status_code == 200, (name, response.status_code)
        pages[name] = response.content.decode()
    assert "762,80\u00a0€" in pages["a campaign"]  # its net sales, written the French way
    check_french(pages)
    assert {
        name: found for name, html in pages.items() if (found := badly_written_dates_and_money(html, "fr"))
    } == {}
