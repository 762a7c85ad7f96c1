from django.urls import path

from referrals.codes import views as codes_views
from referrals.payouts import views as payouts_views
from referrals.rewards import views as rewards_views

app_name = "referrals"

urlpatterns = [
    path("r/<str:code>", codes_views.referral_redirect, name="redirect"),
    path("portal/share/", codes_views.share, name="share"),
    path("portal/share/qr/<str:code>.<str:image_format>", codes_views.share_qr, name="share-qr"),
    path("portal/earnings/", rewards_views.earnings, name="earnings"),
    path("portal/payouts/", payouts_views.payouts, name="payouts"),
]
