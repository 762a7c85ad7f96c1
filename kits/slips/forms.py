"""Forms of the warehouse pages: what to print, and the carrier of a kit scanned for shipping."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ambassadors.models import Campaign
from kits.models import Shipment, ShipmentStatus, SlipPageSize
from kits.slips.services import MAX_BATCH_SHIPMENTS


class PrintFilterForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("Campaign"),
        queryset=Campaign.objects.order_by("-applications_open_at"),
        to_field_name="slug",
        required=False,
        empty_label=gettext_lazy("All campaigns"),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("State"),
        choices=[("", gettext_lazy("To pack (allocated)")), *ShipmentStatus.choices],
        required=False,
        initial=ShipmentStatus.ALLOCATED,
    )
    page_size = forms.ChoiceField(label=gettext_lazy("Paper"), choices=SlipPageSize.choices, initial="A4")


class PrintNumbersForm(forms.Form):
    numbers = forms.CharField(
        label=gettext_lazy("Shipment numbers"),
        help_text=gettext_lazy("One per line, or separated by spaces or commas."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_BATCH_SHIPMENTS * 21,
    )
    page_size = forms.ChoiceField(label=gettext_lazy("Paper"), choices=SlipPageSize.choices, initial="A4")

    def clean_numbers(self) -> list[str]:
        numbers = [part.strip().upper() for part in self.cleaned_data["numbers"].replace(",", " ").split()]
        numbers = list(dict.fromkeys(number for number in numbers if number))
        if not numbers:
            raise forms.ValidationError(_("Give at least one shipment number."))
        known = set(Shipment.objects.filter(number__in=numbers).values_list("number", flat=True))
        unknown = [number for number in numbers if number not in known]
        if unknown:
            raise forms.ValidationError(_("Unknown shipment number(s): %s") % ", ".join(unknown[:20]))
        return numbers


class ShipForm(forms.Form):
    number = forms.CharField(widget=forms.HiddenInput, max_length=40)
    carrier = forms.CharField(label=gettext_lazy("Carrier"), max_length=50)
    tracking_number = forms.CharField(label=gettext_lazy("Tracking number"), max_length=64)
    same_tracking = forms.BooleanField(
        label=gettext_lazy("Same tracking number for the next parcels (one consignment)"), required=False
    )
