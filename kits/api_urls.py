from django.urls import path

from kits import api

urlpatterns = [
    path("kits/items/", api.ItemListCreateApi.as_view(), name="kit-items"),
    path("kits/items/<str:sku>/", api.ItemDetailApi.as_view(), name="kit-item"),
    path("kits/items/<str:sku>/receipts/", api.StockReceiptApi.as_view(), name="kit-item-receipts"),
    path("kits/items/<str:sku>/adjustments/", api.StockAdjustmentApi.as_view(), name="kit-item-adjustments"),
    path("kits/items/<str:sku>/write-offs/", api.StockWriteOffApi.as_view(), name="kit-item-write-offs"),
    path("kits/movements/", api.StockMovementListApi.as_view(), name="kit-movements"),
    path("kits/templates/<slug:campaign_slug>/", api.KitTemplateApi.as_view(), name="kit-template"),
    path("kits/shipments/", api.ShipmentListCreateApi.as_view(), name="kit-shipments"),
    path("kits/shipments/<str:number>/", api.ShipmentDetailApi.as_view(), name="kit-shipment"),
    path("kits/shipments/<str:number>/pack/", api.ShipmentPackApi.as_view(), name="kit-shipment-pack"),
    path("kits/shipments/<str:number>/ship/", api.ShipmentShipApi.as_view(), name="kit-shipment-ship"),
    path(
        "kits/shipments/<str:number>/deliver/", api.ShipmentDeliverApi.as_view(), name="kit-shipment-deliver"
    ),
    path("kits/shipments/<str:number>/cancel/", api.ShipmentCancelApi.as_view(), name="kit-shipment-cancel"),
    path(
        "kits/shipments/<str:number>/returns/", api.ShipmentReturnApi.as_view(), name="kit-shipment-returns"
    ),
    path("kits/shipments/<str:number>/close/", api.ShipmentCloseApi.as_view(), name="kit-shipment-close"),
    path("kits/problems/", api.ShipmentProblemListApi.as_view(), name="kit-problems"),
    path(
        "kits/problems/<int:problem_id>/resolve/",
        api.ShipmentProblemResolveApi.as_view(),
        name="kit-problem-resolve",
    ),
    path("kits/settlements/", api.KitSettlementListApi.as_view(), name="kit-settlements"),
]
