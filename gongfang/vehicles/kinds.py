"""The vehicle cases on the approval engine: 配备 (purchase), 更新 (renewal), 处置 (disposal).

Each is judged against the standards and the quota (编制) by ``vehicles.standards``; the
verdict lines (rule, figures, verdict) show on the case's page (a panel, ``verdict_panel``).
A case whose verdict fails cannot be submitted, and the same check runs again inside the final
approval's transaction, the quota row locked first: of two purchases approved at the same
moment for the last place of a quota, the second waits for the first and is then refused.

**Registering the car.** A purchase is approved before the car exists: the unit then buys it
through government procurement and the traffic police give it a plate. So approval reserves the
quota place (the case's result says so, and quota checks count it), and the car enters the
registry when the unit registers it on the approved case (plate, VIN, date, actual price — not
above the approved one): :func:`register_vehicle`. That is what a bureau does; asking the leader
for a plate at signing would be asking for a number that does not exist yet. A renewal works the
same for the new car; its old car becomes 待处置 on approval. A disposal is applied at once:
auction or scrapping marks the car 已处置, a transfer (调拨) moves it to the receiving unit,
whose quota is checked (and locked) like a purchase's.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from ..cases.kinds.base import EMPTY, BaseKind, KindForm, decimal_of
from ..framework import clock
from ..framework.changelog import record_event
from ..framework.objectactions import ObjectPanel
from ..framework.services import service_for
from ..registry.models import Organization
from ..workflow.choices import CaseKind, CaseState
from ..workflow.kinds import Change, Drafted, SubjectRef
from ..workflow.models import Case
from .choices import (
    DISPATCH_HOLDS,
    HOLDS_QUOTA,
    NEW_ENERGY,
    NO_ENGINE,
    DisposalKind,
    Energy,
    VehicleBody,
    VehicleCategory,
    VehicleStatus,
)
from .models import Dispatch, Vehicle, VehicleQuota
from .standards import (
    Share,
    VerdictLine,
    check_purchase,
    check_quota,
    check_renewal,
    new_energy_share,
    share_blocks,
)

# A purchase or renewal case that holds (or will hold) a quota place until its car is registered.
RESERVING = (CaseState.APPROVED, CaseState.APPLIED)


# Forms ------------------------------------------------------------------------------------------
def choice(label: str, choices) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=[("", "请选择"), *choices])


def reason_field() -> forms.CharField:
    return forms.CharField(
        label="申请理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class NewCarForm(KindForm):
    """What the new car will be: the figures the standards judge."""

    body = choice("车型", VehicleBody.choices)
    energy = choice("能源类型", Energy.choices)
    displacement = forms.DecimalField(
        label="排气量（升）",
        max_digits=4,
        decimal_places=2,
        min_value=Decimal("0.5"),
        required=False,
        help_text="纯电动、燃料电池汽车不填",
    )
    price = forms.DecimalField(
        label="预算价格（元）",
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text="含税；新能源汽车为扣除补贴后的价格",
    )
    seats = forms.IntegerField(label="核定座位数", min_value=1, max_value=80)
    brand = forms.CharField(label="拟购品牌", max_length=40, required=False)
    model_name = forms.CharField(label="拟购型号", max_length=60, required=False)
    reason = reason_field()
    exceptional_reason = forms.CharField(
        label="特殊情况说明",
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="超出一般配备标准、按特殊情况标准配备时填写（特殊情况或工作需要）",
    )

    def clean(self) -> dict:
        data = super().clean()
        energy, displacement = data.get("energy"), data.get("displacement")
        if energy in NO_ENGINE and displacement is not None:
            self.add_error(
                "displacement", "纯电动、燃料电池汽车没有排气量，请不要填写排气量（升）。"
            )
        elif energy and energy not in NO_ENGINE and displacement is None:
            self.add_error("displacement", "燃油及混合动力汽车须填写排气量（升）。")
        return data


class PurchaseForm(NewCarForm):
    category = choice("车辆类别", VehicleCategory.choices)
    field_order = ["category", "body", "energy", "displacement", "price", "seats"]


class VehicleChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Vehicle) -> str:
        return f"{obj.plate} {obj.brand}{obj.model_name}（{obj.get_category_display()}）"


def own_vehicles(form: KindForm):
    vehicles = form.visible(Vehicle).exclude(status=VehicleStatus.DISPOSED)
    if form.applicant is not None:
        vehicles = vehicles.filter(organization__path__startswith=form.applicant.path)
    return vehicles.select_related("organization")


class RenewalForm(NewCarForm):
    old_vehicle = VehicleChoiceField(
        label="被更新车辆", queryset=Vehicle.objects.none(), help_text="仅列出申请单位的车辆"
    )
    field_order = ["old_vehicle", "body", "energy", "displacement", "price", "seats"]

    def setup(self) -> None:
        self.fields["old_vehicle"].queryset = own_vehicles(self).exclude(
            status=VehicleStatus.PENDING_DISPOSAL
        )


class DisposalForm(KindForm):
    vehicle = VehicleChoiceField(
        label="处置车辆", queryset=Vehicle.objects.none(), help_text="仅列出申请单位的车辆"
    )
    method = choice("处置方式", DisposalKind.choices)
    receiver = forms.ModelChoiceField(
        label="接收单位",
        queryset=Organization.objects.none(),
        required=False,
        help_text="调拨时填写",
    )
    reason = reason_field()

    def setup(self) -> None:
        self.fields["vehicle"].queryset = own_vehicles(self)
        # A unit sees only itself: a transfer between units is drafted by the bureau (调剂).
        self.fields["receiver"].queryset = (
            self.visible(Organization).filter(status="active").order_by("path")
        )

    def clean(self) -> dict:
        data = super().clean()
        method, receiver, vehicle = data.get("method"), data.get("receiver"), data.get("vehicle")
        if method == DisposalKind.TRANSFER:
            if receiver is None:
                self.add_error("receiver", "调拨须选择接收单位。")
            elif vehicle is not None and receiver.pk == vehicle.organization_id:
                self.add_error("receiver", "接收单位不能是车辆现在的所属单位。")
        elif method and receiver is not None:
            self.add_error("receiver", "只有调拨需要接收单位；拍卖、报废请不要选择接收单位。")
        return data


# Verdicts ---------------------------------------------------------------------------------------
def failed(lines: list[VerdictLine]) -> list[str]:
    """The lines that fail, as the problems that stop submission and approval."""
    return [str(line) for line in lines if not line.ok]


def reserved(organization_id: int, category: str, *, exclude: int | None = None) -> int:
    """Quota places held by approved purchases whose car is not registered yet."""
    cases = Case.objects.filter(
        kind=CaseKind.VEHICLE_PURCHASE,
        applicant_id=organization_id,
        state__in=RESERVING,
        payload__category=category,
    ).exclude(pk=exclude)
    return sum(1 for result in cases.values_list("result", flat=True) if not registered(result))


def registered(result: Any) -> int | None:
    return result.get("vehicle") if isinstance(result, dict) else None


def lock_quota(organization_id: int, category: str) -> None:
    """Inside a transaction, lock the quota row of (organization, category): concurrent
    approvals for the same place queue here and the later one counts the earlier."""
    if transaction.get_connection().in_atomic_block:
        list(
            VehicleQuota.objects.select_for_update()
            .filter(organization_id=organization_id, category=category)
            .values_list("pk", flat=True)
        )


def quota_line(organization: Organization, category: str, *, exclude: int | None) -> VerdictLine:
    """编制: the quota, the cars held, the approved purchases not registered yet, and this one."""
    lock_quota(organization.pk, category)
    waiting = reserved(organization.pk, category, exclude=exclude)
    line = check_quota(organization=organization, category=category, adding=1 + waiting).lines[0]
    if not waiting:
        return line
    # The figures say what the count is made of: the cars, the approvals waiting, this one.
    quota = VehicleQuota.objects.filter(organization=organization, category=category).first()
    held = Vehicle.objects.filter(
        organization=organization, category=category, status__in=HOLDS_QUOTA
    ).count()
    figures = (
        f"编制 {quota.count} 辆，" if quota is not None else "未核定此类别编制，"
    ) + f"现有 {held} 辆，已批准待登记 {waiting} 辆，本次 1 辆，合计 {held + waiting + 1} 辆"
    return VerdictLine(line.rule, figures, line.verdict, line.ok)


def share_line(organization: Organization, new_energy: bool, on: datetime.date) -> VerdictLine:
    """The year's new-energy share with this car counted. Whether a miss stops the case is the
    standard's parameter ``new_energy_share_blocks``: nationally the 30% is an aim the
    organization is measured against (Guangxi stood at 15%), so a miss is only shown."""
    share = new_energy_share(organization, on.year)
    after = Share(share.year, share.total + 1, share.new_energy + int(new_energy), share.aim)
    line = after.line("，含本次")
    if line.ok:
        return line
    if share_blocks(organization.region, on):
        return VerdictLine(line.rule, line.figures, f"{line.verdict}，不能申报", False)
    return VerdictLine(line.rule, line.figures, f"{line.verdict}（提示，不影响申报）", True)


class CarKind(BaseKind):
    """Purchase and renewal: a new car judged against the caps, the quota and the share."""

    registers_car: ClassVar[bool] = True

    def category(self, case) -> str:
        raise NotImplementedError

    def car_lines(self, case, on: datetime.date) -> list[VerdictLine]:
        p = case.payload
        new_energy = p.get("energy") in NEW_ENERGY
        verdict = check_purchase(
            organization=case.applicant,
            category=self.category(case),
            body=p.get("body") or VehicleBody.SEDAN,
            price=Decimal(p.get("price") or 0),
            displacement=decimal_of(p.get("displacement")),
            new_energy=new_energy,
            on=on,
            justified=bool((p.get("exceptional_reason") or "").strip()),
        )
        return [*verdict.lines, share_line(case.applicant, new_energy, on)]

    def verdict(self, case) -> list[VerdictLine]:
        return self.car_lines(case, self.judged_on(case))

    @staticmethod
    def judged_on(case) -> datetime.date:
        return clock.today()

    def problems(self, case) -> list[str]:
        if case.state == CaseState.APPLIED:
            return []
        return failed(self.verdict(case))

    def new_car_change(self, case) -> Change:
        p = case.payload
        car = "、".join(
            filter(
                None,
                [
                    VehicleCategory(self.category(case)).label,
                    VehicleBody(p["body"]).label if p.get("body") else "",
                    Energy(p["energy"]).label if p.get("energy") else "",
                    f"{p['displacement']} 升" if p.get("displacement") else "",
                    f"{p.get('seats')} 座",
                    f"预算 {Decimal(p['price']):,.2f} 元",
                ],
            )
        )
        return Change(
            model="公务用车",
            label=f"{case.applicant}新增车辆（号牌待登记）",
            field="",
            before=EMPTY,
            after=car,
            operation="create",
        )


class PurchaseKind(CarKind):
    """公务用车配备: a new car within the quota and under the caps."""

    kind = CaseKind.VEHICLE_PURCHASE
    form = PurchaseForm
    verb = "配备"

    def category(self, case) -> str:
        return case.payload["category"]

    def drafted(self, data: dict, payload: dict, applicant) -> Drafted:
        label = VehicleCategory(data["category"]).label
        energy = Energy(data["energy"]).label
        return Drafted(
            payload=payload,
            title=f"{applicant}配备{label}（{energy}，{data['price']:,.0f} 元）"[:200],
            subjects=[SubjectRef(obj=applicant, label=str(applicant))],
        )

    def verdict(self, case) -> list[VerdictLine]:
        lines = self.car_lines(case, self.judged_on(case))
        if case.state != CaseState.APPLIED:
            lines.append(quota_line(case.applicant, self.category(case), exclude=case.pk))
        return lines

    def preview(self, case) -> list[Change]:
        return [self.new_car_change(case)]

    def apply(self, *, actor, case) -> dict[str, Any]:
        self.check_problems(case)
        return {"reserved": self.category(case), "vehicle": None}


class RenewalKind(CarKind):
    """公务用车更新: a new car for an old one that meets the renewal conditions; the old one
    becomes 待处置 on approval (its disposal is a case of its own)."""

    kind = CaseKind.VEHICLE_RENEWAL
    form = RenewalForm
    verb = "更新"

    @staticmethod
    def old_vehicle(case) -> Vehicle | None:
        return (
            Vehicle.objects.select_related("organization")
            .filter(pk=case.payload.get("old_vehicle"))
            .first()
        )

    def category(self, case) -> str:
        old = self.old_vehicle(case)
        return old.category if old is not None else VehicleCategory.GENERAL

    def drafted(self, data: dict, payload: dict, applicant) -> Drafted:
        old = data["old_vehicle"]
        return Drafted(
            payload=payload,
            title=f"{applicant}更新车辆 {old.plate}（{Energy(data['energy']).label}）"[:200],
            subjects=[SubjectRef(obj=applicant, label=str(applicant))],
        )

    def verdict(self, case) -> list[VerdictLine]:
        old = self.old_vehicle(case)
        if old is None:
            return [VerdictLine("被更新车辆", "车辆已被删除", "不能更新", False)]
        on = self.judged_on(case)
        quota = check_quota(
            organization=case.applicant, category=old.category, adding=1, replacing=1
        )
        return [*check_renewal(vehicle=old, on=on).lines, *self.car_lines(case, on), *quota.lines]

    def problems(self, case) -> list[str]:
        if case.state == CaseState.APPLIED:
            return []
        old = self.old_vehicle(case)
        out = []
        if old is not None:
            if not old.organization.path.startswith(case.applicant.path):
                out.append(f"车辆 {old.plate} 已不属于申请单位“{case.applicant}”。")
            if old.status in (VehicleStatus.PENDING_DISPOSAL, VehicleStatus.DISPOSED):
                out.append(f"车辆 {old.plate} 当前为“{old.get_status_display()}”，无需更新。")
        return out + failed(self.verdict(case))

    def preview(self, case) -> list[Change]:
        old = self.old_vehicle(case)
        changes = [self.new_car_change(case)]
        if old is not None:
            changes.append(
                Change(
                    model="公务用车",
                    label=old.plate,
                    field="状态",
                    before=old.get_status_display(),
                    after=VehicleStatus.PENDING_DISPOSAL.label,
                    url=old.get_absolute_url(),
                )
            )
        return changes

    def apply(self, *, actor, case) -> dict[str, Any]:
        self.check_problems(case)
        old = self.old_vehicle(case)
        service_for(Vehicle).update(
            actor=self.authority(case, actor),
            instance=old,
            data={"status": VehicleStatus.PENDING_DISPOSAL},
        )
        return {"old_vehicle": old.pk, "vehicle": None}


class VehicleDisposalKind(BaseKind):
    """公务用车处置: 拍卖 / 报废 (the car leaves the fleet) or 调拨 (it moves to another unit,
    within that unit's quota)."""

    kind = CaseKind.VEHICLE_DISPOSAL
    form = DisposalForm
    verb = "处置"

    @staticmethod
    def vehicle(case) -> Vehicle | None:
        return (
            Vehicle.objects.select_related("organization")
            .filter(pk=case.payload.get("vehicle"))
            .first()
        )

    @staticmethod
    def receiver(case) -> Organization | None:
        pk = case.payload.get("receiver")
        return Organization.objects.select_related("region").filter(pk=pk).first() if pk else None

    def drafted(self, data: dict, payload: dict, applicant) -> Drafted:
        vehicle, receiver = data["vehicle"], data.get("receiver")
        method = DisposalKind(data["method"]).label
        tail = f"至{receiver}" if receiver is not None else ""
        subjects = [SubjectRef(obj=applicant, label=str(applicant))]
        return Drafted(
            payload=payload,
            title=f"{applicant}{method}车辆 {vehicle.plate}{tail}"[:200],
            subjects=subjects,
            counterparty=receiver,
        )

    def verdict(self, case) -> list[VerdictLine]:
        vehicle = self.vehicle(case)
        if vehicle is None:
            return [VerdictLine("处置车辆", "车辆已被删除", "不能处置", False)]
        # Reaching the renewal conditions informs the decision; it does not bind a disposal.
        lines = [
            VerdictLine(line.rule, line.figures, f"{line.verdict}（提示）", True)
            for line in check_renewal(vehicle=vehicle, on=clock.today()).lines
        ]
        receiver = self.receiver(case)
        transfer = case.payload.get("method") == DisposalKind.TRANSFER
        if transfer and receiver is not None and case.state != CaseState.APPLIED:
            line = quota_line(receiver, vehicle.category, exclude=None)
            lines.append(
                VerdictLine(
                    f"接收单位{line.rule}", f"{receiver}：{line.figures}", line.verdict, line.ok
                )
            )
        return lines

    def problems(self, case) -> list[str]:
        if case.state == CaseState.APPLIED:
            return []
        vehicle = self.vehicle(case)
        if vehicle is None:
            return ["处置车辆已被删除，无法处置。"]
        out = []
        if not vehicle.organization.path.startswith(case.applicant.path):
            out.append(f"车辆 {vehicle.plate} 已不属于申请单位“{case.applicant}”。")
        if vehicle.status == VehicleStatus.DISPOSED:
            out.append(f"车辆 {vehicle.plate} 已处置。")
        busy = (
            Dispatch.objects.filter(vehicle=vehicle, state__in=DISPATCH_HOLDS)
            .order_by("start_at")
            .first()
        )
        if busy is not None:
            out.append(
                f"车辆 {vehicle.plate} 还有未完成的派车单 #{busy.pk}（{busy.purpose}），"
                "请先还车或取消后再处置。"
            )
        receiver = self.receiver(case)
        if receiver is not None and not receiver.region.path.startswith(case.region.path):
            out.append(
                f"接收单位“{receiver}”不在申请单位所在区划（{case.region.name}）内，"
                "跨区划调拨须由上级机关事务管理局办理。"
            )
        return out + failed(self.verdict(case))

    def target(self, case) -> dict[str, Any]:
        method = case.payload.get("method")
        if method == DisposalKind.TRANSFER:
            receiver = self.receiver(case)
            return {"organization": receiver, "status": VehicleStatus.IN_USE}
        return {
            "status": VehicleStatus.DISPOSED,
            "disposed_on": self.effect_day(case),
            "disposal_kind": method,
        }

    def preview(self, case) -> list[Change]:
        vehicle = self.vehicle(case)
        if vehicle is None:
            return []
        target = self.target(case)
        url = vehicle.get_absolute_url()
        changes = []
        if "organization" in target and target["organization"] is not None:
            changes.append(
                Change(
                    "公务用车",
                    vehicle.plate,
                    "所属单位",
                    str(vehicle.organization),
                    str(target["organization"]),
                    url=url,
                )
            )
        if target["status"] != vehicle.status:
            changes.append(
                Change(
                    "公务用车",
                    vehicle.plate,
                    "状态",
                    vehicle.get_status_display(),
                    VehicleStatus(target["status"]).label,
                    url=url,
                )
            )
        if "disposal_kind" in target:
            changes.append(
                Change(
                    "公务用车",
                    vehicle.plate,
                    "处置方式",
                    EMPTY,
                    DisposalKind(target["disposal_kind"]).label,
                    url=url,
                )
            )
        return changes

    def apply(self, *, actor, case) -> dict[str, Any]:
        self.check_problems(case)
        vehicle = self.vehicle(case)
        target = self.target(case)
        data = dict(target)
        if "organization" in data:
            data["region"] = data["organization"].region
        service_for(Vehicle).update(actor=self.authority(case, actor), instance=vehicle, data=data)
        return {
            "vehicle": vehicle.pk,
            "method": case.payload.get("method"),
            "receiver": case.payload.get("receiver"),
        }


PURCHASE = PurchaseKind()
RENEWAL = RenewalKind()
DISPOSAL = VehicleDisposalKind()
SPECS: dict[str, CarKind | VehicleDisposalKind] = {
    CaseKind.VEHICLE_PURCHASE: PURCHASE,
    CaseKind.VEHICLE_RENEWAL: RENEWAL,
    CaseKind.VEHICLE_DISPOSAL: DISPOSAL,
}


# Registering the purchased car ------------------------------------------------------------------
class RegisterForm(forms.Form):
    """The car as bought: what the registry needs beyond the approved figures."""

    plate = forms.CharField(label="号牌号码", max_length=10, help_text="如 鲁D12345；新能源 8 位")
    vin = forms.CharField(label="车辆识别代号", max_length=17)
    brand = forms.CharField(label="品牌", max_length=40)
    model_name = forms.CharField(label="型号", max_length=60)
    price = forms.DecimalField(
        label="实际购置价格（元）", max_digits=12, decimal_places=2, min_value=Decimal("0.01")
    )
    bought_on = forms.DateField(
        label="购置日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    marked = forms.BooleanField(label="喷涂标识", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = f"请填写{field.label}。"
            field.error_messages["invalid"] = f"{field.label}格式不正确。"
            css = (
                "form-check-input"
                if isinstance(field.widget, forms.CheckboxInput)
                else "form-control"
            )
            field.widget.attrs.setdefault("class", css)


def can_register(user, case: Case) -> bool:
    """An applicant-side account of an applied purchase or renewal whose car is not registered."""
    from ..workflow.selectors import can_edit

    return (
        case.kind in (CaseKind.VEHICLE_PURCHASE, CaseKind.VEHICLE_RENEWAL)
        and case.state == CaseState.APPLIED
        and not registered(case.result)
        and user.has_model_perm(Vehicle, "add")
        and can_edit(user, case)
    )


def register_vehicle(*, actor, case: Case, data: dict[str, Any]) -> Vehicle:
    """Enter the car an approved purchase or renewal bought into the registry, once.

    The category, energy, displacement and seats are the approved ones; the price may not exceed
    the approved budget. Raises ValidationError naming the field."""
    with transaction.atomic():
        case = Case.objects.select_for_update().select_related("applicant__region").get(pk=case.pk)
        if not can_register(actor, case):
            if registered(case.result):
                raise ValidationError("该事项的车辆已登记，不能重复登记。")
            raise PermissionDenied("只有申请单位可在事项批准生效后登记所购车辆。")
        p = case.payload
        price = Decimal(str(data.get("price") or "0"))
        if price > Decimal(p["price"]):
            raise ValidationError(
                {
                    "price": f"实际购置价格 {price:,.2f} 元超过批准的预算 {Decimal(p['price']):,.2f} 元。"
                }
            )
        spec = SPECS[case.kind]
        vehicle, _ = service_for(Vehicle).create(
            actor=actor,
            data={
                "organization": case.applicant,
                "region": case.applicant.region,
                "plate": data.get("plate", ""),
                "vin": data.get("vin", ""),
                "category": spec.category(case),
                "body": p.get("body") or VehicleBody.SEDAN,
                "brand": data.get("brand", ""),
                "model_name": data.get("model_name", ""),
                "energy": p["energy"],
                "displacement": decimal_of(p.get("displacement")),
                "price": price,
                "seats": p["seats"],
                "bought_on": data.get("bought_on"),
                "marked": bool(data.get("marked")),
                "note": f"{case.number} 批准配备",
            },
        )
        result = dict(case.result or {})
        result["vehicle"] = vehicle.pk
        Case.objects.filter(pk=case.pk).update(result=result)
        record_event(
            actor=actor,
            event="case.register_vehicle",
            obj=case,
            data={"vehicle": vehicle.pk, "plate": vehicle.plate},
        )
    return vehicle


# The case page's panel --------------------------------------------------------------------------
def verdict_panel(user, obj) -> list[ObjectPanel]:
    """On a vehicle case's page: the standards' verdict lines, the car(s) concerned and, on an
    approved purchase or renewal, registering the car bought."""
    if not isinstance(obj, Case) or obj.kind not in SPECS:
        return []
    spec = SPECS[obj.kind]
    lines = spec.verdict(obj) if obj.state != CaseState.WITHDRAWN else []
    vehicle_ids = [
        pk
        for pk in (
            obj.payload.get("old_vehicle"),
            obj.payload.get("vehicle"),
            registered(obj.result),
        )
        if pk
    ]
    vehicles = list(
        Vehicle.objects.restrict(user, "view").filter(pk__in=vehicle_ids).order_by("pk")
    )
    return [
        ObjectPanel(
            template="vehicles/includes/verdict_panel.html",
            context={
                "verdict_rows": lines,
                "verdict_vehicles": vehicles,
                "verdict_applied": obj.state == CaseState.APPLIED,
                "register_form": RegisterForm(initial={"price": obj.payload.get("price")})
                if can_register(user, obj)
                else None,
            },
            order=10,
        )
    ]


def register() -> None:
    """Called by ``VehiclesConfig.ready``: the kinds and the case page's panel."""
    from ..framework.objectactions import register_object_panels
    from ..workflow.kinds import register_kind

    for spec in SPECS.values():
        register_kind(spec)
    register_object_panels(verdict_panel)
