"""Kits: the catalogue, stock with its movement ledger, kit templates, shipments, returns, settlements.

One module per concept; every model is importable from `kits.models` (migrations depend on it).
"""

from kits.models.catalogue import Item, KitTemplate, KitTemplateLine
from kits.models.shipments import (
    SHIPMENT_PROGRESS,
    SHIPMENT_TRANSITIONS,
    KitSettlement,
    KitSettlementQuerySet,
    ProblemKind,
    Shipment,
    ShipmentLine,
    ShipmentProblem,
    ShipmentQuerySet,
    ShipmentStatus,
    ShipmentStatusChange,
)
from kits.models.slips import SLIP_BATCH_TRANSITIONS, PrintLog, SlipBatch, SlipBatchStatus, SlipPageSize
from kits.models.stock import MovementKind, Stock, StockMovement

__all__ = [
    "SHIPMENT_PROGRESS",
    "SHIPMENT_TRANSITIONS",
    "SLIP_BATCH_TRANSITIONS",
    "Item",
    "KitSettlement",
    "KitSettlementQuerySet",
    "KitTemplate",
    "KitTemplateLine",
    "MovementKind",
    "PrintLog",
    "ProblemKind",
    "Shipment",
    "ShipmentLine",
    "ShipmentProblem",
    "ShipmentQuerySet",
    "ShipmentStatus",
    "ShipmentStatusChange",
    "SlipBatch",
    "SlipBatchStatus",
    "SlipPageSize",
    "Stock",
    "StockMovement",
]
