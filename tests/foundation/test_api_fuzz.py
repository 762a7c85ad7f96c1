"""The whole API against its OpenAPI schema: every operation fuzzed in-process, no 5xx, nothing outside
the schema, and requests that break the schema refused.

Each operation gets `FUZZ_EXAMPLES` (100 by default) schema-valid requests with the widest access its
route allows: an admin token holding the personal-data permission for staff routes, a host's token for
the host's own routes, the shop's API key for the order import, nobody for public routes. Business rules
may refuse schema-valid input (400, 404, 409): that is not a defect; a 5xx or an undocumented status or
body is. Each operation then gets requests that break its schema (wrong types, missing required fields,
out-of-range values, blank filters), which must be refused with a documented client error. Two
leniencies of DRF are deliberate and may show up in a longer hunt (FUZZ_EXPLORE=1): text is trimmed
before its length is checked, and a number sent where text is expected is read as text.

An answer is outside the schema when a status, a content type, a type, a value or a field is not
documented: the fuzz reads the answers' objects as closed (see `_api_schema`).

Then scenarios chain operations through the links inferred from the schema (`FUZZ_SCENARIOS`, 60 by
default): the id, SKU or number one answer names is what the next request asks for, so operations on
one object are reached with an object that exists, which random ids seldom find.
"""

import ipaddress
import os
import re
import socket
from datetime import timedelta
from decimal import Decimal

import pytest
import schemathesis
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from knox.models import AuthToken
from schemathesis import GenerationMode, checks
from schemathesis.specs.openapi import checks as openapi_checks

from ambassadors.portal.tokens import issue_host_token
from feedback.ratings.services import Rating, rate_piece_as_host
from kits.catalogue.services import set_kit_template
from kits.shipments import services as kits
from kits.stock.services import receive_stock
from orders.ingestion.rules import OrderData
from orders.ingestion.services import record_order
from orders.models import ShopApiKey
from referrals.codes.services import issue_host_code
from tests import factories

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
# Derandomised: the same code gives the same requests, so a run in CI is repeatable; FUZZ_EXPLORE=1
# draws new ones on every run, for a longer hunt.
DERANDOMIZE = os.environ.get("FUZZ_EXPLORE", "") != "1"
NEGATIVE_EXAMPLES = max(EXAMPLES // 4, 10)
POSITIVE_CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]
NEGATIVE_CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.negative_data_rejection,
]
HOST_ROUTES = re.compile(r"^/api/v1/(me/|parties/)")
PUBLIC_ROUTES = re.compile(r"^/api/v1/(public/|auth/token/$|host/token/$)")
HOST_TOKEN_ROUTES = re.compile(r"^/api/v1/host/")


@pytest.fixture
def programme(admin_user_role, logistics_user):
    """Something of every kind to find: a campaign with a host, an application, stock, a party with a
    guest, an order, and orders attributed both ways (credited to the host by its code, unattributed)."""
    host = factories.HostFactory(
        application__campaign=factories.CampaignFactory(slug="fuzz"),
        selected_at=timezone.now() - timedelta(days=1),
    )
    factories.ApplicationFactory(campaign=host.campaign)
    party = factories.PartyFactory(host=host)
    factories.GuestFactory(party=party)
    factories.OrderFactory()
    code = issue_host_code(host=host).code
    for external_id, entered in (("FUZZ-CREDITED", code), ("FUZZ-UNKNOWN", "NOT-OURS")):
        record_order(
            source="api",
            data=OrderData(
                external_id=external_id,
                placed_at=timezone.now() - timedelta(minutes=5),
                customer_email="buyer@example.com",
                currency="EUR",
                subtotal=Decimal("80.00"),
                total=Decimal("80.00"),
                code=entered,
            ),
        )
    item = factories.ItemFactory()
    receive_stock(item=item, quantity=5, reason="fuzz", by=logistics_user)
    # The host's kit, shipped, and her opinion of its piece: the feedback report has a row to answer with.
    set_kit_template(campaign=host.campaign, lines=[(item, 1)], by=None)
    shipment = kits.mark_packed(shipment=kits.allocate_kit(host=host, by=None), by=None)
    shipment = kits.mark_shipped(shipment=shipment, carrier="Colissimo", tracking_number="6A1", by=None)
    opinion = Rating(fit="right", colour="love", quality=4, would_buy=True, comment="Douce", consent=True)
    rate_piece_as_host(line=shipment.lines.get(), by=host.user, rating=opinion)
    return host


@pytest.fixture(autouse=True)
def no_name_resolves(monkeypatch):
    """The fuzz runs offline: a made-up host name (a webhook endpoint's URL) does not resolve, at once,
    as on a machine without DNS, instead of waiting on whatever resolver the machine has."""
    resolve = socket.getaddrinfo

    def offline(host, *args, **kwargs):
        if host in (None, "localhost") or _is_address(host):
            return resolve(host, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", offline)


def _is_address(host: object) -> bool:
    try:
        ipaddress.ip_address(host.decode() if isinstance(host, bytes) else str(host))
    except ValueError:
        return False
    return True


@pytest.fixture
def authorizations(programme, admin_user_role):
    from django.contrib.auth.models import Permission

    admin_user_role.user_permissions.add(Permission.objects.get(codename="view_personal_data"))
    _, staff_token = AuthToken.objects.create(user=admin_user_role)
    _, host_token = AuthToken.objects.create(user=programme.user)
    _, shop_key = ShopApiKey.objects.create_key(name="shop")
    _, host_api_token = issue_host_token(user=programme.user)
    return {
        "staff": f"Token {staff_token}",
        "host": f"Token {host_token}",
        "shop": f"Api-Key {shop_key}",
        "host_api": f"Bearer {host_api_token}",
    }


def _refs(node: object) -> set[str]:
    """The components a schema node names, directly."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        found = {ref.rsplit("/", 1)[-1]} if isinstance(ref, str) else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


def _reachable(roots: set[str], components: dict) -> set[str]:
    seen: set[str] = set()
    todo = set(roots)
    while todo:
        name = todo.pop()
        if name not in seen and name in components:
            seen.add(name)
            todo |= _refs(components[name])
    return seen


def _close(node: object) -> None:
    """Every object schema under `node` lists all its properties: a property it does not name fails."""
    if isinstance(node, dict):
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close(value)
    elif isinstance(node, list):
        for value in node:
            _close(value)


def _api_schema():
    """The schema the API serves, read as a client would read it, except that an answer's objects are
    closed: a field the schema does not document fails the fuzz, as a wrong type or value does. (JSON
    Schema lets an object carry properties it does not name; the served schema keeps that latitude for
    the clients, so that a field added later breaks none of them.) What requests send stays open: DRF
    ignores a field it does not know, which the negative fuzz would otherwise call a defect."""
    from backend.wsgi import application

    raw = schemathesis.openapi.from_wsgi("/api/v1/schema/", application).raw_schema
    components = raw["components"]["schemas"]
    operations = [op for item in raw["paths"].values() for op in item.values() if isinstance(op, dict)]
    sent = _reachable(
        set().union(
            *(_refs(op.get("requestBody", {})) | _refs(op.get("parameters", [])) for op in operations)
        ),
        components,
    )
    answered = _reachable(set().union(*(_refs(op.get("responses", {})) for op in operations)), components)
    for name in answered - sent:
        _close(components[name])
    for op in operations:
        for response in op.get("responses", {}).values():
            _close(response.get("content", {}))  # inline answers (no component)
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = application
    schema.location = "/api/v1/schema/"
    return schema


def _authorization(operation, authorizations: dict[str, str]) -> dict[str, str]:
    if PUBLIC_ROUTES.match(operation.path):
        return {}
    if operation.method.upper() == "POST" and operation.path == "/api/v1/orders/":
        return {"Authorization": authorizations["shop"]}
    if HOST_TOKEN_ROUTES.match(operation.path):
        return {"Authorization": authorizations["host_api"]}
    if HOST_ROUTES.match(operation.path):
        return {"Authorization": authorizations["host"]}
    return {"Authorization": authorizations["staff"]}


def _strategy(operation, mode: GenerationMode):
    """Requests that break the schema send their body as JSON when the operation takes JSON: a form
    field cannot say null (multipart sends the text "null", a valid string), so a "became null"
    break sent as a form is no break at all. Schema-valid bodies go in every media type."""
    strategy = operation.as_strategy(generation_mode=mode)
    content = operation.definition.raw.get("requestBody", {}).get("content", {})
    if mode == GenerationMode.NEGATIVE and "application/json" in content:
        return strategy.filter(lambda case: case.media_type in (None, "application/json"))
    return strategy


def _fuzz(operation, headers: dict[str, str], mode: GenerationMode, examples: int, checks_) -> None:
    @given(case=_strategy(operation, mode))
    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        derandomize=DERANDOMIZE,
    )
    def check(case):
        case.call_and_validate(headers=headers, checks=checks_)

    check()


def test_every_operation_keeps_to_its_schema_and_never_fails(authorizations, wsgi_keeps_test_connection):
    schema = _api_schema()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 80  # the whole API, not a slice of it
    if os.environ.get("FUZZ_ONLY"):
        operations = [
            op for op in operations if re.search(os.environ["FUZZ_ONLY"], f"{op.method.upper()} {op.path}")
        ]

    failures = []
    for operation in operations:
        headers = _authorization(operation, authorizations)
        for mode, examples, checks_ in (
            (GenerationMode.POSITIVE, EXAMPLES, POSITIVE_CHECKS),
            (GenerationMode.NEGATIVE, NEGATIVE_EXAMPLES, NEGATIVE_CHECKS),
        ):
            try:
                _fuzz(operation, headers, mode, examples, checks_)
            except Unsatisfiable:
                assert mode == GenerationMode.NEGATIVE  # nothing in this operation's schema can be broken
            except (Exception, BaseExceptionGroup) as error:  # gather every failure, then report them all
                failures.append(f"{operation.method.upper()} {operation.path} ({mode.value}): {error}"[:3000])
    assert not failures, "\n\n".join(failures)


# Scenarios that chain operations: what one answer names (an id, a SKU, a shipment number) is what the
# next request asks for, through the links Schemathesis infers from the schema (a list's `results/*/id`
# to the detail, the update, the transitions; a created item's SKU to its receipts). Each answer is
# checked as in the fuzz above, and also: a resource an answer just named is found (not 404), and one
# just deleted is gone.
STATEFUL_CHECKS = [
    *POSITIVE_CHECKS,
    openapi_checks.ensure_resource_availability,
    openapi_checks.use_after_free,
]
STATEFUL_SCENARIOS = int(os.environ.get("FUZZ_SCENARIOS", "60"))


def test_linked_operations_keep_to_their_schema(authorizations, wsgi_keeps_test_connection):
    if os.environ.get("FUZZ_ONLY"):
        pytest.skip("scenarios chain operations of the whole API; FUZZ_ONLY narrows the fuzz above")
    schema = _api_schema()
    # Valid requests only: a chain goes on from answers that name something; each operation's invalid
    # requests are the fuzz's above.
    schema.config.phases.stateful.generation.update(modes=[GenerationMode.POSITIVE])
    machine = schema.as_state_machine()
    assert schema.statistic.transitions.total >= 100  # the links are inferred, not lost

    class Scenarios(machine):
        # Each scenario starts from the same data: what one wrote (a deleted campaign, a shipped kit)
        # is rolled back, so a failing scenario replays the same way while it is shrunk.
        def setup(self):
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)

        def get_call_kwargs(self, case):
            return {"headers": _authorization(case.operation, authorizations)}

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(
                response,
                checks=STATEFUL_CHECKS,
                headers=kwargs.get("headers"),
                recorder=self.recorder,
            )

    Scenarios.run(
        settings=settings(
            max_examples=STATEFUL_SCENARIOS,
            stateful_step_count=6,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            database=None,
            derandomize=DERANDOMIZE,
        )
    )
