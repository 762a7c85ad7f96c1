from django.urls import path

from ambassadors.parties import api
from ambassadors.parties.bulk_api import PartyGuestBatchApi

urlpatterns = [
    path("parties/", api.PartyListCreateApi.as_view(), name="parties"),
    path("parties/<int:party_id>/", api.PartyDetailApi.as_view(), name="party-detail"),
    path("parties/<int:party_id>/cancel/", api.PartyCancelApi.as_view(), name="party-cancel"),
    path("parties/<int:party_id>/held/", api.PartyHeldApi.as_view(), name="party-held"),
    path("parties/<int:party_id>/photos/", api.PartyPhotosApi.as_view(), name="party-photos"),
    path(
        "parties/<int:party_id>/photos/<int:photo_id>/",
        api.PartyPhotoApi.as_view(),
        name="party-photo",
    ),
    path("parties/<int:party_id>/guests/", api.PartyGuestsApi.as_view(), name="party-guests"),
    path("parties/<int:party_id>/guests/bulk/", PartyGuestBatchApi.as_view(), name="party-guest-batch"),
    path(
        "parties/<int:party_id>/guests/<int:guest_id>/",
        api.PartyGuestDeleteApi.as_view(),
        name="party-guest-delete",
    ),
    path("public/parties/<str:token>/", api.PublicPartyApi.as_view(), name="public-party"),
    path(
        "public/parties/<str:token>/guests/",
        api.PublicGuestRegistrationApi.as_view(),
        name="public-party-guests",
    ),
]
