"""Forms of the vehicle registry, standards and running costs (edited through the generic pages)."""

from __future__ import annotations

from django import forms
from django.db.models import Q

from ..framework.forms import ScopedModelForm
from ..standards.models import VersionKind
from .models import (
    AnnualInspection,
    Driver,
    FuelCard,
    FuelRecord,
    InsurancePolicy,
    RepairRecord,
    RepairShop,
    Vehicle,
    VehicleQuota,
    VehicleStandard,
    VehicleStandardParameter,
    VehicleStandardRow,
)

NOTE = {"note": forms.Textarea(attrs={"rows": 3})}


class VehicleForm(ScopedModelForm):
    class Meta:
        model = Vehicle
        fields = [
            "organization",
            "plate",
            "vin",
            "category",
            "body",
            "brand",
            "model_name",
            "energy",
            "displacement",
            "price",
            "seats",
            "bought_on",
            "mileage",
            "marked",
            "terminal",
            "fuel_norm",
            "parking_compound",
            "status",
            "note",
        ]
        widgets = NOTE


class DriverForm(ScopedModelForm):
    class Meta:
        model = Driver
        fields = [
            "organization",
            "name",
            "phone",
            "license_class",
            "license_expires_on",
            "active",
            "note",
        ]
        widgets = NOTE


class VehicleQuotaForm(ScopedModelForm):
    class Meta:
        model = VehicleQuota
        fields = ["organization", "category", "count", "approved_by_document", "note"]
        widgets = NOTE


class VehicleStandardForm(ScopedModelForm):
    class Meta:
        model = VehicleStandard
        fields = ["name", "region", "source", "revision", "effective_from", "effective_to", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].required = True
        self.fields["region"].help_text = "本地方标准适用于该区划及其下级区划；须在您的管辖范围内"


class StandardRowForm(ScopedModelForm):
    """A row's version: a local one the account may write (never the national one)."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        field = self.fields["standard"]
        writable = VehicleStandard.objects.restrict(user, "change").filter(kind=VersionKind.LOCAL)
        current = self.instance.standard_id if self.instance.pk else None
        field.queryset = (
            VehicleStandard.objects.filter(Q(pk__in=writable.values("pk")) | Q(pk=current))
            if current
            else writable
        )
        field.widget = forms.Select(attrs={"class": "form-select"})
        field.widget.choices = field.choices


class VehicleStandardRowForm(StandardRowForm):
    class Meta:
        model = VehicleStandardRow
        fields = [
            "standard",
            "category",
            "body_class",
            "exceptional",
            "price_cap",
            "displacement_cap",
            "clause",
        ]
        widgets = {"clause": forms.Textarea(attrs={"rows": 3})}


class VehicleStandardParameterForm(StandardRowForm):
    class Meta:
        model = VehicleStandardParameter
        fields = ["standard", "key", "value", "unit", "clause"]
        widgets = {"clause": forms.Textarea(attrs={"rows": 3})}


class FuelCardForm(ScopedModelForm):
    class Meta:
        model = FuelCard
        fields = ["vehicle", "number", "issuer", "issued_on", "active", "note"]
        widgets = NOTE


class FuelRecordForm(ScopedModelForm):
    class Meta:
        model = FuelRecord
        fields = ["vehicle", "card", "filled_on", "litres", "amount", "odometer", "station"]


class RepairShopForm(ScopedModelForm):
    class Meta:
        model = RepairShop
        fields = ["name", "region", "designated", "designated_until", "address", "phone", "note"]
        widgets = NOTE


class RepairRecordForm(ScopedModelForm):
    class Meta:
        model = RepairRecord
        fields = ["vehicle", "shop", "kind", "repaired_on", "amount", "odometer", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class InsurancePolicyForm(ScopedModelForm):
    class Meta:
        model = InsurancePolicy
        fields = ["vehicle", "kind", "insurer", "policy_number", "start_on", "end_on", "premium"]


class AnnualInspectionForm(ScopedModelForm):
    class Meta:
        model = AnnualInspection
        fields = ["vehicle", "due_on", "done_on", "result", "station", "note"]
        widgets = NOTE
