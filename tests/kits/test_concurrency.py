"""Concurrent allocations never oversell (PostgreSQL: SQLite serialises writers and would hide races)."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from kits.models import Shipment, Stock
from tests import factories
from tests.kits.conftest import assert_stock_matches_ledger

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_fifty_concurrent_allocations_on_stock_for_ten_kits_give_ten_kits_and_forty_clean_409s(
    kit_campaign, stock_for_kits, logistics_user
):
    # given: stock for exactly 10 kits and 50 hosts waiting for one
    stock_for_kits(10)
    hosts = [factories.HostFactory(application__campaign=kit_campaign) for _ in range(50)]
    barrier = threading.Barrier(len(hosts))
    results: list[tuple[int, dict]] = []
    lock = threading.Lock()

    def allocate(host_id: int) -> None:
        client = APIClient()
        client.force_authenticate(logistics_user)
        try:
            barrier.wait(timeout=30)
            response = client.post("/api/v1/kits/shipments/", {"host": host_id})
            with lock:
                results.append((response.status_code, response.json()))
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=allocate, args=(host.pk,)) for host in hosts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    # then
    statuses = sorted(code for code, _ in results)
    assert len(results) == 50
    assert statuses.count(201) == 10
    assert statuses.count(409) == 40
    for code, body in results:
        if code == 409:
            assert body["errors"][0]["code"] == "short_stock"
            assert body["extra"]["short"]
    assert Shipment.objects.count() == 10
    for stock in Stock.objects.all():
        assert 0 <= stock.allocated <= stock.on_hand
        assert stock.allocated == stock.on_hand  # everything reserved, nothing more
    assert_stock_matches_ledger()
