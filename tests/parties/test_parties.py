"""Parties through the API: the rules of SPEC §5, the state machine and its history."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from ambassadors.models import PARTY_TRANSITIONS, Party, PartyPhoto, PartyStatus, PartyStatusChange
from ambassadors.parties import services
from ambassadors.signals import party_created
from tests import factories
from tests.parties.conftest import image_upload

pytestmark = pytest.mark.django_db


def party_payload(**overrides):
    payload = {
        "title": "Cosy knitwear evening",
        "starts_at": (timezone.now() + timedelta(days=3)).isoformat(),
        "city": "Lyon",
        "postal_code": "69003",
        "expected_guests": 12,
        "notes": "Bring a friend.",
    }
    payload.update(overrides)
    return payload


def error_of(response):
    body = response.json()
    return body["errors"][0]


def test_host_creates_a_planned_party_with_history_and_attribution_end(host, host_client):
    response = host_client.post("/api/v1/parties/", party_payload())

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "planned"
    assert body["host"]["id"] == host.pk
    assert body["campaign"] == host.campaign.slug
    party = Party.objects.get(pk=body["id"])
    assert party.attribution_ends_at == party.starts_at + timedelta(
        days=host.campaign.attribution_window_days
    )
    assert [(h.from_status, h.to_status, h.by) for h in party.history.all()] == [("", "planned", host.user)]
    assert body["public_url"].endswith(f"/p/{party.public_token}/")


def test_party_created_is_announced_with_the_party_once_the_transaction_commits(
    host, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, party, by, **kwargs):
        received.append((party.pk, by))

    party_created.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            party = services.create_party(
                host=host,
                by=host.user,
                title="Soirée",
                starts_at=timezone.now() + timedelta(days=2),
                city="Lyon",
                postal_code="69003",
                expected_guests=10,
            )
        assert received == []  # nothing announced before the commit
        for callback in callbacks:
            callback()
        assert received == [(party.pk, host.user)]
    finally:
        party_created.disconnect(receiver)


@pytest.mark.parametrize(
    ("starts_at", "reason"),
    [
        (lambda c: c.party_window_start - timedelta(minutes=1), "before the window"),
        (lambda c: c.party_window_end + timedelta(minutes=1), "after the window"),
    ],
)
def test_party_must_start_inside_the_campaign_party_window(host, host_client, starts_at, reason):
    response = host_client.post(
        "/api/v1/parties/", party_payload(starts_at=starts_at(host.campaign).isoformat())
    )

    assert response.status_code == 400, reason
    assert error_of(response)["attr"] == "starts_at"
    assert error_of(response)["code"] == "outside_party_window"
    assert not Party.objects.exists()


@pytest.mark.parametrize("expected_guests", [0, 201, -3])
def test_expected_guests_must_be_between_1_and_200(host_client, expected_guests):
    response = host_client.post("/api/v1/parties/", party_payload(expected_guests=expected_guests))

    assert response.status_code == 400
    assert error_of(response)["attr"] == "expected_guests"
    assert not Party.objects.exists()


@pytest.mark.parametrize("expected_guests", [1, 200])
def test_expected_guests_bounds_are_accepted(host_client, expected_guests):
    response = host_client.post("/api/v1/parties/", party_payload(expected_guests=expected_guests))
    assert response.status_code == 201


def test_expected_guests_is_checked_by_the_service_too(host):
    with pytest.raises(services.Invalid):
        services.create_party(
            host=host,
            by=host.user,
            title="x",
            starts_at=timezone.now() + timedelta(days=1),
            city="Lyon",
            postal_code="69003",
            expected_guests=201,
        )


def test_a_street_address_is_never_stored(host_client):
    response = host_client.post("/api/v1/parties/", party_payload(city="12 rue des Lilas, Lyon"))
    assert response.status_code == 400
    assert error_of(response) == {
        "code": "address_not_allowed",
        "detail": "Give the city only (no street address or number).",
        "attr": "city",
    }

    response = host_client.post(
        "/api/v1/parties/", party_payload(address_line1="12 rue des Lilas", street="rue des Lilas")
    )
    assert response.status_code == 201
    assert "address_line1" not in response.json()
    party_fields = {field.name for field in Party._meta.get_fields()}
    assert not party_fields & {"address", "address_line1", "address_line2", "street"}


@pytest.mark.parametrize("postal_code", ["", "7", "69003;DROP", "1234567890123"])
def test_postal_code_must_look_like_one(host_client, postal_code):
    response = host_client.post("/api/v1/parties/", party_payload(postal_code=postal_code))
    assert response.status_code == 400
    assert error_of(response)["attr"] == "postal_code"


def test_postal_code_and_city_are_normalised(host_client):
    response = host_client.post("/api/v1/parties/", party_payload(postal_code=" 75  011 ", city="  Paris "))
    assert response.status_code == 201
    assert response.json()["postal_code"] == "75011"
    assert response.json()["city"] == "Paris"


@pytest.mark.parametrize(
    ("country", "typed", "stored"),
    [("GB", " sw1a  1aa ", "SW1A 1AA"), ("BE", "1000", "1000"), ("NL", "1234 ab", "1234 AB")],
)
def test_a_party_postal_code_has_the_form_of_the_host_country(api_client, country, typed, stored):
    host = factories.HostFactory(country=country)
    api_client.force_authenticate(host.user)
    response = api_client.post("/api/v1/parties/", party_payload(postal_code=typed, city="Town"))
    assert response.status_code == 201, response.json()
    assert response.json()["postal_code"] == stored


@pytest.mark.parametrize(
    ("country", "typed"), [("FR", "ABCDE"), ("FR", "1000"), ("BE", "75011"), ("GB", "12345")]
)
def test_a_postal_code_of_another_form_than_the_host_country_is_refused(api_client, country, typed):
    host = factories.HostFactory(country=country)
    api_client.force_authenticate(host.user)
    response = api_client.post("/api/v1/parties/", party_payload(postal_code=typed, city="Town"))
    assert response.status_code == 400
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [
        ("postal_code", "invalid_postal_code")
    ]
    assert not Party.objects.exists()


def test_a_user_who_hosts_nothing_cannot_record_a_party(api_client):
    user = factories.UserFactory()
    api_client.force_authenticate(user)
    response = api_client.post("/api/v1/parties/", party_payload())
    assert response.status_code == 403
    assert not Party.objects.exists()


def test_a_banned_host_cannot_plan_parties(host, host_client):
    host.status = "banned"
    host.save()
    response = host_client.post("/api/v1/parties/", party_payload())
    assert response.status_code == 409
    assert error_of(response)["code"] == "host_cannot_plan"


def test_anonymous_users_get_401(api_client):
    assert api_client.get("/api/v1/parties/").status_code == 401
    assert api_client.post("/api/v1/parties/", party_payload()).status_code == 401


def test_input_cannot_set_status_owner_or_token(host, other_host, host_client):
    response = host_client.post(
        "/api/v1/parties/",
        party_payload(status="closed", host=other_host.pk, public_token="mine", actual_guests=99),
    )
    assert response.status_code == 201
    party = Party.objects.get()
    assert (party.status, party.host, party.actual_guests) == ("planned", host, None)
    assert party.public_token != "mine"


def test_planned_party_can_be_edited_inside_the_rules(host_client):
    party_id = host_client.post("/api/v1/parties/", party_payload()).json()["id"]

    response = host_client.patch(
        f"/api/v1/parties/{party_id}/", {"title": "New title", "expected_guests": 30}
    )
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["expected_guests"]) == ("New title", 30)

    response = host_client.patch(f"/api/v1/parties/{party_id}/", {"city": "5 avenue Foch"})
    assert response.status_code == 400
    assert Party.objects.get().city == "Lyon"


def test_cancelling_records_history_and_a_cancelled_party_is_final(host, host_client):
    party = factories.PartyFactory(host=host)

    response = host_client.post(f"/api/v1/parties/{party.pk}/cancel/", {"reason": "Sick"})
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    change = PartyStatusChange.objects.get(party=party)
    assert (change.from_status, change.to_status, change.reason, change.by) == (
        "planned",
        "cancelled",
        "Sick",
        host.user,
    )

    response = host_client.post(f"/api/v1/parties/{party.pk}/held/", {"actual_guests": 3})
    assert response.status_code == 409
    assert response.json()["extra"] == {"current": "cancelled", "requested": "held", "allowed": []}

    response = host_client.patch(f"/api/v1/parties/{party.pk}/", {"title": "Back on"})
    assert response.status_code == 409


def test_a_held_party_cannot_be_cancelled_or_edited(host, host_client):
    party = factories.PartyFactory(host=host, status="held", held_at=timezone.now())

    response = host_client.post(f"/api/v1/parties/{party.pk}/cancel/")
    assert response.status_code == 409
    assert response.json()["extra"] == {"current": "held", "requested": "cancelled", "allowed": ["closed"]}
    assert response.json()["errors"][0]["code"] == "invalid_transition"

    assert host_client.patch(f"/api/v1/parties/{party.pk}/", {"title": "x"}).status_code == 409
    assert not PartyStatusChange.objects.filter(party=party).exists()


ILLEGAL_MOVES = [
    ("held", "held"),
    ("held", "cancelled"),
    ("closed", "held"),
    ("closed", "cancelled"),
    ("closed", "closed"),
    ("cancelled", "held"),
    ("cancelled", "cancelled"),
    ("cancelled", "closed"),
    ("planned", "closed"),
]


@pytest.mark.parametrize(("current", "requested"), ILLEGAL_MOVES)
def test_every_illegal_transition_is_refused_with_the_allowed_states(host, current, requested):
    past = timezone.now() - timedelta(days=60)
    party = factories.PartyFactory(host=host, status=current, starts_at=past, attribution_ends_at=past)
    move = {
        "held": lambda: services.mark_party_held(party=party, by=host.user, actual_guests=1),
        "cancelled": lambda: services.cancel_party(party=party, by=host.user),
        "closed": lambda: services.close_party(party=party),
    }[requested]

    with pytest.raises(services.InvalidTransition) as refused:
        move()

    assert refused.value.extra["current"] == current
    assert set(refused.value.extra["allowed"]) == PARTY_TRANSITIONS[current]
    party.refresh_from_db()
    assert party.status == current
    assert not PartyStatusChange.objects.filter(party=party).exists()


def test_host_marks_a_started_party_held_with_report_and_photos(host, host_client, settings):
    party = factories.PartyFactory(host=host, starts_at=timezone.now() - timedelta(hours=3))

    response = host_client.post(
        f"/api/v1/parties/{party.pk}/held/",
        {
            "actual_guests": 14,
            "highlights": "Everyone loved the coats.",
            "social_post_urls": ["https://www.instagram.com/p/abc/", "https://www.tiktok.com/@clara/video/1"],
            "photos": [image_upload("one.png"), image_upload("two.jpg", image_format="JPEG")],
        },
        format="multipart",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["actual_guests"], body["highlights"]) == (
        "held",
        14,
        "Everyone loved the coats.",
    )
    assert body["social_post_urls"] == [
        "https://www.instagram.com/p/abc/",
        "https://www.tiktok.com/@clara/video/1",
    ]
    assert sorted(photo["content_type"] for photo in body["photos"]) == ["image/jpeg", "image/png"]
    assert [h["to_status"] for h in body["history"]] == ["held"]  # factory parties start without history


def test_a_party_in_the_future_cannot_be_reported_yet(host, host_client):
    party = factories.PartyFactory(host=host, starts_at=timezone.now() + timedelta(days=2))
    response = host_client.post(f"/api/v1/parties/{party.pk}/held/", {"actual_guests": 3})
    assert response.status_code == 409
    assert error_of(response)["code"] == "party_not_started"


def _started_party(host):
    return factories.PartyFactory(host=host, starts_at=timezone.now() - timedelta(hours=3))


def test_a_file_that_is_not_an_image_is_refused_and_nothing_is_written(host, host_client):
    party = _started_party(host)
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile(
        "holiday.jpg", b"\xff\xd8\xff\xe0 this is not really a jpeg", content_type="image/jpeg"
    )
    response = host_client.post(
        f"/api/v1/parties/{party.pk}/held/", {"actual_guests": 5, "photos": [fake]}, format="multipart"
    )

    assert response.status_code == 400
    assert error_of(response)["attr"] == "photos"
    assert error_of(response)["code"] == "invalid_image"
    party.refresh_from_db()
    assert party.status == "planned"
    assert not PartyPhoto.objects.exists()


def test_an_image_of_another_type_is_refused(host, host_client):
    party = _started_party(host)
    response = host_client.post(
        f"/api/v1/parties/{party.pk}/held/",
        {"actual_guests": 5, "photos": [image_upload("anim.gif", image_format="GIF")]},
        format="multipart",
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_image_type"


def test_a_photo_above_the_size_limit_is_refused(host, host_client, settings):
    settings.PARTY_PHOTO_MAX_BYTES = 1024
    party = _started_party(host)
    response = host_client.post(
        f"/api/v1/parties/{party.pk}/held/",
        {"actual_guests": 5, "photos": [image_upload("big.png", size=(400, 400))]},
        format="multipart",
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "photo_too_large"
    assert not PartyPhoto.objects.exists()


def test_at_most_five_photos_per_party(host, host_client):
    party = _started_party(host)
    response = host_client.post(
        f"/api/v1/parties/{party.pk}/held/",
        {"actual_guests": 5, "photos": [image_upload(f"p{i}.png") for i in range(4)]},
        format="multipart",
    )
    assert response.status_code == 200

    response = host_client.post(
        f"/api/v1/parties/{party.pk}/photos/",
        {"photos": [image_upload("p5.png"), image_upload("p6.png")]},
        format="multipart",
    )
    assert response.status_code == 400
    assert error_of(response)["code"] == "too_many_photos"

    response = host_client.post(
        f"/api/v1/parties/{party.pk}/photos/", {"photos": [image_upload("p5.png")]}, format="multipart"
    )
    assert response.status_code == 201
    assert PartyPhoto.objects.filter(party=party).count() == 5


def test_six_photos_at_once_are_refused(host, host_client):
    party = _started_party(host)
    response = host_client.post(
        f"/api/v1/parties/{party.pk}/held/",
        {"actual_guests": 5, "photos": [image_upload(f"p{i}.png") for i in range(6)]},
        format="multipart",
    )
    assert response.status_code == 400
    assert not PartyPhoto.objects.exists()


def test_social_post_links_must_be_web_links(host, host_client):
    party = _started_party(host)
    response = host_client.post(
        f"/api/v1/parties/{party.pk}/held/",
        {"actual_guests": 5, "social_post_urls": ["javascript:alert(1)"]},
        format="json",
    )
    assert response.status_code == 400
    assert error_of(response)["attr"].startswith("social_post_urls")


def test_host_can_delete_a_photo_of_a_held_party(host, host_client):
    party = _started_party(host)
    services.mark_party_held(party=party, by=host.user, actual_guests=2, photos=[image_upload()])
    photo = PartyPhoto.objects.get()
    response = host_client.delete(f"/api/v1/parties/{party.pk}/photos/{photo.pk}/")
    assert response.status_code == 204
    assert not PartyPhoto.objects.exists()


# --- closing ---------------------------------------------------------------------------------------


def test_close_parties_closes_held_parties_whose_window_ended_and_is_idempotent(host):
    now = timezone.now()
    due = factories.PartyFactory(
        host=host,
        status="held",
        starts_at=now - timedelta(days=31),
        attribution_ends_at=now - timedelta(days=1),
    )
    not_yet = factories.PartyFactory(
        host=host,
        status="held",
        starts_at=now - timedelta(days=5),
        attribution_ends_at=now + timedelta(days=25),
    )
    planned = factories.PartyFactory(
        host=host,
        status="planned",
        starts_at=now - timedelta(days=40),
        attribution_ends_at=now - timedelta(days=10),
    )

    call_command("close_parties")
    call_command("close_parties")

    due.refresh_from_db()
    not_yet.refresh_from_db()
    planned.refresh_from_db()
    assert (due.status, not_yet.status, planned.status) == ("closed", "held", "planned")
    assert due.closed_at is not None
    assert list(PartyStatusChange.objects.filter(party=due).values_list("from_status", "to_status")) == [
        ("held", "closed")
    ]


def test_close_parties_task_closes_due_parties(host):
    now = timezone.now()
    party = factories.PartyFactory(
        host=host,
        status="held",
        starts_at=now - timedelta(days=31),
        attribution_ends_at=now - timedelta(seconds=1),
    )
    result = services.close_due_parties_task.enqueue()
    assert result.return_value == 1
    party.refresh_from_db()
    assert party.status == "closed"


def test_a_party_closes_exactly_when_its_window_ends(host, time_machine):
    starts = timezone.now() - timedelta(days=1)
    party = services.create_party(
        host=host,
        by=host.user,
        title="x",
        starts_at=starts,
        city="Lyon",
        postal_code="69003",
        expected_guests=4,
    )
    services.mark_party_held(party=party, by=host.user, actual_guests=4)
    end = starts + timedelta(days=host.campaign.attribution_window_days)

    assert services.close_due_parties(at=end - timedelta(seconds=1)) == []
    assert services.close_due_parties(at=end) == [party.pk]
    assert Party.objects.get().status == PartyStatus.CLOSED


def test_closing_before_the_window_ends_is_refused(host):
    party = factories.PartyFactory(host=host, status="held")
    with pytest.raises(services.Conflict):
        services.close_party(party=party)


def test_a_new_party_gets_its_party_code_from_referrals_on_commit(
    host, host_client, django_capture_on_commit_callbacks
):
    from referrals.models import ReferralCode

    with django_capture_on_commit_callbacks(execute=True):
        party_id = host_client.post("/api/v1/parties/", party_payload()).json()["id"]

    code = ReferralCode.objects.get(party_id=party_id)
    assert code.kind == "party"
    assert code.code.startswith("CLARA-")


def test_photos_are_stored_without_their_metadata_so_no_gps_locates_the_home(host):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    # given a phone photo carrying the camera model and the GPS position of the home
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif.get_ifd(0x8825)[2] = (45.0, 45.0, 36.0)  # GPS latitude
    buffer = io.BytesIO()
    Image.new("RGB", (80, 60), (10, 120, 200)).save(buffer, format="JPEG", exif=exif)
    upload = SimpleUploadedFile("home.jpg", buffer.getvalue(), content_type="image/jpeg")
    assert Image.open(io.BytesIO(buffer.getvalue())).getexif()  # the original does carry it

    # when the host reports the party with it
    party = _started_party(host)
    services.mark_party_held(party=party, by=host.user, actual_guests=3, photos=[upload])

    # then the stored photo is the same picture, with no metadata at all
    photo = PartyPhoto.objects.get()
    with photo.image.open("rb") as stored, Image.open(stored) as image:
        assert (image.format, image.size) == ("JPEG", (80, 60))
        assert dict(image.getexif()) == {}
    assert photo.image.name.endswith(".jpg") and "home" not in photo.image.name


@pytest.mark.parametrize("campaign_status", ["draft", "closed"])
def test_no_party_is_planned_in_a_draft_or_closed_campaign(host, host_client, campaign_status):
    host.campaign.status = campaign_status
    host.campaign.save()
    response = host_client.post("/api/v1/parties/", party_payload())
    assert response.status_code == 409
    assert error_of(response)["code"] == "campaign_closed"
    assert not Party.objects.exists()
