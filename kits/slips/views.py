"""Staff pages of the warehouse (logistics role): printing packing slips and the scan station."""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backend import roles
from backend.errors import Conflict, Invalid, InvalidTransition
from backend.models import User
from backend.permissions import user_has_role
from kits.models import Shipment, ShipmentStatus, SlipBatch, SlipPageSize
from kits.slips import services
from kits.slips.forms import PrintFilterForm, PrintNumbersForm, ShipForm
from kits.slips.responses import batch_file_response, pdf_response

# Session keys of the scan station.
SCAN_RESULT = "kits_scan_result"
SCAN_PENDING = "kits_scan_pending"
SCAN_CARRIER = "kits_scan_carrier"
SCAN_TRACKING = "kits_scan_tracking"


def _staff(request: HttpRequest) -> User:
    """The signed-in staff member (every view here is `logistics_required`)."""
    return cast(User, request.user)


def logistics_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Signed-in members of the logistics role only (others: sign-in page, or 403 when signed in)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not user_has_role(request.user, roles.LOGISTICS):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


# --- printing --------------------------------------------------------------------------------


def _print_page(
    request: HttpRequest,
    *,
    filter_form: PrintFilterForm | None = None,
    numbers_form: PrintNumbersForm | None = None,
    status: int = 200,
) -> HttpResponse:
    filter_form = filter_form or PrintFilterForm(initial={"status": ShipmentStatus.ALLOCATED})
    numbers_form = numbers_form or PrintNumbersForm()
    context = {
        "filter_form": filter_form,
        "numbers_form": numbers_form,
        "direct_max": settings.PACKING_SLIPS_DIRECT_MAX,
        "batches": SlipBatch.objects.select_related("requested_by").order_by("-created_at")[:10],
    }
    return render(request, "kits/staff/print.html", context, status=status)


def _print(request: HttpRequest, ids: list[int], page_size: str, description: str) -> HttpResponse:
    if services.is_direct(len(ids)):
        pdf = services.print_packing_slips(shipment_ids=ids, by=_staff(request), page_size=page_size)
        return pdf_response(pdf, "packing-slips.pdf")
    batch = services.request_slip_batch(
        shipment_ids=ids,
        by=_staff(request),
        page_size=page_size,
        description=description,
    )
    return HttpResponseRedirect(reverse("kits_staff:batch", args=[batch.pk]))


@logistics_required
def print_page(request: HttpRequest) -> HttpResponse:
    """Filters (campaign, state, paper) or a list of numbers; small prints answer with the PDF."""
    if request.method != "POST":
        return _print_page(request)
    if "numbers" in request.POST:
        numbers_form = PrintNumbersForm(request.POST)
        if not numbers_form.is_valid():
            return _print_page(request, numbers_form=numbers_form, status=400)
        numbers = numbers_form.cleaned_data["numbers"]
        by_number = dict(Shipment.objects.filter(number__in=numbers).values_list("number", "id"))
        ids = [by_number[number] for number in numbers]
        description = ""
        page_size = numbers_form.cleaned_data["page_size"]
    else:
        filter_form = PrintFilterForm(request.POST)
        if not filter_form.is_valid():
            return _print_page(request, filter_form=filter_form, status=400)
        campaign = filter_form.cleaned_data["campaign"]
        slug = campaign.slug if campaign else ""
        state = filter_form.cleaned_data["status"]
        shipments = services.shipments_for_filter(campaign_slug=slug, status=state)
        ids = list(shipments.values_list("id", flat=True)[: services.MAX_BATCH_SHIPMENTS + 1])
        description = services.describe_filter(slug, state)
        page_size = filter_form.cleaned_data["page_size"]
    try:
        return _print(request, ids, page_size, description)
    except Invalid as error:
        if "numbers" in request.POST:
            numbers_form = PrintNumbersForm(request.POST)
            numbers_form.is_valid()
            numbers_form.add_error(None, error.message)
            return _print_page(request, numbers_form=numbers_form, status=400)
        filter_form = PrintFilterForm(request.POST)
        filter_form.is_valid()
        filter_form.add_error(None, error.message)
        return _print_page(request, filter_form=filter_form, status=400)


@logistics_required
def shipment_slip(request: HttpRequest, number: str) -> HttpResponse:
    shipment = services.get_shipment(number)
    page_size = request.GET.get("page_size", "A4").upper()
    if page_size not in SlipPageSize.values:
        page_size = SlipPageSize.A4
    pdf = services.print_packing_slips(shipment_ids=[shipment.pk], by=_staff(request), page_size=page_size)
    return pdf_response(pdf, f"{shipment.number}.pdf")


@logistics_required
def batch_page(request: HttpRequest, batch_id: str) -> HttpResponse:
    """A queued batch's progress bar; without JavaScript the page reloads itself until done."""
    batch = get_object_or_404(SlipBatch.objects.select_related("requested_by"), pk=batch_id)
    return render(request, "kits/staff/batch.html", {"batch": batch})


@logistics_required
def batch_progress(request: HttpRequest, batch_id: str) -> JsonResponse:
    batch = get_object_or_404(SlipBatch, pk=batch_id)
    return JsonResponse(
        {
            "status": batch.status,
            "status_label": batch.get_status_display(),
            "done": batch.done,
            "total": batch.total,
            "percent": batch.percent,
            "error": batch.error,
            "download_url": reverse("kits_staff:batch_download", args=[batch.pk])
            if batch.status == "done"
            else None,
        }
    )


@logistics_required
def batch_download(request: HttpRequest, batch_id: str) -> HttpResponseBase:
    """The PDF of a finished batch; before that, the progress page saying it is not ready yet (409,
    as the API answers)."""
    batch = get_object_or_404(SlipBatch.objects.select_related("requested_by"), pk=batch_id)
    try:
        return batch_file_response(batch)
    except Conflict as error:
        context = {"batch": batch, "not_ready": error.message}
        return render(request, "kits/staff/batch.html", context, status=409)


# --- scan station ----------------------------------------------------------------------------


def _state_labels(states: Any) -> list[str]:
    return [str(ShipmentStatus(state).label) for state in states]


def _remember(request: HttpRequest, **result: Any) -> None:
    request.session[SCAN_RESULT] = result


def _success(request: HttpRequest, scanned: services.ScanResult) -> None:
    shipment = scanned.shipment
    if scanned.action == "pack":
        title = _("%(number)s packed") % {"number": shipment.number}
        detail = _("Next scan of this kit ships it.")
    elif scanned.action == "ship":
        title = _("%(number)s shipped") % {"number": shipment.number}
        detail = _("%(carrier)s, tracking %(tracking)s") % {
            "carrier": shipment.carrier,
            "tracking": shipment.tracking_number,
        }
    else:
        title = _("%(number)s: return received") % {"number": shipment.number}
        detail = _("%(units)s unit(s) back in stock in good state.") % {"units": scanned.units}
    _remember(
        request,
        ok=True,
        number=shipment.number,
        title=title,
        detail=detail,
        name=shipment.ship_to_name,
        status=shipment.get_status_display(),
    )


def _failure(request: HttpRequest, number: str, error: Exception) -> None:
    extra = getattr(error, "extra", None) or {}
    current = extra.get("current")
    allowed = extra.get("allowed")
    _remember(
        request,
        ok=False,
        number=number,
        title=getattr(error, "message", str(error)),
        current=str(ShipmentStatus(current).label) if current in ShipmentStatus.values else "",
        allowed=_state_labels(allowed) if allowed else [],
    )


def _scan(request: HttpRequest, number: str, carrier: str, tracking_number: str) -> bool:
    try:
        scanned = services.scan_shipment(
            number=number,
            by=_staff(request),
            carrier=carrier,
            tracking_number=tracking_number,
        )
    except (Invalid, Conflict, InvalidTransition) as error:
        _failure(request, number, error)
        return False
    _success(request, scanned)
    return True


@logistics_required
def scan_station(request: HttpRequest) -> HttpResponse:
    """One input: a scanner types the number + Enter; the kit's state decides what happens."""
    if request.method == "POST":
        number = services.normalise_scan(request.POST.get("number", ""))
        request.session.pop(SCAN_PENDING, None)
        shipment = Shipment.objects.filter(number=number).only("status").first() if number else None
        carrier = request.session.get(SCAN_CARRIER, "")
        tracking = request.session.get(SCAN_TRACKING, "")
        if shipment is not None and shipment.status == ShipmentStatus.PACKED and not (carrier and tracking):
            request.session[SCAN_PENDING] = number  # ask for the carrier and tracking number first
        else:
            _scan(request, number, carrier, tracking)
        return HttpResponseRedirect(reverse("kits_staff:scan"))
    pending = request.session.get(SCAN_PENDING)
    ship_form = None
    if pending:
        ship_form = ShipForm(initial={"number": pending, "carrier": request.session.get(SCAN_CARRIER, "")})
    return _scan_page(request, ship_form=ship_form, result=request.session.pop(SCAN_RESULT, None))


def _scan_page(
    request: HttpRequest, *, ship_form: ShipForm | None, result: dict | None, status: int = 200
) -> HttpResponse:
    context = {
        "result": result,
        "ship_form": ship_form,
        "ship_number": ship_form["number"].value() if ship_form else "",
        "pending": request.session.get(SCAN_PENDING),
        "carrier": request.session.get(SCAN_CARRIER, ""),
        "tracking": request.session.get(SCAN_TRACKING, ""),
    }
    return render(request, "kits/staff/scan.html", context, status=status)


@logistics_required
@require_POST
def scan_ship(request: HttpRequest) -> HttpResponse:
    """Carrier and tracking number for the packed kit just scanned; the carrier is kept for the next."""
    form = ShipForm(request.POST)
    if not form.is_valid():
        return _scan_page(request, ship_form=form, result=None, status=400)
    data = form.cleaned_data
    number = services.normalise_scan(data["number"])
    if _scan(request, number, data["carrier"], data["tracking_number"]):
        request.session[SCAN_CARRIER] = data["carrier"].strip()
        if data["same_tracking"]:
            request.session[SCAN_TRACKING] = data["tracking_number"].strip()
    request.session.pop(SCAN_PENDING, None)
    return HttpResponseRedirect(reverse("kits_staff:scan"))


@logistics_required
@require_POST
def scan_forget_carrier(request: HttpRequest) -> HttpResponse:
    for key in (SCAN_CARRIER, SCAN_TRACKING, SCAN_PENDING):
        request.session.pop(key, None)
    return HttpResponseRedirect(reverse("kits_staff:scan"))
