import pytest
from django.test import Client

from kits.models import Item, Stock
from kits.stock.services import receive_stock
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_for_kits(allocated_shipment):
    user = factories.UserFactory(email="boss@staff.example.com", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "model", ["item", "stockmovement", "kittemplate", "shipment", "shipmentproblem", "kitsettlement"]
)
def test_admin_lists_render(admin_client_for_kits, model):
    assert admin_client_for_kits.get(f"/admin/kits/{model}/").status_code == 200


def test_admin_shows_a_shipment_read_only(admin_client_for_kits, allocated_shipment):
    response = admin_client_for_kits.get(f"/admin/kits/shipment/{allocated_shipment.pk}/change/")
    assert response.status_code == 200
    assert allocated_shipment.number in response.content.decode()
    assert admin_client_for_kits.get("/admin/kits/shipment/add/").status_code == 403


def test_a_sku_added_in_the_admin_gets_its_stock_row(admin_client_for_kits):
    response = admin_client_for_kits.post(
        "/admin/kits/item/add/",
        {
            "sku": "AW26-ADMIN",
            "name_en": "Scarf",  # the name in both languages (English required, French optional)
            "colour": "",
            "size": "",
            "ean": "",
            "unit_cost": "5.00",
            "retail_price": "19.00",
            "currency": "EUR",
            "weight_grams": "100",
            "bin_location": "C-01",
            "returnable": "on",
            "active": "on",
            "stock-TOTAL_FORMS": "0",
            "stock-INITIAL_FORMS": "0",
            "stock-MIN_NUM_FORMS": "0",
            "stock-MAX_NUM_FORMS": "1",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = Item.objects.get(sku="AW26-ADMIN")
    assert Stock.objects.get(item=item).on_hand == 0
    receive_stock(item=item, quantity=3, by=None)
    assert Stock.objects.get(item=item).on_hand == 3
