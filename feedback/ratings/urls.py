"""Routes of the rating pages: the host's in the portal (`feedback`), the guest's beside the party's
public page (`feedback_public`)."""

from django.urls import path

from feedback.ratings import views

app_name = "feedback"

urlpatterns = [
    path("", views.host_feedback, name="mine"),
    path("<int:line_id>/", views.host_rate, name="rate"),
    path("photos/<int:feedback_id>/", views.host_photo, name="photo"),
    path("photos/<int:feedback_id>/remove/", views.host_remove_photo, name="remove-photo"),
]

public_urlpatterns = [
    path("<str:token>/pieces/", views.guest_feedback, name="pieces"),
    path("<str:token>/pieces/link/<str:link>/", views.guest_link, name="guest-link"),
    path("<str:token>/pieces/<int:line_id>/", views.guest_rate, name="rate"),
]
public_urls = (public_urlpatterns, "feedback_public")
