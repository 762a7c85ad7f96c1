"""A campaign's branding (brand name, two colours, logo, cover image), set by marketing through the
API and the admin, dresses the campaign page, the host's portal, guest pages and e-mails."""

import io
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation
from PIL import Image

from ambassadors.models import Campaign
from ambassadors.recruitment.branding import set_campaign_branding
from ambassadors.recruitment.emails import application_received_email
from backend.mail import Email, send_email
from recognition.leaderboard.services import set_public_leaderboard
from tests.factories import ApplicationFactory, CampaignFactory, HostFactory, PartyFactory

pytestmark = pytest.mark.django_db


def image(name: str = "logo.png", *, image_format: str = "PNG", size=(120, 40)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (122, 31, 61)).save(buffer, format=image_format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{image_format.lower()}")


def branded(**overrides) -> Campaign:
    campaign = CampaignFactory(**overrides)
    return set_campaign_branding(
        campaign=campaign,
        brand_name="Maison Automne",
        brand_primary_colour="#7A1F3D",
        brand_accent_colour="#c9a227",
        brand_logo=image(),
        brand_cover_image=image("cover.jpg", image_format="JPEG", size=(320, 160)),
    )


# --- API ---------------------------------------------------------------------------------------


def test_marketing_sets_and_reads_the_branding_through_the_api(marketing_client):
    campaign = CampaignFactory()
    response = marketing_client.patch(
        f"/api/v1/campaigns/{campaign.pk}/branding/",
        {
            "brand_name": "Maison Automne",
            "brand_primary_colour": "#7A1F3D",
            "brand_accent_colour": "#c9a227",
            "brand_logo": image("../../my logo.png"),
        },
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["brand_name"] == "Maison Automne"
    assert body["brand_primary_colour"] == "#7a1f3d"  # stored in one spelling
    assert body["brand_cover_image"] is None
    # stored under a new random name in the public branding folder, served by our own origin
    assert re.fullmatch(r"http://testserver/media/branding/[0-9a-f]{32}\.png", body["brand_logo"])
    served = Client().get(body["brand_logo"].removeprefix("http://testserver"))
    assert served.status_code == 200 and served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content).startswith(b"\x89PNG")

    again = marketing_client.get(f"/api/v1/campaigns/{campaign.pk}/branding/")
    assert again.json() == body


def test_a_logo_given_as_null_is_removed(marketing_client, django_capture_on_commit_callbacks):
    campaign = branded()
    logo_name = campaign.brand_logo.name
    with django_capture_on_commit_callbacks(execute=True):
        response = marketing_client.patch(
            f"/api/v1/campaigns/{campaign.pk}/branding/", {"brand_logo": None}, format="json"
        )
    assert response.status_code == 200, response.json()
    assert response.json()["brand_logo"] is None
    assert response.json()["brand_cover_image"] is not None
    assert Client().get(f"/media/{logo_name}").status_code == 404


def test_bad_branding_is_refused_field_by_field_in_one_round_and_nothing_is_kept(marketing_client):
    campaign = CampaignFactory()
    response = marketing_client.patch(
        f"/api/v1/campaigns/{campaign.pk}/branding/",
        {
            "brand_name": "Maison Automne",
            "brand_primary_colour": "red",
            "brand_accent_colour": "#12345g",
            "brand_logo": SimpleUploadedFile("logo.png", b"<svg onload=alert(1)>", content_type="image/png"),
        },
        format="multipart",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "validation_error"
    errors = {error["attr"]: error["code"] for error in body["errors"]}
    assert errors == {
        "brand_primary_colour": "invalid_colour",
        "brand_accent_colour": "invalid_colour",
        "brand_logo": "invalid_image",
    }
    campaign.refresh_from_db()
    assert (campaign.brand_name, campaign.brand_primary_colour, campaign.brand_logo.name) == ("", "", "")


def test_a_gif_logo_is_refused(marketing_client):
    campaign = CampaignFactory()
    response = marketing_client.patch(
        f"/api/v1/campaigns/{campaign.pk}/branding/",
        {"brand_logo": image("logo.gif", image_format="GIF")},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "code": "invalid_image_type",
        "detail": "Photos must be JPEG, PNG or WebP images.",
        "attr": "brand_logo",
    }


def test_only_marketing_sets_the_branding(api_client, logistics_client):
    campaign = CampaignFactory()
    url = f"/api/v1/campaigns/{campaign.pk}/branding/"
    assert api_client.patch(url, {"brand_name": "X"}, format="json").status_code in (401, 403)
    assert logistics_client.patch(url, {"brand_name": "X"}, format="json").status_code == 403
    campaign.refresh_from_db()
    assert campaign.brand_name == ""


def test_marketing_sets_the_branding_in_the_admin(client):
    from tests.ambassadors.test_admin import campaign_form
    from tests.factories import UserFactory

    client.force_login(UserFactory(email="boss@example.com", is_staff=True, is_superuser=True))
    form = campaign_form(brand_name="Maison Automne", brand_primary_colour="#7A1F3D")
    bad = client.post(
        "/admin/ambassadors/campaign/add/",
        {**form, "brand_accent_colour": "bordeaux", "brand_logo": image("x.gif", image_format="GIF")},
    )
    assert bad.status_code == 200  # the form again, with the reasons
    assert set(bad.context["adminform"].form.errors) == {"brand_accent_colour", "brand_logo"}
    assert not Campaign.objects.exists()

    saved = client.post("/admin/ambassadors/campaign/add/", {**form, "brand_logo": image()})
    assert saved.status_code == 302, saved.context["adminform"].form.errors
    campaign = Campaign.objects.get()
    assert (campaign.brand_name, campaign.brand_primary_colour) == ("Maison Automne", "#7a1f3d")
    assert re.fullmatch(r"branding/[0-9a-f]{32}\.png", campaign.brand_logo.name)

    cleared = client.post(
        f"/admin/ambassadors/campaign/{campaign.pk}/change/",
        {**form, "slug": campaign.slug, "brand_logo-clear": "on"},
    )
    assert cleared.status_code == 302, cleared.context["adminform"].form.errors
    campaign.refresh_from_db()
    assert campaign.brand_logo.name == ""


# --- public media ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/media/branding/..%2F..%2Fsettings.py",
        "/media/branding/nothing.png",
        "/media/branding/logo.svg",
        "/media/parties/2026/12/photo.png",  # personal files never leave through public media
    ],
)
def test_public_media_serves_branding_images_only(client, path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    # files that exist but are not branding images: a text note beside them, a file elsewhere
    default_storage.save("branding/notes.txt", ContentFile(b"internal"))
    default_storage.save("parties/2026/12/photo.png", ContentFile(b"\x89PNG"))
    assert client.get(path).status_code == 404
    assert client.get("/media/branding/notes.txt").status_code == 404


def test_the_brand_stylesheet_sets_the_custom_properties_from_its_address(client):
    sheet = client.get("/brand/7a1f3d-c9a227.css")
    assert sheet.status_code == 200 and sheet["Content-Type"] == "text/css; charset=utf-8"
    assert sheet.content.decode().startswith(":root { --brand-primary: #7a1f3d; --brand-accent: #c9a227; }\n")
    assert client.get("/brand/7a1f3d-c9a22;.css").status_code == 404
    assert client.get("/brand/red-blue.css").status_code == 404


# --- pages -------------------------------------------------------------------------------------

STYLESHEET = '<link rel="stylesheet" href="/brand/7a1f3d-c9a227.css">'


def _dressed(html: str, campaign: Campaign) -> None:
    """The page links the brand's colours and shows its logo, named by the brand."""
    assert STYLESHEET in html
    assert f'<img class="brand-logo" src="/media/{campaign.brand_logo.name}" alt="Maison Automne"' in html


def test_the_campaign_page_wears_the_brand_and_its_cover(client):
    campaign = branded()
    html = client.get(reverse("portal:apply", kwargs={"slug": campaign.slug})).content.decode()
    _dressed(html, campaign)
    assert f'src="/media/{campaign.brand_cover_image.name}"' in html


def test_the_campaign_page_reads_the_branding_without_another_query(client, django_assert_num_queries):
    campaign = branded()
    with django_assert_num_queries(2):  # the campaign, the configured social apps
        client.get(reverse("portal:apply", kwargs={"slug": campaign.slug}))


def test_the_hosts_portal_wears_her_campaigns_brand(client):
    campaign = branded()
    host = HostFactory(application__campaign=campaign)
    party = PartyFactory(host=host)
    client.force_login(host.user)
    pages = (
        "/portal/",
        "/portal/profile/",
        "/portal/parties/",
        f"/portal/parties/{party.pk}/",
        "/portal/earnings/",
    )
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        _dressed(response.content.decode(), campaign)


def test_a_guest_page_wears_the_party_campaigns_brand(client):
    campaign = branded()
    party = PartyFactory(host=HostFactory(application__campaign=campaign))
    html = client.get(reverse("party_public:register", args=[party.public_token])).content.decode()
    _dressed(html, campaign)
    assert f'src="/media/{campaign.brand_cover_image.name}"' in html


def test_the_community_pages_wear_their_campaigns_brand(client):
    """The public wall, the list of top hosts and a guest's pieces are about one campaign: its brand."""
    campaign = branded()
    set_public_leaderboard(campaign=campaign, on=True)
    party = PartyFactory(host=HostFactory(application__campaign=campaign))
    for path in (
        reverse("wall:page", kwargs={"slug": campaign.slug}),
        reverse("recognition:leaderboard", kwargs={"slug": campaign.slug}),
        reverse("feedback_public:pieces", kwargs={"token": party.public_token}),
    ):
        _dressed(client.get(path).content.decode(), campaign)


def test_a_page_without_a_brand_wears_soirees(client):
    campaign = CampaignFactory()
    html = client.get(reverse("portal:apply", kwargs={"slug": campaign.slug})).content.decode()
    assert '<link rel="stylesheet" href="/brand/3b1f4a-f0a500.css">' in html
    assert 'class="brand-logo"' not in html
    assert '<span class="brand-name">Soirée</span></a>' in html


# --- e-mails -----------------------------------------------------------------------------------


def test_an_email_has_a_plain_text_part_and_a_branded_html_part(settings):
    settings.SITE_URL = "https://soiree.example"
    campaign = branded()
    campaign.name_fr = "Apéro tricot & vin"
    campaign.save()
    application = ApplicationFactory(campaign=campaign, language="fr", first_name="Zoë <b>")
    send_email(application_received_email(application.pk))

    [message] = mail.outbox
    assert message.subject.startswith("Candidature reçue") or "Apéro tricot & vin" in message.subject
    # the plain text keeps what was typed, unescaped
    assert "Apéro tricot & vin" in message.body and "&amp;" not in message.body
    assert "Zoë <b>" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    # the HTML part escapes it once, and is dressed in the brand
    assert "Apéro tricot &amp; vin" in html and "&amp;amp;" not in html
    assert "Zoë &lt;b&gt;" in html and "Zoë <b>" not in html
    assert 'lang="fr"' in html
    assert "background:#7a1f3d" in html and "background:#c9a227" in html
    assert f'<img src="https://soiree.example/media/{campaign.brand_logo.name}" alt="Maison Automne"' in html


def test_an_email_without_a_campaign_wears_soirees_brand():
    send_email(
        Email(to="a@example.com", template="password_reset", context={"reset_url": "https://x/r?a=1&b=2"})
    )
    [message] = mail.outbox
    assert "https://x/r?a=1&b=2" in message.body
    [(html, _)] = message.alternatives
    assert 'href="https://x/r?a=1&amp;b=2"' in html
    assert "background:#3b1f4a" in html and ">Soirée<" in html


def test_an_email_uses_its_own_html_template_when_there_is_one(tmp_path, settings):
    folder = tmp_path / "templates" / "emails"
    folder.mkdir(parents=True)
    (folder / "password_reset.html").write_text("<p>{{ brand.name }} — {{ reset_url }}</p>")
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path / "templates", *settings.TEMPLATES[0]["DIRS"]]},
        *settings.TEMPLATES[1:],
    ]
    with translation.override("en"):
        send_email(Email(to="a@example.com", template="password_reset", context={"reset_url": "https://x/&"}))
    [(html, _)] = mail.outbox[0].alternatives
    assert html == "<p>Soirée — https://x/&amp;</p>"


def test_the_demo_images_are_small_ours_and_pass_the_upload_check():
    from pathlib import Path

    from django.conf import settings

    from ambassadors.parties.checks import check_photo

    folder = Path(settings.BASE_DIR) / "backend" / "demo_media"
    images = [folder / "logo.png", folder / "cover.jpg"]
    assert sum(path.stat().st_size for path in images) < 200_000
    for path in images:
        check_photo(SimpleUploadedFile(path.name, path.read_bytes()), field="brand_logo")
    assert "CC0" in (folder / "README.md").read_text()


# --- privacy -----------------------------------------------------------------------------------


def test_a_branding_image_keeps_no_metadata_and_no_uploaded_name(marketing_client):
    """Public images name and locate no one: the camera's metadata (GPS) and the file name are dropped."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825)[2] = (45.0, 45.0, 36.0)  # GPS latitude
    buffer = io.BytesIO()
    Image.new("RGB", (300, 120), (122, 31, 61)).save(buffer, format="JPEG", exif=exif)
    campaign = CampaignFactory()
    response = marketing_client.patch(
        f"/api/v1/campaigns/{campaign.pk}/branding/",
        {"brand_cover_image": SimpleUploadedFile("chez-camille-lyon.jpg", buffer.getvalue())},
        format="multipart",
    )
    assert response.status_code == 200, response.json()
    campaign.refresh_from_db()
    assert "camille" not in response.json()["brand_cover_image"]
    with campaign.brand_cover_image.open("rb") as stored, Image.open(stored) as image:
        assert (image.format, image.size) == ("JPEG", (300, 120))
        assert dict(image.getexif()) == {}


def test_branding_images_live_in_public_storage_and_personal_files_do_not():
    from backend.private_files import private_file_fields

    private = {(model.__name__, field.name) for model, field in private_file_fields()}
    assert ("PartyPhoto", "image") in private
    assert not {("Campaign", "brand_logo"), ("Campaign", "brand_cover_image")} & private
