"""Portal (HTML) routes of the host-facing site."""

from django.urls import path
from django.views.generic import RedirectView

app_name = "portal"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index"), name="home"),
]
