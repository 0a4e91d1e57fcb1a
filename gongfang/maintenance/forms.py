"""Forms of maintenance: the generic edit forms of every model and the stage forms of a project."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from ..framework import clock
from ..framework.forms import ScopedModelForm
from ..registry.models import Organization
from .choices import AcceptanceResult, ServiceScope
from .models import (
    Budget,
    Expense,
    MaintenancePayment,
    MaintenanceProject,
    PlanProposal,
    ProgressReport,
    ServiceContract,
    StageRequirement,
    ThreeYearPlan,
)

TEXTAREA = forms.Textarea(attrs={"rows": 3})
DATE = {"type": "date", "class": "form-control"}


class MaintenanceProjectForm(ScopedModelForm):
    class Meta:
        model = MaintenanceProject
        fields = [
            "compound",
            "building",
            "organization",
            "kind",
            "title",
            "reason",
            "estimate",
            "funding_source",
            "year",
        ]
        widgets = {"reason": TEXTAREA}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.pk and self.initial.get("year") is None:
            self.initial["year"] = clock.today().year


class ProgressReportForm(ScopedModelForm):
    class Meta:
        model = ProgressReport
        fields = ["project", "reported_on", "percent", "note"]


class MaintenancePaymentForm(ScopedModelForm):
    class Meta:
        model = MaintenancePayment
        fields = ["project", "paid_on", "amount", "note"]


class ThreeYearPlanForm(ScopedModelForm):
    class Meta:
        model = ThreeYearPlan
        fields = ["region", "start_year", "title", "note"]
        widgets = {"note": TEXTAREA}


class PlanProposalForm(ScopedModelForm):
    class Meta:
        model = PlanProposal
        fields = [
            "plan",
            "building",
            "organization",
            "title",
            "kind",
            "estimate",
            "year",
            "condition",
            "note",
        ]
        widgets = {"note": TEXTAREA}


class ServiceContractForm(ScopedModelForm):
    scopes = forms.MultipleChoiceField(
        label="服务内容", choices=ServiceScope.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ServiceContract
        fields = [
            "compound",
            "building",
            "organization",
            "provider",
            "scopes",
            "area",
            "price",
            "price_period",
            "start_on",
            "end_on",
            "note",
        ]
        widgets = {"note": TEXTAREA}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scopes"].widget.attrs["class"] = "form-check-input"
        self.fields["organization"].required = False


class BudgetForm(ScopedModelForm):
    class Meta:
        model = Budget
        fields = ["organization", "compound", "year", "item", "planned", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].required = False
        if not self.instance.pk and self.initial.get("year") is None:
            self.initial["year"] = clock.today().year


class ExpenseForm(ScopedModelForm):
    class Meta:
        model = Expense
        fields = ["organization", "compound", "item", "spent_on", "amount", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].required = False


class StageRequirementForm(ScopedModelForm):
    """A region's own requirement: the region within the account's scope, the category one of
    the archives' categories."""

    class Meta:
        model = StageRequirement
        fields = [
            "region",
            "stage",
            "project_kind",
            "category",
            "count",
            "label",
            "source",
            "effective_from",
            "effective_to",
        ]

    def __init__(self, *args, **kwargs):
        from ..archives.models import DocumentCategory

        super().__init__(*args, **kwargs)
        self.fields["region"].required = True
        self.fields[
            "region"
        ].help_text = (
            "本规定适用于该区划及其下级区划，替代全国规定中同一环节、项目类型和档案类别的一行"
        )
        codes = list(DocumentCategory.objects.values_list("code", "name"))
        self.fields["category"] = forms.ChoiceField(
            label="档案类别",
            choices=[("", "请选择"), *codes],
            help_text=self.fields["category"].help_text,
        )


# Stage forms of a project ---------------------------------------------------------------------
class StageForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.HiddenInput):
                continue
            if isinstance(field, forms.DateField):
                field.widget = forms.DateInput(attrs=DATE, format="%Y-%m-%d")
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
            field.error_messages["required"] = f"请填写{field.label}。"


class SubmitProjectForm(StageForm):
    amount = forms.DecimalField(
        label="申请立项金额（元）", max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )


class StartWorksForm(StageForm):
    contractor = forms.CharField(label="施工单位", max_length=100)
    contract_amount = forms.DecimalField(
        label="合同金额（元）", max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    start_on = forms.DateField(label="开工日期")
    planned_end_on = forms.DateField(label="计划完工日期")


class AcceptForm(StageForm):
    accepted_on = forms.DateField(label="验收日期")
    result = forms.ChoiceField(label="验收结论", choices=AcceptanceResult.choices)
    note = forms.CharField(label="验收意见", required=False, max_length=2000, widget=TEXTAREA)


class EvaluateForm(StageForm):
    score = forms.IntegerField(label="评价得分", min_value=0, max_value=100)
    comment = forms.CharField(label="评价意见", max_length=2000, widget=TEXTAREA)


class ArchiveForm(StageForm):
    archived_on = forms.DateField(label="归档日期")


class SubmitPlanForm(StageForm):
    applicant = forms.ModelChoiceField(
        label="报批单位", queryset=Organization.objects.none(), help_text="一般为机关事务管理局"
    )

    def __init__(self, *args, user, plan: ThreeYearPlan, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = Organization.objects.restrict(user, "view").filter(region=plan.region)
        self.fields["applicant"].queryset = orgs.order_by("path")
        bureau = orgs.filter(name__contains="机关事务").first()
        if bureau is not None:
            self.initial.setdefault("applicant", bureau.pk)
