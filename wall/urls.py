"""The public wall of a campaign (`wall` namespace)."""

from django.urls import path

from wall import portal, views

app_name = "wall"

urlpatterns = [
    path("c/<slug:slug>/wall/", views.wall_page, name="page"),
    path("c/<slug:slug>/wall/photos/<str:token>/", views.wall_photo, name="photo"),
]

# The host's page of a party's photos on the wall (`wall_portal` namespace, under /portal/parties/).
portal_urlpatterns = [
    path("<int:party_id>/wall/", portal.party_photos, name="party-photos"),
    path("<int:party_id>/wall/consent/", portal.photo_consent, name="photo-consent"),
    path("<int:party_id>/wall/<int:photo_id>/share/", portal.share_photo, name="share"),
    path("<int:party_id>/wall/<int:photo_id>/unshare/", portal.unshare_photo, name="unshare"),
]
portal_urls = (portal_urlpatterns, "wall_portal")
