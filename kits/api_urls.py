"""Routes of the kits API (under /api/v1/): catalogue, stock, shipments, packing slips."""

from django.urls import path

from kits.catalogue.api import ItemDetailApi, ItemListCreateApi, KitTemplateApi
from kits.catalogue.bulk_api import ItemBatchApi
from kits.shipments.api import (
    KitSettlementListApi,
    ShipmentCancelApi,
    ShipmentCloseApi,
    ShipmentDeliverApi,
    ShipmentDetailApi,
    ShipmentListCreateApi,
    ShipmentPackApi,
    ShipmentProblemListApi,
    ShipmentProblemResolveApi,
    ShipmentReturnApi,
    ShipmentShipApi,
)
from kits.slips.api import (
    PrintLogListApi,
    ShipmentSlipApi,
    SlipBatchApi,
    SlipBatchDetailApi,
    SlipBatchFileApi,
)
from kits.stock.api import StockAdjustmentApi, StockMovementListApi, StockReceiptApi, StockWriteOffApi
from kits.stock.bulk_api import ReceiptBatchApi

urlpatterns = [
    path("kits/items/", ItemListCreateApi.as_view(), name="kit-items"),
    path("kits/items/<str:sku>/", ItemDetailApi.as_view(), name="kit-item"),
    path("kits/items/<str:sku>/receipts/", StockReceiptApi.as_view(), name="kit-item-receipts"),
    path("kits/items/<str:sku>/adjustments/", StockAdjustmentApi.as_view(), name="kit-item-adjustments"),
    path("kits/items/<str:sku>/write-offs/", StockWriteOffApi.as_view(), name="kit-item-write-offs"),
    path("kits/bulk/items/", ItemBatchApi.as_view(), name="kit-item-batch"),
    path("kits/bulk/receipts/", ReceiptBatchApi.as_view(), name="kit-receipt-batch"),
    path("kits/movements/", StockMovementListApi.as_view(), name="kit-movements"),
    path("kits/templates/<slug:campaign_slug>/", KitTemplateApi.as_view(), name="kit-template"),
    path("kits/shipments/", ShipmentListCreateApi.as_view(), name="kit-shipments"),
    path("kits/shipments/<str:number>/", ShipmentDetailApi.as_view(), name="kit-shipment"),
    path("kits/shipments/<str:number>/pack/", ShipmentPackApi.as_view(), name="kit-shipment-pack"),
    path("kits/shipments/<str:number>/ship/", ShipmentShipApi.as_view(), name="kit-shipment-ship"),
    path("kits/shipments/<str:number>/deliver/", ShipmentDeliverApi.as_view(), name="kit-shipment-deliver"),
    path("kits/shipments/<str:number>/cancel/", ShipmentCancelApi.as_view(), name="kit-shipment-cancel"),
    path("kits/shipments/<str:number>/returns/", ShipmentReturnApi.as_view(), name="kit-shipment-returns"),
    path("kits/shipments/<str:number>/close/", ShipmentCloseApi.as_view(), name="kit-shipment-close"),
    path("kits/problems/", ShipmentProblemListApi.as_view(), name="kit-problems"),
    path(
        "kits/problems/<int:problem_id>/resolve/",
        ShipmentProblemResolveApi.as_view(),
        name="kit-problem-resolve",
    ),
    path("kits/settlements/", KitSettlementListApi.as_view(), name="kit-settlements"),
    # packing slips
    path(
        "kits/shipments/<str:number>/packing-slip/",
        ShipmentSlipApi.as_view(),
        name="kit-shipment-packing-slip",
    ),
    path("kits/packing-slips/", SlipBatchApi.as_view(), name="kit-slip-batches"),
    path("kits/packing-slips/<uuid:batch_id>/", SlipBatchDetailApi.as_view(), name="kit-slip-batch"),
    path("kits/packing-slips/<uuid:batch_id>/file/", SlipBatchFileApi.as_view(), name="kit-slip-batch-file"),
    path("kits/print-log/", PrintLogListApi.as_view(), name="kit-print-log"),
]
