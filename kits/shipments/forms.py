"""Forms of the host's kit pages: reporting a problem with the kit."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kits.models import ProblemKind, Shipment, ShipmentLine


class LineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ShipmentLine) -> str:  # type: ignore[override]  # narrower model type
        return f"{obj.item.name} {obj.item.variant} ({obj.item.sku})"


class ProblemForm(forms.Form):
    kind = forms.ChoiceField(label=_("What happened?"), choices=ProblemKind.choices)
    line = LineChoiceField(queryset=ShipmentLine.objects.none(), required=False)
    quantity = forms.IntegerField(
        label=_("How many? (optional)"), min_value=1, max_value=10_000, required=False
    )
    description = forms.CharField(
        label=_("Tell us more"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: object, shipment: Shipment, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]  # plain Form arguments pass through
        self.fields["line"] = LineChoiceField(
            label=_("Which article? (optional)"),
            queryset=shipment.lines.select_related("item"),
            required=False,
        )
