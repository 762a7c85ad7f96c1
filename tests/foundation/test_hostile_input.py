"""What an attacker can put in a request never ends in a 500 (SPEC §13), on every route of the URL
configuration, on SQLite and on PostgreSQL (which refuses NUL characters even in a comparison):

- a NUL character in the path answers 404, in a cookie 400, before anything reads them;
- NUL characters and dates at the calendar's edges (year 1, year 9999, the widest offsets) in every
  query parameter the schema knows answer 200 or 4xx;
- JSON nested 1,000 deep answers 400 (or another 4xx where nothing reads the body).

Each is sent anonymously, as staff holding every role and as a host, so the views behind the
permission checks read the values too. API answers keep the one error shape.
"""

import json
import re
from typing import Any

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from backend.parsers import MAX_JSON_DEPTH
from tests import factories
from tests.tenancy.routes import Route, project_routes

pytestmark = pytest.mark.django_db

ROUTES = project_routes()
PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
# Query parameters read by portal pages, which the API schema does not list.
PORTAL_PARAMETERS = {"next", "download", "token", "page", "campaign", "q", "language"}
EARLIEST = {"date": "0001-01-01", "date-time": "0001-01-01T00:00:00+23:59"}
LATEST = {"date": "9999-12-31", "date-time": "9999-12-31T23:59:59-23:59"}


def url_of(route: Route, value: str | None = None) -> str:
    """The route's path with each parameter set to `value`, or to a plain value of its converter."""

    def fill(match: re.Match[str]) -> str:
        if value is not None:
            return value
        return "1" if match["converter"] == "int" else "x"

    return "/" + PARAMETER.sub(fill, route.path)


@pytest.fixture(scope="module")
def query_parameters() -> dict[str, str]:
    """Every query parameter of the API, by name, with its format ("date", "date-time" or "")."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    found = dict.fromkeys(PORTAL_PARAMETERS, "")
    for operations in schema["paths"].values():
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    found[parameter["name"]] = parameter.get("schema", {}).get("format", "")
    assert {"date_from", "date_to", "placed_after", "cursor", "ordering"} <= set(found)
    return found


@pytest.fixture
def clients() -> dict[str, Client]:
    """Nobody, a member of staff with every role and permission, and a host with a party."""
    staff = factories.UserFactory(email="all-roles@staff.example.com", is_superuser=True, is_staff=True)
    party = factories.PartyFactory()
    signed_in = {}
    for who, user in (("staff", staff), ("host", party.host.user)):
        signed_in[who] = Client(raise_request_exception=False)
        signed_in[who].force_login(user)
    return {"anonymous": Client(raise_request_exception=False), **signed_in}


def refused_in_the_one_error_shape(url: str, response: Any) -> bool:
    if not url.startswith("/api/") or response.status_code < 400 or response.status_code == 429:
        return True
    body = response.json()
    return set(body) >= {"type", "errors"} and all("code" in error for error in body["errors"])


def test_a_nul_character_in_any_path_answers_404(clients):
    wrong = []
    for route in ROUTES:
        for value in ("%00", "A%00B"):
            url = url_of(route, value)
            if "%00" not in url:
                continue
            for method in ("get", "post"):
                response = getattr(clients["anonymous"], method)(url)
                if response.status_code != 404:
                    wrong.append(f"{method.upper()} {url}: {response.status_code}")
                elif url.startswith("/api/") and response.json()["errors"][0]["code"] != "not_found":
                    wrong.append(f"{method.upper()} {url}: {response.content[:200]!r}")
    assert not wrong, "\n".join(wrong)


def test_an_id_beyond_what_the_database_holds_in_any_path_answers_404(clients):
    wrong = []
    for route in ROUTES:
        if "<int:" not in route.path:
            continue
        url = "/" + PARAMETER.sub(lambda m: "9" * 30 if m["converter"] == "int" else "x", route.path)
        for who in ("anonymous", "staff", "host"):
            response = clients[who].get(url)
            if response.status_code >= 500 or not refused_in_the_one_error_shape(url, response):
                wrong.append(f"GET {url} ({who}): {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_the_named_public_routes_answer_404_to_a_nul_character(client):
    for url in ("/r/%00", "/p/%00/", "/portal/kit/%00/", "/api/v1/public/campaigns/%00/"):
        assert client.get(url).status_code == 404, url
    assert client.get("/api/v1/public/campaigns/%00/").json() == {
        "type": "client_error",
        "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}],
    }


def test_a_nul_character_in_a_cookie_answers_400_before_the_session_is_read(clients):
    for route in ROUTES:
        url = url_of(route)
        client = Client(raise_request_exception=False)
        client.cookies["sessionid"] = "a-session-key\x00that-is-not-one"
        response = client.get(url)
        assert response.status_code == 400, url
        if url.startswith("/api/"):
            assert response.json()["errors"][0]["code"] == "bad_request"


def test_nul_characters_and_the_calendars_edges_in_any_query_parameter_are_refused_or_ignored(
    clients, query_parameters
):
    queries = {
        "NUL": dict.fromkeys(query_parameters, "1\x00"),
        "earliest": {name: EARLIEST.get(kind, "0") for name, kind in query_parameters.items()},
        "latest": {name: LATEST.get(kind, "9" * 30) for name, kind in query_parameters.items()},
    }
    wrong = []
    for route in ROUTES:
        url = url_of(route)
        for who in ("anonymous", "staff", "host"):
            for label, query in queries.items():
                response = clients[who].get(url, query)
                if response.status_code >= 500 or not refused_in_the_one_error_shape(url, response):
                    wrong.append(
                        f"GET {url} ({label}, {who}): {response.status_code} {response.content[:300]!r}"
                    )
    assert not wrong, "\n".join(wrong)


def test_the_report_refuses_dates_at_the_calendars_edges_as_a_bad_value(clients):
    response = clients["staff"].get(
        "/api/v1/reports/attribution/", {"date_from": "0001-01-01", "date_to": "9999-12-31"}
    )
    assert response.status_code == 400
    assert {(error["attr"], error["code"]) for error in response.json()["errors"]} == {
        ("date_from", "invalid"),
        ("date_to", "invalid"),
    }
    ordinary = clients["staff"].get(
        "/api/v1/reports/attribution/", {"date_from": "2026-01-01", "date_to": "2026-12-31"}
    )
    assert ordinary.status_code == 200


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_json_nested_too_deep_is_refused_on_every_route(clients):
    wrong = []
    for route in ROUTES:
        url = url_of(route)
        for who in ("anonymous", "staff", "host"):
            for method in ("post", "put", "patch"):
                response = getattr(clients[who], method)(url, nested(1000), content_type="application/json")
                if response.status_code >= 500 or not refused_in_the_one_error_shape(url, response):
                    wrong.append(f"{method.upper()} {url} ({who}): {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_json_nested_too_deep_is_a_parse_error_and_json_within_the_bound_is_read(clients):
    deep = clients["staff"].post("/api/v1/campaigns/", nested(1000), content_type="application/json")
    assert deep.status_code == 400
    assert deep.json()["errors"][0]["code"] == "parse_error"
    just_past = clients["staff"].post(
        "/api/v1/campaigns/", nested(MAX_JSON_DEPTH + 1), content_type="application/json"
    )
    assert just_past.json()["errors"][0]["code"] == "parse_error"
    # within the bound the body is read, and refused for what it says, not for its shape
    within = clients["staff"].post(
        "/api/v1/campaigns/", json.dumps({"name": [[["x"]]]}), content_type="application/json"
    )
    assert within.status_code == 400
    assert within.json()["type"] == "validation_error"


def test_a_blank_page_format_or_grouping_is_refused_not_read_as_the_default(marketing_client):
    """`?cursor=`, `?format=` and `?group_by=` given without a value mean something the client will
    not get: each is refused as a bad value of its kind, never answered with the first page, JSON or
    the totals (the schema fuzz found each)."""
    answers = {
        "blank cursor": marketing_client.get("/api/v1/campaigns/?cursor="),
        "blank format": marketing_client.get("/api/v1/reports/attribution/?format="),
        "blank grouping": marketing_client.get("/api/v1/reports/attribution/?group_by="),
        "unknown format of a file": marketing_client.get("/api/v1/payouts/bank-export/?format=xml"),
    }
    assert {name: answer.status_code for name, answer in answers.items()} == {
        "blank cursor": 404, "blank format": 404, "blank grouping": 400, "unknown format of a file": 404,
    }  # fmt: skip
    assert answers["blank grouping"].json()["errors"][0] == {
        "code": "invalid_choice", "detail": '"" is not a valid choice.', "attr": "group_by",
    }  # fmt: skip
    # the same routes still answer what they are asked
    assert marketing_client.get("/api/v1/campaigns/").status_code == 200
    assert marketing_client.get("/api/v1/reports/attribution/?format=csv").status_code == 200
    assert marketing_client.get("/api/v1/payouts/bank-export/").status_code == 200


@pytest.mark.django_db
def test_a_boolean_or_an_id_filter_refuses_what_it_cannot_read(marketing_client, logistics_client):
    """django-filter read any word but a boolean's as "no filter", a fraction as an id and a malformed
    UUID with a code the schema did not list (the schema fuzz found each): each is a bad value (400)
    with a code the schema names."""
    answers = {
        "returnable=null": logistics_client.get("/api/v1/kits/items/?returnable=null"),
        "resolved=2979215": logistics_client.get("/api/v1/kits/problems/?resolved=2979215"),
        "verified=": marketing_client.get("/api/v1/applications/?verified="),
        "host=-1.2e-266": marketing_client.get("/api/v1/orders/?host=-1.2e-266"),
        "host=1.5": marketing_client.get("/api/v1/orders/?host=1.5"),
        "batch=abc": logistics_client.get("/api/v1/kits/print-log/?batch=abc"),
    }
    assert {
        query: (answer.status_code, answer.json()["errors"][0]["code"]) for query, answer in answers.items()
    } == {
        "returnable=null": (400, "invalid"),
        "resolved=2979215": (400, "invalid"),
        "verified=": (400, "invalid"),
        "host=-1.2e-266": (400, "invalid"),
        "host=1.5": (400, "invalid"),
        "batch=abc": (400, "invalid"),
    }
    schema = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    for component in ("KitsItemsListReturnableErrorComponent", "ApplicationsListVerifiedErrorComponent",
                      "OrdersListHostErrorComponent", "KitsPrintLogListBatchErrorComponent"):  # fmt: skip
        assert "invalid" in schema[component]["properties"]["code"]["enum"], component
    for query in ("returnable=true", "returnable=0", "resolved=false"):
        assert (
            logistics_client.get(
                f"/api/v1/kits/{'items' if 'returnable' in query else 'problems'}/?{query}"
            ).status_code
            == 200
        )
