"""Portal routes of a host's parties (`parties` namespace) and the guests' public pages (`party_public`)."""

from django.urls import path

from ambassadors import party_views

app_name = "parties"

urlpatterns = [
    path("", party_views.party_list, name="list"),
    path("new/", party_views.party_create, name="create"),
    path("<int:party_id>/", party_views.party_detail, name="detail"),
    path("<int:party_id>/edit/", party_views.party_edit, name="edit"),
    path("<int:party_id>/cancel/", party_views.party_cancel, name="cancel"),
    path("<int:party_id>/held/", party_views.party_held, name="held"),
    path("<int:party_id>/guests/add/", party_views.guest_add, name="guest-add"),
    path("<int:party_id>/guests/<int:guest_id>/remove/", party_views.guest_remove, name="guest-remove"),
    path("<int:party_id>/qr/", party_views.party_qr, name="qr"),
    path("<int:party_id>/qr.png", party_views.party_qr_image, {"image_format": "png"}, name="qr-png"),
    path("<int:party_id>/qr.svg", party_views.party_qr_image, {"image_format": "svg"}, name="qr-svg"),
]

public_urlpatterns = [
    path("withdraw/<str:token>/", party_views.guest_withdraw, name="withdraw"),
    path("<str:token>/", party_views.public_register, name="register"),
    path("<str:token>/thanks/", party_views.public_thanks, name="thanks"),
]
public_urls = (public_urlpatterns, "party_public")
