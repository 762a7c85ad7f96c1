"""One API, one way of doing each thing, checked over the generated OpenAPI schema: every list is
paged by the shared cursor, every time range is named `<moment>_after` / `<moment>_before`, every
campaign filter is the shared `campaign` (an id or a slug), and a host's own list filters as the
staff's list of the same rows. Then the same rules through HTTP."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from backend.filters import CAMPAIGN_DESCRIPTION
from backend.pagination import NEXT_DESCRIPTION, PREVIOUS_DESCRIPTION, TOTAL_DESCRIPTION, CursorPagination
from tests.factories import ApplicationFactory, CampaignFactory, HostFactory, PartyFactory

TIME_RANGE = re.compile(r"^[a-z]+_(after|before)$")


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def _resolve(schema: dict, node: dict) -> dict:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def list_operations(schema: dict) -> dict[str, dict]:
    """Every GET answering a list: a bare array, or an object carrying `results` (any paginator's)."""
    found = {}
    for path, operations in schema["paths"].items():
        operation = operations.get("get")
        if operation is None:
            continue
        content = operation["responses"].get("200", {}).get("content", {}).get("application/json")
        if content is None:
            continue
        body = _resolve(schema, content["schema"])
        if body.get("type") == "array" or "results" in body.get("properties", {}):
            found[path] = operation
    return found


def query_parameters(operation: dict) -> dict[str, dict]:
    return {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "query"}


def test_every_list_is_paged_by_the_shared_cursor(schema):
    lists = list_operations(schema)
    assert len(lists) >= 27  # every list of the API, the host's own included
    wrong = {}
    for path, operation in lists.items():
        body = _resolve(schema, operation["responses"]["200"]["content"]["application/json"]["schema"])
        properties = body.get("properties", {})
        parameters = query_parameters(operation)
        problems = []
        if set(properties) not in ({"next", "previous", "results"}, {"next", "previous", "total", "results"}):
            problems.append(f"answers {sorted(properties) or body.get('type')}")
        elif (properties["next"].get("description"), properties["previous"].get("description")) != (
            NEXT_DESCRIPTION,
            PREVIOUS_DESCRIPTION,
        ) or ("total" in properties and properties["total"].get("description") != TOTAL_DESCRIPTION):
            problems.append("links or total described otherwise")
        if parameters.get("cursor", {}).get("description") != CursorPagination.cursor_description:
            problems.append("no shared cursor parameter")
        if "page_size" not in parameters:
            problems.append("no page_size")
        if {"page", "offset", "limit"} & set(parameters):
            problems.append(f"pages by {sorted({'page', 'offset', 'limit'} & set(parameters))}")
        if problems:
            wrong[path] = problems
    assert wrong == {}


def test_time_ranges_are_named_after_and_before(schema):
    """A list's time filters are `<moment>_after` (included) and `<moment>_before` (excluded), always
    in pairs: no `since`/`until`, no `_from`/`_to`."""
    wrong = {}
    for path, operation in list_operations(schema).items():
        parameters = query_parameters(operation)
        for name, parameter in parameters.items():
            is_time = parameter.get("schema", {}).get("format") in ("date", "date-time")
            if is_time != bool(TIME_RANGE.match(name)):
                wrong.setdefault(path, []).append(name)
            elif is_time:
                stem, side = name.rsplit("_", 1)
                if f"{stem}_{'before' if side == 'after' else 'after'}" not in parameters:
                    wrong.setdefault(path, []).append(f"{name} alone")
    assert wrong == {}


def test_every_campaign_filter_is_the_shared_one(schema):
    """One parameter name, `campaign`, an id or a slug, wherever a list is filtered by campaign."""
    wrong = {}
    for path, operation in list_operations(schema).items():
        for name, parameter in query_parameters(operation).items():
            if "campaign" not in name:
                continue
            if name != "campaign":
                wrong.setdefault(path, []).append(name)
            elif (parameter["schema"], parameter.get("description")) != (
                {"type": "string", "minLength": 1},
                CAMPAIGN_DESCRIPTION,
            ):
                wrong.setdefault(path, []).append(f"campaign as {parameter['schema']}")
    assert wrong == {}


def test_a_hosts_own_list_filters_as_the_staff_list(schema):
    lists = list_operations(schema)
    pairs = {path: path.replace("/me/", "/", 1) for path in lists if "/me/" in path}
    pairs = {own: staff for own, staff in pairs.items() if staff in lists}
    assert set(pairs) == {
        "/api/v1/me/codes/",
        "/api/v1/me/hosts/",
        "/api/v1/me/ledger/",
        "/api/v1/me/payouts/",
    }
    assert {own: set(query_parameters(lists[own])) for own in pairs} == {
        own: set(query_parameters(lists[staff])) for own, staff in pairs.items()
    }


# --- the same, through HTTP --------------------------------------------------------------------


def _walk(client, url: str) -> tuple[list[int], list[int], set[int]]:
    """Every id forward through `next`, then back from the last page through `previous`."""
    forward, pages, totals = [], [], set()
    body = client.get(url).json()
    while True:
        forward += [row["id"] for row in body["results"]]
        pages.append(body)
        totals.add(body.get("total"))
        if body["next"] is None:
            break
        body = client.get(body["next"]).json()
    backward = [row["id"] for row in pages[-1]["results"]]
    body = pages[-1]
    while body["previous"] is not None:
        body = client.get(body["previous"]).json()
        backward = [row["id"] for row in body["results"]] + backward
    return forward, backward, totals


@pytest.mark.django_db
@pytest.mark.parametrize("ordering", ["-score", "follower_count", "-follower_count"])
def test_the_cursor_neither_repeats_nor_skips_rows_sharing_a_value_or_empty(marketing_client, ordering):
    campaign = CampaignFactory()
    for index in range(11):  # three scores, and a follower count that is often the same or unknown
        ApplicationFactory(
            campaign=campaign,
            score=Decimal(index % 3),
            follower_count=[None, 10, 20][index % 3] if index % 4 else None,
        )
    ApplicationFactory()  # another campaign's
    expected = list(
        marketing_client.get(
            f"/api/v1/applications/?campaign={campaign.pk}&ordering={ordering}&page_size=100"
        ).json()["results"]
    )
    forward, backward, totals = _walk(
        marketing_client, f"/api/v1/applications/?campaign={campaign.slug}&ordering={ordering}&page_size=2"
    )
    assert forward == backward == [row["id"] for row in expected]
    assert len(forward) == 11 and totals == {11}
    nulls = [row["follower_count"] for row in expected if row["follower_count"] is None]
    if ordering != "-score":  # empty values last, whichever the direction
        assert [row["follower_count"] for row in expected][-len(nulls) :] == nulls


@pytest.mark.django_db
def test_the_cursor_walks_rows_selected_at_the_same_moment(marketing_client):
    """A time in the cursor, read back by the database: hosts selected together, newest first."""
    campaign = CampaignFactory()
    moment = timezone.now() - timedelta(days=1)
    hosts = [
        HostFactory(campaign=campaign, selected_at=moment if index % 2 else timezone.now())
        for index in range(7)
    ]
    forward, backward, totals = _walk(marketing_client, f"/api/v1/hosts/?campaign={campaign.pk}&page_size=2")
    newest_first = sorted(hosts, key=lambda host: (host.selected_at, host.pk), reverse=True)
    assert forward == backward == [host.pk for host in newest_first] and totals == {7}


@pytest.mark.django_db
def test_a_blank_altered_or_foreign_cursor_names_no_page(marketing_client):
    ApplicationFactory.create_batch(3)
    following = marketing_client.get("/api/v1/applications/?page_size=1").json()["next"]
    cursor = following.split("cursor=")[1].split("&")[0]
    for query in (
        "cursor=",
        f"cursor={cursor[:-2]}xx",
        f"cursor={cursor}&ordering=postal_code",
        "cursor=e30",
    ):
        response = marketing_client.get(f"/api/v1/applications/?page_size=1&{query}")
        assert (query, response.status_code, response.json()["errors"][0]["code"]) == (
            query,
            404,
            "not_found",
        )
    assert marketing_client.get(following).status_code == 200
    for size in ("²", "0", "501", " 1"):  # the schema fuzz sent the first: a digit to Python, not to `int`
        response = marketing_client.get("/api/v1/applications/", {"page_size": size})
        assert (size, response.status_code, response.json()["errors"][0]["attr"]) == (size, 400, "page_size")


@pytest.mark.django_db
def test_a_campaign_is_filtered_by_its_id_or_its_slug_everywhere(marketing_client, logistics_client):
    campaign = CampaignFactory(slug="printemps")
    host = HostFactory(campaign=campaign)
    HostFactory()
    for key in (campaign.pk, "printemps"):
        assert [
            row["id"] for row in marketing_client.get(f"/api/v1/hosts/?campaign={key}").json()["results"]
        ] == [host.pk]
    for key in ("automne", 10**30, "\x00", "²"):
        response = marketing_client.get("/api/v1/hosts/", {"campaign": key})
        assert (response.status_code, response.json()["errors"][0]["attr"]) == (400, "campaign")
    # a list that read the slug, one that read the id through a serializer: both take either
    assert logistics_client.get("/api/v1/kits/shipments/", {"campaign": campaign.pk}).status_code == 200
    assert marketing_client.get("/api/v1/feedback/", {"campaign": "printemps"}).status_code == 200
    assert marketing_client.get("/api/v1/feedback/", {"campaign": "automne"}).status_code == 400


@pytest.mark.django_db
def test_a_time_range_includes_its_start_and_excludes_its_end(marketing_client):
    start = timezone.now().replace(microsecond=0) + timedelta(days=3)
    party = PartyFactory(starts_at=start)
    query = {"starts_after": start.isoformat(), "starts_before": (start + timedelta(hours=1)).isoformat()}
    assert [row["id"] for row in marketing_client.get("/api/v1/parties/", query).json()["results"]] == [
        party.pk
    ]
    query = {"starts_after": (start - timedelta(hours=1)).isoformat(), "starts_before": start.isoformat()}
    assert marketing_client.get("/api/v1/parties/", query).json()["results"] == []
