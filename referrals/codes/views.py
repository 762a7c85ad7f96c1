"""Referral pages: the public `/r/<code>` redirect and the host's "share" page with QR codes."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from backend.client_address import client_ip
from backend.qr import qr_png, qr_svg
from backend.throttles import SimpleRateThrottle
from referrals.codes.links import follow_link, share_link
from referrals.models import CodeKind, ReferralCode


class _RedirectThrottle(SimpleRateThrottle):
    scope = "redirects"

    def get_cache_key(self, request, view):  # type: ignore[no-untyped-def]
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


@never_cache
@require_GET
def referral_redirect(request: HttpRequest, code: str) -> HttpResponse:
    """`GET /r/<code>`: 302 to the shop; the same answer whether the code is valid or not."""
    # A plain Django view: the throttle only reads `request.META` and this subclass ignores the view,
    # which the stubs, typed for DRF's `Request` and `APIView`, cannot say.
    if not _RedirectThrottle().allow_request(request, None):  # type: ignore[arg-type]
        return HttpResponse("Too many requests.", status=429, content_type="text/plain")
    location = follow_link(
        raw_code=code,
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
        referrer=request.META.get("HTTP_REFERER", "")[:1000],
    )
    response = HttpResponseRedirect(location)
    response["Referrer-Policy"] = "no-referrer-when-downgrade"
    return response


@login_required
def share(request: HttpRequest) -> HttpResponse:
    """The signed-in host's codes: one per campaign, and one per party, each with its link and QR code."""
    codes = list(
        ReferralCode.objects.for_user(request.user)
        .select_related("campaign", "party", "host")
        .order_by("kind", "-created_at")
    )
    # Only codes that credit someone now or later: a retired, cancelled or closed party's code is not shared.
    now = timezone.now()
    live = [code for code in codes if code.is_shareable_at(now)]
    host_codes = [(code, share_link(code)) for code in live if code.kind == CodeKind.HOST]
    party_codes = [(code, share_link(code)) for code in live if code.kind == CodeKind.PARTY]
    return render(request, "referrals/share.html", {"host_codes": host_codes, "party_codes": party_codes})


@login_required
def share_qr(request: HttpRequest, code: str, image_format: str) -> HttpResponse:
    found = (
        ReferralCode.objects.for_user(request.user).filter(code=code.upper()).select_related("host").first()
    )
    if found is None:
        raise Http404
    link = share_link(found)
    if image_format == "svg":
        response = HttpResponse(qr_svg(link), content_type="image/svg+xml")
    else:
        response = HttpResponse(qr_png(link), content_type="image/png")
    if request.GET.get("download"):
        response["Content-Disposition"] = f'attachment; filename="{found.code}.{image_format}"'
    return response
