from django.urls import path

from referrals.attribution import api
from referrals.reports import api as report_api
from referrals.rewards import api as rewards_api

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
    path("reports/attribution/", report_api.AttributionReportApi.as_view(), name="report-attribution"),
    path(
        "reports/campaigns/<int:campaign_id>/summary/",
        report_api.CampaignSummaryApi.as_view(),
        name="report-campaign-summary",
    ),
    path("campaigns/<int:campaign_id>/reward-plan/", rewards_api.RewardPlanApi.as_view(), name="reward-plan"),
    path("ledger/", rewards_api.LedgerEntryListApi.as_view(), name="ledger"),
    path("ledger/adjustments/", rewards_api.LedgerAdjustmentApi.as_view(), name="ledger-adjustments"),
    path("me/ledger/", rewards_api.MyLedgerEntryListApi.as_view(), name="my-ledger"),
    path("payouts/", rewards_api.PayoutListApi.as_view(), name="payouts"),
    path("payouts/run/", rewards_api.PayoutRunApi.as_view(), name="payout-run"),
    path("payouts/bank-export/", rewards_api.BankPayoutExportApi.as_view(), name="payout-bank-export"),
    path(
        "payouts/<int:payout_id>/mark-paid/", rewards_api.PayoutMarkPaidApi.as_view(), name="payout-mark-paid"
    ),
    path("me/payouts/", rewards_api.MyPayoutListApi.as_view(), name="my-payouts"),
]
