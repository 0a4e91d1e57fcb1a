"""The inspections part of the demo (``manage.py load_demo``): a year of the city bureau's
inspections, run through the real services so every state, log row and registry write is what a
user would have made.

* 2025 全面检查 (done): eight city units, every item recorded, some measured areas accepted;
* 2025–26 专项检查 (in progress): five units including the one with the most rooms (the bench's
  phone page), one inspection in each state, measurements recorded, accepted and rejected;
* 2026 整改回头看 (planned): three units, generated, not started;
* tip-offs from each source in each state; the government's assessment dates of 2025 and 2026.

H7's ``inspections.demo_findings.build(run, …)`` adds findings, rectifications and a referral
when that module is in. Deterministic: fixed choices and a seeded random.
"""

from __future__ import annotations

import datetime
import importlib.util
import random
import time
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count

from ..framework.services import service_for
from ..registry.choices import RoomCategory
from ..registry.models import Organization, Region, Room
from . import services
from .choices import ItemResult, PlanKind, TipSource
from .models import (
    AssessmentDate,
    Checklist,
    Finding,
    Inspection,
    InspectionPlan,
    ItemCheck,
    Measurement,
    Recheck,
    Rectification,
    Referral,
    Tip,
    Urge,
)

LABEL = "督查检查与问题线索"
SHANGHAI = ZoneInfo("Asia/Shanghai")
CITY = "370400"
# Deleted in this order (what refers to a row goes before it).
MODELS = (
    Referral,
    Urge,
    Recheck,
    Rectification,
    Finding,
    Measurement,
    ItemCheck,
    Inspection,
    InspectionPlan,
    Tip,
    AssessmentDate,
)

TIPS = (
    (TipSource.HOTLINE, "市民来电反映：该单位三楼多间办公室长期锁门无人使用。", "received"),
    (TipSource.PUBLIC, "群众来信：某处长一人使用两间办公室，其中一间为套间。", "assigned"),
    (TipSource.INTERNET, "网帖称该单位将临街一楼办公用房出租作商铺。", "checking"),
    (TipSource.MEDIA, "报纸报道：机构改革撤并后原办公楼仍由原单位占用。", "answered"),
    (TipSource.HOTLINE, "12345转办：退休领导仍保留原办公室。", "closed"),
    (TipSource.PUBLIC, "群众反映：单位会议室改作职工宿舍。", "checking"),
    (TipSource.MEDIA, "电视问政节目曝光：局领导办公室面积明显超标。", "closed"),
)
STEPS = {
    "received": (),
    "assigned": ("assign",),
    "checking": ("assign", "check"),
    "answered": ("assign", "check", "answer"),
    "closed": ("assign", "check", "answer", "close"),
}


def existing() -> dict[str, int]:
    counts = {m._meta.verbose_name: m.objects.count() for m in MODELS}
    return {str(name): n for name, n in counts.items() if n}


def flush() -> int:
    """Delete the part's rows (and the photos filed on inspections and findings)."""
    from ..archives.models import Document

    types = ContentType.objects.get_for_models(*MODELS).values()
    # A referral names its package (a document) and the documents name their subjects: the
    # package is let go first, then the documents, then the rows.
    Referral._base_manager.update(package=None)
    total, _ = Document._base_manager.filter(subject_type__in=list(types)).delete()
    for model in MODELS:
        deleted, _ = model._base_manager.all().delete()
        total += deleted
    return total


def _units(city: Region) -> list[Organization]:
    """The city's own units (not the counties'), the most rooms first."""
    return list(
        Organization.objects.filter(region=city, status="active")
        .annotate(n=Count("rooms"))
        .order_by("-n", "pk")
    )


def _distinct(units: list[Organization | None]) -> list[Organization]:
    return list(dict.fromkeys(u for u in units if u is not None))


def _plan(bureau, city, team, checklist, kind, year, title, start, days, units) -> InspectionPlan:
    plan, _ = service_for(InspectionPlan).create(
        actor=bureau,
        data={
            "kind": kind,
            "year": year,
            "title": title,
            "region": city,
            "all_organizations": False,
            "organizations": units,
            "team": team,
            "checklist": checklist,
            "start_on": start,
            "end_on": start + datetime.timedelta(days=days),
            "basis": "《党政机关办公用房管理办法》；市级党政机关办公用房集中统一管理实施意见",
        },
    )
    return plan


def _check_items(actor, inspection, rng, items, *, all_items: bool) -> None:
    chosen = items if all_items else items[: rng.randint(2, 5)]
    for item in chosen:
        fail = rng.random() < 0.2
        services.record_item_check(
            actor=actor,
            inspection=inspection,
            item=item,
            result=ItemResult.FAIL if fail else rng.choice([ItemResult.PASS] * 4 + ["na"]),
            note=f"现场核查：{item.title}情况属实，已记录" if fail else "",
        )


def _measure(actor, inspection, rng, rooms, decide: str | None, bureau) -> Measurement:
    if decide == "accept":
        # An accepted measurement changes the registry: a service or ancillary room, a little
        # smaller than registered, so the demo's planted warnings (offices, unit totals) stay
        # exactly as the registry's part planted them and no new one appears.
        others = [r for r in rooms if r.category != RoomCategory.OFFICE]
        decide = "accept" if others else None  # none such: the measurement stays recorded
        rooms = others or rooms
        delta = Decimal(rng.choice(["-0.60", "-0.40", "-0.20"]))
    else:
        delta = Decimal(rng.choice(["-1.20", "-0.60", "0.40", "1.10", "2.30"]))
    room = rng.choice(rooms)
    area = max(Decimal("5.00"), room.usable_area + delta)
    if room.building_area is not None:
        area = min(area, room.building_area)
    m = services.record_measurement(
        actor=actor,
        inspection=inspection,
        room=room,
        measured_area=area,
        note="红外线测距仪实测",
    )
    if decide == "accept":
        services.accept_measurement(actor=bureau, measurement=m)
    elif decide == "reject":
        services.reject_measurement(actor=bureau, measurement=m, reason="测量未扣除墙体，请复测")
    return m


def _date_the_story(inspections: list[Inspection]) -> None:
    """Times of the story, not of the load: an inspection starts on its day at 9:00 and takes
    two days; its results and measurements fall on that morning, decisions a day later."""
    for inspection in Inspection.objects.filter(pk__in=[i.pk for i in inspections]):
        if inspection.scheduled_on is None or inspection.state == "planned":
            continue
        start = datetime.datetime.combine(
            inspection.scheduled_on, datetime.time(9), tzinfo=SHANGHAI
        )
        fields = {"started_at": start}
        if inspection.state == "done":
            fields["finished_at"] = start + datetime.timedelta(days=2, hours=7)
        Inspection.objects.filter(pk=inspection.pk).update(**fields)
        for n, pk in enumerate(inspection.item_checks.order_by("pk").values_list("pk", flat=True)):
            ItemCheck.objects.filter(pk=pk).update(
                checked_at=start + datetime.timedelta(minutes=20 + 12 * n)
            )
        for n, m in enumerate(inspection.measurements.order_by("pk")):
            at = start + datetime.timedelta(hours=1, minutes=15 * n)
            decided = at + datetime.timedelta(days=1) if m.decided_at else None
            Measurement.objects.filter(pk=m.pk).update(measured_at=at, decided_at=decided)


def build(run) -> None:
    t0 = time.perf_counter()
    rng = random.Random(run.seed + 15)
    bureau, supervisor = run.users["zz_bureau"], run.users["supervisor"]
    city = Region.objects.get(code=CITY)
    checklist = Checklist.objects.order_by("-revision").first()
    items = list(checklist.items.order_by("target", "aspect"))
    units = _units(city)
    if len(units) < 3:
        run.say(f"督查演示：{city}的市级单位不足 3 个，未生成督查数据。")
        return
    team = [bureau, supervisor]
    # The unit administrator's own unit is inspected in the full plan (what it sees); the unit
    # with the most rooms in the special one (the bench's phone page). A small city's units
    # serve in more than one plan.
    own = getattr(run.users.get("unit_admin"), "scope_organization", None)
    if own is not None and own.region_id != city.pk:
        own = None
    largest = units[0]
    full_units = _distinct([own, *units[1:8]])
    special_units = _distinct([largest, *(units[8:12] or units[1:5])])
    followup_units = units[1:4]

    with transaction.atomic():
        for year, day in ((2025, datetime.date(2025, 12, 20)), (2026, datetime.date(2026, 12, 18))):
            service_for(AssessmentDate).create(
                actor=bureau,
                data={
                    "region": city,
                    "year": year,
                    "assessed_on": day,
                    "source": f"市政府{year}年度综合考核工作安排",
                },
            )
        full = _plan(
            bureau, city, team, checklist, PlanKind.FULL, 2025,
            "2025年度市级党政机关办公用房全面检查", datetime.date(2025, 9, 1), 75, full_units,
        )  # fmt: skip
        special = _plan(
            bureau, city, team, checklist, PlanKind.SPECIAL, 2025,
            "机构改革后办公用房腾退专项检查", datetime.date(2025, 12, 1), 60, special_units,
        )  # fmt: skip
        followup = _plan(
            bureau, city, team, checklist, PlanKind.FOLLOWUP, 2026,
            "2026年办公用房整改落实“回头看”", datetime.date(2026, 3, 2), 30, followup_units,
        )  # fmt: skip

        inspections: dict[str, list[Inspection]] = {}
        for plan in (full, special, followup):
            inspections[plan.kind] = services.generate_inspections(actor=bureau, plan=plan)

        measurements = 0
        for n, inspection in enumerate(inspections[PlanKind.FULL]):
            actor = supervisor if n % 2 else bureau
            _check_items(actor, inspection, rng, items, all_items=True)
            rooms = list(services.inspection_rooms(inspection)[:40])
            if rooms and n < 4:
                _measure(actor, inspection, rng, rooms, "accept", bureau)
                measurements += 1
            services.finish_inspection(
                actor=actor, inspection=inspection, summary="按清单逐项核查，问题已当场反馈。"
            )
        specials = inspections[PlanKind.SPECIAL]
        # One done, two in progress (the largest unit among them), the rest not started.
        for n, inspection in enumerate(specials[:3]):
            _check_items(bureau, inspection, rng, items, all_items=n == 2)
            rooms = list(services.inspection_rooms(inspection)[:60])
            for decide in ("accept", "reject", None) if rooms else ():
                _measure(supervisor, inspection, rng, rooms, decide, bureau)
                measurements += 1
            if n == 2:
                services.finish_inspection(actor=bureau, inspection=inspection, summary="已完成。")

        tips = []
        for n, (source, content, state) in enumerate(TIPS):
            unit = units[(n * 3) % len(units)]
            room = Room.objects.filter(organization=unit).order_by("pk").first()
            tip, _ = service_for(Tip).create(
                actor=bureau,
                data={
                    "source": source,
                    "received_on": datetime.date(2025, 10, 8) + datetime.timedelta(days=9 * n),
                    "content": content,
                    "organization": unit,
                    "subject_type": ContentType.objects.get_for_model(Room) if room else None,
                    "subject_id": room.pk if room else None,
                },
            )
            for step in STEPS[state]:
                kwargs = {}
                if step == "assign":
                    kwargs = {
                        "assigned_to": supervisor if n % 2 else bureau,
                        "deadline": tip.received_on + datetime.timedelta(days=15),
                    }
                elif step == "answer":
                    kwargs = {
                        "check_result": "经实地核查，反映情况部分属实。",
                        "substantiated": n % 3 != 0,
                        "answer": "已向反映人答复核查结果，相关问题已责令整改。",
                    }
                # The bureau assigns and closes; the assignee checks and answers.
                actor = bureau if step in ("assign", "close") else tip.assigned_to
                services.tip_transition(actor=actor, tip=tip, action=step, **kwargs)
            tips.append(tip)

        _date_the_story([i for group in inspections.values() for i in group])

        if importlib.util.find_spec(f"{__package__}.demo_findings") is not None:
            from . import demo_findings

            demo_findings.build(
                run, plans=[full, special, followup], inspections=inspections, tips=tips
            )

    count = sum(len(v) for v in inspections.values())
    run.rows += 3 + count + len(tips) + measurements
    run.section(
        "督查检查",
        [
            f"督查计划 3 个（全面检查已完成、专项检查实施中、回头看计划中），检查 {count} 项",
            f"实地测量 {measurements} 条，问题线索 {len(tips)} 条（各来源、各状态）",
            f"专项检查含房间最多的单位：{largest}（手机检查页基准）",
        ],
    )
    run.timings.append(f"督查 {time.perf_counter() - t0:.1f} 秒")
