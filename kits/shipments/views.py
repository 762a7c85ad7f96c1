"""Portal pages of the host's kit: status, tracking, "I received it", "report a problem"."""

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from backend.errors import Conflict, Invalid
from backend.models import User
from kits.models import Shipment, ShipmentLine, ShipmentStatus
from kits.shipments import services
from kits.shipments.forms import ProblemForm


def _host_user(request: HttpRequest) -> User:
    """The signed-in user (every view here is `login_required`)."""
    return cast(User, request.user)


def _shipments_of(request: HttpRequest) -> QuerySet[Shipment]:
    """The signed-in user's shipments only; everything the page shows, in a fixed number of queries."""
    return (
        Shipment.objects.for_user(_host_user(request))
        .exclude(status=ShipmentStatus.CANCELLED)
        .select_related("campaign")
        .prefetch_related(Prefetch("lines", ShipmentLine.objects.select_related("item")))
    )


def _render(
    request: HttpRequest,
    shipments: list[Shipment],
    *,
    invalid_form: ProblemForm | None = None,
    status: int = 200,
) -> HttpResponse:
    cards = [
        {
            "shipment": shipment,
            "can_confirm": shipment.status == ShipmentStatus.SHIPPED,
            "can_report": shipment.status in services.REPORTABLE_STATUSES,
            "problem_form": invalid_form or ProblemForm(shipment=shipment, prefix=shipment.number),
        }
        for shipment in shipments
    ]
    return render(request, "kits/my_kit.html", {"cards": cards}, status=status)


@login_required
def my_kit(request: HttpRequest) -> HttpResponse:
    return _render(request, list(_shipments_of(request)))


@login_required
def my_kit_detail(request: HttpRequest, number: str) -> HttpResponse:
    return _render(request, [get_object_or_404(_shipments_of(request), number=number)])


@login_required
@require_POST
def confirm_kit_received(request: HttpRequest, number: str) -> HttpResponse:
    shipment = get_object_or_404(Shipment.objects.for_user(_host_user(request)), number=number)
    try:
        services.confirm_delivery(shipment=shipment, by=_host_user(request))
    except Conflict:
        messages.error(request, _("This kit cannot be confirmed now."))
    else:
        messages.success(request, _("Thank you! We noted that your kit arrived."))
    return HttpResponseRedirect(reverse("kits:my_kit_detail", args=[number]))


@login_required
@require_POST
def report_problem(request: HttpRequest, number: str) -> HttpResponse:
    shipment = get_object_or_404(Shipment.objects.for_user(_host_user(request)), number=number)
    form = ProblemForm(request.POST, shipment=shipment, prefix=shipment.number)
    if form.is_valid():
        try:
            services.report_kit_problem(shipment=shipment, by=_host_user(request), **form.cleaned_data)
        except Invalid as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        except Conflict as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Thank you. Our logistics team will get back to you."))
            return HttpResponseRedirect(reverse("kits:my_kit_detail", args=[number]))
    return _render(
        request, [get_object_or_404(_shipments_of(request), number=number)], invalid_form=form, status=400
    )
