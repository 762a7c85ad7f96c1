"""A fuzzer over the recruitment operations of the OpenAPI schema: no 5xx, nothing outside the schema."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from knox.models import AuthToken
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from tests.factories import ApplicationFactory, CampaignFactory, HostFactory

pytestmark = pytest.mark.django_db

CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]
RECRUITMENT_PATHS = r"^/api/v1/(campaigns/(\{id\}/((transition|select-best)/)?)?$|applications/|hosts/|me/hosts/|public/campaigns/)"


@pytest.fixture
def keep_the_test_connection():
    """Requests go through the real WSGI app: keep it from closing the test's database connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_recruitment_api_never_fails_and_keeps_to_its_schema(marketing_user, keep_the_test_connection):
    # given some data to find, and a marketing token (the widest access to these routes)
    from backend.wsgi import application

    host = HostFactory(application__campaign=CampaignFactory(slug="fuzz"))
    ApplicationFactory(campaign=host.campaign)
    _, token = AuthToken.objects.create(user=marketing_user)
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application).include(
        path_regex=RECRUITMENT_PATHS
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15

    # when each operation gets generated requests, then none fails or leaves its documented shape
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def check(case):
            # Business rules may refuse schema-valid input (400): that is not a defect, a 5xx or an
            # undocumented answer is.
            case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)

        check()
