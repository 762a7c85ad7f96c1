"""A fuzzer over the orders operations of the OpenAPI schema: no 5xx, nothing outside the schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from knox.models import AuthToken
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from tests.factories import OrderFactory

pytestmark = pytest.mark.django_db

CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]
ORDERS_PATHS = r"^/api/v1/orders/"


def test_orders_api_never_fails_and_keeps_to_its_schema(marketing_user, shop_key):
    # given orders to find, a marketing token for the reads and the shop's key for the import
    from backend.wsgi import application

    OrderFactory()
    _, token = AuthToken.objects.create(user=marketing_user)
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application).include(path_regex=ORDERS_PATHS)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 4

    # when each operation gets generated requests, then none fails or leaves its documented shape
    for operation in operations:
        is_import = operation.method.upper() == "POST" and operation.path == "/api/v1/orders/"
        fuzz(operation, f"Api-Key {shop_key}" if is_import else f"Token {token}")


def fuzz(operation, authorization: str) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        # Business rules may refuse schema-valid input (400/409): a 5xx or an undocumented answer is a defect.
        case.call_and_validate(headers={"Authorization": authorization}, checks=CHECKS)

    check()
