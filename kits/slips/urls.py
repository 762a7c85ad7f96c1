"""Warehouse pages for logistics staff, mounted at /staff/kits/."""

from django.urls import path

from kits.slips import views as staff_views

app_name = "kits_staff"

urlpatterns = [
    path("print/", staff_views.print_page, name="print"),
    path("print/batches/<uuid:batch_id>/", staff_views.batch_page, name="batch"),
    path("print/batches/<uuid:batch_id>/progress/", staff_views.batch_progress, name="batch_progress"),
    path("print/batches/<uuid:batch_id>/download/", staff_views.batch_download, name="batch_download"),
    path("print/<str:number>/", staff_views.shipment_slip, name="shipment_slip"),
    path("scan/", staff_views.scan_station, name="scan"),
    path("scan/ship/", staff_views.scan_ship, name="scan_ship"),
    path("scan/forget-carrier/", staff_views.scan_forget_carrier, name="scan_forget_carrier"),
]
