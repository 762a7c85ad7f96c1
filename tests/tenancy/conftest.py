import pytest
from django.test import Client

from tests.tenancy.world import Tenant, build_tenant, shared_campaign


@pytest.fixture
def campaign(db):
    return shared_campaign()


@pytest.fixture
def alma(campaign) -> Tenant:
    """Host A: the one asking."""
    return build_tenant(campaign, name="Alma", amount="31.17", number=12)


@pytest.fixture
def bruno(campaign, alma) -> Tenant:
    """Host B, of the same campaign: the one whose objects A must never reach."""
    return build_tenant(campaign, name="Bruno", amount="47.29", number=58)


def signed_in(user) -> Client:
    """A browser session, as the portal (and the API, for hosts) authenticates."""
    client = Client()
    client.force_login(user)
    return client
