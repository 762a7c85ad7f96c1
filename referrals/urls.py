from django.urls import path

from referrals.codes import views
from referrals.rewards import views as rewards_views

app_name = "referrals"

urlpatterns = [
    path("r/<str:code>", views.referral_redirect, name="redirect"),
    path("portal/share/", views.share, name="share"),
    path("portal/share/qr/<str:code>.<str:image_format>", views.share_qr, name="share-qr"),
    path("portal/earnings/", rewards_views.earnings, name="earnings"),
    path("portal/payouts/", rewards_views.payouts, name="payouts"),
]
