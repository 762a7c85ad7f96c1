"""A compiled queryset (`backend.prepared.Prepared`) is compiled once and run again; one whose SQL
would not take its parameters in the order given refuses to run instead of compiling every time."""

import pytest
from django.db import DEFAULT_DB_ALIAS, connections

from backend.prepared import Prepared
from orders.models import ShopEndpoint
from orders.shops.deliveries import _ENDPOINT, get_endpoint
from orders.shops.services import create_shop_endpoint

pytestmark = pytest.mark.django_db


def test_a_shop_endpoint_is_read_through_its_compiled_query(django_assert_num_queries):
    endpoint = create_shop_endpoint(name="Shop", slug="la-boutique", platform="shopify", secret="shpss_0123")
    for _ in range(2):
        with django_assert_num_queries(1):
            assert get_endpoint(slug="la-boutique", platform="shopify").pk == endpoint.pk
    assert connections[DEFAULT_DB_ALIAS] in _ENDPOINT._compiled


def test_parameters_in_another_order_than_the_sql_are_refused():
    # keyword filters compile in the order of their names: platform, then slug
    misordered = Prepared(
        ShopEndpoint, lambda slug, platform: ShopEndpoint.objects.filter(slug=slug, platform=platform)
    )
    with pytest.raises(TypeError, match="not the parameters given in their order"):
        misordered.run("la-boutique", "shopify")
