"""Recruitment routes under /api/v1/: campaigns, the public application form, applications."""

from django.urls import path

from ambassadors.recruitment import api

urlpatterns = [
    path("campaigns/", api.CampaignListApi.as_view(), name="campaign-list"),
    path("campaigns/<int:pk>/", api.CampaignDetailApi.as_view(), name="campaign-detail"),
    path("campaigns/<int:pk>/branding/", api.CampaignBrandingApi.as_view(), name="campaign-branding"),
    path("campaigns/<int:pk>/transition/", api.CampaignTransitionApi.as_view(), name="campaign-transition"),
    path("campaigns/<int:pk>/select-best/", api.CampaignSelectBestApi.as_view(), name="campaign-select-best"),
    path("public/campaigns/<slug:slug>/", api.PublicCampaignApi.as_view(), name="public-campaign"),
    path(
        "public/campaigns/<slug:slug>/applications/",
        api.PublicApplicationCreateApi.as_view(),
        name="public-application-create",
    ),
    path("applications/", api.ApplicationListApi.as_view(), name="application-list"),
    path("applications/bulk/", api.ApplicationBulkActionApi.as_view(), name="application-bulk"),
    path("applications/<int:pk>/", api.ApplicationDetailApi.as_view(), name="application-detail"),
    path(
        "applications/<int:pk>/shortlist/",
        api.ApplicationShortlistApi.as_view(),
        name="application-shortlist",
    ),
    path(
        "applications/<int:pk>/waitlist/", api.ApplicationWaitlistApi.as_view(), name="application-waitlist"
    ),
    path("applications/<int:pk>/reject/", api.ApplicationRejectApi.as_view(), name="application-reject"),
    path("applications/<int:pk>/select/", api.ApplicationSelectApi.as_view(), name="application-select"),
]
