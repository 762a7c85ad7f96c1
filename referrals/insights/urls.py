"""Marketing's insights pages, mounted at /staff/insights/."""

from django.urls import path

from referrals.insights import views

app_name = "insights"

urlpatterns = [
    path("", views.campaigns, name="campaigns"),
    path("<int:campaign_id>/", views.campaign, name="campaign"),
]
