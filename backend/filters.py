"""Query-string filters shared by the API's lists."""

from datetime import UTC, date, datetime
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django_filters import utils
from django_filters.fields import IsoDateTimeField
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, serializers
from rest_framework.request import Request

# Bounds of an id filter: absurd numbers stay out of the database (SQLite integers stop at 2⁶³).
ID_BOUNDS = {"min_value": 1, "max_value": 2**63 - 1}


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 time, turned into UTC before it reaches the database.

    Python accepts offsets up to ±23:59, PostgreSQL only up to ±15:59, and a time near year 1 or
    9999 can leave the calendar once moved to UTC: both are refused here as a bad value (400)
    instead of failing in the database (500).
    """

    def to_python(self, value: Any) -> datetime | None:
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(UTC)
        except (OverflowError, ValueError):
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


_TIME_FORMAT = "an ISO 8601 time with its offset, Z for UTC (2026-03-01T00:00:00Z)"


def after_description(rows: str) -> str:
    """The description of a `<moment>_after` parameter: `rows` says which rows ("orders placed")."""
    return f"Only {rows} at or after this time, which is included: {_TIME_FORMAT}."


def before_description(rows: str) -> str:
    """The description of a `<moment>_before` parameter, the end of a range that `_after` starts."""
    return f"Only {rows} before this time, which is excluded (so it can be the next range's start): {_TIME_FORMAT}."


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """One end of a time range: `<moment>_after` (`gte`, the time itself included) or `<moment>_before`
    (`lt`, excluded, so that one range's end can be the next one's start). `rows` says which rows the
    time picks ("orders placed"), and the description is written from it here, once for every list."""

    field_class = UtcIsoDateTimeField

    def __init__(self, *, rows: str | None = None, **kwargs: Any) -> None:
        if rows is not None and "help_text" not in kwargs:
            after = kwargs.get("lookup_expr") == "gte"
            kwargs["help_text"] = after_description(rows) if after else before_description(rows)
        super().__init__(**kwargs)


class DescribedFilterSet(django_filters.FilterSet):
    """A FilterSet whose filters made from `Meta.fields` take their description (the query parameter's,
    in the schema) from `Meta.help_texts`, as a declared filter takes its `help_text`: a generated filter
    has none, and an unknown name in `help_texts` fails at import."""

    @classmethod
    def get_filters(cls) -> dict[str, Any]:
        filters = super().get_filters()
        for name, text in getattr(getattr(cls, "Meta", None), "help_texts", {}).items():
            filters[name].extra["help_text"] = text
        return filters


class BoundedDateField(serializers.DateField):
    """A day a query can mean, from 1900-01-01 to 2999-12-31; others are a bad value (400).

    A day at the edge of the calendar (0001-01-01, 9999-12-31) leaves it as soon as a bound adds the
    next midnight or a time zone to it, which failed deep in a report (500)."""

    earliest = date(1900, 1, 1)
    latest = date(2999, 12, 31)

    def to_internal_value(self, value: Any) -> date:
        day = super().to_internal_value(value)
        if not self.earliest <= day <= self.latest:
            raise serializers.ValidationError(
                f"Give a day from {self.earliest.isoformat()} to {self.latest.isoformat()}.", code="invalid"
            )
        return day


BOOLEAN_WORDS = {"true", "false", "1", "0"}


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, except that a filter given with no value is refused (400), not ignored.

    `?status=` or `?placed_after=` is not a status or a time: the client meant something and would get
    every row. Free-text filters keep accepting an empty string, which is a string.
    """

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> QuerySet[Any]:
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        blank = [
            name
            for name, declared in filterset.filters.items()
            if not isinstance(declared, django_filters.CharFilter)
            and name in request.query_params
            and not any(value.strip() for value in request.query_params.getlist(name))
        ]
        if blank:
            raise exceptions.ValidationError(
                {
                    name: [
                        exceptions.ErrorDetail(
                            "Give a value, or leave the parameter out.", code=_blank_code(filterset, name)
                        )
                    ]
                    for name in blank
                }
            )
        # django-filter reads any word but a boolean's own as "no filter" (`?active=null`, `?resolved=7`).
        not_boolean = [
            name
            for name, declared in filterset.filters.items()
            if isinstance(declared, django_filters.BooleanFilter)
            and any(
                value.strip().lower() not in BOOLEAN_WORDS for value in request.query_params.getlist(name)
            )
        ]
        if not_boolean:
            raise exceptions.ValidationError(
                {
                    name: [exceptions.ErrorDetail("Give true or false.", code="invalid")]
                    for name in not_boolean
                }
            )
        if not filterset.is_valid() and self.raise_exception:
            raise utils.translate_validation(filterset.errors)
        return filterset.qs


def _blank_code(filterset: Any, name: str) -> str:
    """The code a bad value of this filter gets anyway, so the schema's list of codes already has it."""
    field = filterset.form.fields[name]
    return "invalid_choice" if isinstance(field, forms.ChoiceField) else "invalid"


CAMPAIGN_DESCRIPTION = "A campaign, by its id or its slug (an id when all digits)."
CAMPAIGN_SCHEMA = {"type": "string", "minLength": 1, "description": CAMPAIGN_DESCRIPTION}


class CampaignChoiceField(django_filters.fields.ModelChoiceField):
    """A campaign named by its id (all digits) or its slug; any other is not a valid choice (400)."""

    def to_python(self, value: Any) -> Any:
        by_id = value in self.empty_values or _ascii_digits(str(value))
        if by_id and value not in self.empty_values and int(value) > ID_BOUNDS["max_value"]:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        self.to_field_name = None if by_id else "slug"
        return super().to_python(value)


@extend_schema_field(CAMPAIGN_SCHEMA)
class CampaignFilter(django_filters.ModelChoiceFilter):
    """The one campaign filter of every list, `?campaign=<id or slug>`, on the campaign the rows belong
    to (`field_name`: `host__campaign`, `attribution__campaign`, ...)."""

    field_class = CampaignChoiceField

    def __init__(self, field_name: str = "campaign", **kwargs: Any) -> None:
        kwargs.setdefault("help_text", CAMPAIGN_DESCRIPTION)
        super().__init__(field_name=field_name, **kwargs)

    def get_queryset(self, request: Any) -> QuerySet[Any]:
        if self.queryset is None:  # the model the path leads to, so that no app below names it
            related = utils.get_model_field(self.model, self.field_name)
            return related.remote_field.model._default_manager.all()
        return super().get_queryset(request)


@extend_schema_field(CAMPAIGN_SCHEMA)
class CampaignKeyField(serializers.SlugRelatedField):
    """The same `campaign` parameter for a view that reads its query string with a serializer."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", CAMPAIGN_DESCRIPTION)
        super().__init__(slug_field="slug", **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str) and _ascii_digits(data):
            campaigns = self.get_queryset()
            assert campaigns is not None  # a filter always names its campaigns
            found = campaigns.filter(pk=int(data)).first() if int(data) <= ID_BOUNDS["max_value"] else None
            if found is None:
                self.fail("does_not_exist", slug_name="id", value=data)
            return found
        return super().to_internal_value(data)


def _ascii_digits(text: str) -> bool:
    """Only 0-9: `str.isdigit` also takes "²" or "٣", which `int` then refuses."""
    return text.isascii() and text.isdigit()


class IdFilter(django_filters.NumberFilter):
    """A row's id: a whole number from 1 (a fraction or an exponent is a bad value, not a filter)."""

    field_class = forms.IntegerField

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**{**ID_BOUNDS, **kwargs})
