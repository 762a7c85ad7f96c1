"""Campaign texts and catalogue names a host or guest reads are given by marketing in French and
English (API and admin); pages and e-mails show the reader's language, or the other one when it is
missing."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from ambassadors.models import Campaign
from ambassadors.recruitment.emails import application_received_email
from backend.mail import send_email
from kits.models import Item
from tests.ambassadors.test_campaigns import campaign_body
from tests.factories import ApplicationFactory, CampaignFactory, HostFactory, ItemFactory

pytestmark = pytest.mark.django_db

BOTH = {
    "name_en": "Autumn-winter evenings",
    "name_fr": "Soirées automne-hiver",
    "description_en": "Host the new collection at home.",
    "description_fr": "Recevez la nouvelle collection chez vous.",
    "collection_name_en": "Knitwear",
    "collection_name_fr": "Mailles",
}


def campaign_page(campaign: Campaign, language: str) -> str:
    response = Client().get(
        reverse("portal:apply", kwargs={"slug": campaign.slug}), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    return response.content.decode()


def test_marketing_gives_the_texts_in_both_languages_through_the_api(marketing_client):
    response = marketing_client.post("/api/v1/campaigns/", campaign_body(**BOTH), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {key: body[key] for key in BOTH} == BOTH
    pk = body["id"]

    # `name` reads the request's language
    french = marketing_client.get(f"/api/v1/campaigns/{pk}/", HTTP_ACCEPT_LANGUAGE="fr").json()
    english = marketing_client.get(f"/api/v1/campaigns/{pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert (french["name"], english["name"]) == ("Soirées automne-hiver", "Autumn-winter evenings")
    Campaign.objects.filter(pk=pk).update(status="recruiting")  # published
    public = marketing_client.get(f"/api/v1/public/campaigns/{body['slug']}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert public.json()["description"] == "Recevez la nouvelle collection chez vous."

    changed = marketing_client.patch(
        f"/api/v1/campaigns/{pk}/", {"name_fr": "Veillées d’hiver"}, format="json"
    )
    assert changed.status_code == 200, changed.json()
    assert Campaign.objects.get(pk=pk).name_fr == "Veillées d’hiver"
    assert changed.json()["name_en"] == "Autumn-winter evenings"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name_fr": "x" * 121}, "name_fr"),
        ({"description_en": "x" * 5001}, "description_en"),
        ({"collection_name_fr": "x" * 121}, "collection_name_fr"),
    ],
)
def test_a_text_too_long_in_one_language_is_refused_on_that_field(marketing_client, overrides, field):
    response = marketing_client.post("/api/v1/campaigns/", campaign_body(**overrides), format="json")
    assert response.status_code == 400, response.json()
    body = response.json()
    assert body["type"] == "validation_error"
    assert [error["attr"] for error in body["errors"]] == [field]
    assert not Campaign.objects.exists()


def test_the_campaign_page_reads_the_visitors_language():
    campaign = CampaignFactory(**BOTH)
    french, english = campaign_page(campaign, "fr"), campaign_page(campaign, "en")
    assert "Soirées automne-hiver" in french and "Mailles" in french and "Recevez la nouvelle" in french
    assert "Autumn-winter evenings" not in french and "Knitwear" not in french
    assert "Autumn-winter evenings" in english and "Knitwear" in english and "Host the new" in english
    assert "Soirées automne-hiver" not in english


@pytest.mark.parametrize(
    ("given", "language", "shown"),
    [
        ({"name_en": "Autumn evenings", "name_fr": None}, "fr", "Autumn evenings"),
        ({"name_en": None, "name_fr": "Soirées d’automne"}, "en", "Soirées d’automne"),
        ({"name_en": "", "name_fr": "Soirées d’automne"}, "en", "Soirées d’automne"),
    ],
)
def test_a_text_missing_in_the_visitors_language_falls_back_to_the_other(given, language, shown):
    campaign = CampaignFactory()
    Campaign.objects.filter(pk=campaign.pk).update(**given)
    assert f"<h1>{shown}</h1>" in campaign_page(campaign, language)


def test_a_catalogue_name_in_both_languages_through_the_api(logistics_client):
    ItemFactory(sku="AW26-COAT", name="Wool coat")
    response = logistics_client.patch(
        "/api/v1/kits/items/AW26-COAT/", {"name_fr": "Manteau en laine"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["name_en"], response.json()["name_fr"]) == ("Wool coat", "Manteau en laine")
    item = Item.objects.get(sku="AW26-COAT")
    assert (item.name_en, item.name_fr) == ("Wool coat", "Manteau en laine")
    too_long = logistics_client.patch("/api/v1/kits/items/AW26-COAT/", {"name_fr": "x" * 201}, format="json")
    assert too_long.status_code == 400
    assert too_long.json()["errors"][0]["attr"] == "name_fr"
    assert Item.objects.get(sku="AW26-COAT").name_fr == "Manteau en laine"


def test_an_email_names_the_campaign_in_the_recipients_language():
    campaign = CampaignFactory(name_en="Autumn evenings", name_fr="Soirées d’automne")
    french = ApplicationFactory(campaign=campaign, language="fr", email="fr@example.com")
    english = ApplicationFactory(campaign=campaign, language="en", email="en@example.com")
    send_email(application_received_email(french.pk))
    send_email(application_received_email(english.pk))
    to_french, to_english = mail.outbox
    assert "Soirées d’automne" in to_french.body and "Autumn evenings" not in to_french.body
    assert "Autumn evenings" in to_english.body and "Soirées d’automne" not in to_english.body


def test_a_campaign_known_in_english_only_is_named_in_english_to_a_french_applicant():
    campaign = CampaignFactory(name_en="Autumn evenings", name_fr=None)
    application = ApplicationFactory(campaign=campaign, language="fr")
    send_email(application_received_email(application.pk))
    assert "Autumn evenings" in mail.outbox[0].body


def test_the_kit_page_names_each_piece_in_the_hosts_language(client):
    from kits.catalogue.services import set_kit_template
    from kits.shipments import services as kits
    from kits.stock.services import receive_stock

    campaign = CampaignFactory()
    coat = ItemFactory(name_en="Wool coat", name_fr="Manteau en laine", colour_en="Navy", colour_fr="Marine")
    scarf = ItemFactory(name_en="Cashmere scarf", name_fr=None, colour="Grey")
    set_kit_template(campaign=campaign, lines=[(coat, 1), (scarf, 1)], by=None)
    for item in (coat, scarf):
        receive_stock(item=item, quantity=1, by=None, reason="initial")
    host = HostFactory(application__campaign=campaign)
    kits.allocate_kit(host=host, by=None)
    client.force_login(host.user)
    french = client.get("/portal/kit/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    english = client.get("/portal/kit/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Manteau en laine" in french and "Wool coat" not in french
    assert "Marine" in french and "Navy" not in french
    assert "Cashmere scarf" in french  # no French name: the English one
    assert "Wool coat" in english and "Manteau en laine" not in english
    assert "Navy" in english
