"""The brand answers a SKU's feedback or the whole campaign; each host who gave feedback it concerns is
told once, in her language, and reads it beside her opinion."""

import pytest
from django.core import mail

from feedback.models import AnswerNotice
from tests.feedback.conftest import guest_client, host_client, posted

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(programme):
    """Clara rated the coat, Zoé (who reads French) the dress, a guest the coat."""
    programme["other"].application.language = "fr"
    programme["other"].application.save(update_fields=["language"])
    line, dress = programme["line"], programme["other_shipment"].lines.get(item=programme["dress"])
    host_client(programme["host"]).post(
        f"/portal/feedback/{line.pk}/", posted(line, comment="Sleeves too long")
    )
    host_client(programme["other"]).post(f"/portal/feedback/{dress.pk}/", posted(dress))
    guest = programme["guest"]
    guest_client(guest).post(f"/p/{guest.party.public_token}/pieces/{line.pk}/", posted(line))
    return programme


def test_an_answer_to_a_sku_tells_only_the_hosts_who_rated_it(
    rated, marketing_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = marketing_client.post(
            "/api/v1/feedback/answers/",
            {
                "campaign": rated["campaign"].pk,
                "item": rated["coat"].pk,
                "text_en": "Sleeves are 2 cm shorter next season.",
                "text_fr": "Les manches raccourcissent de 2 cm la saison prochaine.",
            },
            format="json",
        )

    assert response.status_code == 201, response.content
    assert response.json()["hosts_told"] == 1 and response.json()["sku"] == "AW26-COAT-CAMEL-M"
    [message] = mail.outbox
    assert message.to == [rated["host"].user.email]
    assert "Sleeves are 2 cm shorter next season." in message.body
    page = host_client(rated["host"]).get("/portal/feedback/").content.decode()
    assert "Sleeves are 2 cm shorter next season." in page
    other_page = host_client(rated["other"]).get("/portal/feedback/").content.decode()
    assert "2 cm" not in other_page


def test_a_campaign_wide_note_tells_every_host_once_in_her_language(
    rated, marketing_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = marketing_client.post(
            "/api/v1/feedback/answers/",
            {
                "campaign": rated["campaign"].pk,
                "text_en": "The coat comes in camel next season.",
                "text_fr": "Le manteau existera en camel la saison prochaine.",
            },
            format="json",
        )

    assert response.status_code == 201
    assert AnswerNotice.objects.count() == 2
    by_address = {message.to[0]: message for message in mail.outbox}
    assert by_address.keys() == {rated["host"].user.email, rated["other"].user.email}
    french = by_address[rated["other"].user.email]
    assert french.subject == "La marque a répondu à votre avis"
    assert "Le manteau existera en camel" in french.body
    guest = rated["guest"]
    guest_page = guest_client(guest).get(f"/p/{guest.party.public_token}/pieces/").content.decode()
    assert "The coat comes in camel next season." in guest_page  # the guest sees what became of it too


def test_an_answer_needs_text_and_a_rated_sku(rated, marketing_client):
    empty = marketing_client.post(
        "/api/v1/feedback/answers/", {"campaign": rated["campaign"].pk}, format="json"
    )
    unrated = marketing_client.post(
        "/api/v1/feedback/answers/",
        {"campaign": rated["campaign"].pk, "item": rated["flyers"].pk, "text_en": "Thanks"},
        format="json",
    )

    assert empty.status_code == 400 and empty.json()["errors"][0]["attr"] == "text_fr"
    assert unrated.status_code == 400 and unrated.json()["errors"][0]["code"] == "no_feedback"
    assert not AnswerNotice.objects.exists() and mail.outbox == []


def test_only_marketing_answers(rated, api_client):
    api_client.force_authenticate(rated["host"].user)

    response = api_client.post(
        "/api/v1/feedback/answers/", {"campaign": rated["campaign"].pk, "text_en": "Hi"}, format="json"
    )

    assert response.status_code == 403
