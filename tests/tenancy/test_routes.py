"""SPEC §11 and §13 on every route: another host's object is a 404, lists hold only one's own rows,
staff routes refuse hosts. The routes come from the URL configuration, not from a list kept by hand."""

import json
from datetime import timedelta
from operator import attrgetter
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.tenancy.conftest import signed_in
from tests.tenancy.routes import (
    ANY_STAFF,
    HOST_LISTS,
    HOST_OBJECTS,
    PERSONAL_DATA,
    SHOP_API_KEY,
    STAFF_ROUTES,
    TABLES,
    THIRD_PARTY_INCLUDES,
    THIRD_PARTY_VIEWS,
    project_routes,
)
from tests.tenancy.world import Tenant, footprint

pytestmark = pytest.mark.django_db

METHODS = ("get", "head", "post", "put", "patch", "delete")


def send(client: Client, method: str, url: str, payload: dict[str, Any]) -> Any:
    """JSON to the API, a form to the portal, as their own clients send them."""
    if method in ("get", "head", "options"):
        return getattr(client, method)(url)
    if url.startswith("/api/"):
        return getattr(client, method)(url, data=json.dumps(payload), content_type="application/json")
    return getattr(client, method)(
        url, data=urlencode(payload), content_type="application/x-www-form-urlencoded"
    )


def takeover(theirs: Tenant) -> dict[str, Any]:
    """A valid input for every host form and command, so a missing check would change something."""
    starts_at = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    problem_form = theirs.shipment.number  # the kit page prefixes the problem form with the number
    return {
        "title": "Taken over",
        "starts_at": starts_at,
        "city": "Nantes",
        "postal_code": "44000",
        "expected_guests": 9,
        "notes": "taken over",
        "actual_guests": 3,
        "highlights": "taken over",
        "reason": "taken over",
        "first_name": "Intruder",
        "email": "intruder@example.com",
        "guest_agreed": True,
        f"{problem_form}-kind": "damaged",
        f"{problem_form}-description": "taken over",
    }


def test_every_route_has_a_tenancy_decision():
    skipped: set[str] = set()
    routes = project_routes(skipped)
    names = [route.name for route in routes]
    assert len(names) == len(set(names)), "two routes share a name: the tables could not tell them apart"

    decisions = {name: [table for table, decided in TABLES.items() if name in decided] for name in names}
    undecided = sorted(name for name, tables in decisions.items() if not tables)
    assert undecided == [], (
        "routes without a tenancy decision; put each in one table of tests/tenancy/routes.py: "
        + ", ".join(undecided)
    )
    assert {name: tables for name, tables in decisions.items() if len(tables) > 1} == {}
    stale = sorted(set().union(*TABLES.values()) - set(names))
    assert stale == [], f"table entries naming no route: {stale}"
    # every exclusion still names something mounted
    assert set(THIRD_PARTY_INCLUDES) | set(THIRD_PARTY_VIEWS) <= skipped
    # the walk reaches every part of the project
    assert {"api:parties", "parties:detail", "kits_staff:scan", "orders:stripe-webhook", "healthz"} <= set(
        names
    )


@pytest.mark.parametrize("name", sorted(HOST_OBJECTS))
def test_another_hosts_object_answers_404_to_every_method(name, alma, bruno):
    urls = [reverse(name, kwargs=kwargs) for kwargs in HOST_OBJECTS[name](alma, bruno)]

    # when host A asks for host B's object, with every method and a valid input
    before = footprint(bruno)
    asked = {
        url: {m: send(signed_in(alma.user), m, url, takeover(bruno)).status_code for m in METHODS}
        for url in urls
    }

    # then nothing of B's changed
    assert footprint(bruno) == before

    # and A got 404 on every method the route serves to B (the owner), the same 405 on the others
    owner = {m: send(signed_in(bruno.user), m, urls[0], {}).status_code for m in METHODS}
    served = [m for m, status in owner.items() if status != 405]
    assert served and all(owner[m] != 404 for m in served), owner  # the object exists for its owner
    expected = {m: 404 if m in served else 405 for m in METHODS}
    assert asked == dict.fromkeys(urls, expected)

    # OPTIONS describes the route, not the object: the same answer as for an id that exists nowhere
    for kwargs in HOST_OBJECTS[name](alma, bruno):
        real = send(signed_in(alma.user), "options", reverse(name, kwargs=kwargs), {})
        ghost = send(signed_in(alma.user), "options", reverse(name, kwargs=nowhere(kwargs)), {})
        assert (real.status_code, real.content) == (ghost.status_code, ghost.content)


def nowhere(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The same URL kwargs naming objects that do not exist (an image format stays a format)."""
    return {
        key: 2_000_000_000 if isinstance(value, int) else value if key == "image_format" else "NOWHERE-0000"
        for key, value in kwargs.items()
    }


def listed_ids(body: Any) -> set[int]:
    rows = body["results"] if isinstance(body, dict) else body
    return {row["id"] for row in rows}


@pytest.mark.parametrize("name", sorted(HOST_LISTS))
def test_a_hosts_list_shows_their_rows_and_never_a_foreign_one(name, alma, bruno):
    response = signed_in(alma.user).get(reverse(name))

    assert response.status_code == 200
    body = response.content.decode()
    for kind in HOST_LISTS[name]:
        if name.startswith("api:"):
            ids = listed_ids(response.json())
            assert alma.ids[kind] <= ids, (kind, ids)
            assert not bruno.ids[kind] & ids, (kind, ids)
        else:
            assert {marker for marker in alma.markers[kind] if marker not in body} == set(), kind
    assert sorted(marker for marker in bruno.all_markers if marker in body) == []


def _member_of(role: str) -> Any:
    user = factories.UserFactory(email=f"{role.replace(' ', '-')}@staff.example.com")
    group = {ANY_STAFF: "logistics", PERSONAL_DATA: "marketing"}.get(role, role)
    user.groups.add(Group.objects.get(name=group))
    if role == PERSONAL_DATA:
        user.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    return user


@pytest.mark.parametrize("name", sorted(STAFF_ROUTES))
def test_staff_routes_refuse_a_signed_in_host_on_every_method(name, alma, bruno):
    entry = STAFF_ROUTES[name]
    url = reverse(name, kwargs={key: attrgetter(path)(bruno) for key, path in entry.kwargs.items()})

    before = footprint(bruno)
    statuses = {m: send(signed_in(alma.user), m, url, takeover(bruno)).status_code for m in METHODS}

    refused = {m: 401 if entry.role_for(m.upper()) == SHOP_API_KEY else 403 for m in METHODS}
    assert statuses == refused
    assert footprint(bruno) == before
    # and the role named in the table is the one let in
    if entry.role_for("GET") != SHOP_API_KEY:
        assert signed_in(_member_of(entry.role_for("GET"))).get(url).status_code not in (401, 403)
