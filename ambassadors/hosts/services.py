"""Host states: invited → active → paused | alumni | banned, each move with a history row."""

from django.db import transaction
from django.utils import timezone

from ambassadors.models import HOST_TRANSITIONS, Application, Host, HostStatus, HostStatusChange
from ambassadors.signals import host_status_changed, photo_consent_withdrawn
from backend.models import User
from backend.transitions import move_status


@transaction.atomic
def transition_host(*, host: Host, to_status: str, by: User | None, reason: str = "") -> Host:
    """Move a host along invited → active → paused | alumni | banned, with a history row."""
    locked, previous_status = move_status(
        host,
        to_status=to_status,
        transitions=HOST_TRANSITIONS,
        history=HostStatusChange,
        by=by,
        reason=reason,
    )
    if to_status == HostStatus.ACTIVE and locked.activated_at is None:
        # Dated at the first activation only (read under the lock): a host back from a pause keeps it.
        locked.activated_at = timezone.now()
        locked.save(update_fields=["activated_at"])
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


@transaction.atomic
def set_photo_consent(*, user: User, given: bool, by: User | None) -> list[Host]:
    """Give or withdraw the person's photo-rights consent (first asked on the application form), for
    every campaign they host. Withdrawing it is announced: the photo wall takes their photos down."""
    hosts = list(Host.objects.select_for_update().filter(user=user).select_related("application"))
    applications = [host.application_id for host in hosts]
    if given:
        Application.objects.filter(pk__in=applications, photo_consent_at__isnull=True).update(
            photo_consent_at=timezone.now()
        )
    else:
        Application.objects.filter(pk__in=applications).update(photo_consent_at=None)
        photo_consent_withdrawn.send(sender=Host, hosts=hosts, by=by)
    return hosts
