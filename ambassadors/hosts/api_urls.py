"""Host routes under /api/v1/: marketing's host detail and moves, and a person's own participations.

Marketing's host list (`hosts/`) is served by referrals, which adds each host's code and kit
(`referrals.codes.host_urls`).
"""

from django.urls import path

from ambassadors.hosts import api

urlpatterns = [
    path("hosts/<int:pk>/", api.HostDetailApi.as_view(), name="host-detail"),
    path("hosts/<int:pk>/transition/", api.HostTransitionApi.as_view(), name="host-transition"),
    path("me/hosts/", api.MyHostListApi.as_view(), name="my-host-list"),
    path("me/hosts/<int:pk>/", api.MyHostDetailApi.as_view(), name="my-host-detail"),
]
