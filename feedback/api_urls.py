from django.urls import path

from feedback.answers import api as answers_api
from feedback.reports import api as reports_api

urlpatterns = [
    path("feedback/", reports_api.PieceFeedbackListApi.as_view(), name="feedback-list"),
    path("feedback/report/", reports_api.FeedbackReportApi.as_view(), name="feedback-report"),
    path(
        "feedback/<int:feedback_id>/photo/",
        reports_api.PieceFeedbackPhotoApi.as_view(),
        name="feedback-photo",
    ),
    path("feedback/answers/", answers_api.BrandAnswerListApi.as_view(), name="feedback-answers"),
]
