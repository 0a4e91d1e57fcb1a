"""Page and API tests of every maintenance model from the generic test mixins
(framework.testing), on the registry's two-sided world."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import reverse

from ...framework.services import service_for
from ...framework.testing import APITestCases, ViewTestCases
from ..models import (
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
from .world import MaintenanceWorldMixin


class Data(MaintenanceWorldMixin):
    """The in-scope object is side a's (``in_scope_name``), the other side b's."""

    in_scope_name: str

    def in_scope_object(self):
        return getattr(self.world.a, self.in_scope_name)

    def out_of_scope_object(self):
        return getattr(self.world.b, self.in_scope_name)

    def side(self, in_scope: bool):
        return self.world.a if in_scope else self.world.b

    def deletable_object(self):
        data = {}
        for name, value in self.create_data().items():
            field = self.model._meta.get_field(name)
            if field.is_relation and value is not None:
                value = field.related_model.objects.get(pk=value)
            data[name] = value
        obj, _ = service_for(self.model).create(actor=self.user_with_perm, data=data)
        return obj


class ProjectData(Data):
    model = MaintenanceProject
    in_scope_name = "project"

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        side = self.side(in_scope)
        return {
            "building": side.building.pk,
            "organization": side.org.pk,
            "kind": "minor",
            "title": "卫生间改造",
            "reason": "管道老化漏水。",
            "estimate": "86000.00",
            "funding_source": "单位自有资金",
            "year": 2026,
        }

    def update_data(self) -> dict[str, Any]:
        return {"title": "屋面及外墙防水维修"}


class ProgressData(Data):
    model = ProgressReport
    in_scope_name = "report"

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        side = self.side(in_scope)
        return {"project": side.running.pk, "reported_on": "2026-04-01", "percent": 55}

    def update_data(self) -> dict[str, Any]:
        return {"note": "主体结构完成"}


class PaymentData(Data):
    model = MaintenancePayment
    in_scope_name = "payment"

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        side = self.side(in_scope)
        return {"project": side.running.pk, "paid_on": "2026-04-02", "amount": "50000.00"}

    def update_data(self) -> dict[str, Any]:
        return {"note": "进度款"}


class PlanData(Data):
    model = ThreeYearPlan
    in_scope_name = "plan"

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        side = self.side(in_scope)
        return {"region": side.region.pk, "start_year": 2029, "title": "2029—2031 年维修规划"}

    def update_data(self) -> dict[str, Any]:
        return {"title": "2026—2028 年办公用房维修规划"}


class ProposalData(Data):
    model = PlanProposal
    in_scope_name = "proposal"

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        side = self.side(in_scope)
        return {
            "plan": side.plan.pk,
            "building": side.building.pk,
            "organization": side.org.pk,
            "title": "供暖管网改造",
            "kind": "major",
            "estimate": "320000.00",
            "year": 2028,
            "condition": "dangerous",
        }

    def update_data(self) -> dict[str, Any]:
        return {"title": "电梯及供暖管网更换"}


class ContractData(Data):
    model = ServiceContract
    in_scope_name = "contract"

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        side = self.side(in_scope)
        return {
            "compound": side.compound.pk,
            "provider": "枣庄市城投物业服务有限公司",
            "scopes": ["cleaning", "greening"],
            "area": "2000.00",
            "price": "2.80",
            "price_period": "month",
            "start_on": "2026-01-01",
            "end_on": "2027-12-31",
        }

    def update_data(self) -> dict[str, Any]:
        return {"provider": "山东某物业管理有限公司"}


class BudgetData(Data):
    model = Budget
    in_scope_name = "budget"

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        side = self.side(in_scope)
        return {
            "organization": side.org.pk,
            "year": 2027,
            "item": "property",
            "planned": "90000.00",
        }

    def update_data(self) -> dict[str, Any]:
        return {"planned": "520000.00"}


class ExpenseData(Data):
    model = Expense
    in_scope_name = "expense"

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        side = self.side(in_scope)
        return {
            "organization": side.org.pk,
            "item": "rent",
            "spent_on": "2026-05-01",
            "amount": "8000.00",
        }

    def update_data(self) -> dict[str, Any]:
        return {"note": "第二季度房租"}


class RequirementData(Data):
    model = StageRequirement
    in_scope_name = "requirement"

    def create_data(self, *, in_scope: bool = True) -> dict[str, Any]:
        return {
            "region": self.side(in_scope).region.pk,
            "stage": "accepted",
            "project_kind": "major",
            "category": "photo",
            "count": 4,
            "label": "施工前后照片",
            "source": "县机关事务管理局文件",
            "effective_from": "2026-02-01",
        }

    def update_data(self) -> dict[str, Any]:
        return {"count": 5}


class TestProjectViews(ProjectData, ViewTestCases.PrimaryObjectViewTestCase):
    pass


class TestProjectAPI(ProjectData, APITestCases.APIViewTestCase):
    pass


class TestProgressViews(ProgressData, ViewTestCases.PrimaryObjectViewTestCase):
    pass


class TestProgressAPI(ProgressData, APITestCases.APIViewTestCase):
    pass


class TestPaymentViews(PaymentData, ViewTestCases.PrimaryObjectViewTestCase):
    pass


class TestPaymentAPI(PaymentData, APITestCases.APIViewTestCase):
    pass


class TestPlanViews(PlanData, ViewTestCases.PrimaryObjectViewTestCase):
    pass


class TestPlanAPI(PlanData, APITestCases.APIViewTestCase):
    pass


class TestProposalViews(ProposalData, ViewTestCases.PrimaryObjectViewTestCase):
    pass


class TestProposalAPI(ProposalData, APITestCases.APIViewTestCase):
    pass


class TestContractViews(ContractData, ViewTestCases.PrimaryObjectViewTestCase):
    def test_annual_amount_is_computed(self):
        contract = self.world.a.contract
        self.assertEqual(contract.annual_amount, Decimal("42000.00"))  # 1000 m² × 3.50 × 12


class TestContractAPI(ContractData, APITestCases.APIViewTestCase):
    def test_api_refuses_unknown_scope(self):
        self.client.force_login(self.user_with_perm)
        data = {**self.create_data(), "scopes": ["cleaning", "laundry"]}
        response = self.client.post(self.list_url(), data, format="json")
        self.assertEqual(response.status_code, 400)


class TestBudgetViews(BudgetData, ViewTestCases.PrimaryObjectViewTestCase):
    pass


class TestBudgetAPI(BudgetData, APITestCases.APIViewTestCase):
    def test_api_budget_has_spent(self):
        self.client.force_login(self.user_view_only)
        data = self.client.get(self.detail_url(self.world.a.budget)).json()
        self.assertEqual(Decimal(str(data["spent"])), Decimal("100000.00"))


class TestExpenseViews(ExpenseData, ViewTestCases.PrimaryObjectViewTestCase):
    pass


class TestExpenseAPI(ExpenseData, APITestCases.APIViewTestCase):
    pass


class TestRequirementViews(RequirementData, ViewTestCases.PrimaryObjectViewTestCase):
    def test_national_rows_are_listed_but_not_editable(self):
        national = StageRequirement.objects.filter(region__isnull=True).first()
        self.client.force_login(self.user_with_perm)
        page = self.client.get(reverse("maintenance:stagerequirement_list"))
        assert page.status_code == 200 and national.label in page.content.decode()
        edit = self.client.get(reverse("maintenance:stagerequirement_edit", args=[national.pk]))
        assert edit.status_code == 404


class TestRequirementAPI(RequirementData, APITestCases.APIViewTestCase):
    pass
