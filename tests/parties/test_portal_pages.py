"""The host's party pages and the guests' public page, through Django's test client."""

import io
from datetime import timedelta

import pytest
import zxingcpp
from django.core import mail
from django.utils import timezone
from PIL import Image

from ambassadors.models import Guest, Party, PartyPhoto
from referrals.codes.services import issue_party_code
from referrals.models import Click
from referrals.rewards.services import set_reward_plan
from tests import factories
from tests.parties.conftest import image_upload
from tests.referrals.test_rewards import _buy

pytestmark = pytest.mark.django_db


@pytest.fixture
def host_web(client, host):
    client.force_login(host.user)
    return client


def local_input(dt):
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_pages_need_a_signed_in_user(client):
    response = client.get("/portal/parties/")
    assert response.status_code == 302
    assert "/signin/" in response["Location"]


def test_host_creates_a_party_from_the_form(host, host_web):
    response = host_web.post(
        "/portal/parties/new/",
        {
            "title": "Cosy evening",
            "starts_at": local_input(timezone.now() + timedelta(days=3)),
            "city": "Lyon",
            "postal_code": "69003",
            "expected_guests": "12",
            "notes": "",
        },
    )
    party = Party.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portal/parties/{party.pk}/"
    assert party.host == host


def test_the_form_shows_a_rule_broken_beside_its_field_and_writes_nothing(host, host_web):
    response = host_web.post(
        "/portal/parties/new/",
        {
            "title": "Cosy evening",
            "starts_at": local_input(timezone.now() + timedelta(days=3)),
            "city": "3 rue Victor Hugo",
            "postal_code": "69003",
            "expected_guests": "12",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_city_error"' in html
    assert not Party.objects.exists()

    response = host_web.post(
        "/portal/parties/new/",
        {
            "title": "Cosy evening",
            "starts_at": local_input(host.campaign.party_window_end + timedelta(days=1)),
            "city": "Lyon",
            "postal_code": "69003",
            "expected_guests": "12",
        },
    )
    assert 'id="id_starts_at_error"' in response.content.decode()
    assert "party window" in response.content.decode()


def test_a_user_who_hosts_nothing_cannot_open_the_create_page(client):
    client.force_login(factories.UserFactory())
    assert client.get("/portal/parties/new/").status_code == 404


def test_another_hosts_party_pages_are_404(host_web, other_host):
    theirs = factories.PartyFactory(host=other_host)
    guest = factories.GuestFactory(party=theirs)
    for path in [
        f"/portal/parties/{theirs.pk}/",
        f"/portal/parties/{theirs.pk}/edit/",
        f"/portal/parties/{theirs.pk}/held/",
        f"/portal/parties/{theirs.pk}/qr/",
        f"/portal/parties/{theirs.pk}/qr.png",
        f"/portal/parties/{theirs.pk}/qr.svg",
    ]:
        assert host_web.get(path).status_code == 404, path
    for path in [
        f"/portal/parties/{theirs.pk}/cancel/",
        f"/portal/parties/{theirs.pk}/guests/add/",
        f"/portal/parties/{theirs.pk}/guests/{guest.pk}/remove/",
    ]:
        assert host_web.post(path, {"first_name": "X", "email": "x@example.com"}).status_code == 404, path
    theirs.refresh_from_db()
    assert theirs.status == "planned" and theirs.guests.count() == 1


def test_list_shows_only_ones_own_parties_with_a_constant_query_count(
    host, host_web, other_host, django_assert_max_num_queries
):
    factories.PartyFactory(host=other_host, title="Not mine")
    factories.PartyFactory(host=host, title="Mine 0")
    with django_assert_max_num_queries(12) as small:
        html = host_web.get("/portal/parties/").content.decode()
    assert "Mine 0" in html and "Not mine" not in html
    for n in range(1, 8):
        party = factories.PartyFactory(host=host, title=f"Mine {n}")
        factories.GuestFactory.create_batch(2, party=party)
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = host_web.get("/portal/parties/").content.decode()
    assert "Mine 7" in html


def test_detail_page_query_count_is_constant(host, host_web, django_assert_max_num_queries):
    # a held party with its figures: reward plan, link, sales, clicks, guests to contact
    set_reward_plan(campaign=host.campaign, by=None, party_brackets=[{"up_to": None, "rate": "0.10"}])
    party = factories.PartyFactory(host=host, starts_at=timezone.now() - timedelta(hours=1))
    code = issue_party_code(party=party)
    factories.GuestFactory(party=party)
    Party.objects.filter(pk=party.pk).update(status="held", held_at=timezone.now())
    with django_assert_max_num_queries(12) as small:
        html = host_web.get(f"/portal/parties/{party.pk}/").content.decode()
    assert 'id="progress-title"' in html and 'id="not-ordered-title"' in html
    factories.GuestFactory.create_batch(
        15, party=party, wants_to_host=True, marketing_consent_at=timezone.now()
    )
    for n in range(6):
        _buy(code.code, "80", email=f"guest-buyer{n}@example.com")
        Click.objects.create(
            code=code, at=timezone.now() - timedelta(days=n), token=f"t{n}", visitor_hash="v"
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = host_web.get(f"/portal/parties/{party.pk}/").content.decode()
    assert "16 guests" in html and "6 guests bought" in html


def test_host_adds_a_guest_from_the_party_page(host, host_web):
    party = factories.PartyFactory(host=host)
    response = host_web.post(
        f"/portal/parties/{party.pk}/guests/add/",
        {"first_name": "Lou", "email": "LOU@example.com", "phone": "", "guest_agreed": "on"},
    )
    assert response.status_code == 302
    assert Guest.objects.get().email == "lou@example.com"

    response = host_web.post(
        f"/portal/parties/{party.pk}/guests/add/", {"first_name": "Max", "email": "max@example.com"}
    )
    assert response.status_code == 400
    assert 'id="id_guest_agreed_error"' in response.content.decode()
    assert Guest.objects.count() == 1


def test_host_marks_the_party_held_with_a_photo(host, host_web):
    party = factories.PartyFactory(host=host, starts_at=timezone.now() - timedelta(hours=4))
    response = host_web.post(
        f"/portal/parties/{party.pk}/held/",
        {
            "actual_guests": "11",
            "highlights": "Great night",
            "social_post_urls": "https://instagram.com/p/1\n\nhttps://instagram.com/p/2",
            "photos": [image_upload("a.jpg", image_format="JPEG")],
        },
    )
    assert response.status_code == 302
    party.refresh_from_db()
    assert (party.status, party.actual_guests, party.social_post_urls) == (
        "held",
        11,
        ["https://instagram.com/p/1", "https://instagram.com/p/2"],
    )
    html = host_web.get(f"/portal/parties/{party.pk}/").content.decode()
    photo = PartyPhoto.objects.get()
    assert f'src="/api/v1/parties/{party.pk}/photos/{photo.pk}/"' in html
    # the page's session fetches the photo itself
    shown = host_web.get(f"/api/v1/parties/{party.pk}/photos/{photo.pk}/", HTTP_ACCEPT="image/avif,*/*;q=0.8")
    assert shown.status_code == 200 and shown["Content-Type"] == "image/jpeg"


def test_a_bad_photo_is_explained_beside_the_file_input(host, host_web):
    from django.core.files.uploadedfile import SimpleUploadedFile

    party = factories.PartyFactory(host=host, starts_at=timezone.now() - timedelta(hours=4))
    response = host_web.post(
        f"/portal/parties/{party.pk}/held/",
        {
            "actual_guests": "11",
            "photos": [SimpleUploadedFile("x.png", b"GIF89a nope", content_type="image/png")],
        },
    )
    assert response.status_code == 400
    assert 'id="id_photos_error"' in response.content.decode()
    party.refresh_from_db()
    assert party.status == "planned"


def test_host_cancels_from_the_party_page(host, host_web):
    party = factories.PartyFactory(host=host)
    assert host_web.post(f"/portal/parties/{party.pk}/cancel/", {"reason": "Flu"}).status_code == 302
    party.refresh_from_db()
    assert party.status == "cancelled"


def test_qr_page_shows_the_code_full_screen_with_downloads(host, host_web):
    party = factories.PartyFactory(host=host)
    html = host_web.get(f"/portal/parties/{party.pk}/qr/").content.decode()
    assert f"/portal/parties/{party.pk}/qr.svg" in html
    assert f"/portal/parties/{party.pk}/qr.png?download=1" in html
    assert f"http://testserver/p/{party.public_token}/" in html


def test_qr_png_decodes_to_the_public_registration_page(host, host_web):
    party = factories.PartyFactory(host=host)
    response = host_web.get(f"/portal/parties/{party.pk}/qr.png?download=1")
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == f'attachment; filename="party-{party.pk}-qr.png"'
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(response.content)))
    assert [barcode.text for barcode in decoded] == [f"http://testserver/p/{party.public_token}/"]


def test_qr_svg_is_an_svg_image(host, host_web):
    party = factories.PartyFactory(host=host)
    response = host_web.get(f"/portal/parties/{party.pk}/qr.svg")
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg") or b"<svg" in response.content[:200]


# --- the public page ------------------------------------------------------------------------------


def test_a_guest_registers_on_the_public_page(client, host, django_capture_on_commit_callbacks):
    party = factories.PartyFactory(host=host, title="Knitwear night")
    page = client.get(f"/p/{party.public_token}/")
    assert page.status_code == 200
    assert "Knitwear night" in page.content.decode()
    assert "I would like to host a party too." in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/p/{party.public_token}/",
            {"first_name": "Nina", "email": "nina@example.com", "accept_terms": "on", "wants_to_host": "on"},
        )

    assert response.status_code == 302
    assert response["Location"] == f"/p/{party.public_token}/thanks/"
    assert Guest.objects.get().source == "self"
    thanks = client.get(response["Location"]).content.decode()
    assert "Thank you, Nina!" in thanks
    assert len(mail.outbox) == 1


def test_the_public_page_refuses_a_registration_without_consent(client, host):
    party = factories.PartyFactory(host=host)
    response = client.post(f"/p/{party.public_token}/", {"first_name": "Nina", "email": "nina@example.com"})
    assert response.status_code == 400
    assert 'id="id_accept_terms_error"' in response.content.decode()
    assert not Guest.objects.exists()


def test_the_public_page_is_throttled_like_the_api(client, host, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import ScopedRateThrottle

    party = factories.PartyFactory(host=host)
    ScopedRateThrottle.THROTTLE_RATES = {
        **api_settings.DEFAULT_THROTTLE_RATES,
        "guest_registration": "2/hour",
    }
    try:
        statuses = [
            client.post(
                f"/p/{party.public_token}/",
                {"first_name": "N", "email": f"n{n}@example.com", "accept_terms": "on"},
            ).status_code
            for n in range(3)
        ]
    finally:
        ScopedRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    assert statuses == [302, 302, 429]
    assert Guest.objects.count() == 2


def test_a_closed_partys_public_page_says_registration_is_closed(client, host):
    party = factories.PartyFactory(host=host, status="closed")
    html = client.get(f"/p/{party.public_token}/").content.decode()
    assert "Registration for this party is closed." in html
    client.post(
        f"/p/{party.public_token}/", {"first_name": "N", "email": "n@example.com", "accept_terms": "on"}
    )
    assert not Guest.objects.exists()


def test_unknown_public_page_is_404(client):
    assert client.get("/p/not-a-party/").status_code == 404


def test_the_date_picker_offers_only_the_campaign_party_window(host, host_web):
    html = host_web.get("/portal/parties/new/").content.decode()
    assert f'min="{local_input(host.campaign.party_window_start)}"' in html
    assert f'max="{local_input(host.campaign.party_window_end)}"' in html
