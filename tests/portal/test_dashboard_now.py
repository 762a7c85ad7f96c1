"""The dashboard says what to do now: the next party with its countdown and its progress toward
its reward, earnings so far and what is next to be paid, the kit's return-by date, one next step."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from kits.catalogue.services import set_kit_template
from kits.shipments import services as kits
from kits.stock.services import receive_stock
from referrals.codes.services import issue_host_code, issue_party_code
from referrals.rewards.services import adjust_rewards, set_reward_plan
from tests.factories import HostFactory, ItemFactory, PartyFactory
from tests.referrals.test_rewards import _buy

pytestmark = pytest.mark.django_db


def french_dashboard(host) -> str:
    client = Client()
    client.force_login(host.user)
    client.cookies["django_language"] = "fr"
    return client.get("/portal/").content.decode()


def test_the_dashboard_shows_the_party_under_way_and_its_way_to_the_reward():
    host = HostFactory(first_name="Clara", status="active", selected_at=timezone.now() - timedelta(days=30))
    set_reward_plan(
        campaign=host.campaign,
        by=None,
        party_brackets=[{"up_to": "500", "rate": "0.10"}, {"up_to": None, "rate": "0.125"}],
        host_code_rate=Decimal("0.05"),
        min_party_buyers=3,
        min_party_sales=Decimal("150"),
        payout_minimum=Decimal("20"),
    )
    party = PartyFactory(host=host, title="Apéro tricot", starts_at=timezone.now() - timedelta(hours=2))
    code = issue_party_code(party=party).code
    _buy(code, "100", email="a@example.com")
    _buy(code, "150", email="b@example.com")
    issue_host_code(host=host)
    adjust_rewards(host=host, amount=Decimal("12.00"), reason="photos", by=None)

    html = french_dashboard(host)

    assert "Votre prochaine soirée" in html and "Apéro tricot" in html
    assert "2 acheteurs sur les 3 nécessaires" in html
    assert re.search(r'<progress id="buyers-progress" max="100" value="66">', html)
    assert "250,00\u00a0€ de ventes sur les 150,00\u00a0€ nécessaires" in html
    assert re.search(r'<progress id="sales-progress" max="100" value="100">', html)
    assert "qualifiée" not in html  # two buyers of three
    assert "Encore 250,00\u00a0€ de ventes et la part suivante rapporte 12,5\u00a0%." in html
    assert "Gagné jusqu’ici : 12,00\u00a0€" in html
    assert "Les versements commencent à 20,00\u00a0€ : encore 8,00\u00a0€." in html
    # one next step, not a list of them
    assert html.count('class="card next-step"') == 1


def test_the_dashboard_counts_down_to_a_coming_party_and_gives_the_kits_return_date():
    host = HostFactory(status="active")
    PartyFactory(host=host, title="Soirée laine", starts_at=timezone.now() + timedelta(days=5, hours=1))
    coat = ItemFactory(sku="AW26-MANTEAU", name="Manteau")
    set_kit_template(campaign=host.campaign, lines=[(coat, 1)], by=None)
    receive_stock(item=coat, quantity=1, by=None)
    shipment = kits.mark_packed(shipment=kits.allocate_kit(host=host, by=None), by=None)
    shipment = kits.mark_shipped(shipment=shipment, carrier="Colissimo", tracking_number="6A1", by=None)
    shipment.return_due_on = timezone.localdate() + timedelta(days=40)
    shipment.save(update_fields=["return_due_on"])

    html = french_dashboard(host)

    assert "Dans 5\u00a0jours" in html
    due = shipment.return_due_on
    assert f"Les échantillons sont à renvoyer avant le {due.day}" in html
