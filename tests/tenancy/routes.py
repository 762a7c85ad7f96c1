"""Every route of the project, found in the URL configuration, and the tenancy decision for each.

A route is named by its qualified URL name (`namespace:name`), or by its path when it has none.
`test_every_route_has_a_tenancy_decision` fails for any route found here that is in no table, so a
route added later without a decision breaks the build.
"""

from collections.abc import Callable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

from backend import roles
from tests.tenancy.world import Tenant

# Included URL configurations that belong to libraries, not to us, by module or namespace.
THIRD_PARTY_INCLUDES = {
    "admin": "Django's admin site: its own is_staff and model permissions guard every page",
    "django.conf.urls.i18n": "Django's language switch: no object, no data",
}
THIRD_PARTY_VIEWS = {
    "api:schema": "drf-spectacular's OpenAPI document: describes routes, holds no row",
    "api:docs": "drf-spectacular's Swagger UI page over the schema",
}


@dataclass(frozen=True)
class Route:
    name: str
    path: str  # the route as written in the URL configuration, e.g. "api/v1/parties/<int:party_id>/"
    pattern: URLPattern


def _included_module(resolver: URLResolver) -> str:
    module = resolver.urlconf_module
    return getattr(module, "__name__", "") if not isinstance(module, list | tuple) else ""


def project_routes(skipped: set[str] | None = None) -> list[Route]:
    """Every route of the project, walked from the root resolver; third-party ones are left out
    (and the exclusions that matched are added to `skipped`)."""
    found: list[Route] = []
    skipped = set() if skipped is None else skipped

    def walk(patterns: list[Any], prefix: str, namespaces: list[str]) -> None:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                excluded = {pattern.namespace, _included_module(pattern)} & set(THIRD_PARTY_INCLUDES)
                if excluded:
                    skipped.update(excluded)
                    continue
                walk(
                    pattern.url_patterns,
                    route,
                    namespaces + ([pattern.namespace] if pattern.namespace else []),
                )
                continue
            name = ":".join([*namespaces, pattern.name]) if pattern.name else "/" + route
            view = f"{pattern.callback.__module__}.{pattern.callback.__name__}"
            excluded = {name, view} & set(THIRD_PARTY_VIEWS)
            if excluded:
                skipped.update(excluded)
                continue
            found.append(Route(name=name, path=route, pattern=pattern))

    walk(get_resolver().url_patterns, "", [])
    return found


# --- 1. Host-owned objects: another host's object answers 404 to every method ---------------------

Kwargs = Callable[[Tenant, Tenant], list[dict[str, Any]]]


def _theirs(**spec: str) -> Kwargs:
    """URL kwargs naming the victim's objects, e.g. `party_id="planned_party.pk"`."""
    return lambda mine, theirs: [{key: attrgetter(path)(theirs) for key, path in spec.items()}]


def _my_party_their_child(child: str, child_path: str, party: str) -> Kwargs:
    """The victim's child object, asked for directly and through one of the asker's own parties."""

    def build(mine: Tenant, theirs: Tenant) -> list[dict[str, Any]]:
        child_id = attrgetter(child_path)(theirs)
        return [
            {"party_id": attrgetter(party)(theirs).pk, child: child_id},
            {"party_id": attrgetter(party)(mine).pk, child: child_id},
        ]

    return build


PARTY = _theirs(party_id="planned_party.pk")
SHIPMENT = _theirs(number="shipment.number")

HOST_OBJECTS: dict[str, Kwargs] = {
    "api:party-detail": PARTY,
    "api:party-cancel": PARTY,
    "api:party-held": PARTY,
    "api:party-photos": _theirs(party_id="held_party.pk"),
    "api:party-photo": _my_party_their_child("photo_id", "photo.pk", "held_party"),
    "api:party-guests": PARTY,
    "api:party-photo-wall": _my_party_their_child("photo_id", "photo.pk", "held_party"),
    "api:party-guest-delete": _my_party_their_child("guest_id", "guest.pk", "planned_party"),
    "api:party-guest-batch": PARTY,
    "api:host-party": PARTY,
    "api:host-party-cancel": PARTY,
    "api:host-party-share-link": PARTY,
    "api:host-party-guests": PARTY,
    "api:host-party-guest-batch": PARTY,
    "api:host-party-guest": _my_party_their_child("guest_id", "guest.pk", "planned_party"),
    "api:my-host-detail": _theirs(pk="host.pk"),
    "parties:detail": PARTY,
    "parties:edit": PARTY,
    "parties:cancel": PARTY,
    "parties:held": PARTY,
    "parties:guest-add": PARTY,
    "parties:guest-remove": _my_party_their_child("guest_id", "guest.pk", "planned_party"),
    "parties:qr": PARTY,
    "parties:qr-png": PARTY,
    "parties:qr-svg": PARTY,
    "wall_portal:party-photos": _theirs(party_id="held_party.pk"),
    "wall_portal:photo-consent": _theirs(party_id="held_party.pk"),
    "wall_portal:share": _my_party_their_child("photo_id", "photo.pk", "held_party"),
    "wall_portal:unshare": _my_party_their_child("photo_id", "photo.pk", "held_party"),
    "kits:my_kit_detail": SHIPMENT,
    "kits:confirm_received": SHIPMENT,
    "kits:report_problem": SHIPMENT,
    "feedback:rate": _theirs(line_id="opinion.line_id"),
    "feedback:photo": _theirs(feedback_id="opinion.pk"),
    "feedback:remove-photo": _theirs(feedback_id="opinion.pk"),
    "referrals:share-qr": lambda mine, theirs: [
        {"code": code.code, "image_format": image_format}
        for code in (theirs.host_code, theirs.party_code)
        for image_format in ("png", "svg")
    ],
}

# --- 2. Host lists and own pages: the signed-in host's rows only ---------------------------------
# Each names the kinds of rows it shows (Tenant.markers / Tenant.ids): the asker's own rows of those
# kinds must be there, and no row of another host, of any kind.

HOST_LISTS: dict[str, tuple[str, ...]] = {
    "api:parties": ("parties",),
    "api:host-parties": ("parties",),
    "api:my-host-list": ("host",),
    "api:my-referral-codes": ("codes",),
    "api:my-ledger": ("ledger",),
    "api:my-payouts": ("payouts",),
    "api:my-photo-consent": (),  # the asker's own consent: no rows, so it must show no foreign one
    "parties:list": ("parties",),
    "parties:create": (),  # the new-party form: it shows no rows, so it must show no foreign one
    "kits:my_kit": ("kit",),
    "feedback:mine": ("opinions",),
    "referrals:share": ("codes",),
    "referrals:earnings": ("credited", "ledger"),
    "referrals:payouts": ("payouts",),
    "portal:dashboard": ("host",),
    "portal:profile": ("profile",),
    "recognition:notes": ("notes",),
    "notifications:preferences": (),  # the host's own e-mail choices: no row of anyone's
}

# --- 3. Staff only: a signed-in host is refused on every method ----------------------------------

SHOP_API_KEY = "shop platform API key"


@dataclass(frozen=True)
class Staff:
    role: str | dict[str, str]  # one role, or a role per HTTP method
    kwargs: dict[str, str]  # URL kwarg -> path into the victim tenant (real objects, so 404 means nothing)

    def role_for(self, method: str) -> str:
        return self.role if isinstance(self.role, str) else self.role[method]


def staff(role: str | dict[str, str], **kwargs: str) -> Staff:
    return Staff(role=role, kwargs=kwargs)


M, L, ANY_STAFF = roles.MARKETING, roles.LOGISTICS, "any staff role"
PERSONAL_DATA = "marketing holding the personal-data permission"

STAFF_ROUTES: dict[str, Staff] = {
    "api:audit-log": staff(roles.ADMIN),
    "api:shop-endpoints": staff(roles.ADMIN),
    "api:shop-endpoint-detail": staff(roles.ADMIN, pk="campaign.pk"),  # refused before any lookup
    "api:shop-api-keys": staff(roles.ADMIN),
    "api:shop-api-key": staff(roles.ADMIN, prefix="campaign.slug"),  # refused before any lookup
    "api:shop-api-key-revoke": staff(roles.ADMIN, prefix="campaign.slug"),
    "api:kit-item-batch": staff(L),
    "api:kit-receipt-batch": staff(L),
    "api:privacy-export": staff(PERSONAL_DATA),
    "api:privacy-erasure": staff(PERSONAL_DATA),
    "api:campaign-list": staff(M),
    "api:campaign-detail": staff(M, pk="campaign.pk"),
    "api:campaign-branding": staff(M, pk="campaign.pk"),
    "api:campaign-transition": staff(M, pk="campaign.pk"),
    "api:campaign-select-best": staff(M, pk="campaign.pk"),
    "api:application-list": staff(M),
    "api:application-bulk": staff(M),
    "api:application-detail": staff(M, pk="application.pk"),
    "api:application-shortlist": staff(M, pk="application.pk"),
    "api:application-waitlist": staff(M, pk="application.pk"),
    "api:application-reject": staff(M, pk="application.pk"),
    "api:application-select": staff(M, pk="application.pk"),
    "api:host-list": staff(M),
    "api:host-detail": staff(M, pk="host.pk"),
    "api:host-transition": staff(M, pk="host.pk"),
    "api:orders": staff({"GET": M, "HEAD": M, "POST": SHOP_API_KEY, "PUT": M, "PATCH": M, "DELETE": M}),
    "api:order-detail": staff(M, pk="order.pk"),
    "api:order-cancel": staff(M, pk="order.pk"),
    "api:kit-items": staff(L),
    "api:kit-item": staff(L, sku="item_sku"),
    "api:kit-item-receipts": staff(L, sku="item_sku"),
    "api:kit-item-adjustments": staff(L, sku="item_sku"),
    "api:kit-item-write-offs": staff(L, sku="item_sku"),
    "api:kit-movements": staff(L),
    "api:kit-template": staff(L, campaign_slug="campaign.slug"),
    "api:kit-shipments": staff(L),
    "api:kit-shipment": staff(L, number="shipment.number"),
    "api:kit-shipment-pack": staff(L, number="shipment.number"),
    "api:kit-shipment-ship": staff(L, number="shipment.number"),
    "api:kit-shipment-deliver": staff(L, number="shipment.number"),
    "api:kit-shipment-cancel": staff(L, number="shipment.number"),
    "api:kit-shipment-returns": staff(L, number="shipment.number"),
    "api:kit-shipment-close": staff(L, number="shipment.number"),
    "api:kit-problems": staff(L),
    "api:kit-problem-resolve": staff(L, problem_id="problem.pk"),
    "api:kit-settlements": staff(ANY_STAFF),
    "api:kit-shipment-packing-slip": staff(L, number="shipment.number"),
    "api:kit-slip-batches": staff(L),
    "api:kit-slip-batch": staff(L, batch_id="batch.pk"),
    "api:kit-slip-batch-file": staff(L, batch_id="batch.pk"),
    "api:kit-print-log": staff(L),
    "api:referral-codes": staff(M),
    "api:attributions": staff(M),
    "api:attribution-detail": staff(M, order_id="order.pk"),
    "api:attribution-reattribute": staff(M, order_id="order.pk"),
    "api:report-attribution": staff(M),
    "api:export-orders": staff(M),
    "api:report-campaign-summary": staff(M, campaign_id="campaign.pk"),
    "api:reward-plan": staff(M, campaign_id="campaign.pk"),
    "api:ledger": staff(M),
    "api:ledger-adjustments": staff(M),
    "api:payouts": staff(M),
    "api:payout-run": staff(roles.ADMIN),  # marketing holding the run-payouts permission, as admins do
    "api:payout-bank-export": staff(M),
    "api:payout-mark-paid": staff(M, payout_id="payout.pk"),
    "api:payout-retry": staff(M, payout_id="payout.pk"),
    "api:payout-cancel": staff(M, payout_id="payout.pk"),
    "api:frozen-balance-decide": staff(M, host_id="host.pk"),
    "api:milestones": staff(M),
    "api:brand-notes": staff(M),
    "api:campaign-recognition": staff(M, campaign_id="campaign.pk"),
    "api:wall-photos": staff(M),
    "api:wall-photo-approve": staff(M, pk="photo.pk"),  # refused before any lookup
    "api:wall-photo-reject": staff(M, pk="photo.pk"),  # refused before any lookup
    "api:feedback-list": staff(M),
    "api:feedback-report": staff(M),
    "api:feedback-photo": staff(M, feedback_id="opinion.pk"),
    "api:feedback-answers": staff(M),
    "api:webhook-endpoints": staff(roles.ADMIN),
    "api:webhook-endpoint": staff(roles.ADMIN, endpoint_id="campaign.pk"),  # refused before any lookup
    "api:webhook-deliveries": staff(roles.ADMIN),
    "api:webhook-delivery": staff(roles.ADMIN, delivery_id="campaign.pk"),
    "api:webhook-delivery-resend": staff(roles.ADMIN, delivery_id="campaign.pk"),
    "kits_staff:print": staff(L),
    "kits_staff:batch": staff(L, batch_id="batch.pk"),
    "kits_staff:batch_progress": staff(L, batch_id="batch.pk"),
    "kits_staff:batch_download": staff(L, batch_id="batch.pk"),
    "kits_staff:shipment_slip": staff(L, number="shipment.number"),
    "kits_staff:scan": staff(L),
    "kits_staff:scan_ship": staff(L),
    "kits_staff:scan_forget_carrier": staff(L),
    "insights:campaigns": staff(M),
    "insights:campaign": staff(M, campaign_id="campaign.pk"),
}

# --- 4. Public: reachable without an account, and why that is safe -------------------------------

PUBLIC_ROUTES: dict[str, str] = {
    "healthz": "probe: whether the database is up and tasks are taken; no row, no personal data",
    "api:token-login": "exchanges a staff member's e-mail and password for a token (throttled)",
    "api:token-revoke": "deletes the caller's own token, the one that authenticated the request",
    "api:host-token": "exchanges a host's e-mail and password for a host token (throttled with the portal's sign-in)",
    "api:host-token-revoke": "deletes the caller's own host token, the one that authenticated the request",
    "api:public-campaign": "a recruiting campaign's public description, by slug",
    "api:public-application-create": "the application form (throttled, honeypot)",
    "api:public-party": "what a guest holding the party's QR token sees: title, day, city, host's first name",
    "api:public-party-guests": "guest self-registration through the party's QR token (throttled)",
    "orders:stripe-webhook": "Stripe's deliveries, authenticated by their signature, not by a session",
    "shopify:webhook": "a shop's deliveries, authenticated by their HMAC signature, not by a session",
    "woocommerce:webhook": "a shop's deliveries, authenticated by their HMAC signature, not by a session",
    "referrals:redirect": "the referral link: a redirect to the shop, never an error or host data",
    "party_public:register": "the page behind the party's QR code (unguessable token)",
    "party_public:thanks": "the thank-you page after registering (unguessable token)",
    "api:public-wall-feed": "a campaign's approved wall photos: host's first name and city only (throttled, cached)",
    "wall:page": "a campaign's public photo wall: approved photos, host's first name and city only",
    "wall:photo": "one approved wall photo behind a signed, expiring URL (a sized copy without metadata)",
    "party_public:withdraw": "the guest's own withdrawal link from their e-mail (unguessable token)",
    "notifications:stop": "the opt-out link of an e-mail (signed token naming its recipient and kind): "
    "it turns that e-mail off and shows nothing else",
    "feedback_public:pieces": "a party's pieces for the guest this browser opened a link for; else the "
    "form asking for that link by e-mail (same answer whoever asks, throttled)",
    "feedback_public:guest-link": "the guest's signed link from her e-mail, valid for her own party only",
    "feedback_public:rate": "a guest rates a piece of her own party's kit, known by her link (403 otherwise)",
    "account_login": "allauth's sign-in address, redirected to the portal's sign-in page",
    "/accounts/signup/": "allauth's sign-up address, redirected to the portal's sign-in page",
    "account_inactive": "allauth's page for a deactivated account signing in socially: no data",
    "socialaccount_login_cancelled": "allauth's page after the visitor cancels at the provider: no data",
    "socialaccount_login_error": "allauth's page after a provider error: no data",
    **{
        f"{provider}_{step}": f"social sign-in with {provider}: the redirect to it, or its callback"
        for provider in ("facebook", "google", "instagram", "tiktok")
        for step in ("login", "callback")
    },
    "portal:home": "redirects to the dashboard (which asks for sign-in)",
    "portal:apply": "a campaign's public page and application form",
    "portal:apply-thanks": "the thank-you page after applying",
    "portal:language": "switches the visitor's language",
    "portal:signin": "sign-in page",
    "portal:signin-link": "one-time sign-in link from the invitation e-mail (signed token)",
    "portal:signout": "signs the caller out",
    "portal:password-reset": "asks for a reset e-mail",
    "portal:password-reset-sent": "confirmation page",
    "portal:password-reset-confirm": "Django's signed reset link",
    "portal:password-reset-complete": "confirmation page",
    "recognition:leaderboard": "a campaign's top hosts, only once marketing turned the list on: first "
    "names and cities of the hosts who consented, no amount",
    "branding-image": "a campaign's logo or cover (public media, names no one)",
    "brand-stylesheet": "the CSS custom properties of two colours named in its address: no row",
}

TABLES: dict[str, dict[str, Any]] = {
    "host object": HOST_OBJECTS,
    "host list": HOST_LISTS,
    "staff only": STAFF_ROUTES,
    "public": PUBLIC_ROUTES,
}
