"""Dispatches and vehicle cases of the demo (called by ``vehicles.demo_part.build``).

**Dispatches.** A month of trips on the fleet just written: each car and each driver at most one
trip a day (so nothing overlaps), most returned with their mileage (leading up to the car's
registered mileage), a few rejected or cancelled; some cars out on the road now, and for the
coming days requests waiting (in the 市教育局 of ``unit_admin`` and in 滕州市, where ``zz_bureau``
may approve them), approved ones and assigned ones. Written with bulk inserts (about 7 trips a
car in the city profile, 2 in the province profile), deterministic (seeded).

**Cases.** The 市教育局 (``unit_admin``) runs vehicle cases through the engine's services in
every state: a draft, one waiting for the bureau, one waiting for the leader's signature, one
rejected, purchases approved (one car registered, one still to register), a renewal approved
(the old car 待处置) and that car's disposal approved; a purchase over the price cap is refused
at submission and is not a case. Its general-car quota is raised to make room (编制调整).
"""

from __future__ import annotations

import datetime
import random
import time
from collections import Counter, defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ..framework import clock
from ..framework.workdays import is_workday
from ..registry.demo.accounts import signing_credentials
from ..workflow import services as engine
from ..workflow.choices import CaseKind, TaskState
from ..workflow.models import Case
from .choices import DispatchState, Energy, StandardParam, VehicleCategory, VehicleStatus
from .kinds import register_vehicle
from .models import Dispatch, Driver, Vehicle, VehicleQuota
from .standards import standard_for
from .validators import vin_check_digit

PURPOSES = (
    "赴市政府参加会议",
    "下乡调研",
    "送达公文",
    "陪同上级检查",
    "参加培训",
    "现场督导",
    "接待来访",
    "赴县区检查工作",
    "机要文件交换",
    "防汛检查",
)
PLACES = ("市政府", "市委党校", "高铁站", "滕州市政府", "峄城区", "台儿庄区", "山亭区", "薛城区")
REJECTIONS = ("会议改为视频召开，无需用车。", "同一时段已安排集中乘车。")
CANCELS = ("行程取消。", "改乘公共交通。")


def build(run, *, vehicles: list[Vehicle], drivers: list[Driver]) -> None:
    started = time.perf_counter()
    rng = random.Random(f"dispatch-{run.seed}")
    users = run.users
    with transaction.atomic():
        counts = write_dispatches(rng, run.profile, vehicles, drivers, users)
    run.rows += sum(counts.values())
    lines = [f"{DispatchState(state).label}：{n:,}" for state, n in sorted(counts.items())]
    cases = build_cases(users)
    run.rows += cases["made"]
    lines += cases["lines"]
    run.section("派车与公务用车审批", lines)
    run.timings.append(f"派车与用车审批 {time.perf_counter() - started:.1f} 秒")


# Dispatches ------------------------------------------------------------------------------------
def requester_of(users: dict[str, Any], org, unit_org_id: int | None):
    """Who asked for the car: the unit's account for its own unit, else the bureau of the
    unit's county (滕州市) or city."""
    if org.pk == unit_org_id:
        return users["unit_admin"]
    if org.region.path.startswith(users["tz_bureau"].scope_region.path):
        return users["tz_bureau"]
    return users["zz_bureau"]


def approver_of(users: dict[str, Any], requester):
    """Never the requester: the city bureau, or its leader for the bureau's own requests."""
    return users["leader"] if requester == users["zz_bureau"] else users["zz_bureau"]


def local_at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    """``hour`` o'clock of ``day`` in local time (Asia/Shanghai)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def write_dispatches(rng, profile, vehicles, drivers, users) -> Counter:
    now = clock.now()
    today = clock.today()
    per_car = 2 if profile == "province" else 7
    days = [today - datetime.timedelta(days=k) for k in range(1, 31)]
    workdays = [d for d in days if is_workday(d)] or days
    coming = [today + datetime.timedelta(days=k) for k in range(1, 6)]
    unit = users.get("unit_admin")
    unit_org_id = unit.scope_organization_id if unit else None
    by_org: dict[int, list[Driver]] = defaultdict(list)
    for d in drivers:
        if d.active:
            by_org[d.organization_id].append(d)
    busy: set[tuple[str, int, datetime.date]] = set()
    rows: list[Dispatch] = []
    counts: Counter = Counter()
    own_out = False  # a car of the demo unit is out now
    fleet = [v for v in vehicles if v.status == VehicleStatus.IN_USE and by_org[v.organization_id]]
    for v in fleet:
        org = v.organization
        crew = by_org[v.organization_id]
        requester = requester_of(users, org, unit_org_id)
        approver = approver_of(users, requester)
        mileage = v.mileage
        plans: list[tuple[datetime.date, str]] = []
        own = v.organization_id == unit_org_id  # the demo unit's board shows every state
        if rng.random() < 0.04 or (own and not own_out):
            plans.append((today, "out"))
        for day in rng.sample(workdays, min(len(workdays), rng.randint(1, per_car * 2 - 1))):
            roll = rng.random()
            plans.append(
                (day, "rejected" if roll < 0.03 else "cancelled" if roll < 0.07 else "returned")
            )
        if rng.random() < 0.15 or own:
            plans.append((rng.choice(coming), "future"))
        # Latest first: the mileage runs back from the car's registered reading.
        for day, kind in sorted(plans, reverse=True):
            driver = next(
                (d for d in rng.sample(crew, len(crew)) if ("d", d.pk, day) not in busy), None
            )
            if driver is None or ("v", v.pk, day) in busy:
                continue
            if kind == "out":
                start = now - datetime.timedelta(minutes=rng.randint(30, 180))
                end = now + datetime.timedelta(minutes=rng.randint(60, 240))
            else:
                start = local_at(day, rng.randint(8, 15), rng.choice((0, 30)))
                end = start + datetime.timedelta(hours=rng.randint(1, 4))
            state = {
                "out": DispatchState.DEPARTED,
                "returned": DispatchState.RETURNED,
                "rejected": DispatchState.REJECTED,
                "cancelled": DispatchState.CANCELLED,
            }.get(kind) or future_state(
                rng, org.pk == unit_org_id or requester == users["tz_bureau"]
            )
            d = Dispatch(
                organization=org,
                region_id=v.region_id,
                requested_by=requester,
                purpose=rng.choice(PURPOSES),
                passengers=rng.randint(1, max(1, min(4, v.seats - 1))),
                origin="单位",
                destination=rng.choice(PLACES),
                start_at=start,
                end_at=end,
                state=state,
            )
            if state != DispatchState.REQUESTED:
                d.approved_by = approver
                d.approved_at = start - datetime.timedelta(hours=rng.randint(2, 30))
            if state == DispatchState.REJECTED:
                d.reject_reason = rng.choice(REJECTIONS)
            elif state == DispatchState.CANCELLED:
                d.cancel_reason = rng.choice(CANCELS)
            elif state in (DispatchState.ASSIGNED, DispatchState.DEPARTED, DispatchState.RETURNED):
                d.vehicle, d.driver = v, driver
                d.assigned_by, d.assigned_at = approver, d.approved_at
                busy.update({("v", v.pk, day), ("d", driver.pk, day)})
            if state == DispatchState.DEPARTED:
                d.departed_at, d.start_mileage = start, mileage
                own_out = own_out or own
            elif state == DispatchState.RETURNED:
                distance = rng.randint(8, 160)
                d.departed_at = start
                d.end_mileage = mileage
                d.start_mileage = max(mileage - distance, 0)
                d.returned_at = end - datetime.timedelta(minutes=rng.randint(0, 40))
                mileage = d.start_mileage
            rows.append(d)
            counts[state] += 1
    Dispatch.objects.bulk_create(rows, batch_size=2000)
    return counts


def future_state(rng, approvable: bool) -> str:
    """A coming trip: waiting for approval where a demo account may approve it, else approved
    or already given its car."""
    roll = rng.random()
    if approvable and roll < 0.5:
        return DispatchState.REQUESTED
    return DispatchState.APPROVED if roll < 0.7 else DispatchState.ASSIGNED


# Cases -----------------------------------------------------------------------------------------


def purchase(energy: str = Energy.ELECTRIC, price: str = "158000", **more) -> dict[str, str]:
    data = {
        "category": VehicleCategory.GENERAL,
        "body": "sedan",
        "energy": energy,
        "price": price,
        "seats": "5",
        "brand": "比亚迪",
        "model_name": "秦PLUS EV",
        "reason": "机关事务服务中心统一保障的车辆不足，用于日常公务出行。",
    }
    data.update(more)
    return data


class Runner:
    """Runs one case through the engine as the demo accounts."""

    def __init__(self, users: dict[str, Any]) -> None:
        self.unit = users["unit_admin"]
        self.org = self.unit.scope_organization
        self.approvers = [users["zz_bureau"], users["leader"]]
        self.made: list[int] = []

    def draft(self, kind: str, data: dict) -> Case:
        case = engine.create_case(actor=self.unit, kind=kind, applicant=self.org, data=data)
        self.made.append(case.pk)
        return case

    def submit(self, kind: str, data: dict) -> Case:
        return engine.submit_case(actor=self.unit, case=self.draft(kind, data))

    def step(self, case: Case, decision: str = "approve", comment: str = "同意。") -> Case:
        task = case.tasks.filter(state=TaskState.OPEN).select_related("step").first()
        actor = next(u for u in self.approvers if task.role in u.roles)
        extra = signing_credentials(actor) if task.step.needs_signature else {}
        return engine.decide(actor=actor, case=case, decision=decision, comment=comment, **extra)

    def approve(self, case: Case) -> Case:
        while case.tasks.filter(state=TaskState.OPEN).exists():
            case = self.step(case)
        return case


def build_cases(users: dict[str, Any]) -> dict[str, Any]:
    """The 市教育局's vehicle cases in every state; what the report shows."""
    if not {"unit_admin", "zz_bureau", "leader"} <= set(users):
        return {"made": 0, "lines": ["公务用车审批：缺少演示账号，未生成"]}
    runner = Runner(users)
    org = runner.org
    ensure_old_cars(org, 2)
    held = Vehicle.objects.filter(organization=org, category=VehicleCategory.GENERAL).count()
    VehicleQuota.objects.update_or_create(
        organization=org,
        category=VehicleCategory.GENERAL,
        defaults={"count": held + 4, "approved_by_document": "枣编办〔2026〕12号（演示）"},
    )
    lines: list[str] = []
    try:
        # Refused at submission: over the price cap. Not a case: the draft is rolled back.
        with transaction.atomic():
            engine.submit_case(
                actor=runner.unit,
                case=engine.create_case(
                    actor=runner.unit,
                    kind=CaseKind.VEHICLE_PURCHASE,
                    applicant=org,
                    data=purchase(Energy.PETROL, "268000", displacement="2.0", model_name="迈腾"),
                ),
            )
    except ValidationError as exc:
        lines.append(f"超标配备申请未能提交（不成为审批事项）：{exc.messages[0]}")
    try:
        registered = runner.approve(runner.submit(CaseKind.VEHICLE_PURCHASE, purchase()))
        register_vehicle(
            actor=runner.unit,
            case=registered,
            data={
                "plate": free_plate(org),
                "vin": demo_vin(registered.pk),
                "brand": "比亚迪",
                "model_name": "秦PLUS EV",
                "price": Decimal("156800"),
                "bought_on": clock.today(),
                "marked": True,
            },
        )
        runner.approve(runner.submit(CaseKind.VEHICLE_PURCHASE, purchase(price="149800")))
        runner.draft(
            CaseKind.VEHICLE_PURCHASE, purchase(Energy.PLUGIN_HYBRID, "172000", displacement="1.5")
        )
        runner.submit(CaseKind.VEHICLE_PURCHASE, purchase(price="139800", model_name="海豚"))
        runner.step(
            runner.submit(CaseKind.VEHICLE_PURCHASE, purchase(price="165000", model_name="元PLUS"))
        )
        runner.step(
            runner.submit(CaseKind.VEHICLE_PURCHASE, purchase(price="176000")),
            decision="reject",
            comment="本年度新增车辆已满足工作需要，暂不配备。",
        )
        old = old_car(org)
        if old is not None:
            runner.approve(
                runner.submit(
                    CaseKind.VEHICLE_RENEWAL,
                    {
                        **purchase(),
                        "old_vehicle": str(old.pk),
                        "reason": "原车使用年限已满，故障频繁。",
                    },
                )
            )
            runner.approve(
                runner.submit(
                    CaseKind.VEHICLE_DISPOSAL,
                    {"vehicle": str(old.pk), "method": "auction", "reason": "更新后原车公开拍卖。"},
                )
            )
    except (ValidationError, PermissionDenied) as exc:
        text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        lines.append(f"公务用车审批未能全部生成：{text}")
    lines += returned_and_drafted(runner, org)
    states = Counter(Case.objects.filter(pk__in=runner.made).values_list("state", flat=True))
    lines.insert(
        0,
        "市教育局公务用车审批："
        + "，".join(f"{Case(state=s).get_state_display()} {n}" for s, n in sorted(states.items())),
    )
    return {"made": len(runner.made), "lines": lines}


def returned_and_drafted(runner: Runner, org) -> list[str]:
    """A purchase, a renewal and a disposal each returned by the bureau for more papers, and a
    renewal and a disposal drafted, of the next car past its years."""
    try:
        runner.step(
            runner.submit(CaseKind.VEHICLE_PURCHASE, purchase(price="152000", model_name="秦PLUS")),
            decision="return",
            comment="请补充本单位车辆使用情况和配备理由。",
        )
        second = old_car(org)
        if second is None:
            return []
        renewal = {**purchase(), "old_vehicle": str(second.pk), "reason": "原车已超过使用年限。"}
        runner.step(
            runner.submit(CaseKind.VEHICLE_RENEWAL, renewal),
            decision="return",
            comment="请附原车技术状况鉴定报告。",
        )
        runner.draft(CaseKind.VEHICLE_RENEWAL, renewal)
        disposal = {"vehicle": str(second.pk), "method": "scrap", "reason": "车况差，拟报废。"}
        runner.step(
            runner.submit(CaseKind.VEHICLE_DISPOSAL, disposal),
            decision="return",
            comment="请说明报废理由并附评估报告。",
        )
        runner.draft(CaseKind.VEHICLE_DISPOSAL, disposal)
    except (ValidationError, PermissionDenied) as exc:
        text = "；".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        return [f"退回修改和草稿的公务用车审批未能全部生成：{text}"]
    return []


def renewal_age(org) -> int:
    """The years of use after which the standard in force for the unit allows a renewal."""
    years = standard_for(org.region).param(StandardParam.RENEWAL_YEARS)
    if years is None:
        raise ValueError(f"适用于{org}的公务用车标准未规定更新年限，演示数据无法生成待更新车辆。")
    return int(years)


def ensure_old_cars(org, count: int) -> None:
    """The unit's story needs ``count`` cars past the renewal age of its standard and free of
    trips (renewed, disposed of, returned): its earliest free cars are dated back, and where the
    random month of trips left fewer free, an old sedan of the unit parked at home is added."""
    today = clock.today()
    age = renewal_age(org)
    limit = today.replace(year=today.year - age)
    cars = list(
        Vehicle.objects.filter(organization=org, status=VehicleStatus.IN_USE)
        .exclude(dispatches__state__in=(DispatchState.ASSIGNED, DispatchState.DEPARTED))
        .order_by("bought_on", "pk")[:count]
    )
    for years, car in enumerate(cars, start=age + 1):
        if car.bought_on > limit:
            Vehicle.objects.filter(pk=car.pk).update(
                bought_on=today.replace(year=today.year - years)
            )
    taken = set(Vehicle.objects.filter(plate__startswith="鲁D9").values_list("plate", flat=True))
    plates = (p for n in range(1, 10_000) if (p := f"鲁D9{n:04d}") not in taken)
    for n in range(count - len(cars)):
        Vehicle.objects.create(
            organization=org,
            region=org.region,
            plate=next(plates),
            vin=demo_vin(9_000_000 + org.pk * 10 + n),
            category=VehicleCategory.GENERAL,
            brand="大众",
            model_name="帕萨特",
            energy=Energy.PETROL,
            displacement=Decimal("1.8"),
            price=Decimal("178000"),
            seats=5,
            bought_on=today.replace(year=today.year - age - 2 - n),
            mileage=268000,
            status=VehicleStatus.IN_USE,
        )


def old_car(org) -> Vehicle | None:
    """A car of the unit past the renewal age of its standard, free of trips to come."""
    today = clock.today()
    limit = today.replace(year=today.year - renewal_age(org))
    return (
        Vehicle.objects.filter(
            organization=org,
            status=VehicleStatus.IN_USE,
            bought_on__lte=limit,
        )
        .exclude(dispatches__state__in=(DispatchState.ASSIGNED, DispatchState.DEPARTED))
        .order_by("bought_on", "pk")
        .first()
    )


def free_plate(org) -> str:
    """A new-energy plate of the city (鲁D + D + five digits) not yet given."""
    taken = set(Vehicle.objects.filter(plate__startswith="鲁DD").values_list("plate", flat=True))
    return next(p for n in range(1, 100_000) if (p := f"鲁DD{n:05d}") not in taken)


def demo_vin(serial: int) -> str:
    body = f"LGXCE4CB0S{serial % 10_000_000:07d}"
    return body[:8] + vin_check_digit(body) + body[9:]
