"""Receivers of other apps' announcements: each only calls a kits service."""

from typing import Any

from ambassadors.models import Host
from backend.models import User
from kits.shipments.services import allocate_kit_on_selection


def allocate_kit_when_host_selected(
    sender: Any, *, host: Host, by: User | None = None, **kwargs: Any
) -> None:
    """A newly selected host gets the campaign's kit, stock permitting (never blocks the selection)."""
    allocate_kit_on_selection(host=host, by=by)
