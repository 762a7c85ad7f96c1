"""Statements run again on one connection are planned once (`backend.planned`): prepared by the
server from their second run, with the same rows, one query each as before, and never at the cost
of the transaction they run in."""

import pytest
from django.db import connection, transaction
from django.test import override_settings

from backend import planned
from backend.arrays import array_text
from backend.models import User
from orders.models import ShopApiKey
from tests.factories import UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SQL = "SELECT n * 2 FROM unnest(%s::int[]) AS n WHERE n > %s ORDER BY n"


def _ours() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements WHERE name LIKE 'soiree_%%'")
        return {name for (name,) in cursor.fetchall()}


def _run(sql: str, params: list) -> list:
    with connection.cursor() as cursor:
        planned.execute(cursor, sql, params)
        return cursor.fetchall()


def test_the_second_run_prepares_and_later_runs_execute_the_same_statement(django_assert_num_queries):
    planned.forget_all()
    before = _ours()
    with django_assert_num_queries(1):
        assert _run(SQL, [array_text([1, 2, 3]), 1]) == [(4,), (6,)]
    assert _ours() == before  # once: as it is
    for values in ([5, 6], [7, 8, 9]):
        with django_assert_num_queries(1):  # the PREPARE is not one of the request's queries
            assert _run(SQL, [array_text(values), 6]) == [(v * 2,) for v in values if v > 6]
    (name,) = _ours() - before
    with django_assert_num_queries(1) as captured:
        assert _run(SQL, [array_text([10]), 0]) == [(20,)]
    assert captured.captured_queries[0]["sql"].startswith(f"EXECUTE {name}(")


def test_a_statement_the_server_will_not_prepare_runs_as_it_is_and_spoils_nothing():
    planned.forget_all()
    sql = "SELECT %s IS NULL"  # the server cannot tell the parameter's type: PREPARE refuses it
    with transaction.atomic():
        key = ShopApiKey.objects.create_key(name="before")[0]
        for value in (None, "x", None):
            assert _run(sql, [value]) == [(value is None,)]
        assert ShopApiKey.objects.filter(pk=key.pk).exists()  # the transaction goes on
    assert not _ours()


@override_settings(DATABASE_PREPARED_STATEMENTS=False)
def test_switched_off_nothing_is_prepared():
    planned.forget_all()
    for _ in range(3):
        assert _run(SQL, [array_text([3]), 0]) == [(6,)]
    assert not _ours()


def test_a_migration_forgets_them():
    for _ in range(2):
        _run(SQL, [array_text([3]), 0])
    assert _ours()
    planned.forget_all()
    assert not _ours()
    assert _run(SQL, [array_text([4]), 0]) == [(8,)]  # run as it is again, then prepared anew


def test_a_prepared_statement_keeps_one_plan_from_its_first_execute():
    # a look-up by an array of keys: left to choose, the server plans its first five runs again,
    # then every run of a look-up whose array it cannot cost in advance (the webhooks' code, hosts)
    planned.forget_all()
    assert User._meta.db_table == "backend_user"
    sql = "SELECT id FROM backend_user WHERE id = ANY(%s::bigint[]) ORDER BY id"
    keys = sorted(UserFactory().pk for _ in range(3))
    for _ in range(8):
        assert _run(sql, [array_text(keys)]) == [(pk,) for pk in keys]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name LIKE 'soiree_%%'"
        )
        assert cursor.fetchall() == [(7, 0)]  # runs 2 to 8 through the prepared statement, one plan
