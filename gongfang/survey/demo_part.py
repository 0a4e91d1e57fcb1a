"""The survey part of the demo (``manage.py load_demo``): one survey batch in each state on floors
of the demo unit (市教育局), run through the real services with DXF/IFC drawings generated from
the floors' registered rooms (``drawings.samples``), a few rooms measured differently: one beyond
the R9 tolerance, one within it, one missing from the drawing and one new.

The unit's and the surveyor's demo accounts get an authenticator (signing needs one; ``manage.py
demo_totp unit_admin`` prints its code).
"""

from __future__ import annotations

import time
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Count

from ..accounts.otp import provision_device
from ..registry.demo.accounts import signing_credentials
from ..registry.models import Floor, Room
from . import services
from .drawings import samples
from .models import (
    BatchState,
    Decision,
    Party,
    SurveyBatch,
    SurveyConfirmation,
    SurveyDrawing,
    SurveyItem,
    SurveySignature,
)

LABEL = "测绘批次与三方确认"
MODELS = (SurveySignature, SurveyConfirmation, SurveyItem, SurveyDrawing, SurveyBatch)
# (state reached, batch name, drawing format)
STORIES = (
    (BatchState.SURVEYING, "测绘中", "dxf"),
    (BatchState.CONFIRMING, "三方确认中", "dxf"),
    (BatchState.RETURNED, "退回修改", "ifc"),
    (BatchState.SIGNING, "待签字", "dxf"),
    (BatchState.APPLIED, "已入账", "dxf"),
    (BatchState.REVERTED, "已撤销", "ifc"),
)


def existing() -> dict[str, int]:
    counts = {m._meta.verbose_name: m.objects.count() for m in MODELS}
    return {name: n for name, n in counts.items() if n}


def flush() -> int:
    return sum(m.objects.all().delete()[0] for m in MODELS)


def drawn_rooms(floor: Floor) -> list[tuple[str, str, float]]:
    """The floor's rooms as the surveyor measured them: the first 5 % smaller (beyond R9's
    3 %), the second 1 % smaller, the third not drawn, a storeroom more at the corridor's end."""
    rooms = list(floor.rooms.order_by("number"))
    out = []
    for index, room in enumerate(rooms):
        if index == 2:
            continue
        factor = {0: Decimal("0.95"), 1: Decimal("0.99")}.get(index, Decimal("1"))
        area = (room.usable_area * factor).quantize(Decimal("0.01"))
        out.append((room.number, room.name or room.get_category_display(), float(area)))
    taken = {r.number for r in rooms}
    number = next(n for n in (f"{floor.number}{k:02d}" for k in range(90, 100)) if n not in taken)
    out.append((number, "储藏间", 9.6))
    return out


def pick_floors(organization, count: int) -> list[Floor]:
    """Floors where the unit has at least three rooms, other buildings first."""
    rows = (
        Room.objects.filter(organization=organization, usable_area__isnull=False)
        .values("floor")
        .annotate(n=Count("id"))
        .filter(n__gte=3)
        .order_by("floor")
    )
    candidates = list(Floor.objects.filter(pk__in=[r["floor"] for r in rows]).order_by("pk"))
    seen: set[int] = set()
    first = [f for f in candidates if not (f.building_id in seen or seen.add(f.building_id))]
    rest = [f for f in candidates if f not in first]
    return (first + rest)[:count]


def build(run) -> None:
    users = run.users
    bureau, unit, surveyor = users.get("zz_bureau"), users.get("unit_admin"), users.get("surveyor")
    if not (bureau and unit and surveyor and unit.scope_organization_id):
        run.say("  测绘：缺少演示账号，跳过。")
        return
    for user in (unit, surveyor):
        provision_device(user=user)
    floors = pick_floors(unit.scope_organization, len(STORIES))
    made: dict[str, list[str]] = defaultdict(list)
    for (state, title, fmt), floor in zip(STORIES, floors, strict=False):
        batch = _story(bureau, unit, surveyor, floor, state, title, fmt)
        made[batch.get_state_display()].append(f"{batch.name}（{floor}）")
        run.rows += 1
    run.section(
        "测绘与三方确认",
        [f"{state}：{'、'.join(names)}" for state, names in made.items()]
        + [
            "账号 surveyor（测绘单位）、unit_admin（使用单位）、zz_bureau（管理局）各自确认和签字；"
            "签字需动态口令（manage.py demo_totp <账号>）。批次页面可下载各楼层的样例 DXF/IFC 图纸。"
        ],
    )


def _story(bureau, unit, surveyor, floor: Floor, state: str, title: str, fmt: str) -> SurveyBatch:
    building = floor.building
    batch, _ = services.SurveyBatchService().create(
        actor=bureau,
        data={
            "name": f"{building.compound.name}{building.name}{floor.label}测绘（{title}）",
            "region": bureau.scope_region,
            "company": "枣庄市勘察测绘院",
            "drawings_by": "枣庄市勘察测绘院（现场实测）",
            "responsible": "孙建华",
            "responsible_phone": "0632-3311520",
            "planned_start": floor.created_at.date(),
            "planned_end": floor.created_at.date().replace(month=12, day=31),
            "buildings": [building],
            "surveyors": [surveyor],
        },
    )
    rooms = drawn_rooms(floor)
    if fmt == "dxf":
        data, name = samples.office_floor_dxf(rooms), f"{floor.label}平面图.dxf"
    else:
        data, name = samples.office_building_ifc([rooms]), f"{building.name}.ifc"
    services.upload_drawing(
        actor=surveyor, batch=batch, floor=floor, file=SimpleUploadedFile(name, data)
    )
    if state == BatchState.SURVEYING:
        other = building.floors.exclude(pk=floor.pk).filter(rooms__isnull=False).first()
        if other is not None:  # a drawing cut short: its problems are listed, it is not used
            broken = samples.office_floor_dxf(drawn_rooms(other))
            services.upload_drawing(
                actor=surveyor,
                batch=batch,
                floor=other,
                file=SimpleUploadedFile(f"{other.label}平面图.dxf", broken[: len(broken) // 3]),
            )
        return batch
    services.submit(actor=surveyor, batch=batch)
    services.decide(actor=surveyor, batch=batch, party=Party.SURVEYOR, decision=Decision.CONFIRMED)
    if state == BatchState.CONFIRMING:
        first = batch.items.order_by("number").first()
        services.decide(
            actor=bureau,
            batch=batch,
            party=Party.BUREAU,
            decision=Decision.CONFIRMED,
            items=[first],
        )
        return batch
    if state == BatchState.RETURNED:
        mine = services.unit_items(unit, batch).order_by("-beyond_tolerance", "number")
        item = mine.first()
        services.decide(
            actor=unit,
            batch=batch,
            party=Party.UNIT,
            decision=Decision.DISPUTED,
            items=[item],
            reason="该房间内墙未拆除，实测面积应与原台账一致，请复测。",
        )
        return batch
    services.decide(actor=unit, batch=batch, party=Party.UNIT, decision=Decision.CONFIRMED)
    services.decide(actor=bureau, batch=batch, party=Party.BUREAU, decision=Decision.CONFIRMED)
    _sign(surveyor, batch, Party.SURVEYOR)
    if state == BatchState.SIGNING:
        return batch
    _sign(unit, batch, Party.UNIT)
    _sign(bureau, batch, Party.BUREAU)
    if state == BatchState.REVERTED:
        services.revert(actor=bureau, batch=batch)
    batch.refresh_from_db()
    return batch


def _sign(user, batch: SurveyBatch, party: str) -> None:
    """Sign as the demo account; a code that expired while the password was checked on a
    busy machine (the step turned over) is typed again, as a person would."""
    for attempt in range(3):
        try:
            services.sign(actor=user, batch=batch, party=party, **signing_credentials(user))
            return
        except ValidationError as exc:
            if attempt == 2 or "otp" not in getattr(exc, "message_dict", {}):
                raise
            time.sleep(1.1)  # the authenticator's back-off after a wrong code
