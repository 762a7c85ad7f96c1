"""The one way a state machine moves: lock the row, check the map, write the history row, save.

Every stateful model (campaign, application, host, party, shipment, slip batch, order, payout) has
a `status` field, a `{from: {to, ...}}` transitions map, and most have a `<Model>StatusChange`
history model whose foreign key to the row is named after the model (`shipment`, `party`, ...).
"""

from collections.abc import Collection, Mapping
from typing import Any, TypeVar

from django.db import models

from backend.errors import InvalidTransition

M = TypeVar("M", bound=models.Model)


def check_transition(*, current: str, to_status: str, transitions: Mapping[str, Collection[str]]) -> None:
    """Refuse a move the map does not allow (409 naming the current state and the allowed ones)."""
    allowed = transitions.get(current, ())
    if to_status not in allowed:
        raise InvalidTransition(current=current, requested=to_status, allowed=tuple(allowed))


def move_status(
    instance: M,
    *,
    to_status: str,
    transitions: Mapping[str, Collection[str]],
    history: type[models.Model] | None = None,
    by: Any = None,
    reason: str = "",
    fields: Mapping[str, Any] | None = None,
    queryset: "models.QuerySet[M] | None" = None,
) -> tuple[M, str]:
    """Move `instance` to `to_status` under a row lock; return the locked row and the previous status.

    Must run inside a transaction (the callers are `@transaction.atomic` services). `fields` are set
    and saved with the status; a field with `auto_now` (such as `updated_at`) is saved too. The
    history row names who moved it and why.
    """
    model = type(instance)
    rows = queryset if queryset is not None else model._default_manager.all()
    locked = rows.select_for_update().get(pk=instance.pk)
    previous: str = locked.status  # type: ignore[attr-defined]  # every stateful model has `status`
    check_transition(current=previous, to_status=to_status, transitions=transitions)
    locked.status = to_status  # type: ignore[attr-defined]  # as above
    extra = dict(fields or {})
    for name, value in extra.items():
        setattr(locked, name, value)
    auto_now = [
        field.name
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) and field.name not in extra
    ]
    locked.save(update_fields=["status", *extra, *auto_now])
    if history is not None:
        history._default_manager.create(
            **{model._meta.model_name or "": locked},
            by=by,
            from_status=previous,
            to_status=to_status,
            reason=reason[:500],
        )
    return locked, previous
