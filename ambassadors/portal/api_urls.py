"""Routes of the host's own API (under /api/v1/host/), read with a host token only."""

from django.urls import path

from ambassadors.portal import api

urlpatterns = [
    path("host/token/", api.HostTokenLoginApi.as_view(), name="host-token"),
    path("host/token/revoke/", api.HostTokenRevokeApi.as_view(), name="host-token-revoke"),
    path("host/parties/", api.HostPartyListCreateApi.as_view(), name="host-parties"),
    path("host/parties/<int:party_id>/", api.HostPartyDetailApi.as_view(), name="host-party"),
    path("host/parties/<int:party_id>/cancel/", api.HostPartyCancelApi.as_view(), name="host-party-cancel"),
    path(
        "host/parties/<int:party_id>/share-link/",
        api.HostPartyShareLinkApi.as_view(),
        name="host-party-share-link",
    ),
    path("host/parties/<int:party_id>/guests/", api.HostPartyGuestsApi.as_view(), name="host-party-guests"),
    path(
        "host/parties/<int:party_id>/guests/bulk/",
        api.HostPartyGuestBatchApi.as_view(),
        name="host-party-guest-batch",
    ),
    path(
        "host/parties/<int:party_id>/guests/<int:guest_id>/",
        api.HostPartyGuestDeleteApi.as_view(),
        name="host-party-guest",
    ),
]
