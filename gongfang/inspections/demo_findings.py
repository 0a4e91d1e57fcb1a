"""Findings of the demo's inspections (called by ``demo_part.build`` inside its transaction).

Through the real services, so every row, change-log entry and notification is what users would
have made: findings of each kind (即时备案, 当场整改, 限期整改) in each state — open, answered and
awaiting re-check, closed, reopened, overdue, referred — one linked to an open warning, one from a
tip-off, one the supervisor raised himself; evidence and on-site photos; urges of a late finding
and of a warning; one referral with its generated package and the commission's outcome. The unit
administrator's own unit (市教育局) has open ones, so its to-do shows them.
"""

from __future__ import annotations

import datetime
import io
import random

from ..compliance.models import ACTIVE_STATES, Subject, Warning
from ..framework import clock
from ..registry.models import Room
from .choices import PlanKind, RectificationKind
from .documents import CATEGORY_EVIDENCE, CATEGORY_PHOTO, file_document
from .findings import create_finding, flag_overdue, recheck, record_outcome, refer, respond, urge
from .models import Finding, Inspection, InspectionPlan, Tip

DEADLINE_DAYS = 30

# (item aspect target, aspect number, description) of the findings raised on site.
PROBLEMS = (
    ("organization", 3, "{room}出借给下属事业单位使用，未履行审批手续"),
    ("organization", 3, "{room}改作职工活动室，改变了办公用房使用功能"),
    ("organization", 1, "办公用房权属登记资料不全，未配合办理权属登记"),
    ("leader", 1, "{room}由单位负责人一人使用，面积超过规定标准"),
    ("organization", 2, "机构撤并后原办公用房{room}未按期腾退"),
    ("organization", 3, "{room}对外出租，租金未纳入预算管理"),
    ("leader", 2, "副局长在{room}另有一处办公室，兼职未经批准"),
)


def _photo(rng: random.Random, width: int = 480, height: int = 360) -> bytes:
    """A small on-site "photo": walls, a door and a window in seeded colours (JPEG)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (width, height), (rng.randint(200, 235),) * 3)
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height * 3 // 4, width, height), fill=(rng.randint(120, 170), 110, 90))
    x = rng.randint(40, width // 2)
    draw.rectangle((x, height // 4, x + 90, height * 3 // 4), fill=(150, 100, 60))
    wx = rng.randint(width // 2 + 20, width - 150)
    draw.rectangle((wx, height // 5, wx + 120, height // 2), fill=(170, 205, 235))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70)
    return out.getvalue()


def _item(inspection: Inspection, target: str, aspect: int):
    return inspection.checklist.items.filter(target=target, aspect=aspect).first()


def _room(inspection: Inspection, rng: random.Random) -> Room | None:
    rooms = list(Room.objects.filter(organization=inspection.organization).order_by("pk")[:30])
    return rng.choice(rooms) if rooms else None


class Builder:
    def __init__(self, run, rng: random.Random):
        self.run = run
        self.rng = rng
        self.bureau = run.users["zz_bureau"]
        self.supervisor = run.users["supervisor"]
        self.unit_admin = run.users.get("unit_admin")
        self.today = clock.today()
        self.counts: dict[str, int] = {}

    def unit_account(self, finding: Finding):
        """The demo's unit administrator when it is his unit; else the bureau answers for it."""
        own = getattr(self.unit_admin, "scope_organization", None)
        if own is not None and finding.organization.path.startswith(own.path):
            return self.unit_admin
        return self.bureau

    def photo(self, finding: Finding, user, title: str) -> None:
        file_document(
            user=user,
            subject=finding,
            category=CATEGORY_PHOTO,
            file=_photo(self.rng),
            name=f"{title}.jpg",
            title=title,
            authorized=True,
        )

    def raise_on_site(self, inspection: Inspection, n: int, kind: str, *, user=None) -> Finding:
        target, aspect, text = PROBLEMS[n % len(PROBLEMS)]
        room = _room(inspection, self.rng)
        user = user or self.bureau
        finding = create_finding(
            user=user,
            organization=inspection.organization,
            inspection=inspection,
            item=_item(inspection, target, aspect),
            subject=room,
            description=text.format(room=f"{room.number} 室" if room else "部分房间"),
            rectification_kind=kind,
            deadline=self.today + datetime.timedelta(days=DEADLINE_DAYS)
            if kind == "deadline"
            else None,
        )
        self.photo(finding, user, "现场照片")
        self.counts[kind] = self.counts.get(kind, 0) + 1
        return finding

    def answer(self, finding: Finding, text: str = "已按要求整改，附整改后照片。") -> None:
        user = self.unit_account(finding)
        respond(user=user, finding=finding, description=text)
        file_document(
            user=user,
            subject=finding,
            category=CATEGORY_EVIDENCE,
            file=_photo(self.rng),
            name="整改后照片.jpg",
            title="整改后照片",
            authorized=True,
        )


def _warning_finding(b: Builder, inspections: list[Inspection]) -> Finding | None:
    """A finding about a room with an open R1 warning, in one of the inspected units: linked."""
    units = [i.organization_id for i in inspections]
    warning = (
        Warning.objects.filter(
            subject=Subject.ROOM, rule="R1", state__in=ACTIVE_STATES, organization_id__in=units
        )
        .select_related("room")
        .order_by("pk")
        .first()
    )
    if warning is None:
        return None
    inspection = next(i for i in inspections if i.organization_id == warning.organization_id)
    finding = create_finding(
        user=b.supervisor,
        organization=inspection.organization,
        inspection=inspection,
        item=_item(inspection, "leader", 1),
        subject=warning.room,
        description=f"{warning.subject_label}：{warning.summary}（与系统预警一致）",
        rectification_kind="deadline",
        deadline=b.today + datetime.timedelta(days=DEADLINE_DAYS),
    )
    b.photo(finding, b.supervisor, "实测照片")
    return finding


def build(run, *, plans: list[InspectionPlan], inspections: dict, tips: list[Tip]) -> None:
    """The findings of the demo's plans (see the module docstring)."""
    rng = random.Random(run.seed + 70)
    b = Builder(run, rng)
    full = inspections.get(PlanKind.FULL, [])
    special = inspections.get(PlanKind.SPECIAL, [])
    if not full:
        return
    # The unit administrator's unit first (its to-do shows what it owes), then the others.
    unit = getattr(b.unit_admin, "scope_organization", None)
    own = next((i for i in full if unit is not None and i.organization_id == unit.pk), full[0])
    full = [own, *(i for i in full if i.pk != own.pk)]
    states: dict[str, int] = {}

    def mark(state: str) -> None:
        states[state] = states.get(state, 0) + 1

    # The unit administrator's unit: overdue (urged), reopened, awaiting re-check, closed.
    overdue = b.raise_on_site(own, 0, "deadline")
    reopened = b.raise_on_site(own, 1, "deadline")
    b.answer(reopened, "已将活动室恢复为办公用房。")
    recheck(
        user=b.bureau,
        finding=reopened,
        result="reopened",
        note="复查发现仍有健身器材未清理，请彻底整改。",
        deadline=b.today + datetime.timedelta(days=15),
    )
    answered = b.raise_on_site(own, 2, "deadline")
    b.answer(answered, "已补齐权属资料并提交不动产登记中心。")
    closed = b.raise_on_site(own, 4, "on_site")
    recheck(user=b.bureau, finding=closed, result="closed", note="当场腾退，复查属实。")
    for state in ("overdue", "reopened", "responded", "closed"):
        mark(state)

    # Other units of the full plan: every kind, closed and open.
    for n, inspection in enumerate(full[1:6], start=1):
        kind = ("record", "on_site", "deadline")[n % 3]
        finding = b.raise_on_site(inspection, n + 2, kind, user=b.supervisor if n % 2 else None)
        if kind == "deadline":
            b.answer(finding)
            recheck(user=b.bureau, finding=finding, result="closed", note="整改到位，予以销号。")
        elif n % 2:
            recheck(user=b.supervisor, finding=finding, result="closed", note="已当场备案。")
        mark("closed" if kind == "deadline" or n % 2 else "open")

    linked = _warning_finding(b, full + special)
    if linked is not None:
        mark("open")

    # The special plan in progress: findings just raised on site.
    for n, inspection in enumerate(special[:2]):
        b.raise_on_site(inspection, n + 5, "deadline", user=b.supervisor)
        mark("open")

    # From a tip-off under check, and one the supervisor raised on his own.
    tip = next((t for t in tips if t.state in ("checking", "answered")), None)
    if tip is not None:
        create_finding(
            user=b.bureau,
            organization=tip.organization,
            tip=tip,
            subject=Room.objects.filter(pk=tip.subject_id).first() if tip.subject_id else None,
            description=f"经核查，{tip.get_source_display()}反映属实：{tip.content[:40]}",
            rectification_kind="deadline",
            deadline=b.today + datetime.timedelta(days=DEADLINE_DAYS),
        )
        mark("open")
    own_finding = create_finding(
        user=b.supervisor,
        organization=full[1].organization,
        description="纪检监督抽查发现：会议室长期出借给协会办公",
        rectification_kind="deadline",
        deadline=b.today + datetime.timedelta(days=DEADLINE_DAYS),
    )

    # Time passes for the overdue one: its deadline is behind us, the job flags and notifies.
    Finding.objects.filter(pk=overdue.pk).update(deadline=b.today - datetime.timedelta(days=6))
    flag_overdue(today=b.today)
    urge(user=b.supervisor, finding=overdue, message="整改已逾期，请于三日内完成并报送整改材料。")
    warning = (
        Warning.objects.filter(organization=own.organization, state__in=ACTIVE_STATES)
        .order_by("pk")
        .first()
    )
    if warning is not None:
        urge(user=b.supervisor, warning=warning, message="预警长期未整改，请说明情况并限期整改。")

    # One referral: the supervisor's own finding and a closed one of the same unit.
    second = create_finding(
        user=b.supervisor,
        organization=full[1].organization,
        description="上年度检查发现的出租问题再次出现，屡查屡犯",
        rectification_kind="record",
    )
    b.photo(second, b.supervisor, "出租现场")
    referral = refer(
        user=b.supervisor, findings=[own_finding, second], recipient="市纪委监委第三监督检查室"
    )
    record_outcome(
        user=b.supervisor,
        referral=referral,
        outcome="对单位主要负责人进行诫勉谈话，责令收回出借房间。",
        outcome_on=b.today,
    )
    states["referred"] = 2

    total = Finding.objects.count()
    run.rows += total
    run.section(
        "督查问题与整改",
        [
            f"督查问题 {total} 个："
            + "，".join(f"{RectificationKind(k).label} {v}" for k, v in sorted(b.counts.items())),
            "状态：" + "，".join(f"{label} {states.get(code, 0)}" for code, label in STATE_NAMES),
            f"关联预警 {Finding.objects.filter(warning__isnull=False).count()} 个；"
            f"督办 2 次；移交纪检监察 1 次（{referral.organization}，含移交材料与处理结果）",
        ],
    )


STATE_NAMES = (
    ("open", "待整改"),
    ("responded", "待复查"),
    ("reopened", "复查未通过"),
    ("overdue", "逾期"),
    ("closed", "已销号"),
    ("referred", "已移交"),
)
