"""The kinds that add to the registry: 租用备案 (an external leased property) and 新建 / 购置 /
装修 (a project record)."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_DOWN, Decimal
from typing import Any

from django import forms

from ...compliance.loader import Selection, load_facts
from ...compliance.receivers import rechecks_deferred
from ...compliance.rules import approved_total, m2
from ...framework import clock
from ...framework.services import service_for
from ...registry import plausibility
from ...registry.choices import HeightClass, RoomCategory, RoomStatus
from ...registry.models import Building, Compound, Floor, Region, Room
from ...workflow.choices import CaseKind
from ...workflow.kinds import Change, Drafted, SubjectRef
from ..models import ApprovedUse, ConstructionProject, ProjectKind, Use
from .base import EMPTY, BaseKind, KindForm, date_of, decimal_of

LEASED_ROOM_NUMBER = "租用"


def area(label: str, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        required=required,
        help_text="平方米",
    )


# 租用备案 ----------------------------------------------------------------------------------------
class LeaseInForm(KindForm):
    name = forms.CharField(label="租用房产名称", max_length=100, help_text="登记为院落的名称")
    region = forms.ModelChoiceField(label="所在区划", queryset=Region.objects.none())
    address = forms.CharField(label="地址", max_length=200)
    landlord = forms.CharField(label="出租方", max_length=100)
    building_name = forms.CharField(label="楼座名称", max_length=100, initial="租用楼座")
    floors_above = forms.IntegerField(label="地上层数", min_value=1, max_value=200, initial=1)
    height_class = forms.ChoiceField(
        label="建筑类型", choices=[("", "请选择"), *HeightClass.choices]
    )
    building_area = area("租用建筑面积")
    usable_area = area("租用使用面积")
    category = forms.ChoiceField(
        label="用房类别",
        choices=[("", "请选择"), *RoomCategory.choices],
        initial=RoomCategory.OFFICE,
    )
    rent = forms.DecimalField(
        label="年租金（元）", max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    starts_on = forms.DateField(label="租期起始日期")
    ends_on = forms.DateField(label="租期截止日期")
    agreement_number = forms.CharField(label="租赁合同编号", max_length=60)
    reason = forms.CharField(
        label="租用事由", max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )

    def setup(self) -> None:
        regions = self.visible(Region)
        if self.applicant is not None:
            regions = regions.filter(path__startswith=self.applicant.region.path)
            self.fields["region"].initial = self.applicant.region_id
        self.fields["region"].queryset = regions

    def clean(self):
        data = super().clean()
        building_area, usable_area = data.get("building_area"), data.get("usable_area")
        if building_area and usable_area and usable_area > building_area:
            self.add_error("usable_area", "租用使用面积：不能大于租用建筑面积。")
        region, name = data.get("region"), data.get("name")
        if region and name and Compound.objects.filter(region=region, name=name).exists():
            self.add_error("name", f"租用房产名称：{region}已有同名院落，请换一个名称。")
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "租期截止日期不能早于租期起始日期。")
        return data


class LeaseInKind(BaseKind):
    """租用备案: the leased property is registered as a compound, a building and one room of
    status 租用 held by the applicant (so it counts in its §4.3 total), with the lease recorded."""

    kind = CaseKind.LEASE_IN
    form = LeaseInForm
    verb = "租用备案"

    def drafted(self, data, payload, applicant) -> Drafted:
        return Drafted(
            payload=payload,
            title=f"{applicant}租用{data['name']}（{data['usable_area']} 平方米）"[:200],
            subjects=[SubjectRef(obj=applicant, label=str(applicant))],
            effective_on=None,
        )

    def problems(self, case) -> list[str]:
        p = case.payload
        problems = []
        if Compound.objects.filter(region_id=p["region"], name=p["name"]).exists():
            problems.append(f"所在区划已有名为“{p['name']}”的院落，无法登记租用房产。")
        if case.applicant.status != "active":
            problems.append(f"申请单位“{case.applicant}”已撤销或合并，无法登记租用房产。")
        ends_on = date_of(p.get("ends_on"))
        if ends_on is not None and ends_on < clock.today():
            problems.append(f"租期已于 {ends_on:%Y-%m-%d} 届满，无法登记租用房产。")
        return problems

    def area_check(self, case) -> tuple[str, str]:
        """The applicant's office + service area now and with the lease, against its approved
        total (§4.3)."""
        added = Decimal(case.payload["usable_area"])
        counted = case.payload.get("category") in (RoomCategory.OFFICE, RoomCategory.SERVICE)
        try:
            facts = load_facts(Selection.of(organizations=[case.applicant_id]), today=clock.today())
        except LookupError:
            return "无有效面积标准", "无有效面积标准"
        total = approved_total(facts, facts.orgs[case.applicant_id])
        after = total.actual + (added if counted else Decimal("0"))
        limit = f"，核定 {m2(total.approved)} 平方米" if total.approved is not None else ""
        over = (
            "，超过核定面积"
            if total.approved is not None and total.judgeable and after > total.approved
            else ""
        )
        return f"{m2(total.actual)} 平方米{limit}", f"{m2(after)} 平方米{limit}{over}"

    def preview(self, case) -> list[Change]:
        p = case.payload
        region = Region.objects.filter(pk=p["region"]).first()
        before, after = self.area_check(case)
        return [
            Change(
                model="院落",
                label=p["name"],
                field="",
                before="",
                after=f"{p['name']}（{region}，{p['address']}，产权/管理单位 {case.applicant}）",
                operation="create",
            ),
            Change(
                model="楼座",
                label=f"{p['name']} {p['building_name']}",
                field="",
                before="",
                after=f"地上 {p['floors_above']} 层，建筑面积 {p['building_area']} 平方米，"
                f"使用面积 {p['usable_area']} 平方米",
                operation="create",
            ),
            *self.room_preview(case),
            Change(
                model="单位",
                label=str(case.applicant),
                field="办公室和服务用房使用面积（§4.3）",
                before=before,
                after=after,
            ),
        ]

    @staticmethod
    def parts(case) -> list[tuple[str, Decimal]]:
        """The rooms the leased area is registered as: (number, usable area). One room, unless
        the area is above the plausibility ceiling of one room of its category (300 m² for an
        office): then equal parts below it (租用-01, 租用-02 …), the last taking the rest."""
        p = case.payload
        total = Decimal(p["usable_area"])
        region = Region.objects.filter(pk=p["region"]).only("path").first()
        key = (
            plausibility.OFFICE_ROOM if p["category"] == RoomCategory.OFFICE else plausibility.ROOM
        )
        ceiling = plausibility.ceilings_for(region.path).get(key) if region else None
        if ceiling is None or total <= ceiling.value:
            return [(LEASED_ROOM_NUMBER, total)]
        count = int((total / ceiling.value).to_integral_value(rounding=ROUND_CEILING))
        share = (total / count).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        areas = [share] * (count - 1) + [total - share * (count - 1)]
        return [(f"{LEASED_ROOM_NUMBER}-{i:02d}", a) for i, a in enumerate(areas, start=1)]

    def room_preview(self, case) -> list[Change]:
        p = case.payload
        changes = []
        for number, usable in self.parts(case):
            label = f"{p['name']} {p['building_name']} {number}"
            changes.append(
                Change(
                    model="房间",
                    label=label,
                    field="",
                    before="",
                    after=f"{RoomCategory(p['category']).label}，使用面积 {usable} 平方米，"
                    f"使用单位 {case.applicant}，使用状态 租用（自 {p['starts_on']} 起）",
                    operation="create",
                )
            )
            changes.append(
                Change(
                    model="经批准的用途",
                    label=label,
                    field="",
                    before="",
                    after=f"租用（{p['starts_on']} 至 {p['ends_on']}，出租方 {p['landlord']}，"
                    f"年租金 {p['rent']} 元，合同 {p['agreement_number']}）",
                    operation="create",
                )
            )
        return changes

    def apply(self, *, actor, case) -> dict[str, Any]:
        self.check_problems(case)
        with rechecks_deferred():  # one re-check of what the writes touch
            return self.register(case, self.authority(case, actor))

    def register(self, case, agent) -> dict[str, Any]:
        p = case.payload
        compound, _ = service_for(Compound).create(
            actor=agent,
            data={
                "name": p["name"],
                "region": Region.objects.get(pk=p["region"]),
                "address": p["address"],
                "owner_org": case.applicant,
            },
        )
        building, _ = service_for(Building).create(
            actor=agent,
            data={
                "compound": compound,
                "name": p["building_name"],
                "floors_above": int(p["floors_above"]),
                "building_area": decimal_of(p["building_area"]),
                "usable_area": decimal_of(p["usable_area"]),
                "height_class": p["height_class"],
            },
        )
        floor, _ = service_for(Floor).create(actor=agent, data={"building": building, "number": 1})
        starts_on = date_of(p["starts_on"])
        rooms, uses = [], []
        for number, usable in self.parts(case):
            room, _ = service_for(Room).create(
                actor=agent,
                data={
                    "floor": floor,
                    "number": number,
                    "name": p["name"][:60],
                    "category": p["category"],
                    "usable_area": usable,
                    "organization": case.applicant,
                    "status": RoomStatus.RENTED,
                    "status_since": min(starts_on, clock.today()),
                },
            )
            use, _ = service_for(ApprovedUse).create(
                actor=agent,
                data={
                    "case": case,
                    "room": room,
                    "use": Use.RENTED,
                    "party": p["landlord"],
                    "rent": decimal_of(p["rent"]),
                    "starts_on": starts_on,
                    "ends_on": date_of(p["ends_on"]),
                    "agreement_number": p["agreement_number"],
                },
            )
            rooms.append(room.pk)
            uses.append(use.pk)
        return {
            "compound": compound.pk,
            "building": building.pk,
            "floor": floor.pk,
            "rooms": rooms,
            "approved_uses": uses,
        }


# 新建 / 购置 / 装修 --------------------------------------------------------------------------------
STRICT_LIMITS = (
    "《党政机关办公用房管理办法》第十二条：党政机关不得以任何理由、任何方式违规新建、扩建、"
    "改建、购置、置换、租用办公用房；确需的须按程序严格审批，并按标准控制面积和投资。"
)


class ConstructionForm(KindForm):
    project_kind = forms.ChoiceField(
        label="项目类型", choices=[("", "请选择"), *ProjectKind.choices]
    )
    name = forms.CharField(label="项目名称", max_length=100)
    location = forms.CharField(label="建设地点", max_length=200, required=False)
    building = forms.ModelChoiceField(
        label="涉及楼座", queryset=Building.objects.none(), required=False, help_text="装修时选择"
    )
    building_area = area("建筑面积", required=False)
    budget = forms.DecimalField(
        label="概算投资（万元）", max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    funding = forms.CharField(label="资金来源", max_length=100)
    starts_on = forms.DateField(label="计划开工日期", required=False)
    necessity = forms.CharField(
        label="必要性说明",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="说明确需建设的理由，以及不能通过调剂、置换解决的原因",
    )

    def setup(self) -> None:
        self.fields["building"].queryset = self.visible(Building).select_related("compound")

    def clean(self):
        data = super().clean()
        kind = data.get("project_kind")
        if kind == ProjectKind.RENOVATION and not data.get("building"):
            self.add_error("building", "涉及楼座：装修项目须选择楼座。")
        if kind in (ProjectKind.NEW, ProjectKind.PURCHASE) and not data.get("building_area"):
            self.add_error("building_area", "建筑面积：新建、购置项目须填写。")
        return data


class ConstructionKind(BaseKind):
    """新建 / 购置 / 装修: a project record of the applicant, with the strict limits noted."""

    kind = CaseKind.CONSTRUCTION
    form = ConstructionForm
    verb = "立项"

    def drafted(self, data, payload, applicant) -> Drafted:
        label = ProjectKind(data["project_kind"]).label
        subjects = [SubjectRef(obj=applicant, label=str(applicant))]
        if data.get("building") is not None:
            subjects.append(SubjectRef(obj=data["building"], label=str(data["building"])))
        return Drafted(
            payload=payload,
            title=f"{label}：{data['name']}"[:200],
            subjects=subjects,
        )

    def problems(self, case) -> list[str]:
        problems = []
        if case.applicant.status != "active":
            problems.append(f"申请单位“{case.applicant}”已撤销或合并，无法立项。")
        if hasattr(case, "project"):
            problems.append("该审批事项已登记建设项目。")
        building = case.payload.get("building")
        if building and not Building.objects.filter(pk=building).exists():
            problems.append("涉及楼座已被删除，无法立项。")
        return problems

    def project_data(self, case) -> dict[str, Any]:
        p = case.payload
        return {
            "case": case,
            "organization": case.applicant,
            "kind": p["project_kind"],
            "name": p["name"],
            "location": p.get("location", ""),
            "building": Building.objects.filter(pk=p["building"]).first()
            if p.get("building")
            else None,
            "building_area": decimal_of(p.get("building_area")),
            "budget": decimal_of(p["budget"]),
            "funding": p["funding"],
            "starts_on": date_of(p.get("starts_on")),
            "note": f"{STRICT_LIMITS}\n必要性说明：{p['necessity']}",
        }

    def preview(self, case) -> list[Change]:
        data = self.project_data(case)
        area = f"，建筑面积 {data['building_area']} 平方米" if data["building_area"] else ""
        where = f"，{data['building'] or data['location'] or EMPTY}"
        return [
            Change(
                model="建设项目",
                label=data["name"],
                field="",
                before="",
                after=f"{ProjectKind(data['kind']).label}{where}{area}，概算 {data['budget']} 万元"
                f"（{data['funding']}）",
                operation="create",
            )
        ]

    def apply(self, *, actor, case) -> dict[str, Any]:
        self.check_problems(case)
        agent = self.authority(case, actor)
        project, _ = service_for(ConstructionProject).create(
            actor=agent, data=self.project_data(case)
        )
        return {"project": project.pk}


LEASE_IN = LeaseInKind()
CONSTRUCTION = ConstructionKind()
