from django.urls import path

from wall import api

urlpatterns = [
    path(
        "parties/<int:party_id>/photos/<int:photo_id>/wall/",
        api.WallShareApi.as_view(),
        name="party-photo-wall",
    ),
    path("me/photo-consent/", api.PhotoConsentApi.as_view(), name="my-photo-consent"),
    path("wall/photos/", api.WallPhotoListApi.as_view(), name="wall-photos"),
    path("wall/photos/<int:pk>/approve/", api.WallPhotoApproveApi.as_view(), name="wall-photo-approve"),
    path("wall/photos/<int:pk>/reject/", api.WallPhotoRejectApi.as_view(), name="wall-photo-reject"),
    path("public/campaigns/<slug:slug>/wall/", api.PublicWallFeedApi.as_view(), name="public-wall-feed"),
]
