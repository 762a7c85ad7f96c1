"""Packing slip routes of the API (under /api/v1/)."""

from django.urls import path

from kits import slip_api

urlpatterns = [
    path(
        "kits/shipments/<str:number>/packing-slip/",
        slip_api.ShipmentSlipApi.as_view(),
        name="kit-shipment-packing-slip",
    ),
    path("kits/packing-slips/", slip_api.SlipBatchApi.as_view(), name="kit-slip-batches"),
    path("kits/packing-slips/<uuid:batch_id>/", slip_api.SlipBatchDetailApi.as_view(), name="kit-slip-batch"),
    path(
        "kits/packing-slips/<uuid:batch_id>/file/",
        slip_api.SlipBatchFileApi.as_view(),
        name="kit-slip-batch-file",
    ),
]
