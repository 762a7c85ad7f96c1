"""Portal (HTML) pages of a host's kit, mounted at /portal/kit/."""

from django.urls import path

from kits.shipments import views

app_name = "kits"

urlpatterns = [
    path("", views.my_kit, name="my_kit"),
    path("<str:number>/", views.my_kit_detail, name="my_kit_detail"),
    path("<str:number>/received/", views.confirm_kit_received, name="confirm_received"),
    path("<str:number>/problem/", views.report_problem, name="report_problem"),
]
