"""Each error a route answers is in its schema: a client generated from the schema can read every 400
(the code, the field it names) and 404 instead of meeting a body it was never told about.

The fuzz finds such answers only when its random requests happen to break the rule; these requests
break each rule on purpose and check the answer against the schema the API serves.
"""

from functools import cache

import pytest
import schemathesis
from knox.models import AuthToken

from kits.catalogue.services import set_kit_template
from kits.shipments import services as shipments
from kits.stock.services import receive_stock
from orders.models import ShopApiKey
from tests import factories

pytestmark = pytest.mark.django_db


@cache
def _schema():
    from backend.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/v1/schema/", application)


def _answer(method: str, path: str, *, authorization: str, status: int = 400, **request: object) -> dict:
    """Call the operation through the WSGI application; fail unless its answer is a documented error."""
    operation = _schema()[path][method]
    case = operation.Case(media_type="application/json" if "body" in request else None, **request)
    response = case.call(headers={"Authorization": authorization})
    assert response.status_code == status, response.text
    operation.validate_response(response)  # raises with the schema's complaint when undocumented
    return response.json()


@pytest.fixture
def staff(admin_user_role, wsgi_keeps_test_connection) -> str:
    _, token = AuthToken.objects.create(user=admin_user_role)
    return f"Token {token}"


def _first_error(body: dict) -> tuple[str, str]:
    assert body["type"] == "validation_error"
    return body["errors"][0]["attr"], body["errors"][0]["code"]


def test_bank_export_with_a_campaign_that_is_not_a_number(staff):
    body = _answer("GET", "/api/v1/payouts/bank-export/", authorization=staff, query={"campaign": "abc"})
    assert _first_error(body) == ("campaign", "invalid")


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"date_from": "2026-02-01", "date_to": "2026-01-01"}, ("date_to", "invalid")),
        ({"date_from": "0001-01-01"}, ("date_from", "invalid")),
        ({"group_by": "colour"}, ("group_by", "invalid_choice")),
        ({"method": "telepathy"}, ("method", "invalid_choice")),
        ({"campaign": "999999"}, ("campaign", "does_not_exist")),
        ({"host": "x"}, ("host", "incorrect_type")),
    ],
)
def test_report_with_bad_filters(staff, query, error):
    body = _answer("GET", "/api/v1/reports/attribution/", authorization=staff, query=query)
    assert _first_error(body) == error


def test_reward_plan_whose_brackets_go_down(staff):
    campaign = factories.CampaignFactory()
    brackets = [{"up_to": "500.00", "rate": "0.10"}, {"up_to": "100.00", "rate": "0.20"}]
    body = _answer(
        "PUT",
        "/api/v1/campaigns/{campaign_id}/reward-plan/",
        authorization=staff,
        path_parameters={"campaign_id": campaign.pk},
        body={"party_brackets": brackets},
    )
    assert _first_error(body) == ("party_brackets", "invalid")


def test_reward_plan_of_a_campaign_that_has_none_yet(staff):
    campaign = factories.CampaignFactory()
    body = _answer(
        "GET",
        "/api/v1/campaigns/{campaign_id}/reward-plan/",
        authorization=staff,
        status=404,
        path_parameters={"campaign_id": campaign.pk},
    )
    assert body["errors"][0]["code"] == "no_reward_plan"


def test_order_import_with_too_many_lines(db, wsgi_keeps_test_connection):
    _, key = ShopApiKey.objects.create_key(name="shop")
    line = {"sku": "COAT-NAVY-M", "quantity": 1, "unit_price": "1.00"}
    order = {
        "external_id": "1001",
        "placed_at": "2026-01-05T10:00:00Z",
        "customer_email": "buyer@example.com",
        "currency": "EUR",
        "subtotal": "501.00",
        "total": "501.00",
        "lines": [line] * 501,
    }
    body = _answer("POST", "/api/v1/orders/", authorization=f"Api-Key {key}", body=order)
    assert _first_error(body) == ("lines.non_field_errors", "max_length")


@pytest.mark.parametrize(
    ("lines", "code"),
    [
        ([{"sku": "NOT-IN-KIT", "good": 1}], "unknown_sku"),
        ([{"sku": "COAT", "good": 1}, {"sku": "COAT", "good": 1}], "duplicate_sku"),
        ([{"sku": "PROMO", "good": 1}], "not_returnable"),
        ([{"sku": "COAT", "good": 0, "damaged": 0}], "invalid"),
        ([{"sku": "COAT", "good": 3}], "too_many_returned"),
    ],
)
def test_kit_return_that_breaks_a_rule(staff, lines, code):
    campaign = factories.CampaignFactory()
    promo = factories.ItemFactory(sku="PROMO", returnable=False)
    coat = factories.ItemFactory(sku="COAT")
    set_kit_template(campaign=campaign, lines=[(promo, 1), (coat, 2)], by=None)
    receive_stock(item=promo, quantity=1, by=None, reason="initial")
    receive_stock(item=coat, quantity=2, by=None, reason="initial")
    shipment = shipments.allocate_kit(host=factories.HostFactory(application__campaign=campaign), by=None)
    shipments.mark_packed(shipment=shipment, by=None)
    shipments.mark_shipped(shipment=shipment, by=None, carrier="DHL", tracking_number="X1")
    shipments.confirm_delivery(shipment=shipment, by=None)
    body = _answer(
        "POST",
        "/api/v1/kits/shipments/{number}/returns/",
        authorization=staff,
        path_parameters={"number": shipment.number},
        body={"lines": lines},
    )
    assert _first_error(body) == ("lines", code)
