"""The kinds that act on rooms: 调配, 腾退, 出借, 出租, 处置, 用途变更.

Each ``apply()`` runs inside the final approval's transaction and writes through the registry's
services as the approval's authority (``cases.services.authority``), passing the version each
room had when the case was submitted: a room changed meanwhile stops the whole case (nothing is
half applied) with the change log's account of who changed what. The rooms are re-judged at the
end (R8 reads the approvals recorded here).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

from django import forms

from ...compliance.loader import Selection
from ...compliance.receivers import recheck, rechecks_deferred
from ...framework.services import service_for
from ...registry import plausibility
from ...registry.choices import ROOM_SUBTYPE_CHOICES, ROOM_SUBTYPES, RoomCategory, RoomStatus
from ...registry.models import Building, Occupancy, Organization, Room
from ...workflow.choices import CaseKind
from ...workflow.kinds import Change, Drafted, SubjectRef
from ..models import ApprovedUse, Use
from .base import (
    EMPTY,
    BaseKind,
    KindForm,
    date_of,
    decimal_of,
    room_change,
    room_subjects,
    status_label,
)

ROOM_FIELD_HELP = "可多选；仅列出申请单位使用的房间"


def rooms_field(label: str = "房间", help_text: str = ROOM_FIELD_HELP):
    return forms.ModelMultipleChoiceField(
        label=label, queryset=Room.objects.none(), help_text=help_text
    )


def reason_field(label: str = "申请事由"):
    return forms.CharField(label=label, max_length=500, widget=forms.Textarea(attrs={"rows": 3}))


class RoomKind(BaseKind):
    """A kind whose subjects are the payload's rooms."""

    # Room statuses the kind may start from; the rooms must be the applicant's.
    from_statuses: ClassVar[tuple[str, ...]] = ()
    needs_own_rooms: ClassVar[bool] = True
    title_verb: ClassVar[str] = ""

    def drafted(self, data: dict, payload: dict, applicant) -> Drafted:
        rooms = list(data["rooms"])
        first = rooms[0]
        more = f"等 {len(rooms)} 间" if len(rooms) > 1 else ""
        return Drafted(
            payload=payload,
            title=f"{self.title(data, applicant)}：{first}{more}"[:200],
            subjects=room_subjects(rooms),
            counterparty=self.counterparty(data, applicant),
            effective_on=self.effective_on(data),
        )

    def title(self, data: dict, applicant) -> str:
        return f"{applicant}{self.title_verb}"

    def counterparty(self, data: dict, applicant) -> Organization | None:
        return None

    def effective_on(self, data: dict):
        return data.get("effective_on") or data.get("starts_on")

    def problems(self, case) -> list[str]:
        rooms = self.rooms_of(case)
        problems = []
        missing = len(set(case.payload.get("rooms") or [])) - len(rooms)
        if missing:
            problems.append(f"申请中的 {missing} 间房间已被删除，无法{self.verb}。")
        for room in rooms:
            if self.needs_own_rooms and (
                room.organization_id is None
                or not room.organization.path.startswith(case.applicant.path)
            ):
                holder = room.organization.name if room.organization_id else "无使用单位"
                problems.append(
                    f"房间“{room}”现由{holder}使用，已不属于申请单位“{case.applicant}”，"
                    f"无法{self.verb}。"
                )
            if not room.floor.building.compound.region.path.startswith(case.region.path):
                problems.append(
                    f"房间“{room}”位于{room.floor.building.compound.region.name}，不在申请单位"
                    f"所在区划（{case.region.name}）内，须由其所在区划办理。"
                )
            if self.from_statuses and room.status not in self.from_statuses:
                problems.append(
                    f"房间“{room}”当前为“{room.get_status_display()}”，无法{self.verb}。"
                )
        problems += self.more_problems(case, rooms)
        return problems

    def more_problems(self, case, rooms: list[Room]) -> list[str]:
        return []

    # Effects --------------------------------------------------------------------------------
    def apply(self, *, actor, case) -> dict[str, Any]:
        self.check_problems(case)
        agent = self.authority(case, actor)
        seen = self.seen_versions(case)
        rooms = self.rooms_of(case)
        day = self.effect_day(case)
        changes = [c.__dict__ for c in self.preview(case)]
        service = service_for(Room)
        # The writes' compliance re-checks run once, as one batch, when the block ends.
        with rechecks_deferred():
            self.before_rooms(case, agent, rooms, day)
            for room in rooms:
                service.update(
                    actor=agent,
                    instance=room,
                    data=self.room_data(case, room, day),
                    expected_version=seen.get(("room", room.pk)),
                )
            self.after_rooms(case, agent, rooms, day)
            # R8 reads the approvals just recorded; a room whose row did not change (a loan
            # made before it was approved) is re-judged too.
            recheck(Selection.of(rooms=[r.pk for r in rooms]))
        return {"changes": changes, "rooms": [r.pk for r in rooms], "day": day.isoformat()}

    def room_data(self, case, room: Room, day) -> dict[str, Any]:
        raise NotImplementedError

    def before_rooms(self, case, agent, rooms: list[Room], day) -> None:
        """Writes before the rooms' (approvals the rooms' re-check must see)."""

    def after_rooms(self, case, agent, rooms: list[Room], day) -> None:
        """Writes after the rooms' (occupancies ended)."""

    def preview(self, case) -> list[Change]:
        changes = []
        for room in self.rooms_of(case):
            changes += self.room_preview(case, room)
        return changes + self.more_preview(case)

    def room_preview(self, case, room: Room) -> list[Change]:
        data = self.room_data(case, room, self.effect_day(case))
        return [
            room_change(room, label, show(getattr(room, name)), show(data[name]))
            for name, label, show in (
                ("organization", "使用单位", _org_name),
                ("status", "使用状态", status_label),
                ("status_since", "状态起始日期", _date),
                ("category", "用房类别", _category_label),
                ("subtype", "用途", str),
            )
            if name in data and _comparable(getattr(room, name)) != _comparable(data[name])
        ]

    def more_preview(self, case) -> list[Change]:
        return []


def _date(value) -> str:
    return f"{value:%Y-%m-%d}" if value else ""


def _org_name(org) -> str:
    return org.name if org is not None else "无（交回统一调剂）"


def _category_label(category: str) -> str:
    return RoomCategory(category).label if category in RoomCategory.values else category


def _comparable(value):
    return value.pk if hasattr(value, "pk") else value


def current_occupancies(rooms: list[Room]) -> list[Occupancy]:
    return list(
        Occupancy.objects.filter(room__in=rooms, ended_on__isnull=True)
        .select_related("person", "room__floor__building__compound")
        .order_by("room_id", "person__name")
    )


def end_occupancies(agent, rooms: list[Room], day) -> list[int]:
    ended = []
    for occ in current_occupancies(rooms):
        service_for(Occupancy).update(
            actor=agent, instance=occ, data={"ended_on": max(day, occ.started_on)}
        )
        ended.append(occ.pk)
    return ended


def occupancy_preview(rooms: list[Room], day) -> list[Change]:
    return [
        Change(
            model="办公室使用",
            label=f"{occ.person.name} 使用 {occ.room}",
            field="终止日期",
            before=EMPTY,
            after=f"{max(day, occ.started_on):%Y-%m-%d}",
            url=occ.get_absolute_url(),
        )
        for occ in current_occupancies(rooms)
    ]


def uses_in_force(rooms: list[Room], day) -> list[ApprovedUse]:
    """Approvals of the rooms still running on ``day`` (a later case ends them)."""
    return [
        use
        for use in ApprovedUse.objects.filter(
            room__in=rooms, ended_on__isnull=True, use__in=(Use.LENT, Use.LEASED_OUT)
        ).select_related("room__floor__building__compound", "case")
        if use.ends_on is None or use.ends_on >= day
    ]


def end_uses(agent, rooms: list[Room], day) -> None:
    for use in uses_in_force(rooms, day):
        service_for(ApprovedUse).update(actor=agent, instance=use, data={"ended_on": day})


def end_uses_preview(rooms: list[Room], day) -> list[Change]:
    return [
        Change(
            model="经批准的用途",
            label=str(use),
            field="提前终止日期",
            before=EMPTY,
            after=f"{day:%Y-%m-%d}",
        )
        for use in uses_in_force(rooms, day)
    ]


# 调配 ------------------------------------------------------------------------------------------
class AllocationForm(KindForm):
    rooms = rooms_field(help_text="可多选；调出的房间")
    receiver = forms.ModelChoiceField(
        label="接收单位", queryset=Organization.objects.none(), help_text="房间调配给的单位"
    )
    effective_on = forms.DateField(label="调配日期", required=False, help_text="留空为批准之日")
    end_occupancies = forms.BooleanField(
        label="结束原使用人员的使用记录", required=False, initial=True
    )
    reason = reason_field("调配事由")

    def setup(self) -> None:
        # Rooms the account may change (a unit: its own, not others' in its compounds).
        rooms = Room.objects.restrict(self.user, "change") if self.user else Room.objects.none()
        self.fields["rooms"].queryset = rooms.select_related(
            "floor__building__compound", "organization"
        )
        self.fields["receiver"].queryset = self.visible(Organization).filter(status="active")

    def clean(self):
        data = super().clean()
        rooms, receiver = data.get("rooms") or [], data.get("receiver")
        if receiver is not None:
            for room in rooms:
                if room.organization_id == receiver.pk:
                    self.add_error("rooms", f"房间：“{room}”已由接收单位“{receiver}”使用。")
        self.require_status(
            rooms, (RoomStatus.IN_USE, RoomStatus.IDLE, RoomStatus.BORROWED), "调配"
        )
        return data


class AllocationKind(RoomKind):
    """调配: the rooms move to the receiving organization, in use from the date."""

    kind = CaseKind.ALLOCATION
    form = AllocationForm
    verb = "调配"
    needs_own_rooms = False
    from_statuses = (RoomStatus.IN_USE, RoomStatus.IDLE, RoomStatus.BORROWED)

    def title(self, data, applicant) -> str:
        return f"调配给{data['receiver']}"

    def counterparty(self, data, applicant):
        receiver = data["receiver"]
        return receiver if receiver.pk != applicant.pk else None

    def more_problems(self, case, rooms) -> list[str]:
        receiver = (
            Organization.objects.filter(pk=case.payload["receiver"])
            .select_related("region")
            .first()
        )
        if receiver is None or receiver.status != "active":
            return ["接收单位已撤销、合并或被删除，无法调配。"]
        if not receiver.region.path.startswith(case.region.path):
            return [
                f"接收单位“{receiver}”位于{receiver.region.name}，不在申请单位所在区划"
                f"（{case.region.name}）内，须由上级区划办理。"
            ]
        return []

    @staticmethod
    def receiver(case) -> Organization:
        """The receiving organization, read once per case object."""
        cached = getattr(case, "_receiver", None)
        if cached is None or cached.pk != case.payload["receiver"]:
            cached = case._receiver = Organization.objects.get(pk=case.payload["receiver"])
        return cached

    def room_data(self, case, room, day) -> dict[str, Any]:
        return {
            "organization": self.receiver(case),
            "status": RoomStatus.IN_USE,
            "status_since": day,
        }

    def before_rooms(self, case, agent, rooms, day) -> None:
        if case.payload.get("end_occupancies"):
            end_occupancies(agent, rooms, day)

    def more_preview(self, case) -> list[Change]:
        if not case.payload.get("end_occupancies"):
            return []
        return occupancy_preview(self.rooms_of(case), self.effect_day(case))


# 腾退 ------------------------------------------------------------------------------------------
class VacateForm(KindForm):
    rooms = rooms_field()
    return_to_pool = forms.BooleanField(
        label="交回机关事务管理局统一调剂",
        required=False,
        help_text="勾选后房间不再登记使用单位；不勾选则作为本单位闲置用房",
    )
    effective_on = forms.DateField(label="腾退日期", required=False, help_text="留空为批准之日")
    reason = reason_field("腾退事由")

    def setup(self) -> None:
        self.fields["rooms"].queryset = self.applicant_rooms()

    def clean(self):
        data = super().clean()
        self.require_applicant_rooms(data.get("rooms") or [], "腾退")
        return data


class VacateKind(RoomKind):
    """腾退: the occupancies end; the rooms become idle, or go back to the bureau's pool."""

    kind = CaseKind.VACATE
    form = VacateForm
    verb = "腾退"
    title_verb = "腾退用房"

    def room_data(self, case, room, day) -> dict[str, Any]:
        data: dict[str, Any] = {"status": RoomStatus.IDLE, "status_since": day}
        if case.payload.get("return_to_pool"):
            data["organization"] = None
        return data

    def before_rooms(self, case, agent, rooms, day) -> None:
        end_occupancies(agent, rooms, day)
        end_uses(agent, rooms, day)

    def more_preview(self, case) -> list[Change]:
        rooms, day = self.rooms_of(case), self.effect_day(case)
        return occupancy_preview(rooms, day) + end_uses_preview(rooms, day)


# 出借 / 出租 -------------------------------------------------------------------------------------
class TermForm(KindForm):
    starts_on = forms.DateField(label="起始日期")
    ends_on = forms.DateField(label="截止日期")
    agreement_number = forms.CharField(label="协议编号", max_length=60)

    def clean(self):
        data = super().clean()
        self.require_term()
        return data


class LendForm(TermForm):
    rooms = rooms_field()
    borrower = forms.ModelChoiceField(label="借用单位", queryset=Organization.objects.none())
    starts_on = forms.DateField(label="起始日期")
    ends_on = forms.DateField(label="截止日期")
    agreement_number = forms.CharField(label="协议编号", max_length=60)
    reason = reason_field("出借事由")

    def setup(self) -> None:
        self.fields["rooms"].queryset = self.applicant_rooms()
        self.fields["borrower"].queryset = self.visible(Organization).filter(status="active")

    def clean(self):
        data = super().clean()
        rooms = data.get("rooms") or []
        self.require_applicant_rooms(rooms, "出借")
        self.require_status(rooms, LendKind.from_statuses, "出借")
        borrower = data.get("borrower")
        if borrower is not None and self.applicant is not None and borrower.pk == self.applicant.pk:
            self.add_error("borrower", "借用单位：不能是申请单位本身。")
        return data


class TermKind(RoomKind):
    """出借 / 出租: the rooms take the status for the term; the approval is recorded per room."""

    use: ClassVar[str]
    status: ClassVar[str]

    def effective_on(self, data):
        return data["starts_on"]

    def more_problems(self, case, rooms) -> list[str]:
        ends_on = date_of(case.payload.get("ends_on"))
        if ends_on is not None and ends_on < self.effect_day(case):
            return [f"{self.verb}期限已于 {ends_on:%Y-%m-%d} 届满，无法{self.verb}。"]
        return []

    def room_data(self, case, room, day) -> dict[str, Any]:
        data: dict[str, Any] = {"status": self.status}
        if room.status != self.status or not room.status_since:
            data["status_since"] = date_of(case.payload["starts_on"])
        return data

    def use_data(self, case) -> dict[str, Any]:
        p = case.payload
        return {
            "case": case,
            "use": self.use,
            "starts_on": date_of(p["starts_on"]),
            "ends_on": date_of(p.get("ends_on")),
            "agreement_number": p.get("agreement_number", ""),
        }

    def before_rooms(self, case, agent, rooms, day) -> None:
        data = self.use_data(case)
        for room in rooms:
            service_for(ApprovedUse).create(actor=agent, data={**data, "room": room})

    def more_preview(self, case) -> list[Change]:
        data = self.use_data(case)
        term = f"{data['starts_on']:%Y-%m-%d} 至 {data['ends_on']:%Y-%m-%d}"
        return [
            Change(
                model="经批准的用途",
                label=str(room),
                field="",
                before="",
                after=f"{Use(self.use).label}（{term}，协议 {data['agreement_number']}）"
                + self.use_note(case),
                operation="create",
            )
            for room in self.rooms_of(case)
        ]

    def use_note(self, case) -> str:
        return ""


class LendKind(TermKind):
    kind = CaseKind.LEND
    form = LendForm
    verb = "出借"
    use = Use.LENT
    status = RoomStatus.LENT
    # A loan made before it was approved (status already 出借) is regularized by its case.
    from_statuses = (RoomStatus.IN_USE, RoomStatus.IDLE, RoomStatus.LENT)

    def title(self, data, applicant) -> str:
        return f"出借给{data['borrower']}"

    def counterparty(self, data, applicant):
        return data["borrower"]

    def use_data(self, case) -> dict[str, Any]:
        borrower = Organization.objects.filter(pk=case.payload["borrower"]).first()
        return {**super().use_data(case), "counterparty": borrower}

    def use_note(self, case) -> str:
        borrower = Organization.objects.filter(pk=case.payload["borrower"]).first()
        return f"，借用单位 {borrower}" if borrower else ""

    def more_problems(self, case, rooms) -> list[str]:
        problems = super().more_problems(case, rooms)
        borrower = (
            Organization.objects.filter(pk=case.payload["borrower"])
            .select_related("region")
            .first()
        )
        if borrower is None or borrower.status != "active":
            problems.append("借用单位已撤销、合并或被删除，无法出借。")
        elif not borrower.region.path.startswith(case.region.path):
            problems.append(
                f"借用单位“{borrower}”位于{borrower.region.name}，不在申请单位所在区划"
                f"（{case.region.name}）内，须由上级区划办理。"
            )
        return problems


class LeaseOutForm(TermForm):
    rooms = rooms_field()
    tenant = forms.CharField(label="承租方", max_length=100)
    rent = forms.DecimalField(label="年租金（元）", max_digits=14, decimal_places=2, min_value=0.01)
    starts_on = forms.DateField(label="起始日期")
    ends_on = forms.DateField(label="截止日期")
    agreement_number = forms.CharField(label="租赁合同编号", max_length=60)
    bidding_record = forms.CharField(
        label="公开招租记录",
        max_length=300,
        help_text="公开招租的公告、平台和成交记录编号",
    )
    reason = reason_field("出租事由")

    def setup(self) -> None:
        self.fields["rooms"].queryset = self.applicant_rooms()

    def clean(self):
        data = super().clean()
        rooms = data.get("rooms") or []
        self.require_applicant_rooms(rooms, "出租")
        self.require_status(rooms, LeaseOutKind.from_statuses, "出租")
        return data


class LeaseOutKind(TermKind):
    kind = CaseKind.LEASE_OUT
    form = LeaseOutForm
    verb = "出租"
    use = Use.LEASED_OUT
    status = RoomStatus.LEASED_OUT
    from_statuses = (RoomStatus.IN_USE, RoomStatus.IDLE, RoomStatus.LEASED_OUT)

    def title(self, data, applicant) -> str:
        return f"出租给{data['tenant']}"

    def use_data(self, case) -> dict[str, Any]:
        p = case.payload
        return {
            **super().use_data(case),
            "party": p["tenant"],
            "rent": decimal_of(p.get("rent")),
            "bidding_record": p.get("bidding_record", ""),
        }

    def use_note(self, case) -> str:
        p = case.payload
        return f"，承租方 {p['tenant']}，年租金 {p['rent']} 元，公开招租 {p['bidding_record']}"


# 用途变更 ----------------------------------------------------------------------------------------
class ChangeOfUseForm(KindForm):
    rooms = rooms_field()
    category = forms.ChoiceField(
        label="新用房类别", choices=[("", "请选择"), *RoomCategory.choices]
    )
    subtype = forms.ChoiceField(
        label="新用途",
        required=False,
        choices=[("", "（不细分）"), *ROOM_SUBTYPE_CHOICES],
    )
    starts_on = forms.DateField(label="变更日期", required=False, help_text="留空为批准之日")
    ends_on = forms.DateField(label="临时变更截止日期", required=False, help_text="长期变更留空")
    reason = reason_field("变更事由")

    def setup(self) -> None:
        self.fields["rooms"].queryset = self.applicant_rooms()

    def clean(self):
        data = super().clean()
        self.require_applicant_rooms(data.get("rooms") or [], "变更用途")
        category, subtype = data.get("category"), data.get("subtype")
        allowed = ROOM_SUBTYPES.get(category or "", ())
        if subtype and category and subtype not in allowed:
            label = RoomCategory(category).label
            self.add_error(
                "subtype",
                f"新用途：“{subtype}”不属于“{label}”"
                + (f"，可选：{'、'.join(allowed)}。" if allowed else "，该类别不细分用途。"),
            )
        self.require_term()
        return data


class ChangeOfUseKind(RoomKind):
    """用途变更: the rooms' category and subtype change; the approval covers R8's 改变用途."""

    kind = CaseKind.CHANGE_OF_USE
    form = ChangeOfUseForm
    verb = "变更用途"
    title_verb = "用房用途变更"

    def effective_on(self, data):
        return data.get("starts_on")

    def room_data(self, case, room, day) -> dict[str, Any]:
        return {"category": case.payload["category"], "subtype": case.payload.get("subtype", "")}

    def before_rooms(self, case, agent, rooms, day) -> None:
        ends_on = date_of(case.payload.get("ends_on"))
        for room in rooms:
            service_for(ApprovedUse).create(
                actor=agent,
                data={
                    "case": case,
                    "room": room,
                    "use": Use.CHANGED_USE,
                    "starts_on": day,
                    "ends_on": ends_on,
                },
            )

    def more_problems(self, case, rooms) -> list[str]:
        problems = []
        ends_on = date_of(case.payload.get("ends_on"))
        if ends_on is not None and ends_on < self.effect_day(case):
            problems.append(f"临时变更期限已于 {ends_on:%Y-%m-%d} 届满，无法变更用途。")
        category = case.payload["category"]
        key = plausibility.OFFICE_ROOM if category == RoomCategory.OFFICE else plausibility.ROOM
        for room in rooms:
            ceiling = plausibility.ceilings_for(room.floor.building.compound.region.path).get(key)
            areas = [a for a in (room.usable_area, room.building_area) if a is not None]
            if ceiling is not None and any(a > ceiling.value for a in areas):
                problems.append(
                    f"房间“{room}”面积 {max(areas)} 平方米超过{RoomCategory(category).label}"
                    f"一间的合理上限 {ceiling.value:f} 平方米，不能改为该类别。"
                )
        return problems

    def more_preview(self, case) -> list[Change]:
        day, ends_on = self.effect_day(case), date_of(case.payload.get("ends_on"))
        term = f"{day:%Y-%m-%d} 至 {ends_on:%Y-%m-%d}" if ends_on else f"自 {day:%Y-%m-%d} 起"
        return [
            Change(
                model="经批准的用途",
                label=str(room),
                field="",
                before="",
                after=f"用途变更（{term}）",
                operation="create",
            )
            for room in self.rooms_of(case)
        ]


# 处置 ------------------------------------------------------------------------------------------
class Method:
    SALE = "sale"
    DEMOLITION = "demolition"
    SWAP = "swap"
    TRANSFER = "transfer"
    SEAL = "seal"
    CHOICES = (
        (SALE, "出售"),
        (DEMOLITION, "拆除"),
        (SWAP, "置换"),
        (TRANSFER, "划转国有企业"),
        (SEAL, "封存备用"),
    )


class DisposalForm(KindForm):
    method = forms.ChoiceField(label="处置方式", choices=[("", "请选择"), *Method.CHOICES])
    rooms = forms.ModelMultipleChoiceField(
        label="房间",
        queryset=Room.objects.none(),
        required=False,
        help_text="可多选；整栋楼处置时留空并选择楼座",
    )
    building = forms.ModelChoiceField(
        label="整栋楼座",
        queryset=Building.objects.none(),
        required=False,
        help_text="整栋处置：该楼全部房间（须均由申请单位使用）",
    )
    counterparty_name = forms.CharField(
        label="受让方 / 置换方",
        max_length=100,
        required=False,
        help_text="出售、置换、划转时填写",
    )
    effective_on = forms.DateField(label="处置日期", required=False, help_text="留空为批准之日")
    reason = reason_field("处置事由")

    def setup(self) -> None:
        self.fields["rooms"].queryset = self.applicant_rooms()
        self.fields["building"].queryset = self.visible(Building).select_related("compound")

    def clean(self):
        data = super().clean()
        rooms, building = list(data.get("rooms") or []), data.get("building")
        if building is not None and rooms:
            self.add_error("building", "整栋楼座：选择了房间时不再选择楼座（二者择一）。")
        elif building is not None:
            rooms = list(
                Room.objects.filter(floor__building=building).select_related(
                    "floor__building__compound", "organization"
                )
            )
            if not rooms:
                self.add_error("building", f"整栋楼座：“{building}”没有登记房间。")
            if self.applicant is not None:
                others = [
                    r
                    for r in rooms
                    if r.organization_id is None
                    or not r.organization.path.startswith(self.applicant.path)
                ]
                if others:
                    self.add_error(
                        "building",
                        f"整栋楼座：“{building}”中有 {len(others)} 间房间不由申请单位使用，"
                        "不能整栋处置；请只选择申请单位的房间。",
                    )
                    rooms = []
            data["rooms"] = rooms
        elif not rooms and "rooms" not in self.errors:
            self.add_error("rooms", "请选择房间，或选择整栋处置的楼座。")
        self.require_applicant_rooms(rooms, "处置")
        self.require_status(rooms, DisposalKind.from_statuses, "处置")
        method = data.get("method")
        if method in (Method.SALE, Method.SWAP, Method.TRANSFER) and not data.get(
            "counterparty_name"
        ):
            label = dict(Method.CHOICES)[method]
            self.add_error("counterparty_name", f"受让方 / 置换方：{label}须填写。")
        return data


class DisposalKind(RoomKind):
    """处置: the rooms leave the active registry as 封存 (seal-up) or 待处置 (sale, demolition,
    swap, transfer), no longer held by anyone; occupancies and approvals end; history stays."""

    kind = CaseKind.DISPOSAL
    form = DisposalForm
    verb = "处置"
    from_statuses = (RoomStatus.IN_USE, RoomStatus.IDLE, RoomStatus.SEALED)

    def title(self, data, applicant) -> str:
        method = dict(Method.CHOICES)[data["method"]]
        if data.get("building") is not None:
            return f"{data['building']}整栋{method}"
        return f"{applicant}用房{method}"

    def drafted(self, data: dict, payload: dict, applicant) -> Drafted:
        drafted = super().drafted(data, payload, applicant)
        building = data.get("building")
        if building is None:
            return drafted
        return replace(
            drafted,
            title=self.title(data, applicant)[:200],
            subjects=[SubjectRef(obj=building, label=str(building)), *drafted.subjects],
        )

    def room_data(self, case, room, day) -> dict[str, Any]:
        sealed = case.payload["method"] == Method.SEAL
        data: dict[str, Any] = {
            "status": RoomStatus.SEALED if sealed else RoomStatus.PENDING_DISPOSAL,
            "status_since": day,
        }
        if not sealed:
            data["organization"] = None
        return data

    def before_rooms(self, case, agent, rooms, day) -> None:
        end_occupancies(agent, rooms, day)
        end_uses(agent, rooms, day)

    def more_preview(self, case) -> list[Change]:
        rooms, day = self.rooms_of(case), self.effect_day(case)
        return occupancy_preview(rooms, day) + end_uses_preview(rooms, day)


ALLOCATION = AllocationKind()
VACATE = VacateKind()
LEND = LendKind()
LEASE_OUT = LeaseOutKind()
CHANGE_OF_USE = ChangeOfUseKind()
DISPOSAL = DisposalKind()
