"""Who sees what: a host only their own parties and guests (404 otherwise), marketing everything, masked."""

from datetime import timedelta

import pytest
from django.utils import timezone

from ambassadors.parties import services
from tests import factories
from tests.parties.conftest import client_for, image_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign_party(other_host):
    party = factories.PartyFactory(host=other_host, starts_at=timezone.now() - timedelta(hours=2))
    factories.GuestFactory(party=party, email="secret@example.com")
    return party


def test_a_host_never_lists_another_hosts_parties(host, host_client, foreign_party):
    own = factories.PartyFactory(host=host)
    body = host_client.get("/api/v1/parties/").json()
    assert [row["id"] for row in body["results"]] == [own.pk]


@pytest.mark.parametrize(
    ("method", "path", "data"),
    [
        ("get", "/api/v1/parties/{id}/", None),
        ("patch", "/api/v1/parties/{id}/", {"title": "Mine now"}),
        ("post", "/api/v1/parties/{id}/cancel/", {}),
        ("post", "/api/v1/parties/{id}/held/", {"actual_guests": 3}),
        ("post", "/api/v1/parties/{id}/photos/", None),
        ("get", "/api/v1/parties/{id}/guests/", None),
        (
            "post",
            "/api/v1/parties/{id}/guests/",
            {"first_name": "X", "email": "x@example.com", "guest_agreed": True},
        ),
        ("delete", "/api/v1/parties/{id}/guests/{guest}/", None),
    ],
)
def test_every_route_of_another_hosts_party_answers_404(host_client, foreign_party, method, path, data):
    guest = foreign_party.guests.get()
    url = path.format(id=foreign_party.pk, guest=guest.pk)
    response = (
        getattr(host_client, method)(url, data) if data is not None else getattr(host_client, method)(url)
    )

    assert response.status_code == 404
    foreign_party.refresh_from_db()
    assert (foreign_party.status, foreign_party.title) == ("planned", foreign_party.title)
    assert foreign_party.guests.count() == 1


def test_another_hosts_photo_cannot_be_deleted(host, host_client, other_host):
    theirs = factories.PartyFactory(host=other_host, starts_at=timezone.now() - timedelta(hours=2))
    services.mark_party_held(party=theirs, by=other_host.user, actual_guests=2, photos=[image_upload()])
    photo = theirs.photos.get()
    own = factories.PartyFactory(host=host)

    assert host_client.delete(f"/api/v1/parties/{theirs.pk}/photos/{photo.pk}/").status_code == 404
    assert host_client.delete(f"/api/v1/parties/{own.pk}/photos/{photo.pk}/").status_code == 404
    assert theirs.photos.count() == 1


def test_a_guest_of_another_party_cannot_be_removed_through_ones_own_party(host, host_client, foreign_party):
    own = factories.PartyFactory(host=host)
    guest = foreign_party.guests.get()
    assert host_client.delete(f"/api/v1/parties/{own.pk}/guests/{guest.pk}/").status_code == 404
    assert foreign_party.guests.count() == 1


def test_a_host_of_several_campaigns_records_parties_for_the_campaign_named(host, host_client):
    second = factories.HostFactory(
        user=host.user, application__email=host.user.email, application__campaign=factories.CampaignFactory()
    )
    response = host_client.post(
        "/api/v1/parties/",
        {
            "campaign": second.campaign.slug,
            "title": "Second season",
            "starts_at": (timezone.now() + timedelta(days=2)).isoformat(),
            "city": "Nantes",
            "postal_code": "44000",
            "expected_guests": 8,
        },
    )
    assert response.status_code == 201
    assert response.json()["host"]["id"] == second.pk

    response = host_client.post(
        "/api/v1/parties/",
        {
            "campaign": factories.CampaignFactory().slug,
            "title": "Not mine",
            "starts_at": (timezone.now() + timedelta(days=2)).isoformat(),
            "city": "Nantes",
            "postal_code": "44000",
            "expected_guests": 8,
        },
    )
    assert response.status_code == 403


def test_marketing_lists_every_party_with_guest_counts(marketing_client, host, foreign_party):
    own = factories.PartyFactory(host=host)
    factories.GuestFactory.create_batch(3, party=own)

    body = marketing_client.get("/api/v1/parties/").json()

    counts = {row["id"]: row["guest_count"] for row in body["results"]}
    assert counts == {own.pk: 3, foreign_party.pk: 1}


def test_marketing_filters_parties_by_campaign_status_and_host(marketing_client, host, foreign_party):
    own = factories.PartyFactory(host=host, status="held")
    assert [r["id"] for r in marketing_client.get(f"/api/v1/parties/?host={host.pk}").json()["results"]] == [
        own.pk
    ]
    assert [r["id"] for r in marketing_client.get("/api/v1/parties/?status=held").json()["results"]] == [
        own.pk
    ]
    slug = foreign_party.campaign.slug
    assert [r["id"] for r in marketing_client.get(f"/api/v1/parties/?campaign={slug}").json()["results"]] == [
        foreign_party.pk
    ]


def test_marketing_sees_guest_emails_and_phones_masked(marketing_client, host):
    party = factories.PartyFactory(host=host)
    factories.GuestFactory(party=party, email="clara.dupont@example.com", phone="+33612345678")

    row = marketing_client.get(f"/api/v1/parties/{party.pk}/guests/").json()["results"][0]

    assert row["email"] == "c***@example.com"
    assert row["phone"] == "+33*******78"


def test_marketing_with_the_personal_data_permission_sees_guests_in_clear(
    marketing_user_with_personal_data, host
):
    party = factories.PartyFactory(host=host)
    factories.GuestFactory(party=party, email="clara.dupont@example.com", phone="+33612345678")

    row = (
        client_for(marketing_user_with_personal_data)
        .get(f"/api/v1/parties/{party.pk}/guests/")
        .json()["results"][0]
    )

    assert (row["email"], row["phone"]) == ("clara.dupont@example.com", "+33612345678")


def test_marketing_cannot_change_a_hosts_party(marketing_client, host):
    party = factories.PartyFactory(host=host)
    assert marketing_client.post(f"/api/v1/parties/{party.pk}/cancel/").status_code == 404
    party.refresh_from_db()
    assert party.status == "planned"


def test_party_list_query_count_does_not_grow_with_data(
    marketing_client, host, django_assert_max_num_queries
):
    def build(n):
        for _ in range(n):
            party = factories.PartyFactory(
                host=factories.HostFactory(), starts_at=timezone.now() - timedelta(hours=1)
            )
            factories.GuestFactory.create_batch(2, party=party)
            services.mark_party_held(party=party, by=None, actual_guests=2, photos=[image_upload()])

    build(1)
    with django_assert_max_num_queries(6) as small:
        assert marketing_client.get("/api/v1/parties/").status_code == 200
    build(6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = marketing_client.get("/api/v1/parties/").json()
    assert len(body["results"]) == 7


def test_guest_list_query_count_does_not_grow_with_data(host, host_client, django_assert_max_num_queries):
    party = factories.PartyFactory(host=host)
    factories.GuestFactory(party=party)
    with django_assert_max_num_queries(6) as small:
        assert host_client.get(f"/api/v1/parties/{party.pk}/guests/").status_code == 200
    factories.GuestFactory.create_batch(20, party=party)
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = host_client.get(f"/api/v1/parties/{party.pk}/guests/").json()
    assert body["total"] == 21


def test_party_detail_query_count_does_not_grow_with_history_and_bookings(
    host, host_client, django_assert_max_num_queries
):
    party = factories.PartyFactory(host=host)
    with django_assert_max_num_queries(12) as small:
        assert host_client.get(f"/api/v1/parties/{party.pk}/").status_code == 200
    factories.CampaignFactory()
    for n in range(4):
        services.register_guest(
            party=party, first_name="G", email=f"g{n}@example.com", accept_terms=True, wants_to_host=True
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        body = host_client.get(f"/api/v1/parties/{party.pk}/").json()
    assert len(body["booked_applications"]) == 4


def test_marketing_filters_a_partys_guests_who_want_to_host(marketing_client, host):
    party = factories.PartyFactory(host=host)
    keen = factories.GuestFactory(party=party, wants_to_host=True, source="self")
    factories.GuestFactory(party=party)
    rows = marketing_client.get(f"/api/v1/parties/{party.pk}/guests/?wants_to_host=true").json()["results"]
    assert [row["id"] for row in rows] == [keen.pk]
