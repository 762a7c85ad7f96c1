from django.urls import path

from recognition.notes import api

urlpatterns = [
    path("recognition/milestones/", api.MilestoneListApi.as_view(), name="milestones"),
    path("recognition/notes/", api.BrandNoteListApi.as_view(), name="brand-notes"),
    path(
        "recognition/campaigns/<int:campaign_id>/",
        api.CampaignRecognitionApi.as_view(),
        name="campaign-recognition",
    ),
]
