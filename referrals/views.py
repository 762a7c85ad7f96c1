from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from rest_framework.throttling import SimpleRateThrottle

from referrals.links import follow_link


class _RedirectThrottle(SimpleRateThrottle):
    scope = "redirects"

    def get_cache_key(self, request, view):  # type: ignore[no-untyped-def]
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


@never_cache
@require_GET
def referral_redirect(request: HttpRequest, code: str) -> HttpResponse:
    """`GET /r/<code>`: 302 to the shop, with a click token when the code is valid."""
    if not _RedirectThrottle().allow_request(request, None):
        return HttpResponse("Too many requests.", status=429, content_type="text/plain")
    location = follow_link(
        raw_code=code,
        ip_address=request.META.get("REMOTE_ADDR", ""),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
        referrer=request.META.get("HTTP_REFERER", "")[:1000],
    )
    response = HttpResponseRedirect(location)
    response["Referrer-Policy"] = "no-referrer-when-downgrade"
    return response
