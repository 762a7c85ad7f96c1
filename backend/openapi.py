"""Error bodies that drf-standardized-errors does not document by itself."""

import re
from collections.abc import Callable
from typing import Any

from django import forms
from django.db import models
from drf_spectacular.plumbing import force_instance, is_list_serializer, is_serializer
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from drf_standardized_errors.openapi import AutoSchema as ErrorsAutoSchema
from drf_standardized_errors.openapi_serializers import ClientErrorEnum
from drf_standardized_errors.openapi_utils import (
    InputDataField,
    get_flat_serializer_fields,
    get_serializer_fields_with_error_codes,
)
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers

# What each key of the one error shape means, whichever error carries it (`describe_error_shapes`).
ERROR_KEYS = {
    "type": "The kind of error: `validation_error` (the request's data is refused, field by field), "
    "`client_error` (any other refusal) or `server_error`.",
    "errors": "One entry per problem: a validation error lists every field and rule broken at once.",
    "attr": "The field the error is about, dotted for a nested field and with the index for a list "
    "item (`lines.3.unit_price`); null when the error is about the request as a whole.",
    "code": "A stable, machine-readable name of the rule broken (`required`, `invalid`, `not_found`, "
    "`already_allocated`...): scripts decide on it, never on `detail`.",
    "detail": "The error in words a person can act on; it may be reworded or translated, so never match on it.",
}


class ConflictErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=ERROR_KEYS["code"])
    detail = serializers.CharField(help_text=ERROR_KEYS["detail"])
    attr = serializers.CharField(allow_null=True, help_text=ERROR_KEYS["attr"])


class ConflictErrorResponseSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=["client_error"],
        help_text="Always `client_error`: the request conflicts with the current state.",
    )
    # A declared field, moved by the serializer metaclass into `_declared_fields`: it never shadows
    # `Serializer.errors`, which the stubs cannot tell.
    errors = ConflictErrorSerializer(many=True, help_text=ERROR_KEYS["errors"])  # type: ignore[assignment]
    extra = serializers.JSONField(required=False, help_text="Machine-readable facts about the conflict.")


CONFLICT = {
    409: OpenApiResponse(ConflictErrorResponseSerializer, description="Conflicts with the current state.")
}


def not_found(*codes: str, component_name: str, description: str) -> dict[int, OpenApiResponse]:
    """A 404 whose code tells more than `not_found` (the campaign exists, its reward plan does not):
    drf-standardized-errors documents only `not_found`."""
    error = inline_serializer(
        name=f"{component_name}Error",
        fields={
            "code": serializers.ChoiceField(choices=["not_found", *codes]),
            "detail": serializers.CharField(),
            "attr": serializers.CharField(allow_null=True),
        },
    )
    response = inline_serializer(
        name=f"{component_name}ErrorResponse",
        fields={
            "type": serializers.ChoiceField(choices=ClientErrorEnum.choices),
            "errors": serializers.ListSerializer(child=error),
        },
    )
    return {404: OpenApiResponse(response, description=description)}


def describe_list_indexes_in_error_attrs(result: dict, **kwargs: object) -> dict:
    """Error `attr`s name list items by their index (`ids.0`, `lines.3.unit_price`); the generated
    schema writes `INDEX` in their place. Describe those as patterns, so that a real answer validates."""
    for schema in result.get("components", {}).get("schemas", {}).values():
        attr = schema.get("properties", {}).get("attr", {})
        values = attr.get("enum") or []
        if any("INDEX" in value for value in values if isinstance(value, str)):
            patterns = [re.escape(value).replace("INDEX", "[0-9]+") for value in values]
            del attr["enum"]
            attr["pattern"] = "^(" + "|".join(patterns) + ")$"
        mapping = schema.get("discriminator", {}).get("mapping", {})
        if any("INDEX" in key for key in mapping):
            del schema["discriminator"]  # no mapping key can name every index; oneOf still decides
    return result


def describe_error_shapes(result: dict, **kwargs: object) -> dict:
    """drf-standardized-errors generates a component per route and error (`…ErrorComponent`,
    `…ValidationError`, `ErrorResponse401`…) without a word on its keys: each key of the one error
    shape gets its meaning here, once, ahead of the values an enum lists."""
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        properties = schema.get("properties", {})
        if "Error" not in name or not properties or not set(properties) <= {*ERROR_KEYS, "extra"}:
            continue
        for key, field in properties.items():
            if key in ERROR_KEYS and not field.get("description", "").strip().startswith(ERROR_KEYS[key]):
                listed = field.get("description", "")
                field["description"] = f"{ERROR_KEYS[key]}\n\n{listed}" if listed else ERROR_KEYS[key]
    return result


# What each path parameter names. `id` depends on the resource: the path's first segment says which.
PATH_PARAMETERS = {
    "order_id": "The order's id (as in /api/v1/orders/{id}/).",
    "campaign_id": "The campaign's id (as in /api/v1/campaigns/{id}/).",
    "host_id": "The host's id (as in /api/v1/hosts/{id}/).",
    "party_id": "The party's id (as in /api/v1/parties/{party_id}/).",
    "guest_id": "The guest's id, in the party's guest list.",
    "photo_id": "The photo's id, among the party's photos.",
    "payout_id": "The payout's id (as in /api/v1/payouts/).",
    "problem_id": "The id of the problem reported on a kit (as in /api/v1/kits/problems/).",
    "feedback_id": "The id of a piece rating (as in /api/v1/feedback/).",
    "batch_id": "The packing-slip batch's id, a UUID given when the batch was asked for.",
    "number": "The kit's number, KIT-<year>-<6 digits> (e.g. KIT-2026-000123).",
    "sku": "The catalogue item's SKU.",
    "campaign_slug": "The campaign's slug (its short name in URLs).",
    "slug": "The campaign's slug (its short name in URLs), as in its public links.",
    "prefix": "The shop API key's prefix, the characters before the dot (as listed by /api/v1/shop-api-keys/).",
    "endpoint_id": "The webhook endpoint's id (as in /api/v1/webhooks/endpoints/).",
    "delivery_id": "The webhook delivery's id (as in /api/v1/webhooks/deliveries/).",
    "token": "The party's secret token, from its invitation link: whoever holds the link may use it.",
}
PATH_IDS = {
    "applications": "The application's id.",
    "campaigns": "The campaign's id.",
    "hosts": "The host's id.",
    "me": "The id of one of the signed-in person's own host rows.",
    "orders": "The order's id.",
    "shop-endpoints": "The shop's id.",
    "wall": "The wall photo's id (as in /api/v1/wall/photos/).",
}


class AutoSchema(ErrorsAutoSchema):
    """drf-standardized-errors' schema, plus what it does not know: the `page_size` error that every
    paginated list can give, the errors of a serializer that reads the query string (given as
    `extend_schema(parameters=[...])`, as a request body's serializer is), and the length limits of a
    list of nested objects."""

    def _get_serializer_field_meta(self, field: Any, direction: str) -> dict[str, Any]:
        """A model's own id means the same on every row: say so once, here, rather than on each model
        (whose generated `id` takes no help text)."""
        meta = super()._get_serializer_field_meta(field, direction)
        model = getattr(getattr(field.parent, "Meta", None), "model", None)
        if (
            not meta.get("description")
            and model is not None
            and field.source == "id"
            and model._meta.pk.name == "id"
            and model._meta.pk.auto_created
        ):
            meta["description"] = (
                f"The {model._meta.verbose_name}'s id: a whole number given once and never reused, the key "
                "of its routes and of the fields of other rows that refer to it."
            )
        return meta

    def _resolve_path_parameters(self, variables: list[str]) -> list[dict[str, Any]]:
        parameters = super()._resolve_path_parameters(variables)
        resource = self.path.removeprefix("/api/v1/").split("/", 1)[0]
        for parameter in parameters:
            if not parameter.get("description"):
                name = parameter["name"]
                described = PATH_IDS.get(resource) if name in ("id", "pk") else PATH_PARAMETERS.get(name)
                if described:
                    parameter["description"] = described
        return parameters

    def _get_format_parameters(self) -> list[dict[str, Any]]:
        """`?format=`, which drf-spectacular lists without a word, for every view with more than one
        renderer."""
        parameters = super()._get_format_parameters()
        for parameter in parameters:
            formats = ", ".join(parameter["schema"].get("enum", []))
            parameter["description"] = (
                f"The form of the answer ({formats}), for a client that cannot send an Accept header; it "
                "wins over the Accept header."
            )
        return parameters

    def _query_serializers(self) -> list[serializers.Serializer]:
        if self.method != "GET":
            return []
        return [force_instance(p) for p in self.get_override_parameters() if is_serializer(p)]

    def _should_add_validation_error_response(self) -> bool:
        return bool(self._query_serializers()) or super()._should_add_validation_error_response()

    def _determine_fields_with_error_codes(self) -> list[InputDataField]:
        fields = super()._determine_fields_with_error_codes()
        for serializer in self._query_serializers():
            fields += get_serializer_fields_with_error_codes(get_flat_serializer_fields(serializer))
        for field in fields:
            if is_list_serializer(field.field):  # `lines.non_field_errors`: the list itself
                for limit in ("max_length", "min_length"):
                    if getattr(field.field, limit, None) is not None:
                        field.error_codes.add(limit)
        return fields

    def _get_extra_validation_errors(self) -> dict[str, set[str]]:
        errors = super()._get_extra_validation_errors()
        paginator = getattr(self.view, "pagination_class", None)
        page_size = getattr(paginator, "page_size_query_param", None)
        if self.method == "GET" and page_size and self._is_list_view():
            errors.setdefault(page_size, set()).add("invalid")
        # A filter on a related row refuses a NUL character with a code of its own, which
        # drf-standardized-errors does not list (it reads the form field's messages, not its parsing).
        filterset_class = getattr(self.view, "filterset_class", None)
        if self.method == "GET" and filterset_class is not None:
            for name, field in filterset_class().form.fields.items():
                if isinstance(field, forms.ModelChoiceField):
                    errors.setdefault(name, set()).add("null_characters_not_allowed")
                    if field.queryset is not None and not isinstance(
                        field.queryset.model._meta.pk, models.AutoField
                    ):
                        errors[name].add("invalid")  # a key of another kind (a UUID) is parsed first
                if isinstance(field, forms.NullBooleanField):  # backend.filters.FilterBackend's refusal
                    errors.setdefault(name, set()).add("invalid")
        return errors


def document_rule_codes(rules: dict[str, list[str]], *, methods: list[str]) -> Callable[[type], type]:
    """A view decorator: the error codes the services' business rules give, field by field, in the
    schema (drf-standardized-errors only knows the serializer fields' own codes)."""

    def decorate(view: type) -> type:
        for field_name, codes in rules.items():
            view = extend_validation_errors(codes, field_name=field_name, methods=methods)(view)
        return view

    return decorate
