"""Build the La Redoute-like demo: staff logins, an autumn-winter campaign, 200 applications, 10 hosts.

Idempotent: running it again adds only what is missing and never changes what exists. Everything
goes through the services, so scores, risk flags and histories are the real thing. Each app adds
its demo data with one line in `handle()` (e.g. `summary["kits"] = seed_kits(...)`).
"""

import random
import unicodedata
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from ambassadors.hosts.services import transition_host
from ambassadors.models import Application, Campaign, CampaignStatus, Host, HostStatus
from ambassadors.parties.demo import seed_parties
from ambassadors.recruitment import selection, services
from ambassadors.recruitment.branding import set_campaign_branding
from backend import roles
from backend.models import User
from feedback.demo import seed_feedback
from kits.demo import seed_kits
from recognition.demo import seed_recognition
from referrals.rewards.demo import seed_rewards
from wall.demo import seed_wall

CAMPAIGN_SLUG = "automne-hiver-2026"
DEMO_MEDIA = Path(__file__).resolve().parents[2] / "demo_media"
HOST_COUNT = 10
APPLICATION_COUNT = 200
DEMO_HOST_EMAIL = "host@soiree.localhost"


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    password: str


STAFF = [
    DemoLogin("admin", "admin@soiree.localhost", "soiree-admin-demo"),
    DemoLogin("marketing", "marketing@soiree.localhost", "soiree-marketing-demo"),
    DemoLogin("logistics", "logistics@soiree.localhost", "soiree-logistics-demo"),
]
HOST_LOGIN = DemoLogin("host", DEMO_HOST_EMAIL, "soiree-host-demo")

FIRST_NAMES = [
    "Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Sarah", "Jade", "Louise", "Zoé",
    "Juliette", "Clara", "Lucie", "Anaïs", "Margaux", "Pauline", "Mathilde", "Élodie", "Nathalie", "Sophie",
    "Isabelle", "Céline", "Aurélie", "Émilie", "Hélène", "Océane", "Maëlys", "Agathe", "Romane", "Noémie",
    "Thomas", "Nicolas", "Julien", "Maxime", "Hugo", "Lucas", "Antoine", "Théo", "Mehdi", "Karim",
]  # fmt: skip
LAST_NAMES = [
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
    "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand",
    "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin",
    "N'Diaye", "Benali", "Nguyen", "Le Gall", "Da Silva",
]  # fmt: skip
STREETS = [
    "rue de la République", "avenue Jean Jaurès", "rue Victor Hugo", "boulevard Gambetta", "rue Pasteur",
    "place de la Mairie", "rue du Général de Gaulle", "allée des Tilleuls", "rue des Écoles", "avenue Foch",
    "rue Nationale", "chemin des Vignes", "impasse des Lilas", "rue Émile Zola", "quai de la Loire",
    "rue Saint-Michel", "boulevard Voltaire", "rue de la Gare", "rue des Roses", "avenue de la Liberté",
]  # fmt: skip
# (city, postal code, country) — spread over France, with a few in Belgium.
CITIES = [
    ("Paris", "75011", "FR"), ("Paris", "75015", "FR"), ("Paris", "75018", "FR"), ("Boulogne-Billancourt", "92100", "FR"),
    ("Versailles", "78000", "FR"), ("Lille", "59000", "FR"), ("Roubaix", "59100", "FR"), ("Lyon", "69003", "FR"),
    ("Villeurbanne", "69100", "FR"), ("Marseille", "13006", "FR"), ("Aix-en-Provence", "13100", "FR"),
    ("Toulouse", "31000", "FR"), ("Bordeaux", "33000", "FR"), ("Nantes", "44000", "FR"), ("Rennes", "35000", "FR"),
    ("Strasbourg", "67000", "FR"), ("Nice", "06000", "FR"), ("Montpellier", "34000", "FR"), ("Grenoble", "38000", "FR"),
    ("Dijon", "21000", "FR"), ("Tours", "37000", "FR"), ("Reims", "51100", "FR"), ("Brest", "29200", "FR"),
    ("Bruxelles", "1000", "BE"), ("Liège", "4000", "BE"),
]  # fmt: skip
MOTIVATIONS = [
    "J'adore la marque depuis des années et mes amies me demandent toujours où j'achète mes vêtements.",
    "Je organise souvent des soirées entre copines, une soirée mode serait parfaite !",
    "Fan de la collection automne-hiver, j'ai une grande maison et beaucoup d'amis.",
    "Je partage mes tenues sur Instagram chaque semaine, mes abonnées adorent.",
    "Ma mère faisait des réunions Tupperware, je veux faire pareil avec la mode.",
    "",
]
PARTY_PERIODS = ["Fin octobre", "Novembre", "Début décembre", "Avant Noël", "Un samedi soir", ""]
NETWORKS = [
    "instagram",
    "instagram",
    "instagram",
    "facebook",
    "facebook",
    "tiktok",
    "tiktok",
    "google",
    "other",
]
EMAIL_DOMAINS = ["example.com", "example.fr", "example.org", "example.net"]


class Command(BaseCommand):
    help = "Load the demo programme (idempotent) and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Run even with DEBUG off (the demo logins have published passwords).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["allow_without_debug"]:
            raise CommandError("seed_demo creates logins with published passwords: run it with DEBUG=1.")
        # The demo's e-mails (acknowledgements, invitations) would only flood the console.
        with (
            override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
            transaction.atomic(),
        ):
            staff = seed_staff()
            marketing = staff["marketing"]
            campaign = seed_campaign(by=marketing)
            applications = seed_applications(campaign=campaign, count=APPLICATION_COUNT)
            hosts = seed_hosts(campaign=campaign, count=HOST_COUNT, by=marketing)
            summary: dict[str, Any] = {"applications": len(applications), "hosts": len(hosts)}
            # Other apps add their demo data below, one line each, e.g.:
            # summary["kits"] = seed_kits(campaign=campaign, hosts=hosts, by=marketing)
            summary["kits"] = seed_kits(campaign=campaign, hosts=hosts, by=staff["logistics"])
            summary["parties"] = seed_parties(campaign=campaign, hosts=hosts, by=marketing)
            summary["rewards"] = seed_rewards(campaign=campaign, hosts=hosts, by=marketing)
            summary["recognition"] = seed_recognition(campaign=campaign, hosts=hosts, by=marketing)
            summary["photo wall"] = seed_wall(campaign=campaign, hosts=hosts, by=marketing)
            summary["feedback"] = seed_feedback(campaign=campaign, hosts=hosts, by=marketing)
        self.print_summary(campaign, summary)

    def print_summary(self, campaign: Campaign, summary: dict[str, Any]) -> None:
        self.stdout.write(self.style.SUCCESS(f"Demo ready: campaign “{campaign.name}” ({campaign.slug})."))
        for name, value in summary.items():
            self.stdout.write(f"  {name}: {value}")
        self.stdout.write(f"  public application form: {settings.SITE_URL}/c/{campaign.slug}/")
        self.stdout.write(f"  photo wall: {settings.SITE_URL}/c/{campaign.slug}/wall/")
        self.stdout.write("Demo logins (e-mail / password):")
        for login in [*STAFF, HOST_LOGIN]:
            self.stdout.write(f"  {login.role:<10} {login.email:<30} {login.password}")


def seed_staff() -> dict[str, User]:
    """Staff with their role; admin@ is a superuser. Passwords are reset to the published ones."""
    users: dict[str, User] = {}
    for login in STAFF:
        user, _ = User.objects.get_or_create(
            email=login.email, defaults={"first_name": login.role.capitalize(), "last_name": "Demo"}
        )
        user.is_staff = True
        user.is_superuser = login.role == roles.ADMIN
        user.set_password(login.password)
        user.save()
        user.groups.add(Group.objects.get(name=login.role))
        users[login.role] = user
    return users


def seed_campaign(*, by: User | None) -> Campaign:
    """The autumn-winter campaign, recruiting (the public form works) while its first hosts hold parties."""
    existing = Campaign.objects.filter(slug=CAMPAIGN_SLUG).first()
    if existing is not None:
        return existing
    now = timezone.now()
    campaign = services.create_campaign(
        by=by,
        # Each text in French and English: pages and e-mails show the reader's language.
        name_fr="Automne-hiver 2026",
        name_en="Autumn-winter 2026",
        slug=CAMPAIGN_SLUG,
        description_fr=(
            "Recevez chez vous une centaine de pièces de la collection automne-hiver, invitez vos amies "
            "à essayer, et gagnez des récompenses sur chaque commande passée avec votre code."
        ),
        description_en=(
            "Receive about a hundred pieces of the autumn-winter collection at home, invite your friends "
            "to try them on, and earn rewards on every order placed with your code."
        ),
        collection_name_fr="Collection automne-hiver 2026",
        collection_name_en="Autumn-winter 2026 collection",
        shop_url="https://shop.soiree.localhost/automne-hiver",
        terms_url="https://shop.soiree.localhost/conditions-programme-hotes",
        privacy_url="https://shop.soiree.localhost/confidentialite",
        applications_open_at=now - timedelta(days=60),
        applications_close_at=now + timedelta(days=30),
        host_slots=25,
        eligible_countries=["FR", "BE"],
        party_window_start=now - timedelta(days=60),
        party_window_end=now + timedelta(days=120),
        attribution_window_days=30,
        currency="EUR",
        kit_return_due_on=(now + timedelta(days=150)).date(),
    )
    seed_branding(campaign=campaign)
    return services.transition_campaign(
        campaign=campaign, to_status=CampaignStatus.RECRUITING, by=by, reason="demo"
    )


def seed_branding(*, campaign: Campaign) -> Campaign:
    """Dress the campaign as "Maison Automne" with the images drawn for the demo (backend/demo_media)."""
    images = {
        field: SimpleUploadedFile(name, (DEMO_MEDIA / name).read_bytes())
        for field, name in (("brand_logo", "logo.png"), ("brand_cover_image", "cover.jpg"))
    }
    return set_campaign_branding(
        campaign=campaign,
        brand_name="Maison Automne",
        brand_primary_colour="#7a1f3d",  # burgundy
        brand_accent_colour="#c9a227",  # mustard
        **images,
    )


def _ascii_slug(text: str) -> str:
    """ "Léa.Le Gall" → "lea.legall": usable in an e-mail address and a social handle."""
    decomposed = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(char for char in decomposed.lower() if char.isalnum() or char == ".")


def _phone(rng: random.Random, country: str) -> str:
    if country == "BE":
        return f"+32 4{rng.choice('789')}{rng.randint(0, 9)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    prefix = rng.choice(["06", "06", "06", "07"])
    # Metropolitan mobile ranges only (06 39, 06 9x and 07 0x–4x are overseas or unallocated).
    first_pair = rng.choice([n for n in range(10, 90) if n != 39]) if prefix == "06" else rng.randint(50, 89)
    return f"{prefix} {first_pair:02d} " + " ".join(f"{rng.randint(0, 99):02d}" for _ in range(3))


def _followers(rng: random.Random, network: str) -> int | None:
    if network == "google":
        return None  # Google gives no audience size
    return int(rng.lognormvariate(6.5, 1.6))  # most have hundreds, a few tens of thousands


def application_fields(index: int) -> dict[str, Any]:
    """The `index`-th demo applicant, the same on every run. Index 0 is the demo host."""
    rng = random.Random(f"soiree-demo-{index}")
    first_name = rng.choice(FIRST_NAMES)
    last_name = rng.choice(LAST_NAMES)
    city, postal_code, country = rng.choice(CITIES)
    network = rng.choice(NETWORKS)
    verified = network != "other" and rng.random() < 0.35
    handle = _ascii_slug(f"{first_name}.{last_name}")
    email = DEMO_HOST_EMAIL if index == 0 else f"{handle}{index}@{rng.choice(EMAIL_DOMAINS)}"
    if index in (17, 83):
        email = f"{handle}{index}@yopmail.com"  # a disposable address, flagged
    fields: dict[str, Any] = {
        "first_name": "Camille" if index == 0 else first_name,
        "last_name": "Lefèvre" if index == 0 else last_name,
        "email": email,
        "phone": _phone(rng, country),
        "address_line1": f"{rng.randint(1, 140)} {rng.choice(STREETS)}",
        "address_line2": rng.choice(["", "", "", "Bâtiment B", "3e étage"]),
        "postal_code": postal_code,
        "city": city,
        "country": country,
        "motivation": rng.choice(MOTIVATIONS),
        "expected_guests": rng.randint(4, 30),
        "preferred_party_period": rng.choice(PARTY_PERIODS),
        "accept_terms": True,
        "marketing_consent": rng.random() < 0.6,
        "photo_consent": rng.random() < 0.5,
        "social": services.SocialIdentity(
            network=network,
            uid=str(rng.randint(10**9, 10**10)) if verified else "",
            handle=f"@{handle}" if network != "google" else "",
            profile_url=f"https://{network}.com/{handle}" if network not in ("google", "other") else "",
            follower_count=_followers(rng, network),
            verified=verified,
        ),
        "utm": {"utm_source": network, "utm_medium": "social", "utm_campaign": CAMPAIGN_SLUG},
        # Most from their own address; a handful from one shared address (flagged).
        "ip_address": "192.0.2.50" if index % 61 == 7 else f"198.51.100.{index % 250}",
        "language": "fr",
    }
    if index == 0:
        fields["social"] = services.SocialIdentity(
            network="instagram",
            uid="1000000001",
            handle="@camille.lefevre",
            profile_url="https://instagram.com/camille.lefevre",
            follower_count=12_400,
            verified=True,
        )
        fields["expected_guests"] = 25
        fields["motivation"] = MOTIVATIONS[0] * 2
        fields["postal_code"], fields["city"], fields["country"] = "75011", "Paris", "FR"
        fields["phone"] = "06 12 48 37 95"
    if index == 121:  # the same home as applicant 120: flagged on both
        previous = application_fields(120)
        fields.update(
            address_line1=previous["address_line1"],
            postal_code=previous["postal_code"],
            city=previous["city"],
            country=previous["country"],
        )
    return fields


def seed_applications(*, campaign: Campaign, count: int) -> list[Application]:
    existing = set(Application.objects.filter(campaign=campaign).values_list("email", flat=True))
    for index in range(count):
        fields = application_fields(index)
        if fields["email"] in existing:
            continue
        services.submit_application(campaign=campaign, **fields)
        existing.add(fields["email"])
    return list(Application.objects.filter(campaign=campaign))


def seed_hosts(*, campaign: Campaign, count: int, by: User | None) -> list[Host]:
    """The demo host (with a password, already signed in) plus the best applications, spread by region."""
    demo_application = Application.objects.get(campaign=campaign, email=DEMO_HOST_EMAIL)
    if not Host.objects.filter(application=demo_application).exists():
        selection.select_application(application=demo_application, by=by, reason="demo host")
    demo_host = Host.objects.get(application=demo_application)
    if demo_host.status == HostStatus.INVITED:
        transition_host(host=demo_host, to_status=HostStatus.ACTIVE, by=demo_host.user, reason="demo")
    user = demo_host.user
    if not user.check_password(HOST_LOGIN.password):
        user.set_password(HOST_LOGIN.password)
        user.save(update_fields=["password"])
    missing = count - Host.objects.filter(campaign=campaign).count()
    if missing > 0:
        selection.select_best_applications(campaign=campaign, count=missing, by=by)
    return list(Host.objects.filter(campaign=campaign).select_related("user", "campaign").order_by("id"))
