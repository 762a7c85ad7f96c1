from django.urls import path

from referrals.views import referral_redirect

app_name = "referrals"

urlpatterns = [
    path("r/<str:code>", referral_redirect, name="redirect"),
]
