from django.urls import path

from referrals import api

urlpatterns = [
    path("codes/", api.ReferralCodeListApi.as_view(), name="referral-codes"),
    path("me/codes/", api.MyReferralCodeListApi.as_view(), name="my-referral-codes"),
    path("attributions/", api.AttributionListApi.as_view(), name="attributions"),
    path("attributions/<int:order_id>/", api.AttributionDetailApi.as_view(), name="attribution-detail"),
    path(
        "attributions/<int:order_id>/reattribute/",
        api.ReattributeApi.as_view(),
        name="attribution-reattribute",
    ),
]
