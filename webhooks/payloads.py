"""What each event says: ids that join to the brand's other exports (and the API), amounts, statuses.
Never a name, an e-mail or an address: a receiver asks the API for what it may see."""

from typing import Any

from ambassadors.models import Application, Host, Party
from kits.models import Shipment
from referrals.models import Attribution, LedgerEntry, Payout


def application_payload(application: Application) -> dict[str, Any]:
    return {"application_id": application.pk, "campaign_id": application.campaign_id}


def host_payload(host: Host) -> dict[str, Any]:
    return {"host_id": host.pk, "application_id": host.application_id, "campaign_id": host.campaign_id}


def shipment_payload(shipment: Shipment) -> dict[str, Any]:
    return {
        "shipment_id": shipment.pk,
        "host_id": shipment.host_id,
        "campaign_id": shipment.campaign_id,
        "carrier": shipment.carrier,
        "shipped_at": shipment.shipped_at.isoformat() if shipment.shipped_at else None,
    }


def party_payload(party: Party) -> dict[str, Any]:
    return {
        "party_id": party.pk,
        "host_id": party.host_id,
        "campaign_id": party.campaign_id,
        "actual_guests": party.actual_guests,
        "held_at": party.held_at.isoformat() if party.held_at else None,
    }


def attribution_payload(attribution: Attribution) -> dict[str, Any]:
    return {
        "order_id": attribution.order_id,
        "host_id": attribution.host_id,
        "party_id": attribution.party_id,
        "campaign_id": attribution.campaign_id,
        "method": attribution.method,
        "earns": attribution.earns,
    }


def ledger_entry_payload(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "ledger_entry_id": entry.pk,
        "host_id": entry.host_id,
        "campaign_id": entry.campaign_id,
        "kind": entry.kind,
        "amount": str(entry.amount),
        "currency": entry.currency,
    }


def payout_payload(payout: Payout) -> dict[str, Any]:
    return {
        "payout_id": payout.pk,
        "host_id": payout.host_id,
        "campaign_id": payout.campaign_id,
        "method": payout.method,
        "amount": str(payout.amount),
        "currency": payout.currency,
    }
