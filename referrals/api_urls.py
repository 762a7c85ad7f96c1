from django.urls import path

from referrals.attribution import api as attribution_api
from referrals.codes import api as codes_api
from referrals.exports import api as exports_api
from referrals.payouts import api as payouts_api
from referrals.reports import api as reports_api
from referrals.rewards import api as rewards_api

urlpatterns = [
    path("codes/", codes_api.ReferralCodeListApi.as_view(), name="referral-codes"),
    path("me/codes/", codes_api.MyReferralCodeListApi.as_view(), name="my-referral-codes"),
    path("attributions/", attribution_api.AttributionListApi.as_view(), name="attributions"),
    path(
        "attributions/<int:order_id>/",
        attribution_api.AttributionDetailApi.as_view(),
        name="attribution-detail",
    ),
    path(
        "attributions/<int:order_id>/reattribute/",
        attribution_api.ReattributeApi.as_view(),
        name="attribution-reattribute",
    ),
    path("exports/orders/", exports_api.OrderExportApi.as_view(), name="export-orders"),
    path("reports/attribution/", reports_api.AttributionReportApi.as_view(), name="report-attribution"),
    path(
        "reports/campaigns/<int:campaign_id>/summary/",
        reports_api.CampaignSummaryApi.as_view(),
        name="report-campaign-summary",
    ),
    path("campaigns/<int:campaign_id>/reward-plan/", rewards_api.RewardPlanApi.as_view(), name="reward-plan"),
    path("ledger/", rewards_api.LedgerEntryListApi.as_view(), name="ledger"),
    path("ledger/adjustments/", rewards_api.LedgerAdjustmentApi.as_view(), name="ledger-adjustments"),
    path("me/ledger/", rewards_api.MyLedgerEntryListApi.as_view(), name="my-ledger"),
    path("payouts/", payouts_api.PayoutListApi.as_view(), name="payouts"),
    path("payouts/run/", payouts_api.PayoutRunApi.as_view(), name="payout-run"),
    path("payouts/bank-export/", payouts_api.BankPayoutExportApi.as_view(), name="payout-bank-export"),
    path(
        "payouts/<int:payout_id>/mark-paid/", payouts_api.PayoutMarkPaidApi.as_view(), name="payout-mark-paid"
    ),
    path("payouts/<int:payout_id>/retry/", payouts_api.PayoutRetryApi.as_view(), name="payout-retry"),
    path("payouts/<int:payout_id>/cancel/", payouts_api.PayoutCancelApi.as_view(), name="payout-cancel"),
    path(
        "hosts/<int:host_id>/frozen-balance/",
        payouts_api.FrozenBalanceDecideApi.as_view(),
        name="frozen-balance-decide",
    ),
    path("me/payouts/", payouts_api.MyPayoutListApi.as_view(), name="my-payouts"),
]
