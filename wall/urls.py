"""The public wall of a campaign (`wall` namespace)."""

from django.urls import path

from wall import views

app_name = "wall"

urlpatterns = [
    path("c/<slug:slug>/wall/", views.wall_page, name="page"),
    path("c/<slug:slug>/wall/photos/<str:token>/", views.wall_photo, name="photo"),
]
