"""A fuzzer over the packing slip operations of the OpenAPI schema: no 5xx, nothing outside the schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from knox.models import AuthToken
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from kits import printing

pytestmark = pytest.mark.django_db

CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]
SLIP_PATHS = r"^/api/v1/kits/(packing-slips/|shipments/[^/]+/packing-slip/)"


@pytest.fixture
def connection_kept_open():
    """The fuzzer calls the WSGI application itself, whose request signals would close the database
    connection after each call; PostgreSQL really closes it (SQLite's in-memory database ignores it)
    and the test's transaction with it. Django's own test client disconnects them the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_packing_slip_api_never_fails_and_keeps_to_its_schema(
    logistics_user, allocated_shipment, connection_kept_open
):
    # given a kit to print, a queued batch to look at, and a logistics token
    from backend.wsgi import application

    printing.request_slip_batch(shipment_ids=[allocated_shipment.pk], by=logistics_user)
    _, token = AuthToken.objects.create(user=logistics_user)
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application).include(path_regex=SLIP_PATHS)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 4

    # when each operation gets generated requests, then none fails or leaves its documented shape
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)

        check()
