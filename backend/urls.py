from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views import defaults
from django.views.generic import RedirectView

from ambassadors.parties.urls import public_urls as party_public_urls
from ambassadors.portal import urls as portal_urls
from backend.dashboard import dashboard
from backend.views import api_bad_request, api_not_found, api_server_error, healthz

# The portal's pages, and the host's dashboard that reads other apps (so it is not the portal's own).
portal_pages = [*portal_urls.urlpatterns, path("portal/", dashboard, name="dashboard")]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("backend.api_urls")),
    path("", include("orders.stripe.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("referrals.urls")),
    # Social sign-in: provider redirects and callbacks (the pages themselves are the portal's).
    # allauth's own account pages lead to the portal's single sign-in page.
    path("accounts/login/", RedirectView.as_view(pattern_name="portal:signin", query_string=True)),
    path("accounts/signup/", RedirectView.as_view(pattern_name="portal:signin")),
    path("accounts/", include("allauth.urls")),
    path("portal/kit/", include("kits.shipments.urls", namespace="kits")),
    path("staff/kits/", include("kits.slips.urls", namespace="kits_staff")),
    path("portal/parties/", include("ambassadors.parties.urls", namespace="parties")),
    path("p/", include(party_public_urls)),
    path("", include((portal_pages, "portal"))),
]
# No route serves MEDIA_ROOT: personal files live in private storage, handed out by views that
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
