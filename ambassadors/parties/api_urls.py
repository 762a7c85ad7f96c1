from django.urls import path

from ambassadors import party_api

urlpatterns = [
    path("parties/", party_api.PartyListCreateApi.as_view(), name="parties"),
    path("parties/<int:party_id>/", party_api.PartyDetailApi.as_view(), name="party-detail"),
    path("parties/<int:party_id>/cancel/", party_api.PartyCancelApi.as_view(), name="party-cancel"),
    path("parties/<int:party_id>/held/", party_api.PartyHeldApi.as_view(), name="party-held"),
    path("parties/<int:party_id>/photos/", party_api.PartyPhotosApi.as_view(), name="party-photos"),
    path(
        "parties/<int:party_id>/photos/<int:photo_id>/",
        party_api.PartyPhotoDeleteApi.as_view(),
        name="party-photo-delete",
    ),
    path("parties/<int:party_id>/guests/", party_api.PartyGuestsApi.as_view(), name="party-guests"),
    path(
        "parties/<int:party_id>/guests/<int:guest_id>/",
        party_api.PartyGuestDeleteApi.as_view(),
        name="party-guest-delete",
    ),
    path("public/parties/<str:token>/", party_api.PublicPartyApi.as_view(), name="public-party"),
    path(
        "public/parties/<str:token>/guests/",
        party_api.PublicGuestRegistrationApi.as_view(),
        name="public-party-guests",
    ),
]
