"""The data-review part of the demo (``manage.py load_demo``), after seed 000 (枣庄市):

* 2023 年数据会审 (closed): two months over the city's own units, "书面反馈会审发现问题217个，
  并督促责任单位全部进行了整改" — 217 findings, every one rectified and closed;
* 2026 年数据会审 (open): eight city units including the unit administrator's, the automatic
  checks run through the service, cross-review pairs (the unit administrator's unit reviews
  another and is reviewed by it) with reviewers' findings, and findings in every state.

Deterministic: fixed choices and a seeded random.
"""

from __future__ import annotations

import datetime
import random
import time
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from ..framework.services import service_for
from ..registry.models import Organization, Region, Room
from . import services
from .checks import SUBJECTS, label_of
from .models import Assignment, Finding, FindingState, Review, ReviewState, Severity, Source

LABEL = "数据会审"
CITY = "370400"
HISTORIC_PROBLEMS = 217  # seed 000
MODELS = (Finding, Assignment, Review)

MANUAL_PROBLEMS = [
    ("room", "房间名称与门牌不一致"),
    ("room", "使用状态登记为在用，现场为闲置"),
    ("room", "用房类别登记有误，实为服务用房"),
    ("person", "职务登记与任职文件不符"),
    ("person", "人员已调离，系统未更新在职状态"),
    ("organization", "机构编制数与三定方案不一致"),
]
RECTIFICATIONS = [
    "已按实际情况更正系统数据",
    "已补填缺失信息并上传佐证材料",
    "已核实并修正登记信息",
]


def existing() -> dict[str, int]:
    counts = {m._meta.verbose_name: m.objects.count() for m in MODELS}
    return {str(name): n for name, n in counts.items() if n}


def flush() -> int:
    total = 0
    for model in MODELS:
        deleted, _ = model._base_manager.all().delete()
        total += deleted
    return total


def _units(city: Region) -> list[Organization]:
    """The city's own units with the most rooms first (those a review finds most in)."""
    return list(
        Organization.objects.filter(region=city, parent__isnull=True, status="active")
        .annotate(n=Count("rooms"))
        .filter(n__gt=0)
        .order_by("-n", "pk")
    )


def _historic(run, city: Region, rng: random.Random, anchor: datetime.date) -> int:
    """The 2023 review: 217 findings filed, rectified and closed (bulk: a finished story)."""
    starts = datetime.date(anchor.year - 3, 3, 1)
    review = Review.objects.create(
        name=f"{starts.year}年枣庄市市直部门单位房地产系统数据会审",
        region=city,
        starts_on=starts,
        ends_on=starts + datetime.timedelta(days=60),
        state=ReviewState.CLOSED,
        note="对照省局数据验收标准，统一会审、交叉互审，书面反馈问题，督促责任单位全部整改。",
    )
    # Two thirds the acceptance rules' own finding (an office's building area left empty), read
    # straight from the rooms (a city-wide run of every check is the bureau's, not the demo's).
    types = {key: ContentType.objects.get_for_model(spec.model) for key, spec in SUBJECTS.items()}
    rooms = list(
        Room.objects.filter(floor__building__compound__region=city, organization__isnull=False)
        .select_related("floor__building__compound")
        .order_by("pk")[:3000]
    )
    empty = [r for r in rooms if r.category == "office" and r.building_area is None]
    rows = [
        dict(
            organization_id=room.organization_id,
            region_id=city.pk,
            subject="room",
            subject_type=types["room"],
            subject_id=room.pk,
            subject_label=label_of("room", room),
            field="building_area",
            field_label="建筑面积",
            problem="建筑面积未填写（办公室）（2023版验收标准）",
            source=Source.REQUIRED,
            check_key=f"required:room:{room.pk}:building_area",
        )
        for room in rng.sample(empty, min(len(empty), HISTORIC_PROBLEMS * 2 // 3))
    ]
    when = timezone.make_aware(datetime.datetime.combine(starts, datetime.time(10)))
    for room in rng.sample(rooms, min(len(rooms), HISTORIC_PROBLEMS - len(rows))):
        _, problem = rng.choice(MANUAL_PROBLEMS[:3])
        rows.append(
            dict(
                organization_id=room.organization_id,
                region_id=city.pk,
                subject="room",
                subject_type=types["room"],
                subject_id=room.pk,
                subject_label=label_of("room", room),
                problem=problem,
                source=Source.MANUAL,
                found_by=run.users["zz_bureau"],
            )
        )
    Finding.objects.bulk_create(
        Finding(
            review=review,
            state=FindingState.CLOSED,
            severity=Severity.MINOR,
            rectification=rng.choice(RECTIFICATIONS),
            rectified_at=when + datetime.timedelta(days=rng.randint(5, 30)),
            rechecked_by=run.users["zz_bureau"],
            closed_at=when + datetime.timedelta(days=rng.randint(31, 55)),
            **row,
        )
        for row in rows
    )
    return len(rows)


def _put_right(finding: Finding, actor) -> None:
    """The unit really fills an empty building area (through the registry's service), so the
    re-check's check no longer finds it."""
    if finding.source != Source.REQUIRED or finding.field != "building_area":
        return
    room = Room.objects.get(pk=finding.subject_id)
    area = (room.usable_area * Decimal("1.25")).quantize(Decimal("0.01"))
    service_for(Room).update(actor=actor, instance=room, data={"building_area": area})


def build(run) -> None:
    t0 = time.perf_counter()
    rng = random.Random(run.seed + 23)
    bureau = run.users["zz_bureau"]
    unit_admin = run.users.get("unit_admin")
    city = Region.objects.get(code=CITY)
    units = _units(city)
    if len(units) < 3:
        run.say(f"数据会审演示：{city}的市级单位不足 3 个，未生成会审数据。")
        return
    own = getattr(unit_admin, "scope_organization", None)
    if own is None or own not in units:
        own = units[0]
    others = [u for u in units if u != own]
    chosen = [own, *others[:7]]

    with transaction.atomic():
        historic = _historic(run, city, rng, run.anchor)
        starts = run.anchor - datetime.timedelta(days=20)
        review, _ = services.ReviewService().create(
            actor=bureau,
            data={
                "name": f"{starts.year}年市直部门单位数据会审",
                "region": city,
                "starts_on": starts,
                "ends_on": starts + datetime.timedelta(days=60),
                "note": "应填尽填、交叉互审；问题书面反馈责任单位限期整改。",
                "organizations": chosen,
                "reviewers": [bureau],
            },
        )
        found = services.do_run_checks(review=review, actor=bureau)
        # Cross review: the unit administrator's unit and its partner review each other; two
        # more pairs among the others.
        pairs = [(own, others[0]), (others[0], own)]
        if len(others) > 2:
            pairs += [(others[1], others[2]), (others[2], others[1])]
        assignments = []
        for reviewed, reviewer in pairs:
            assignment, _ = services.AssignmentService().create(
                actor=bureau,
                data={
                    "review": review,
                    "reviewed_organization": reviewed,
                    "reviewer_organization": reviewer,
                    "reviewer": unit_admin if reviewer == own else None,
                },
            )
            assignments.append(assignment)
        manual = 0
        for assignment in assignments:
            actor = unit_admin if assignment.reviewer_organization == own else bureau
            reviewed = assignment.reviewed_organization
            rooms = list(Room.objects.filter(organization=reviewed).order_by("pk")[:40])
            for room in rng.sample(rooms, min(3, len(rooms))):
                _, problem = rng.choice(MANUAL_PROBLEMS[:3])
                services.add_finding(
                    review=review,
                    actor=actor,
                    obj=room,
                    problem=problem,
                    field_label="房间信息",
                    assignment=assignment,
                )
                manual += 1
        # Every state: per unit, some rectified, some closed, one sent back, the rest open.
        states = {s: 0 for s in FindingState.values}
        for unit in chosen:
            findings = list(Finding.objects.filter(review=review, organization=unit).order_by("pk"))
            for i, finding in enumerate(findings[:6]):
                if i % 3 == 1:
                    _put_right(finding, bureau)
                finding = services.rectify(
                    finding=finding, actor=bureau, note=RECTIFICATIONS[i % len(RECTIFICATIONS)]
                )
                if i % 3 == 1 and not services.still_found(finding):
                    services.recheck(finding=finding, actor=bureau, passed=True)
                elif i % 3 == 2:
                    services.recheck(
                        finding=finding, actor=bureau, passed=False, note="佐证材料不全，请补充"
                    )
        for row in Finding.objects.filter(review=review).values("state").annotate(n=Count("pk")):
            states[row["state"]] = row["n"]

    total = Finding.objects.filter(review=review).count()
    run.rows += 2 + historic + len(assignments) + total
    labels = dict(FindingState.choices)
    run.section(
        "数据会审",
        [
            f"历史会审：发现问题 {historic} 个，全部整改销号（种子000）",
            f"本期会审：{len(chosen)} 个单位，自动核查发现 {found['new']} 个，交叉互审 "
            f"{len(assignments)} 对提出 {manual} 个，共 {total} 个",
            "状态：" + "，".join(f"{labels[s]} {n}" for s, n in states.items()),
        ],
    )
    run.timings.append(f"会审 {time.perf_counter() - t0:.1f} 秒")
