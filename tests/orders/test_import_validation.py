"""The common-shape reading of an imported order gives what the full serializer gives, or steps aside."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import EmailValidator
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError

from orders.ingestion.serializers import OrderInputSerializer, _EmailAddress

PLACED_AT = (timezone.now() - timedelta(hours=2)).replace(microsecond=0)
REFUND = {"refund_id": "RF-1", "amount": "1.00", "refunded_at": PLACED_AT.isoformat()}


def common_order(**overrides):
    order = {
        "external_id": "SHOP-1001",
        "placed_at": PLACED_AT.isoformat(),
        "customer_email": "lea.martin@example.com",
        "currency": "EUR",
        "subtotal": "120.00",
        "discount": "24.00",
        "shipping": "5.00",
        "tax": "17.00",
        "total": "118.00",
        "code": "CLARA-7K2F",
        "lines": [{"sku": "JKT-42", "quantity": 1, "unit_price": "90.00"}],
    }
    order.update(overrides)
    return order


MISSING = object()
TEXTS = [MISSING, None, "", "  ", " x ", "x" * 64, "x" * 65, "x" * 256, "é", "a\x00b", "\ud800", 7, True, []]
MONEY = [
    MISSING,
    None,
    "",
    "0",
    "0.00",
    "5",
    "5.0",
    "17.00",
    " 17.00",
    "17.001",
    "-1.00",
    "1e1",
    "NaN",
    17,
    17.0,
]
VARIANTS = {
    "external_id": TEXTS,
    "customer_email": [*TEXTS, "Lea.Martin@Example.com", " lea@example.com ", "lea@", "lea@example"],
    "currency": [*TEXTS, "eur", "EU", "EURO", "E1R", "JPY", "KWD", "XXX", "ZZZ"],
    "code": TEXTS,
    "landing_token": TEXTS,
    "subtotal": MONEY,
    "discount": MONEY,
    "shipping": MONEY,
    "tax": MONEY,
    "total": [*MONEY, "118", "118.0", "118.01"],
    "placed_at": [
        MISSING,
        None,
        "",
        "yesterday",
        PLACED_AT.replace(tzinfo=None).isoformat(),
        PLACED_AT.isoformat().replace("+00:00", "Z"),
        PLACED_AT.astimezone(timezone.get_fixed_timezone(120)).isoformat(),
        (timezone.now() + timedelta(days=1)).isoformat(),
        f" {PLACED_AT.isoformat()}",
        "2026-02-30T10:00:00Z",
    ],
    "lines": [
        MISSING,
        None,
        [],
        {},
        ["nope"],
        [{"sku": "A", "quantity": 2, "unit_price": "1.50"}] * 501,
        [{"sku": "A", "quantity": 0, "unit_price": "1.50"}],
        [{"sku": "A", "quantity": True, "unit_price": "1.50"}],
        [{"sku": "A", "quantity": "2", "unit_price": "1.50"}],
        [{"sku": "A", "quantity": 100_001, "unit_price": "1.50"}],
        [{"sku": " A ", "quantity": 100_000, "unit_price": "1.505"}],
        [{"sku": "", "quantity": 1, "unit_price": "1.50"}],
        [{"sku": "A", "quantity": 1}],
    ],
    "refunds": [MISSING, None, [], [REFUND], [REFUND, REFUND]],
}


def exact(value):
    """Values compared with their form: 5.00 is not 5, 12:00+02:00 is not 10:00Z."""
    if isinstance(value, dict):
        return sorted((key, exact(item)) for key, item in value.items())
    if isinstance(value, list):
        return [exact(item) for item in value]
    return (type(value), str(value), str(getattr(value, "tzinfo", "")))


def full_validation(data):
    try:
        return OrderInputSerializer().run_validation(data)
    except ValidationError:
        return None


def test_an_order_in_the_common_shape_is_read_without_the_long_way():
    data = common_order(landing_token="k8Jd93hFq2LmZx0p", lines=[])

    common = OrderInputSerializer().run_common_validation(data)

    assert common is not None
    assert exact(common) == exact(full_validation(data))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(sorted(VARIANTS)), st.integers(min_value=0, max_value=50), max_size=4))
def test_common_reading_gives_what_the_serializer_gives_or_steps_aside(choices):
    # given an order with a few fields replaced by odd, wrong or borderline values
    data = common_order()
    for name, pick in choices.items():
        value = VARIANTS[name][pick % len(VARIANTS[name])]
        if value is MISSING:
            data.pop(name, None)
        else:
            data[name] = value

    # when it is read the common way
    common = OrderInputSerializer().run_common_validation(data)

    # then it is exactly what the serializer accepts, or nothing (the serializer then has the word)
    assert common is None or exact(common) == exact(full_validation(data))


ADDRESSES = [
    "lea.martin@example.com",
    "Lea.Martin@Example.COM",
    "lea+soiree@sub.example.fr",
    "lea@[192.168.0.1]",
    "lea@[IPv6:2001:db8::1]",
    "lea@localhost",
    '"lea martin"@example.com',
    "léa@example.com",
    "lea@exämple.fr",
    "lea@",
    "@example.com",
    "lea@example",
    "lea@@example.com",
    "lea@example..com",
    "lea@-example.com",
    "lea@[999.1.1.1]",
    "lea example@example.com",
    "a" * 65 + "@example.com",
    "lea@" + "a" * 64 + ".com",
]


@pytest.mark.parametrize("address", ADDRESSES)
def test_the_buyers_email_is_checked_as_djangos_email_validator_checks_it(address):
    # the import reads the buyer's e-mail with its own compiled patterns, for speed, and must
    # accept and refuse exactly what Django's validator does
    field = OrderInputSerializer().fields["customer_email"]
    assert [type(validator) for validator in field.validators if isinstance(validator, EmailValidator)] == [
        _EmailAddress
    ]

    def refused(validator):
        try:
            validator(address)
        except DjangoValidationError:
            return True
        return False

    assert refused(_EmailAddress()) == refused(EmailValidator())
