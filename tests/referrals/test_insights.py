"""Marketing's insights page per campaign (issue 20 §10): its figures are the report API's, its funnel
counts each step once, its queries do not grow with the data, marketing only, linked from the
admin's home, and the map it draws ships with its licence."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from ambassadors.models import Application, Campaign
from backend.email_address import normalise_email
from kits.models import Shipment
from orders.models import Order, OrderStatus
from referrals.codes.services import issue_host_code
from referrals.insights import charts
from referrals.insights.services import campaign_insights
from referrals.models import Attribution
from tests import factories
from tests.referrals.insights_figures import (
    figures_and_texts_of_page,
    figures_from_api,
    figures_of_page,
    mismatches,
    misread,
)
from tests.referrals.test_reports import _order, _shipped_kit, programme  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def page_url(campaign: Campaign) -> str:
    return f"/staff/insights/{campaign.pk}/"


@pytest.fixture
def marketing_browser(marketing_user) -> Client:
    client = Client()
    client.force_login(marketing_user)
    return client


def _repeat_buyers_from_orders(campaign: Campaign) -> int:
    """Buyers with two orders or more, counted from the orders themselves."""
    orders: dict[str, int] = {}
    for email in (
        Order.objects.filter(pk__in=Attribution.objects.filter(campaign=campaign).values("order_id"))
        .exclude(status=OrderStatus.CANCELLED)
        .values_list("customer_email", flat=True)
    ):
        orders[normalise_email(email)] = orders.get(normalise_email(email), 0) + 1
    return sum(1 for count in orders.values() if count >= 2)


def test_the_demo_campaigns_page_shows_the_report_apis_figures(settings, marketing_user, marketing_browser):
    settings.DEBUG = True  # seed_demo refuses to run without it
    call_command("seed_demo", stdout=StringIO())
    campaign = Campaign.objects.get(slug="automne-hiver-2026")
    api = APIClient()
    api.force_authenticate(marketing_user)
    expected = figures_from_api(api, campaign)

    response = marketing_browser.get(page_url(campaign))
    assert response.status_code == 200
    page, texts = figures_and_texts_of_page(response.content.decode())
    assert mismatches(page, expected) == {}
    assert misread(page, texts) == {}  # and each reads as its value
    # every kind of figure is there and checked: the demo sells through every part of the page
    checked = {table for table, _, _ in page.keys() & expected.keys()}
    assert checked >= {
        "totals",
        "kit",
        "funnel",
        "week",
        "method",
        "postal_area",
        "host",
        "party",
        "campaign",
    }
    assert sum(1 for where in page.keys() & expected.keys() if where[0] == "postal_area") >= 10

    # the steps the report does not count, from the models themselves
    insights = campaign_insights(campaign=campaign)
    steps = {step.key: step.count for step in insights.funnel}
    assert steps["applications"] == Application.objects.filter(campaign=campaign).count() > 0
    delivered = Shipment.objects.filter(campaign=campaign, delivered_at__isnull=False).count()
    assert page[("funnel", "kits_delivered", "count")] == steps["kits_delivered"] == delivered
    assert page[("funnel", "repeat_buyers", "count")] == steps["repeat_buyers"]
    assert steps["repeat_buyers"] == _repeat_buyers_from_orders(campaign)
    # the service's own figures are the API's too (the page could not hide a wrong one)
    assert str(insights.totals.net_sales) == str(expected[("totals", "", "net_sales")])


def test_the_funnel_counts_each_step_once(programme, marketing_browser):  # noqa: F811
    campaign = programme["campaign"]
    # a second kit, delivered to Hugo: the only one delivered
    shipment = _shipped_kit(programme["hugo"], quantity=4, returned_good=0)
    Shipment.objects.filter(pk=shipment.pk).update(status="delivered", delivered_at=timezone.now())
    factories.ApplicationFactory(campaign=campaign)  # applied, not selected
    factories.PartyFactory(host=programme["hugo"], status="cancelled")  # never held

    steps = {step.key: step.count for step in campaign_insights(campaign=campaign).funnel}

    assert steps == {
        "applications": 3,
        "selected": 2,
        "kits_delivered": 1,
        "parties_held": 1,
        "guests": 2,
        "buyers": 4,  # x@ bought twice; the cancelled order is no sale, the unattributed one no campaign's
        "repeat_buyers": 1,  # x@
    }
    page = figures_of_page(marketing_browser.get(page_url(campaign)).content.decode())
    assert {key: int(page[("funnel", key, "count")] or 0) for key in steps} == steps


def test_the_regions_add_up_to_the_campaigns_net_sales(programme, marketing_browser):  # noqa: F811
    campaign = programme["campaign"]
    belgian = factories.HostFactory(
        application__campaign=campaign,
        selected_at=timezone.now() - timedelta(days=90),
        postal_code="1000",
        country="BE",
    )
    _order(email="be@example.com", days_ago=1, subtotal="40.00", code=issue_host_code(host=belgian).code)
    insights = campaign_insights(campaign=campaign)

    assert {code: area.net_sales for code, area in insights.departements.items()} == {
        "75": Decimal("250.00"),  # Clara: 100 + 50 by code, 100 by her party's guest
        "69": Decimal("250.00"),  # Hugo: 200 by link, 100 refunded by half
    }
    assert [(area.key, area.net_sales) for area in insights.other_areas] == [("BE", Decimal("40.00"))]
    mapped = sum((area.net_sales for area in insights.departements.values()), Decimal(0))
    assert mapped + sum(area.net_sales for area in insights.other_areas) == insights.totals.net_sales

    html = marketing_browser.get(page_url(campaign)).content.decode()
    # Paris and Rhône carry the darkest shade; a département without a sale stays blank
    assert f'fill="{charts.SHADES[-1]}" data-departement="75"' in html
    assert f'fill="{charts.SHADES[-1]}" data-departement="69"' in html
    assert f'fill="{charts.NO_SALES}" data-departement="2A"' in html


def test_every_figure_equals_the_report_api(programme, marketing_user, marketing_browser):  # noqa: F811
    campaign = programme["campaign"]
    factories.CampaignFactory(name="Printemps 2026")  # another campaign, compared beside it
    api = APIClient()
    api.force_authenticate(marketing_user)
    expected = figures_from_api(api, campaign)
    page, texts = figures_and_texts_of_page(marketing_browser.get(page_url(campaign)).content.decode())
    assert mismatches(page, expected) == {}
    assert misread(page, texts) == {}
    assert {table for table, _, _ in page.keys() & expected.keys()} >= {
        "totals", "kit", "funnel", "week", "method", "postal_area", "host", "party", "campaign"
    }  # fmt: skip


def test_campaigns_in_another_currency_are_left_out_of_the_comparison(programme, marketing_browser):  # noqa: F811
    campaign = programme["campaign"]
    spring = factories.CampaignFactory(name="Printemps 2026")
    pounds = factories.CampaignFactory(name="Spring UK", currency="GBP")
    insights = campaign_insights(campaign=campaign)
    assert {cohort.campaign for cohort in insights.cohorts} == {campaign, spring}
    assert insights.cohorts_note == "currency"
    mine = next(cohort for cohort in insights.cohorts if cohort.campaign == campaign)
    assert mine.totals.net_sales == insights.totals.net_sales
    assert pounds.name not in marketing_browser.get(page_url(campaign)).content.decode()


def test_the_pages_queries_do_not_grow_with_the_data(programme, marketing_browser):  # noqa: F811
    campaign = programme["campaign"]
    url = page_url(campaign)
    marketing_browser.get(url)
    with CaptureQueriesContext(connection) as before:
        assert marketing_browser.get(url).status_code == 200
    for index in range(4):
        host = factories.HostFactory(
            application__campaign=campaign,
            selected_at=timezone.now() - timedelta(days=90),
            postal_code=f"{31 + index}000",
            country="FR",
        )
        code = issue_host_code(host=host).code
        _order(email=f"more{index}@example.com", days_ago=1, subtotal="10.00", code=code)
        _order(email=f"more{index}@example.com", days_ago=9, subtotal="10.00", code=code)
        factories.PartyFactory(host=host, status="held")
        _shipped_kit(host, quantity=2, returned_good=0)
    with CaptureQueriesContext(connection) as after:
        assert marketing_browser.get(url).status_code == 200
    assert len(after.captured_queries) == len(before.captured_queries)


def test_only_marketing_opens_the_page(programme, logistics_user):  # noqa: F811
    url = page_url(programme["campaign"])
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/signin/?next=")
    for user in (programme["clara"].user, logistics_user):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.get("/staff/insights/").status_code == 403


def test_the_admins_home_links_the_insights_for_marketing_only(marketing_user, logistics_user):
    for user, linked in ((marketing_user, True), (logistics_user, False)):
        user.is_staff = True
        user.save()
        client = Client()
        client.force_login(user)
        home = client.get("/admin/").content.decode()
        assert ('href="/staff/insights/"' in home) is linked


def test_the_campaign_list_links_each_campaigns_page(programme, marketing_browser):  # noqa: F811
    page = marketing_browser.get("/staff/insights/").content.decode()
    assert f'href="{page_url(programme["campaign"])}"' in page


def test_the_map_ships_unchanged_with_its_licence():
    folder = charts.FRANCE_MAP.parent
    assert "Attribution 4.0 International" in (folder / "LICENSE.md").read_text(encoding="utf-8")
    view_box, shapes = charts.france_shapes()
    assert view_box == "0 0 613 585" and len(shapes) == 96
    assert {charts.report_prefix(shape.code) for shape in shapes} == {
        f"{number:02d}" for number in range(1, 96)
    }  # every metropolitan département of the report's postal areas, Corsica as 20
    package = Path(settings.BASE_DIR) / "node_modules" / "@svg-maps" / "france.departments"
    if (package / "package.json").exists():  # `npm ci` ran: the copy is the pinned version's file
        assert (package / "france.departments.svg").read_bytes() == charts.FRANCE_MAP.read_bytes()
