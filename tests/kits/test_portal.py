import pytest
from django.test import Client

from kits.catalogue.services import set_kit_template
from kits.models import ShipmentProblem, ShipmentStatus
from kits.shipments import services
from kits.stock.services import receive_stock
from tests import factories

pytestmark = pytest.mark.django_db

SHIP = {
    "carrier": "Colissimo",
    "tracking_number": "6A12345678901",
    "tracking_url": "https://track.example.com/6A1",
}


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def shipped(allocated_shipment):
    services.mark_packed(shipment=allocated_shipment, by=None)
    return services.mark_shipped(shipment=allocated_shipment, by=None, **SHIP)


def test_my_kit_shows_status_progress_and_tracking(shipped):
    response = _client_for(shipped.host.user).get("/portal/kit/")
    assert response.status_code == 200
    html = response.content.decode()
    assert shipped.number in html
    assert 'aria-current="step"' in html
    assert 'href="https://track.example.com/6A1"' in html
    assert "I received it" in html
    assert "Report a problem" in html
    assert "Wool coat" in html


def test_i_received_it_asks_for_a_confirmation_first(shipped):
    import re

    html = _client_for(shipped.host.user).get("/portal/kit/").content.decode()
    # the visible button only opens the question; the form that confirms sits inside it
    disclosure = re.search(r'<details class="confirm">(.*?)</details>', html, re.S)
    assert disclosure is not None
    assert "I received it" in disclosure.group(1) and "Yes, I have my kit" in disclosure.group(1)
    assert f"/portal/kit/{shipped.number}/received/" not in html.replace(disclosure.group(0), "")


def test_my_kit_needs_a_signed_in_user(allocated_shipment):
    response = Client().get("/portal/kit/")
    assert response.status_code == 302
    assert "next=/portal/kit/" in response["Location"]


def test_a_host_never_sees_another_hosts_kit(shipped, kit_campaign):
    other = factories.HostFactory(application__campaign=kit_campaign)
    client = _client_for(other.user)
    # the list shows nothing of the other host
    page = client.get("/portal/kit/").content.decode()
    assert shipped.number not in page
    # and every route of someone else's kit answers 404, changing nothing
    assert client.get(f"/portal/kit/{shipped.number}/").status_code == 404
    assert client.post(f"/portal/kit/{shipped.number}/received/").status_code == 404
    assert (
        client.post(
            f"/portal/kit/{shipped.number}/problem/",
            {f"{shipped.number}-kind": "missing", f"{shipped.number}-description": "x"},
        ).status_code
        == 404
    )
    shipped.refresh_from_db()
    assert shipped.status == ShipmentStatus.SHIPPED
    assert not ShipmentProblem.objects.exists()


def test_i_received_it_confirms_delivery(shipped):
    client = _client_for(shipped.host.user)
    response = client.post(f"/portal/kit/{shipped.number}/received/")
    assert response.status_code == 302
    shipped.refresh_from_db()
    assert shipped.status == ShipmentStatus.DELIVERED
    assert shipped.history.last().by == shipped.host.user
    # a second click changes nothing and says so
    follow = client.post(f"/portal/kit/{shipped.number}/received/", follow=True)
    assert follow.status_code == 200
    assert shipped.history.filter(to_status="delivered").count() == 1


def test_i_received_it_is_a_csrf_protected_post(shipped):
    client = Client(enforce_csrf_checks=True)
    client.force_login(shipped.host.user)
    assert client.get(f"/portal/kit/{shipped.number}/received/").status_code == 405
    assert client.post(f"/portal/kit/{shipped.number}/received/").status_code == 403
    shipped.refresh_from_db()
    assert shipped.status == ShipmentStatus.SHIPPED


def test_a_kit_not_yet_shipped_cannot_be_confirmed(allocated_shipment):
    client = _client_for(allocated_shipment.host.user)
    assert "I received it" not in client.get("/portal/kit/").content.decode()
    client.post(f"/portal/kit/{allocated_shipment.number}/received/")
    allocated_shipment.refresh_from_db()
    assert allocated_shipment.status == ShipmentStatus.ALLOCATED


def test_report_a_problem_reaches_logistics(shipped, logistics_client):
    # given
    coat_line = shipped.lines.get(item__sku="COAT-NAVY-M")
    prefix = shipped.number
    # when
    response = _client_for(shipped.host.user).post(
        f"/portal/kit/{shipped.number}/problem/",
        {
            f"{prefix}-kind": "damaged",
            f"{prefix}-line": coat_line.pk,
            f"{prefix}-quantity": 1,
            f"{prefix}-description": "A sleeve is torn.",
        },
    )
    # then
    assert response.status_code == 302
    problem = ShipmentProblem.objects.get()
    assert (problem.kind, problem.line, problem.quantity) == ("damaged", coat_line, 1)
    listed = logistics_client.get("/api/v1/kits/problems/?resolved=false").json()["results"]
    assert [(row["shipment"], row["sku"], row["description"]) for row in listed] == [
        (shipped.number, "COAT-NAVY-M", "A sleeve is torn.")
    ]
    resolved = logistics_client.post(
        f"/api/v1/kits/problems/{problem.pk}/resolve/", {"resolution": "Sent a new one"}
    )
    assert resolved.status_code == 200
    assert logistics_client.get("/api/v1/kits/problems/?resolved=false").json()["results"] == []
    again = logistics_client.post(f"/api/v1/kits/problems/{problem.pk}/resolve/", {"resolution": "again"})
    assert again.status_code == 409


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "missing"},  # no description
        {"kind": "lost-in-space", "description": "x"},
        {"kind": "missing", "description": "x", "quantity": 0},
        {"kind": "missing", "description": "x" * 2001},
        {"kind": "missing", "description": "x", "line": 999999},
        {"kind": "missing", "description": "x", "quantity": 3, "line": "COAT"},
    ],
)
def test_a_bad_problem_report_shows_errors_and_writes_nothing(shipped, fields):
    prefix = shipped.number
    if fields.get("line") == "COAT":
        fields = {**fields, "line": shipped.lines.get(item__sku="COAT-NAVY-M").pk}  # 3 > 2 sent
    response = _client_for(shipped.host.user).post(
        f"/portal/kit/{shipped.number}/problem/",
        {f"{prefix}-{name}": value for name, value in fields.items()},
    )
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    assert not ShipmentProblem.objects.exists()


def test_an_article_of_another_kit_cannot_be_named_in_a_report(shipped, kit_campaign, stock_for_kits):
    stock_for_kits(1)
    other = services.allocate_kit(host=factories.HostFactory(application__campaign=kit_campaign), by=None)
    response = _client_for(shipped.host.user).post(
        f"/portal/kit/{shipped.number}/problem/",
        {
            f"{shipped.number}-kind": "missing",
            f"{shipped.number}-line": other.lines.first().pk,
            f"{shipped.number}-description": "x",
        },
    )
    assert response.status_code == 400
    assert not ShipmentProblem.objects.exists()


def test_a_host_without_kit_sees_a_friendly_page(db):
    host = factories.HostFactory()
    response = _client_for(host.user).get("/portal/kit/")
    assert response.status_code == 200
    assert "You have no kit yet" in response.content.decode()


def test_my_kit_page_query_count_does_not_grow_with_the_kit(
    kit_campaign, stock_for_kits, django_assert_max_num_queries
):
    # given: a kit of 40 lines
    items = [factories.ItemFactory() for _ in range(40)]
    set_kit_template(campaign=kit_campaign, lines=[(item, 2) for item in items], by=None)
    for item in items:
        receive_stock(item=item, quantity=2, by=None)
    host = factories.HostFactory(application__campaign=kit_campaign)
    shipment = services.allocate_kit(host=host, by=None)
    services.mark_packed(shipment=shipment, by=None)
    services.mark_shipped(shipment=shipment, by=None, **SHIP)
    client = _client_for(host.user)
    # then
    with django_assert_max_num_queries(10):
        response = client.get("/portal/kit/")
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == 41


def test_the_page_speaks_french(shipped):
    client = _client_for(shipped.host.user)
    html = client.get("/portal/kit/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Je l’ai reçu" in html
    assert "Signaler un problème" in html


def test_problem_list_query_count_is_constant(
    shipped, kit_campaign, logistics_client, django_assert_max_num_queries
):
    for n in range(8):
        services.report_kit_problem(
            shipment=shipped,
            by=shipped.host.user,
            kind="damaged",
            line=shipped.lines.get(item__sku="COAT-NAVY-M"),
            quantity=1,
            description=f"problem {n}",
        )
    with django_assert_max_num_queries(4):
        response = logistics_client.get(f"/api/v1/kits/problems/?shipment={shipped.number}&kind=damaged")
    assert response.json()["total"] == 8


def test_the_host_sees_one_kit_on_its_own_page(shipped):
    response = _client_for(shipped.host.user).get(f"/portal/kit/{shipped.number}/")
    assert response.status_code == 200
    assert shipped.number in response.content.decode()
