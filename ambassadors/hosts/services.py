"""Host states: invited → active → paused | alumni | banned, each move with a history row."""

from django.db import transaction
from django.utils import timezone

from ambassadors.models import HOST_TRANSITIONS, Host, HostStatus, HostStatusChange
from ambassadors.signals import host_status_changed
from backend.errors import InvalidTransition
from backend.models import User


@transaction.atomic
def transition_host(*, host: Host, to_status: str, by: User | None, reason: str = "") -> Host:
    """Move a host along invited → active → paused | alumni | banned, with a history row."""
    locked = Host.objects.select_for_update().get(pk=host.pk)
    allowed = HOST_TRANSITIONS[locked.status]
    if to_status not in allowed:
        raise InvalidTransition(current=locked.status, requested=to_status, allowed=allowed)
    HostStatusChange.objects.create(
        host=locked, by=by, from_status=locked.status, to_status=to_status, reason=reason
    )
    previous_status = locked.status
    locked.status = to_status
    update_fields = ["status"]
    if to_status == HostStatus.ACTIVE and locked.activated_at is None:
        locked.activated_at = timezone.now()
        update_fields.append("activated_at")
    locked.save(update_fields=update_fields)
    host_status_changed.send(
        sender=Host, host=locked, from_status=previous_status, to_status=to_status, by=by
    )
    return locked


@transaction.atomic
def activate_invited_hosts(*, user: User) -> list[Host]:
    """On first sign-in, every invitation of this person becomes active."""
    return [
        transition_host(host=host, to_status=HostStatus.ACTIVE, by=user, reason="signed in")
        for host in Host.objects.filter(user=user, status=HostStatus.INVITED)
    ]
