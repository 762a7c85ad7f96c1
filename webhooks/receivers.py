"""Webhooks listen to the facts the lower apps announce; each receiver records the event in the
transaction that made the fact (see `services.record_event`)."""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ambassadors.signals import application_received, host_selected, party_held
from kits.signals import kit_shipped
from referrals.signals import orders_attributed, payout_paid, rewards_approved
from webhooks import payloads
from webhooks.models import Endpoint, EventType
from webhooks.services import record_event
from webhooks.subscriptions import endpoints_changed


@receiver(post_save, sender=Endpoint, dispatch_uid="webhooks-endpoint-saved")
def endpoint_saved(
    sender: Any, instance: Endpoint, using: str, update_fields: Any = None, **kwargs: Any
) -> None:
    # Only what decides a subscription: the failure counts change on every failed attempt.
    if update_fields is None or {"is_active", "events"} & set(update_fields):
        endpoints_changed(using=using)


@receiver(post_delete, sender=Endpoint, dispatch_uid="webhooks-endpoint-deleted")
def endpoint_deleted(sender: Any, instance: Endpoint, using: str, **kwargs: Any) -> None:
    endpoints_changed(using=using)


@receiver(application_received, dispatch_uid="webhooks-application-received")
def announce_application(sender: Any, application: Any, **kwargs: Any) -> None:
    record_event(type=EventType.APPLICATION_RECEIVED, payloads=[payloads.application_payload(application)])


@receiver(host_selected, dispatch_uid="webhooks-host-selected")
def announce_selected_host(sender: Any, host: Any, **kwargs: Any) -> None:
    record_event(type=EventType.HOST_SELECTED, payloads=[payloads.host_payload(host)])


@receiver(kit_shipped, dispatch_uid="webhooks-kit-shipped")
def announce_shipped_kit(sender: Any, shipment: Any, **kwargs: Any) -> None:
    record_event(type=EventType.KIT_SHIPPED, payloads=[payloads.shipment_payload(shipment)])


@receiver(party_held, dispatch_uid="webhooks-party-held")
def announce_held_party(sender: Any, party: Any, **kwargs: Any) -> None:
    record_event(type=EventType.PARTY_HELD, payloads=[payloads.party_payload(party)])


@receiver(orders_attributed, dispatch_uid="webhooks-orders-attributed")
def announce_attributed_orders(sender: Any, attributions: Any, **kwargs: Any) -> None:
    credited = [attribution for attribution in attributions if attribution.host_id is not None]
    record_event(
        type=EventType.ORDER_ATTRIBUTED, payloads=[payloads.attribution_payload(a) for a in credited]
    )


@receiver(rewards_approved, dispatch_uid="webhooks-rewards-approved")
def announce_approved_rewards(sender: Any, entries: Any, **kwargs: Any) -> None:
    record_event(type=EventType.REWARD_APPROVED, payloads=[payloads.ledger_entry_payload(e) for e in entries])


@receiver(payout_paid, dispatch_uid="webhooks-payout-paid")
def announce_paid_payout(sender: Any, payout: Any, **kwargs: Any) -> None:
    record_event(type=EventType.PAYOUT_PAID, payloads=[payloads.payout_payload(payout)])
