"""Probing `/r/` as an outsider tells live referral codes from unknown ones neither by the answer nor
by its time, whatever the campaigns' states (issue 15, item 3).

The redirects run with the database task backend, as in production: the click of a live code is
logged by a task, and an unknown code enqueues the same task (which logs nothing), so both answers
are the same work on the request path.
"""

import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from ambassadors.models import HostStatus
from referrals.codes.services import deactivate_codes, issue_host_code
from referrals.models import Click
from tests.factories import CampaignFactory, HostFactory

pytestmark = pytest.mark.django_db(transaction=True)

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Unknown codes of the real shape, as a prober would try them.
UNKNOWN = [
    f"{name}-{suffix}" for name in ("ZOE", "HUGO", "CHLOE", "LEA") for suffix in ("ECG5", "QQ7H", "9XKM")
]


@pytest.fixture(autouse=True)
def production_like(settings, monkeypatch):
    """The database task backend and a throttle that lets a prober's many requests through."""
    from rest_framework.throttling import SimpleRateThrottle

    settings.TASKS = DATABASE_TASKS
    settings.DEFAULT_SHOP_URL = "https://default.example.com/"
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"redirects": "100000/minute"})


def _campaign(name, status):
    return CampaignFactory(
        status=status,
        shop_url=f"https://{name}.example.com/shop?lang=fr",
        applications_open_at=timezone.now() - timedelta(days=30),
    )


def _live_code(campaign):
    return issue_host_code(host=HostFactory(application__campaign=campaign)).code


def _dead_code(campaign):
    host = HostFactory(application__campaign=campaign)
    code = issue_host_code(host=host).code
    host.status = HostStatus.BANNED
    host.save(update_fields=["status"])
    deactivate_codes(host=host, reason="banned")
    return code


def _landing(client, code):
    """What a prober compares: everything but the values that differ between two live codes too."""
    response = client.get(f"/r/{code}", HTTP_USER_AGENT=BROWSER)
    location = urlsplit(response["Location"])
    query = parse_qs(location.query)
    return (
        response.status_code,
        tuple(sorted(response.headers.keys())),
        location.scheme,
        location.netloc,
        location.path,
        tuple(sorted(query)),
        tuple(query.get("utm_campaign", [])),
        tuple(len(ref) for ref in query.get("ref", [])),
    )


def _recruiting_beside_a_closed_one():
    # the hosts of a closed campaign keep their codes while the next campaign recruits
    closed = _campaign("last-year", "closed")
    _campaign("this-year", "recruiting")
    return [_live_code(closed), _live_code(closed)], [_dead_code(closed)]


def _two_running_on_two_shops():
    first, second = _campaign("first", "running"), _campaign("second", "running")
    return [_live_code(first), _live_code(second), _live_code(second)], [_dead_code(first)]


def _none_running():
    # selected hosts have their codes before the campaign runs
    selecting = _campaign("selecting", "selecting")
    _campaign("draft", "draft")
    return [_live_code(selecting)], [_dead_code(selecting)]


@pytest.mark.parametrize(
    "campaigns", [_none_running, _recruiting_beside_a_closed_one, _two_running_on_two_shops]
)
def test_unknown_and_inactive_codes_land_where_live_codes_land(client, campaigns):
    live_codes, dead_codes = campaigns()

    live = {_landing(client, code) for code in live_codes}
    probes = {code: _landing(client, code) for code in UNKNOWN + dead_codes}

    # every unknown or inactive code lands where some live code lands: the same status, headers,
    # scheme, host, path, parameter names, campaign and `ref` shape
    assert set(probes.values()) <= live
    # and the unknown codes between them reach every such landing, so none marks a code as live
    assert set(probes.values()) == live
    # a code lands in the same place every time
    assert all(_landing(client, code) == probes[code] for code in UNKNOWN[:3] + dead_codes)


def test_without_any_live_code_everything_lands_on_the_default_shop(client):
    closed = _campaign("over", "closed")
    dead = _dead_code(closed)
    _campaign("next", "recruiting")

    landings = {_landing(client, code) for code in [*UNKNOWN[:4], dead]}

    [(status, _, scheme, netloc, _, parameters, campaign, ref)] = landings
    assert (status, scheme, netloc, campaign, ref) == (302, "https", "default.example.com", (), (22,))
    assert "utm_campaign" not in parameters


def test_the_click_of_a_live_code_is_logged_by_the_worker_and_credits_the_order(client):
    from orders.ingestion.rules import OrderData
    from orders.ingestion.services import record_order

    code = _live_code(_campaign("autumn", "running"))
    response = client.get(f"/r/{code}", HTTP_USER_AGENT=BROWSER)
    for unknown in UNKNOWN[:3]:
        client.get(f"/r/{unknown}", HTTP_USER_AGENT=BROWSER)
    [ref] = parse_qs(urlsplit(response["Location"]).query)["ref"]
    assert not Click.objects.exists()  # not on the request path

    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")

    # the live code's click is logged, the decoys' tasks logged nothing
    click = Click.objects.get()
    assert (click.token, click.code.code) == (ref, code)
    order, _ = record_order(
        source="api",
        data=OrderData(
            external_id="LINK-1",
            placed_at=timezone.now(),
            customer_email="lea@example.com",
            currency="EUR",
            subtotal=Decimal("80"),
            total=Decimal("80"),
            landing_token=ref,
        ),
    )
    assert (order.attribution.method, order.attribution.click) == ("link", click)


# Time ---------------------------------------------------------------------------------------------

ROUNDS = 150
WARM_UP = 20
# A live code's extra work cost ~5 ms when its click was written on the request path: a median gap
# of 1.5 ms is well below that, and well above the noise of a loaded test machine.
MEDIAN_GAP_SECONDS = 0.0015


def _time(client, code):
    start = time.perf_counter()
    response = client.get(f"/r/{code}", HTTP_USER_AGENT=BROWSER)
    elapsed = time.perf_counter() - start
    assert response.status_code == 302
    return elapsed


def test_a_live_code_and_an_unknown_one_take_the_same_time(client):
    # given two running campaigns, so both kinds of code do their full work
    first, second = _campaign("first", "running"), _campaign("second", "running")
    live_codes = [_live_code(first), _live_code(second)]
    dead = _dead_code(first)
    kinds = {"live": live_codes, "unknown": UNKNOWN + [dead]}
    timings: dict[str, list[float]] = {"live": [], "unknown": []}
    shuffle = random.Random(15)

    # when a prober asks both kinds in turn, in a random order each round
    for round_number in range(WARM_UP + ROUNDS):
        order = list(kinds)
        shuffle.shuffle(order)
        for kind in order:
            elapsed = _time(client, shuffle.choice(kinds[kind]))
            if round_number >= WARM_UP:
                timings[kind].append(elapsed)

    # then the two distributions are the same: the median of the differences within a round (which
    # cancels the machine's own ups and downs) is within the tolerance
    live, unknown = timings["live"], timings["unknown"]
    gap = statistics.median(a - b for a, b in zip(live, unknown, strict=True))
    slower = sum(a > b for a, b in zip(live, unknown, strict=True)) / ROUNDS
    report = (
        f"median live {statistics.median(live) * 1000:.2f} ms, unknown {statistics.median(unknown) * 1000:.2f} ms,"
        f" median gap within a round {gap * 1000:.2f} ms;"
        f" live slower in {slower:.0%} of rounds"
    )
    # (A live code's row is read and checked: a constant ~0.2 ms in process, far below what a network
    # lets one see; the sign of each round's difference is reported, not held to a band, since such a
    # constant shows in it on a quiet machine.)
    assert abs(gap) < MEDIAN_GAP_SECONDS, report


def test_an_order_that_overtakes_its_click_is_credited_by_the_reconciliation(client):
    from orders.ingestion.rules import OrderData
    from orders.ingestion.services import record_order
    from referrals.attribution.services import reconcile_unattributed

    code = _live_code(_campaign("autumn", "running"))
    [ref] = parse_qs(urlsplit(client.get(f"/r/{code}", HTTP_USER_AGENT=BROWSER)["Location"]).query)["ref"]
    # the order arrives before the worker logged the click
    order, _ = record_order(
        source="api",
        data=OrderData(
            external_id="FAST-1",
            placed_at=timezone.now(),
            customer_email="lea@example.com",
            currency="EUR",
            subtotal=Decimal("80"),
            total=Decimal("80"),
            landing_token=ref,
        ),
    )
    assert order.attribution.method == "none"

    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0")

    assert reconcile_unattributed() == 1
    order.attribution.refresh_from_db()
    assert (order.attribution.method, order.attribution.click) == ("link", Click.objects.get())
