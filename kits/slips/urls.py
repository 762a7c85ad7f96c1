"""Warehouse pages for logistics staff, mounted at /staff/kits/."""

from django.urls import path

from kits.slips import views

app_name = "kits_staff"

urlpatterns = [
    path("print/", views.print_page, name="print"),
    path("print/batches/<uuid:batch_id>/", views.batch_page, name="batch"),
    path("print/batches/<uuid:batch_id>/progress/", views.batch_progress, name="batch_progress"),
    path("print/batches/<uuid:batch_id>/download/", views.batch_download, name="batch_download"),
    path("print/<str:number>/", views.shipment_slip, name="shipment_slip"),
    path("scan/", views.scan_station, name="scan"),
    path("scan/ship/", views.scan_ship, name="scan_ship"),
    path("scan/forget-carrier/", views.scan_forget_carrier, name="scan_forget_carrier"),
]
