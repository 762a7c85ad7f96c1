"""Portal routes of a host's parties (`parties` namespace) and the guests' public pages (`party_public`)."""

from django.urls import path

from ambassadors.parties import views

app_name = "parties"

urlpatterns = [
    path("", views.party_list, name="list"),
    path("new/", views.party_create, name="create"),
    path("<int:party_id>/", views.party_detail, name="detail"),
    path("<int:party_id>/edit/", views.party_edit, name="edit"),
    path("<int:party_id>/cancel/", views.party_cancel, name="cancel"),
    path("<int:party_id>/held/", views.party_held, name="held"),
    path("<int:party_id>/guests/add/", views.guest_add, name="guest-add"),
    path("<int:party_id>/guests/<int:guest_id>/remove/", views.guest_remove, name="guest-remove"),
    path("<int:party_id>/qr/", views.party_qr, name="qr"),
    path("<int:party_id>/qr.png", views.party_qr_image, {"image_format": "png"}, name="qr-png"),
    path("<int:party_id>/qr.svg", views.party_qr_image, {"image_format": "svg"}, name="qr-svg"),
]

public_urlpatterns = [
    path("withdraw/<str:token>/", views.guest_withdraw, name="withdraw"),
    path("<str:token>/", views.public_register, name="register"),
    path("<str:token>/thanks/", views.public_thanks, name="thanks"),
]
public_urls = (public_urlpatterns, "party_public")
