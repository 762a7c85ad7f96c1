"""A host rates each piece of her kit once, until it is returned; a guest rates the pieces of her own
party's kit, known by the link sent to the address she registered with."""

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from feedback.models import PieceFeedback
from feedback.ratings import guests
from kits.shipments import services as kits
from kits.shipments.services import ReturnedLine
from tests.factories import GuestFactory
from tests.feedback.conftest import guest_client, host_client, jpeg, posted

pytestmark = pytest.mark.django_db


def test_a_host_rates_a_piece_once_and_changing_it_keeps_one_rating(programme):
    client, line = host_client(programme["host"]), programme["line"]

    first = client.post(f"/portal/feedback/{line.pk}/", posted(line))
    second = client.post(
        f"/portal/feedback/{line.pk}/", posted(line, fit="too_big", quality="2", would_buy=None)
    )

    assert first.status_code == second.status_code == 302
    feedback = PieceFeedback.objects.get()
    assert (feedback.fit, feedback.quality, feedback.would_buy) == ("too_big", 2, False)
    assert (feedback.host, feedback.guest, feedback.item, feedback.campaign) == (
        programme["host"], None, programme["coat"], programme["campaign"]
    )  # fmt: skip
    page = client.get("/portal/feedback/").content.decode()
    assert "Wool coat" in page and "Knit dress" in page and "Flyers" not in page


def test_the_database_refuses_a_second_host_rating_of_the_same_piece(programme):
    client, line = host_client(programme["host"]), programme["line"]
    client.post(f"/portal/feedback/{line.pk}/", posted(line))
    first = PieceFeedback.objects.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        PieceFeedback.objects.create(
            line=line, item=first.item, campaign=first.campaign, host=first.host,
            fit="right", colour="fine", quality=3, would_buy=False, consent_at=first.consent_at,
        )  # fmt: skip


def test_the_database_refuses_a_second_rating_by_the_same_guest(programme):
    line, guest = programme["line"], programme["guest"]
    guest_client(guest).post(f"/p/{guest.party.public_token}/pieces/{line.pk}/", posted(line))
    first = PieceFeedback.objects.get()

    with pytest.raises(IntegrityError), transaction.atomic():
        PieceFeedback.objects.create(
            line=line, item=first.item, campaign=first.campaign, host=first.host, guest=guest,
            fit="right", colour="fine", quality=3, would_buy=False, consent_at=first.consent_at,
        )  # fmt: skip


def test_a_rating_is_refused_once_the_kit_is_returned(programme):
    client, line = host_client(programme["host"]), programme["line"]
    client.post(f"/portal/feedback/{line.pk}/", posted(line, quality="5"))
    shipment = kits.confirm_delivery(shipment=programme["shipment"], by=None)
    kits.receive_return(
        shipment=shipment,
        lines=[
            ReturnedLine(sku=row.item.sku, good=row.quantity, damaged=0)
            for row in shipment.lines.filter(returnable=True)
        ],
        by=None,
    )

    response = client.post(f"/portal/feedback/{line.pk}/", posted(line, quality="1"))

    assert response.status_code == 409
    assert "no longer open" in response.content.decode()
    assert PieceFeedback.objects.get().quality == 5


def test_a_host_cannot_rate_another_hosts_piece_nor_the_flyers(programme):
    client = host_client(programme["host"])
    other_line, flyers = programme["other_line"], programme["flyers_line"]

    assert client.post(f"/portal/feedback/{other_line.pk}/", posted(other_line)).status_code == 404
    assert client.post(f"/portal/feedback/{flyers.pk}/", posted(flyers)).status_code == 404
    assert not PieceFeedback.objects.exists()


def test_consent_and_comment_length_are_checked_beside_their_fields(programme):
    client, line = host_client(programme["host"]), programme["line"]

    response = client.post(f"/portal/feedback/{line.pk}/", posted(line, consent=None, comment="x" * 501))

    assert response.status_code == 400
    page = response.content.decode()
    assert f'id="id_line-{line.pk}-consent_error"' in page and f'id="id_line-{line.pk}-comment_error"' in page
    assert not PieceFeedback.objects.exists()


def test_the_service_refuses_a_long_comment_and_no_consent_even_without_the_form(programme):
    from backend.errors import InvalidFields
    from feedback.ratings.services import Rating, rate_piece_as_host

    with pytest.raises(InvalidFields) as refused:
        rate_piece_as_host(
            line=programme["line"],
            by=programme["host"].user,
            rating=Rating(
                fit="right", colour="love", quality=4, would_buy=True, comment="x" * 501, consent=False
            ),
        )
    assert [error.field for error in refused.value.errors] == ["comment", "consent"]


def test_a_hosts_photo_is_private_to_her_and_marketing(programme, marketing_client, api_client):
    client, line = host_client(programme["host"]), programme["line"]
    data = {**posted(line), f"line-{line.pk}-photo": jpeg()}
    assert client.post(f"/portal/feedback/{line.pk}/", data).status_code == 302
    feedback = PieceFeedback.objects.get()
    assert feedback.photo and feedback.photo_content_type == "image/jpeg"

    assert client.get(f"/portal/feedback/photos/{feedback.pk}/").status_code == 200
    assert host_client(programme["other"]).get(f"/portal/feedback/photos/{feedback.pk}/").status_code == 404
    assert marketing_client.get(f"/api/v1/feedback/{feedback.pk}/photo/").status_code == 200
    assert api_client.get(f"/api/v1/feedback/{feedback.pk}/photo/").status_code in (401, 403)


def test_a_guest_with_her_link_rates_the_pieces_of_her_partys_kit(programme):
    line, guest = programme["line"], programme["guest"]
    client = guest_client(guest)

    page = client.get(f"/p/{guest.party.public_token}/pieces/").content.decode()
    response = client.post(f"/p/{guest.party.public_token}/pieces/{line.pk}/", posted(line, colour="dislike"))

    assert "Wool coat" in page and "Flyers" not in page
    assert response.status_code == 302
    feedback = PieceFeedback.objects.get()
    assert (feedback.guest, feedback.host, feedback.colour) == (guest, programme["host"], "dislike")


def test_a_guest_rates_only_pieces_of_her_own_party(programme):
    guest, other_line = programme["guest"], programme["other_line"]
    client = guest_client(guest)

    at_her_party = client.post(f"/p/{guest.party.public_token}/pieces/{other_line.pk}/", posted(other_line))
    at_another_party = client.post(
        f"/p/{programme['other_party'].public_token}/pieces/{other_line.pk}/", posted(other_line)
    )

    assert at_her_party.status_code == 400 and "not at your party" in at_her_party.content.decode()
    assert at_another_party.status_code == 403
    assert not PieceFeedback.objects.exists()


def test_a_guests_link_opens_only_her_own_party(programme):
    guest, other_party = programme["guest"], programme["other_party"]
    token = guests.guest_link_token(guest)
    client = host_client(programme["other"])  # any browser

    client.get(f"/p/{other_party.public_token}/pieces/link/{token}/")
    response = client.get(f"/p/{other_party.public_token}/pieces/")

    assert "Send me my link" in response.content.decode()
    assert guests.guest_from_link(party=other_party, token=token) is None
    assert guests.guest_from_link(party=guest.party, token=token + "x") is None


def test_without_her_link_a_visitor_cannot_rate(programme, client):
    line, party = programme["line"], programme["party"]

    response = client.post(f"/p/{party.public_token}/pieces/{line.pk}/", posted(line))

    assert response.status_code == 403
    assert not PieceFeedback.objects.exists()


def test_a_guest_asks_for_her_link_and_strangers_learn_nothing(
    programme, client, django_capture_on_commit_callbacks
):
    party = programme["party"]
    with django_capture_on_commit_callbacks(execute=True):
        listed = client.post(f"/p/{party.public_token}/pieces/", {"email": " INES@example.com "}, follow=True)
        stranger = client.post(
            f"/p/{party.public_token}/pieces/", {"email": "nobody@example.com"}, follow=True
        )

    assert [message.to for message in mail.outbox] == [["ines@example.com"]]
    link = next(line for line in mail.outbox[0].body.splitlines() if "/pieces/link/" in line)
    assert guests.guest_from_link(party=party, token=link.rstrip("/").rsplit("/", 1)[1]) == programme["guest"]
    assert (
        listed.content.decode().count("is on its way")
        == stranger.content.decode().count("is on its way")
        == 1
    )


def test_a_guest_who_withdraws_takes_her_opinions_with_her(programme):
    line, guest = programme["line"], programme["guest"]
    guest_client(guest).post(f"/p/{guest.party.public_token}/pieces/{line.pk}/", posted(line))
    from ambassadors.parties.services import withdraw_guest

    withdraw_guest(withdrawal_token=guest.withdrawal_token)

    assert not PieceFeedback.objects.exists()


def test_the_guest_link_e_mail_speaks_her_language(programme, client, django_capture_on_commit_callbacks):
    french = GuestFactory(party=programme["party"], email="lea@example.com", language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/p/{programme['party'].public_token}/pieces/", {"email": french.email})

    assert mail.outbox[0].subject == "Votre lien pour noter les pièces essayées"


def test_the_pages_read_a_constant_number_of_queries_however_much_was_said(
    programme, marketing_user, django_assert_max_num_queries
):
    from feedback.answers.services import post_brand_answer

    host, guest, line, dress = (
        programme["host"],
        programme["guest"],
        programme["line"],
        programme["dress_line"],
    )
    client, visitor = host_client(host), guest_client(guest)
    pieces = f"/p/{guest.party.public_token}/pieces/"
    client.post(f"/portal/feedback/{line.pk}/", posted(line))
    visitor.post(f"{pieces}{line.pk}/", posted(line))
    with django_assert_max_num_queries(30) as few:
        client.get("/portal/feedback/")
    host_queries = len(few.captured_queries)  # read now: the next request empties the log
    with django_assert_max_num_queries(30) as few_guest:
        visitor.get(pieces)
    guest_queries = len(few_guest.captured_queries)

    client.post(f"/portal/feedback/{dress.pk}/", posted(dress))
    visitor.post(f"{pieces}{dress.pk}/", posted(dress))
    for item in (programme["coat"], programme["dress"], None, None):
        post_brand_answer(
            campaign=programme["campaign"], item=item, text_fr="", text_en="Noted", by=marketing_user
        )

    with django_assert_max_num_queries(host_queries):
        page = client.get("/portal/feedback/")
    with django_assert_max_num_queries(guest_queries):
        visitor.get(pieces)
    assert page.content.decode().count("Noted") == 4  # each piece's answer, and both campaign-wide notes


def test_a_host_takes_her_photo_back_and_the_file_goes(programme, django_capture_on_commit_callbacks):
    client, line = host_client(programme["host"]), programme["line"]
    client.post(f"/portal/feedback/{line.pk}/", {**posted(line), f"line-{line.pk}-photo": jpeg()})
    feedback = PieceFeedback.objects.get()
    storage, name = feedback.photo.storage, feedback.photo.name

    outsider = host_client(programme["other"]).post(f"/portal/feedback/photos/{feedback.pk}/remove/")
    with django_capture_on_commit_callbacks(execute=True):
        removed = client.post(f"/portal/feedback/photos/{feedback.pk}/remove/")

    assert outsider.status_code == 404 and removed.status_code == 302
    feedback.refresh_from_db()
    assert not feedback.photo and not storage.exists(name)
    assert feedback.comment == "Warm and light."  # the opinion stays
