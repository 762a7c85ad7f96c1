import functools
from collections.abc import Callable
from typing import Any

from allauth.account import views as account_views
from allauth.socialaccount import views as socialaccount_views
from allauth.socialaccount.models import SocialApp
from allauth.urls import build_provider_urlpatterns
from django.contrib import admin
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, include, path, re_path
from django.views import defaults
from django.views.generic import RedirectView

from ambassadors.parties.urls import public_urls as party_public_urls
from ambassadors.portal import urls as portal_urls
from backend.branding import STYLESHEET_ROUTE, brand_stylesheet
from backend.dashboard import dashboard
from backend.public_media import branding_image
from backend.views import api_bad_request, api_not_found, api_server_error, healthz
from feedback.ratings.urls import public_urls as feedback_public_urls
from wall.urls import portal_urls as wall_portal_urls


def _configured_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A provider's page answers 404 while the brand has not configured that provider (allauth itself
    fails with a server error there)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except SocialApp.DoesNotExist:
            raise Http404("This sign-in provider is not configured.") from None

    return wrapped


def _provider_login_and_callback() -> list[URLPattern]:
    """Each provider's login and callback; not the token sign-ins (JavaScript SDKs) the portal never offers."""
    return [
        path(f"{provider.pattern}{route.pattern}", _configured_only(route.callback), name=str(route.name))
        for provider in build_provider_urlpatterns()
        if isinstance(provider, URLResolver)  # `<provider>/`: its login and callback
        for route in provider.url_patterns
        if isinstance(route, URLPattern) and str(route.name).endswith(("_login", "_callback"))
    ]


# Social sign-in only: each provider's login and callback, and the few pages allauth's social flow
# sends people to. allauth's account pages (e-mail addresses, passwords, sign-up, confirmations,
# connections) are not routed: the portal has its own, and only a link we send proves an address.
social_signin_urls = [
    path(
        "login/", RedirectView.as_view(pattern_name="portal:signin", query_string=True), name="account_login"
    ),
    path("signup/", RedirectView.as_view(pattern_name="portal:signin")),
    path("inactive/", account_views.account_inactive, name="account_inactive"),
    path(
        "3rdparty/login/cancelled/",
        socialaccount_views.login_cancelled,
        name="socialaccount_login_cancelled",
    ),
    path("3rdparty/login/error/", socialaccount_views.login_error, name="socialaccount_login_error"),
    *_provider_login_and_callback(),
]

# The portal's pages, and the host's dashboard that reads other apps (so it is not the portal's own).
portal_pages = [*portal_urls.urlpatterns, path("portal/", dashboard, name="dashboard")]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("backend.api_urls")),
    path("", include("orders.stripe.urls")),
    path("", include("orders.shopify.urls")),
    path("", include("orders.woocommerce.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("referrals.urls")),
    path("", include("recognition.urls")),
    path("accounts/", include(social_signin_urls)),
    path("portal/kit/", include("kits.shipments.urls", namespace="kits")),
    path("staff/kits/", include("kits.slips.urls", namespace="kits_staff")),
    path("staff/insights/", include("referrals.insights.urls", namespace="insights")),
    path("portal/parties/", include("ambassadors.parties.urls", namespace="parties")),
    path("portal/parties/", include(wall_portal_urls)),
    path("p/", include(party_public_urls)),
    path("", include("notifications.urls")),
    # Public media: the campaigns' branding images only (`backend.public_media`).
    path("media/branding/<str:name>", branding_image, name="branding-image"),
    re_path(STYLESHEET_ROUTE, brand_stylesheet, name="brand-stylesheet"),
    path("", include("wall.urls")),
    path("portal/feedback/", include("feedback.ratings.urls", namespace="feedback")),
    path("p/", include(feedback_public_urls)),
    path("", include((portal_pages, "portal"))),
]
# No route serves the rest of MEDIA_ROOT: personal files live in private storage, handed out by views that
# check who asks (`backend.private_files`); static files are whitenoise's.


def handler400(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_bad_request(request, exception)
    return defaults.bad_request(request, exception)


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_not_found(request, exception)
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return api_server_error(request)
    return defaults.server_error(request)
