"""The privacy API's routes, under /api/v1/ (names in the `api` namespace)."""

from django.urls import path

from privacy import api

urlpatterns = [
    path("privacy/export/", api.PersonalDataExportApi.as_view(), name="privacy-export"),
    path("privacy/erasure/", api.PersonalDataErasureApi.as_view(), name="privacy-erasure"),
]
