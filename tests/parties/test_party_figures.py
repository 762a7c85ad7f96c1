"""The host's party page: its way to the reward (threshold and brackets), how many guests bought
and for how much (never who), the clicks on its link as a chart drawn by the server, and after the
party who has not ordered yet among the guests who agreed to be contacted."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format

from ambassadors.parties.figures import Bracket, PartyFigures, progress_context
from ambassadors.signals import party_figures_wanted
from referrals.codes.services import issue_party_code
from referrals.models import Click
from referrals.rewards.services import set_reward_plan
from tests.factories import GuestFactory, HostFactory, PartyFactory
from tests.referrals.test_rewards import _buy

pytestmark = pytest.mark.django_db


def page(host, party, language="fr") -> str:
    client = Client()
    client.force_login(host.user)
    client.cookies["django_language"] = language
    response = client.get(f"/portal/parties/{party.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def click(code, at, n):
    Click.objects.bulk_create(
        Click(code=code, at=at, token=f"{code.pk}-{at:%Y%m%d%H%M}-{i}", visitor_hash="v") for i in range(n)
    )


@pytest.fixture
def party_after():
    return held_party_with_figures()


def held_party_with_figures():
    """A held party with three sales (two from its guests), clicks on two days, and guests who
    did and did not agree to be contacted."""
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
    party = PartyFactory(host=host, title="Apéro tricot", starts_at=timezone.now() - timedelta(hours=3))
    code = issue_party_code(party=party)
    code.created_at = timezone.now() - timedelta(days=5)  # the link went out five days ago
    code.save(update_fields=["created_at"])
    consented = timezone.now()
    GuestFactory(party=party, first_name="Inès", email="ines@example.com", marketing_consent_at=consented)
    GuestFactory(party=party, first_name="Maëlle", email="maelle@example.com", marketing_consent_at=consented)
    GuestFactory(party=party, first_name="Rose", email="rose@example.com")  # no consent to be contacted
    GuestFactory(party=party, first_name="Jeanne", email="jeanne@example.com")
    _buy(code.code, "100", email="ines@example.com")
    _buy(code.code, "150", email="rose@example.com")
    _buy(code.code, "300", email="stranger@example.com")
    now = timezone.localtime()
    click(code, now - timedelta(days=2), 3)
    click(code, now - timedelta(minutes=5), 7)
    party.status, party.held_at, party.actual_guests = "held", timezone.now(), 4
    party.save(update_fields=["status", "held_at", "actual_guests"])
    return host, party


def test_the_party_page_shows_its_way_to_the_reward_in_french(party_after):
    host, party = party_after

    html = page(host, party)

    assert "3 invités ont acheté, 550,00\u00a0€ de ventes" in html
    assert "3 acheteurs sur les 3 nécessaires" in html
    assert re.search(r'<progress id="party-buyers-progress" max="100" value="100">', html)
    assert re.search(r'<progress id="party-sales-progress" max="100" value="100">', html)
    # 500 × 10 % + 50 × 12.5 %
    assert "Votre soirée est qualifiée : 56,25\u00a0€ gagnés jusqu’ici." in html
    assert "De 0,00\u00a0€ à 500,00\u00a0€ de ventes : 10\u00a0% — atteinte" in re.sub(r"[ \n]+", " ", html)
    assert re.search(
        r"Au-delà de 500,00\u00a0€ de ventes : 12,5\u00a0%\s*— <strong>votre soirée en est là", html
    )


def test_the_party_page_never_says_who_bought(party_after):
    host, party = party_after

    html = page(host, party)

    assert "stranger@example.com" not in html
    not_ordered = html.split('id="not-ordered-title"')[1].split("</section>")[0]
    # Inès bought and Rose did not agree to be contacted: only Maëlle is listed
    assert "Maëlle" in not_ordered and "maelle@example.com" in not_ordered
    assert "Inès" not in not_ordered and "Rose" not in not_ordered and "Jeanne" not in not_ordered


def test_who_has_not_ordered_yet_waits_for_the_party(party_after):
    host, party = party_after
    party.status, party.held_at = "planned", None
    party.save(update_fields=["status", "held_at"])

    html = page(host, party)

    assert "3 invités ont acheté" in html
    assert 'id="not-ordered-title"' not in html


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_clicks_chart_is_drawn_by_the_server_with_a_text_equivalent(party_after, language):
    host, party = party_after

    html = page(host, party, language=language)

    chart = html.split('<svg class="clicks-chart"')[1].split("</svg>")[0]
    assert 'role="img" aria-labelledby="clicks-caption"' in chart
    assert "<script" not in html.split('id="clicks-title"')[1].split("</section>")[0]
    bars = re.findall(r'<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" height="([\d.]+)"', chart)
    assert len(bars) == 6  # one bar a day since the link went out
    heights = [float(height) for _, height in bars]
    assert heights[:3] == [0, 0, 0] and heights[4] == 0 and heights[5] == 76
    assert heights[3] == pytest.approx(76 * 3 / 7, abs=0.1)
    caption = html.split('id="clicks-caption">')[1].split("</p>")[0]
    today = timezone.localdate()
    with translation.override(language):
        first, busiest = (
            date_format(today - timedelta(days=5), "DATE_FORMAT"),
            date_format(today, "DATE_FORMAT"),
        )
    assert (
        caption
        == {
            "en": f"10 clicks since {first} · busiest day: {busiest} (7)",  # Dec. 4, 2026
            "fr": f"10 clics depuis le {first} · jour le plus actif : {busiest} (7)",  # 4 décembre 2026
        }[language]
    )
    table = html.split('class="clicks-table"')[1].split("</table>")[0]
    assert re.findall(r"<td>(\d+)</td>", table) == ["0", "0", "0", "3", "0", "7"]


def test_without_an_answer_the_page_shows_no_figures(party_after, monkeypatch):
    host, party = party_after
    monkeypatch.setattr(party_figures_wanted, "receivers", [])

    html = page(host, party)

    assert 'id="progress-title"' not in html and "Apéro tricot" in html


def test_the_bars_stay_on_their_scale_even_when_refunds_pass_the_sales():
    figures = PartyFigures(
        currency="EUR",
        buyers=0,
        sales=Decimal("-20"),
        min_buyers=3,
        min_sales=Decimal("150"),
        reward=Decimal("0"),
        brackets=[
            Bracket(starts_at=Decimal("0"), up_to=Decimal("500"), rate=Decimal("0.10")),
            Bracket(starts_at=Decimal("500"), up_to=None, rate=Decimal("0.125")),
        ],
        clicks_by_day={},
        link_opened_on=None,
    )

    progress = progress_context(figures)

    assert progress["sales_percent"] == 0 and progress["scale_sales_percent"] == 0
    assert progress["scale_threshold_percent"] == 27  # 150 of 550 (the last bound and a tenth)
    assert [step["at_percent"] for step in progress["brackets"]] == [0, 90]
    assert [(step["current"], step["to_go"]) for step in progress["brackets"]] == [
        (True, Decimal("0")),
        (False, Decimal("500")),
    ]
