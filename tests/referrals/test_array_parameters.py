"""The array text that carries a batch's columns to PostgreSQL in one parameter reads back as the
values it was made of, whatever they hold (quotes, backslashes, commas, braces, NULLs)."""

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.forms.models import model_to_dict
from django.utils import timezone as django_timezone

from ambassadors.models import Party
from backend.arrays import array_text
from referrals.attribution.services import _CODES, _GUESTS, _HELD_STATUSES, _guests_of
from referrals.codes.services import issue_host_code
from referrals.models import ReferralCode
from tests.factories import GuestFactory, HostFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _read_back(values: list, sql_type: str) -> list:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT %s::{sql_type}[]", [array_text(values)])
        return cursor.fetchone()[0]


def test_strings_read_back_as_written():
    values = ["c:1", 'a "quoted" one', "back\\slash", "comma, {brace}", "", "NULL", None, "é ✓", " spaced "]
    assert _read_back(values, "text") == values


def test_numbers_booleans_and_times_read_back_as_written():
    assert _read_back([1, -9_223_372_036_854_775_808, None, 0], "bigint") == [
        1,
        -9_223_372_036_854_775_808,
        None,
        0,
    ]
    assert _read_back([Decimal("12.50"), Decimal("-0.001"), Decimal("1E+2"), None], "numeric") == [
        Decimal("12.50"),
        Decimal("-0.001"),
        Decimal("100"),
        None,
    ]
    assert _read_back([True, False, None], "boolean") == [True, False, None]
    assert _read_back([date(2026, 2, 28), None], "date") == [date(2026, 2, 28), None]
    moments = [
        datetime(2026, 12, 5, 3, 4, 5, 123456, tzinfo=UTC),
        datetime(2026, 6, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5))),
    ]
    assert _read_back(moments, "timestamptz") == moments
    assert _read_back([date(2026, 2, 28), date(2026, 3, 1)], "date") == [date(2026, 2, 28), date(2026, 3, 1)]
    assert _read_back([None, None], "timestamptz") == [None, None]
    assert _read_back([], "bigint") == []


def test_a_prepared_query_gives_the_querysets_instances_with_their_relations(django_assert_num_queries):
    host = HostFactory()
    code = issue_host_code(host=host)
    for _ in range(2):  # compiled by the first run, reused by the second
        with django_assert_num_queries(1):
            (found,) = _CODES.run(array_text([code.code, "NOT-OURS"]), array_text([]))
            assert (found.pk, found.code, found.host_id, found.party_id) == (
                code.pk,
                code.code,
                host.pk,
                None,
            )
            assert found.host.user.email == host.user.email
            assert found.host.campaign.currency == host.campaign.currency
    assert connections[DEFAULT_DB_ALIAS] in _CODES._compiled
    assert _CODES.run(array_text([]), array_text([])) == []


def test_a_related_row_named_by_many_rows_is_one_instance_equal_to_the_querysets():
    first = HostFactory()
    second = HostFactory(application__campaign=first.campaign)
    codes = [issue_host_code(host=first), issue_host_code(host=second)]
    found = sorted(_CODES.run(array_text([c.code for c in codes]), array_text([])), key=lambda c: c.pk)
    expected = list(
        ReferralCode.objects.select_related("host__user", "host__campaign", "party")
        .filter(pk__in=[c.pk for c in codes])
        .order_by("pk")
    )
    assert [c.host.pk for c in found] == [first.pk, second.pk]
    assert found[0].host.campaign is found[1].host.campaign  # made once, shared
    for mine, theirs in zip(found, expected, strict=True):
        for obj, other in (
            (mine, theirs),
            (mine.host, theirs.host),
            (mine.host.campaign, theirs.host.campaign),
        ):
            assert model_to_dict(obj) == model_to_dict(other)
        assert mine.host.user.email == theirs.host.user.email


def test_the_guests_of_a_batch_are_read_as_the_queryset_reads_them(django_assert_num_queries):
    held = GuestFactory(party__status="held").party
    Party.objects.filter(pk=held.pk).update(
        starts_at=django_timezone.now() - timedelta(days=2),
        attribution_ends_at=django_timezone.now() + timedelta(days=5),
    )
    at_held = [GuestFactory(party=held, email=f"lou{i}@example.com") for i in range(2)]
    GuestFactory(email="lou0@example.com")  # a planned party: not one the rule reads
    window = (django_timezone.now() - timedelta(hours=1), django_timezone.now())
    emails = ["lou0@example.com", "lou1@example.com", "nobody@example.com"]
    for _ in range(2):  # compiled by the first run, reused by the second
        with django_assert_num_queries(1):
            found = _GUESTS.run(array_text(emails), *window, *_HELD_STATUSES)
        assert sorted(g.pk for g in found) == sorted(g.pk for g in at_held)
        assert {g.party.host.user.email for g in found} == {held.host.user.email}
    assert connections[DEFAULT_DB_ALIAS] in _GUESTS._compiled
    assert sorted(g.pk for g in _guests_of(emails, *window, *_HELD_STATUSES)) == sorted(g.pk for g in at_held)
