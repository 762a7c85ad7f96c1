"""Every API route lives under /api/v1/; each app contributes its own `api_urls` list."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from backend.api import AuditLogApi, TokenLoginApi, TokenRevokeApi

app_name = "api"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("auth/token/", TokenLoginApi.as_view(), name="token-login"),
    path("auth/token/revoke/", TokenRevokeApi.as_view(), name="token-revoke"),
    path("audit/", AuditLogApi.as_view(), name="audit-log"),
    path("", include("ambassadors.recruitment.api_urls")),
    path("", include("ambassadors.hosts.api_urls")),
    # The host list, with each host's referral code and kit (referrals extends the hosts view).
    path("", include("referrals.codes.host_urls")),
    # The orders API, with the attribution marketing reads (referrals extends the orders views).
    path("", include("referrals.attribution.order_urls")),
    path("", include("orders.shops.urls")),
    path("", include("ambassadors.parties.api_urls")),
    path("", include("ambassadors.portal.api_urls")),
    path("", include("kits.api_urls")),
    path("", include("referrals.api_urls")),
    path("", include("recognition.api_urls")),
    path("", include("wall.api_urls")),
    path("", include("privacy.urls")),
    path("", include("feedback.api_urls")),
    path("", include("webhooks.api_urls")),
]
