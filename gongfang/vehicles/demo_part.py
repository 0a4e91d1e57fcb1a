"""The vehicles' part of the demo (``manage.py load_demo``): a fleet for the registry's
organizations with its drivers, quotas, fuel cards, a month of fuel records, repairs at designated
shops, insurance and annual inspections (some due, some overdue).

The fleet follows the 2014 reform of official vehicles: general-purpose cars are pooled at the
机关事务服务中心 and the townships; the police, courts, procuratorates, discipline commissions and
law-enforcement bureaus hold 执法执勤 cars, the party committees' offices 机要通信 cars,
emergency bureaus 应急保障 vehicles, some institutions 特种专业技术 vehicles. The new-energy share
of the cars bought each year rises from a few percent (2015) towards 30% (2025), each
organization with its own leaning, so some meet the aim and many do not (seed 004: 15%).

The city profile gets about a thousand vehicles; the province profile is scaled to the size of
Guangxi's platform (about 25,000). Deterministic (seeded), written with bulk inserts in batches.
``vehicles.demo_dispatch.build(run, vehicles=…, drivers=…)`` (dispatches and vehicle cases) runs
after, when that module exists.
"""

from __future__ import annotations

import datetime
import importlib
import random
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, transaction
from django.utils.module_loading import module_has_submodule

from ..framework import clock
from ..registry.choices import OrganizationStatus
from ..registry.demo.names import person_name
from ..registry.models import Compound, Organization, Region
from .choices import HOLDS_QUOTA, NEW_ENERGY, NO_ENGINE
from .models import (
    AnnualInspection,
    Dispatch,
    Driver,
    FuelCard,
    FuelRecord,
    InsurancePolicy,
    RepairRecord,
    RepairShop,
    Vehicle,
    VehicleQuota,
)
from .validators import VIN_VALUES, vin_check_digit

LABEL = "公务用车"
BATCH = 2000
PROVINCE_TARGET = 25_000
# 鲁 + the issuing office letter of each Shandong city (GA 36: 济南 A … 菏泽 R); the province's
# organs take 鲁A.
PROVINCE_CHAR = {"37": "鲁", "45": "桂"}
CITY_LETTER = {
    "370100": "A",
    "370200": "B",
    "370300": "C",
    "370400": "D",
    "370500": "E",
    "370600": "F",
    "370700": "G",
    "370800": "H",
    "370900": "J",
    "371000": "K",
    "371100": "L",
    "371300": "Q",
    "371400": "N",
    "371500": "P",
    "371600": "M",
    "371700": "R",
}
SERIAL_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
YEAR_CODES = dict(zip(range(2010, 2031), "ABCDEFGHJKLMNPRSTVWXY", strict=True))

# (name fragment, [(category, city count range, county count range)]) — first match wins.
FLEETS: tuple[tuple[str, tuple[tuple[str, tuple[int, int], tuple[int, int]], ...]], ...] = (
    ("公安", (("law_enforcement", (70, 95), (32, 48)), ("emergency", (3, 5), (1, 3)))),
    ("法院", (("law_enforcement", (10, 16), (5, 9)),)),
    ("检察院", (("law_enforcement", (8, 13), (4, 7)),)),
    ("纪律检查委员会", (("law_enforcement", (6, 9), (3, 5)),)),
    ("机关事务", (("general", (26, 36), (9, 15)), ("emergency", (2, 3), (1, 2)))),
    ("委办公室", (("confidential", (2, 4), (1, 2)),)),
    ("市场监督", (("law_enforcement", (8, 12), (4, 7)),)),
    ("综合行政执法", (("law_enforcement", (8, 14), (5, 9)),)),
    ("交通运输", (("law_enforcement", (7, 11), (3, 6)),)),
    ("自然资源", (("law_enforcement", (5, 8), (3, 5)),)),
    ("生态环境局", (("law_enforcement", (4, 7), (2, 4)),)),
    ("农业农村", (("law_enforcement", (3, 5), (1, 3)),)),
    ("文化和旅游", (("law_enforcement", (2, 4), (1, 2)),)),
    ("教育局", (("other", (2, 3), (0, 1)), ("emergency", (1, 1), (0, 1)))),
    ("应急", (("emergency", (4, 7), (2, 4)),)),
    ("水利", (("emergency", (3, 5), (1, 3)),)),
    ("卫生健康", (("emergency", (2, 4), (1, 2)),)),
    ("疾病预防", (("special", (3, 5), (1, 3)),)),
    ("监控中心", (("special", (2, 3), (1, 2)),)),
    ("监测", (("special", (2, 3), (1, 2)),)),
    ("水文", (("special", (1, 3), (1, 2)),)),
    ("气象", (("special", (1, 3), (1, 2)),)),
)
TOWNSHIP_FLEET = (("general", (1, 3), (1, 3)), ("law_enforcement", (0, 1), (0, 1)))
OTHER_FLEET = (("other", (0, 1), (0, 1)),)


@dataclass(frozen=True)
class Model:
    brand: str
    name: str
    body: str
    energy: str
    displacement: str | None
    price: int
    seats: int
    wmi: str
    fuel_norm: str  # litres (or kWh) per 100 km


SEDAN_PETROL = (
    Model("大众", "朗逸 1.5L", "sedan", "petrol", "1.5", 115_000, 5, "LSV", "6.8"),
    Model("丰田", "卡罗拉 1.2T", "sedan", "petrol", "1.2", 119_800, 5, "LFM", "6.2"),
    Model("大众", "桑塔纳 1.5L", "sedan", "petrol", "1.5", 98_000, 5, "LSV", "6.9"),
    Model("吉利", "帝豪 1.5L", "sedan", "petrol", "1.5", 89_800, 5, "L6T", "6.5"),
)
SEDAN_GENERAL = (
    Model("大众", "帕萨特 1.4T", "sedan", "petrol", "1.4", 178_000, 5, "LSV", "7.2"),
    Model("丰田", "凯美瑞 2.0L", "sedan", "hybrid", "2.0", 179_800, 5, "LVG", "5.1"),
    Model("红旗", "H5 1.5T", "sedan", "petrol", "1.5", 169_800, 5, "LFP", "7.0"),
    Model("别克", "君越 1.5T", "sedan", "petrol", "1.5", 178_800, 5, "LSG", "7.1"),
)
NEW_ENERGY_SMALL = (
    Model("比亚迪", "秦 PLUS EV", "sedan", "electric", None, 139_800, 5, "LGX", "12.5"),
    Model("比亚迪", "秦 PLUS DM-i", "sedan", "plugin_hybrid", "1.5", 109_800, 5, "LGX", "3.8"),
    Model("比亚迪", "汉 EV", "sedan", "electric", None, 179_800, 5, "LGX", "13.5"),
    Model("吉利", "几何 A", "sedan", "electric", None, 119_800, 5, "L6T", "12.0"),
    Model("广汽埃安", "AION S", "sedan", "electric", None, 139_800, 5, "LMG", "12.2"),
    Model("北汽", "EU5", "sedan", "electric", None, 125_900, 5, "LNB", "13.0"),
)
NEW_ENERGY_SUV = (
    Model("比亚迪", "唐 DM-i", "suv", "plugin_hybrid", "1.5", 179_800, 7, "LGX", "5.5"),
    Model("比亚迪", "宋 PLUS EV", "suv", "electric", None, 169_800, 5, "LGX", "14.5"),
)
SUV = (
    Model("长城", "哈弗 H6 1.5T", "suv", "petrol", "1.5", 119_800, 5, "LGW", "7.9"),
    Model("北京", "BJ40 2.0T", "suv", "petrol", "2.0", 179_800, 5, "LNB", "10.5"),
    Model("长城", "哈弗 H9 2.0T", "suv", "petrol", "2.0", 229_800, 7, "LGW", "11.2"),
)
MPV = (Model("别克", "GL8 2.0T", "mpv", "petrol", "2.0", 239_900, 7, "LSG", "9.5"),)
MEDIUM_BUS = (
    Model("依维柯", "得意 2.8T", "medium_bus", "diesel", "2.8", 219_000, 14, "LNV", "10.5"),
    Model("金龙", "凯歌 2.7L", "medium_bus", "petrol", "2.7", 189_000, 15, "LKL", "12.0"),
)
LARGE_BUS = (
    Model("宇通", "ZK6107", "large_bus", "diesel", "6.7", 429_000, 45, "LZY", "22.0"),
    Model("宇通", "E10 纯电动", "large_bus", "electric", None, 449_000, 40, "LZY", "90.0"),
)
SPECIAL = (
    Model("依维柯", "环境监测车", "special", "diesel", "2.8", 360_000, 6, "LNV", "11.0"),
    Model("福田", "疾控采样车", "special", "diesel", "2.5", 320_000, 6, "LVB", "10.5"),
    Model("江铃", "应急通信车", "special", "diesel", "2.4", 298_000, 5, "LEF", "10.0"),
)
PICKUP = (Model("江铃", "域虎 2.4T", "suv", "diesel", "2.4", 149_800, 5, "LEF", "9.5"),)

INSURERS = ("中国人民财产保险", "中国平安财产保险", "中国太平洋财产保险", "中华联合财产保险")
SHOP_NAMES = ("汽车维修服务有限公司", "汽车服务中心", "机动车维修有限公司", "汽车销售服务有限公司")
REPAIR_WORDS = (
    ("maintenance", "定期保养：更换机油、机滤、空滤", (350, 900)),
    ("maintenance", "更换轮胎四条", (1_600, 3_200)),
    ("repair", "更换刹车片、刹车盘", (700, 1_900)),
    ("repair", "更换蓄电池", (450, 900)),
    ("repair", "空调系统维修", (600, 2_400)),
    ("accident", "事故车维修：前保险杠、大灯", (2_500, 9_000)),
)


def _new_energy_chance(year: int, leaning: float) -> float:
    """The chance that a vehicle bought in ``year`` is new-energy: a few percent in 2015, about
    a quarter by 2025, times the organization's leaning."""
    base = min(max((year - 2014) * 0.024, 0.0), 0.28)
    return min(base * leaning, 0.95)


def _fleet_of(org: Organization) -> tuple[tuple[str, tuple[int, int], tuple[int, int]], ...]:
    for fragment, fleet in FLEETS:
        if fragment in org.name:
            return fleet
    if org.level == "township":
        return TOWNSHIP_FLEET
    return OTHER_FLEET


def _choose_model(rng: random.Random, category: str, new_energy: bool, police: bool) -> Model:
    if category == "special":
        return rng.choice(SPECIAL)
    if new_energy:
        if category == "emergency" and rng.random() < 0.5:
            return rng.choice(NEW_ENERGY_SUV)
        if category == "general" and rng.random() < 0.04:
            return LARGE_BUS[1]
        return rng.choice(NEW_ENERGY_SMALL)
    if category == "law_enforcement":
        roll = rng.random()
        if police and roll < 0.08:
            return rng.choice(MEDIUM_BUS)
        if roll < 0.25:
            return SUV[0]
        return rng.choice(SEDAN_PETROL)
    if category == "confidential":
        return rng.choice(SEDAN_PETROL[:3])
    if category == "emergency":
        return rng.choice((*SUV[1:], *PICKUP, MEDIUM_BUS[0]))
    if category == "general":
        roll = rng.random()
        if roll < 0.06:
            return MPV[0]
        if roll < 0.10:
            return rng.choice(MEDIUM_BUS)
        if roll < 0.12:
            return LARGE_BUS[0]
        return rng.choice(SEDAN_GENERAL)
    return rng.choice((*SEDAN_PETROL, PICKUP[0]))


def _vin(model: Model, year: int, serial: int) -> str:
    body = f"{model.wmi}{'ABCDEFGH'[serial % 8]}{serial % 97:02d}K{serial % 9}0"[:8]
    body += "0" + YEAR_CODES[year] + "A" + f"{serial:06d}"
    assert all(c in VIN_VALUES for c in body)
    return body[:8] + vin_check_digit(body) + body[9:]


class Plates:
    """Unique plates per issuing office: ordinary ``鲁D·A1234``, new-energy ``鲁D·D12345`` /
    ``鲁D·F12345``, police ``鲁D·1234警`` (GA 36)."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken
        self.counters: Counter[tuple[str, str]] = Counter()

    def next(self, prefix: str, kind: str) -> str:
        while True:
            n = self.counters[(prefix, kind)]
            self.counters[(prefix, kind)] += 1
            if kind == "police":
                plate = f"{prefix}{SERIAL_LETTERS[n // 1000 % 24]}{n % 1000:03d}警"
            elif kind in ("D", "F"):
                plate = f"{prefix}{kind}{(n * 7919 + 10_007) % 100_000:05d}"
            else:
                plate = f"{prefix}{SERIAL_LETTERS[n // 10_000 % 24]}{(n * 37 + 1_234) % 10_000:04d}"
            if plate not in self.taken:
                self.taken.add(plate)
                return plate


def _plate_prefix(region_path: str) -> str:
    codes = [c for c in region_path.split("/") if c]
    province = PROVINCE_CHAR.get(codes[0][:2], "鲁")
    return province + (CITY_LETTER.get(codes[1], "A") if len(codes) > 1 else "A")


def existing() -> dict[str, int]:
    counts = {m._meta.verbose_name: m.objects.count() for m in (Vehicle, Driver, Dispatch)}
    return {name: n for name, n in counts.items() if n}


def flush() -> int:
    deleted = 0
    for model in (
        Dispatch,
        FuelRecord,
        FuelCard,
        RepairRecord,
        InsurancePolicy,
        AnnualInspection,
        Vehicle,
        RepairShop,
        Driver,
        VehicleQuota,
    ):
        deleted += model.objects.all().delete()[0]
    return deleted


def build(run) -> None:
    started = time.perf_counter()
    rng = random.Random(f"vehicles-{run.seed}")
    today = clock.today()
    organizations = list(
        Organization.objects.filter(status=OrganizationStatus.ACTIVE)
        .select_related("region")
        .order_by("path")
    )
    plans = _plan_fleet(rng, organizations)
    if run.profile == "province":
        plans = _scale(plans, PROVINCE_TARGET)
    parking = _parking(organizations)
    with transaction.atomic():
        vehicles = _write_vehicles(rng, plans, parking, today)
        drivers = _write_drivers(rng, plans, today)
        quotas = _write_quotas(rng, vehicles)
        shops = _write_shops(rng, {o.region_id for o in organizations})
        counts = _write_costs(rng, vehicles, shops, today)
    counts.update(
        {
            "公务用车": len(vehicles),
            "驾驶员": len(drivers),
            "车辆编制": quotas,
            "维修单位": len(shops),
        }
    )
    run.rows += sum(counts.values())
    in_fleet = [v for v in vehicles if v.status in HOLDS_QUOTA]
    bought = Counter(v.bought_on.year for v in vehicles)
    bought_ne = Counter(v.bought_on.year for v in vehicles if v.new_energy)
    year = today.year - 1
    share = bought_ne[year] / bought[year] if bought[year] else 0
    lines = [f"{label}：{n:,}" for label, n in counts.items()]
    lines.append(
        f"在册车辆 {len(in_fleet):,} 辆，其中新能源 {sum(v.new_energy for v in in_fleet):,} 辆；"
        f"{year} 年新增及更新 {bought[year]:,} 辆，新能源占 {share:.1%}（目标不低于 30%）"
    )
    run.section("公务用车", lines)
    run.timings.append(f"公务用车 {time.perf_counter() - started:.1f} 秒")
    _build_dispatch(run, vehicles, drivers)
    refresh_statistics()


def refresh_statistics() -> None:
    """ANALYZE the fleet and dispatch tables once they are loaded: without statistics SQLite's
    planner ignores the board's (start_at, id) index and scans a month of dispatches."""
    with connection.cursor() as cursor:
        for model in (Vehicle, Dispatch):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def _build_dispatch(run, vehicles: list[Vehicle], drivers: list[Driver]) -> None:
    """Dispatches and vehicle cases (H5's module), on the fleet just written."""
    from .. import vehicles as package

    if module_has_submodule(package, "demo_dispatch"):
        module = importlib.import_module(f"{package.__name__}.demo_dispatch")
        module.build(run, vehicles=vehicles, drivers=drivers)


@dataclass
class FleetPlan:
    organization: Organization
    category: str
    count: int


def _plan_fleet(rng: random.Random, organizations: list[Organization]) -> list[FleetPlan]:
    plans = []
    for org in organizations:
        city_level = org.level in ("province", "city")
        for category, city_range, county_range in _fleet_of(org):
            low, high = city_range if city_level else county_range
            if org.level == "province":
                low, high = low * 2, high * 2
            count = rng.randint(low, high)
            if count:
                plans.append(FleetPlan(org, category, count))
    return plans


def _scale(plans: list[FleetPlan], target: int) -> list[FleetPlan]:
    total = sum(p.count for p in plans) or 1
    factor = target / total
    carry = 0.0
    for plan in plans:
        exact = plan.count * factor + carry
        plan.count = max(int(exact), 1)
        carry = exact - plan.count
    return plans


def _parking(organizations: list[Organization]) -> dict[int, int]:
    """The compound each organization parks in: its own, else its region's first."""
    owned: dict[int, int] = {}
    by_region: dict[int, int] = {}
    for pk, owner, region in Compound.objects.order_by("pk").values_list(
        "pk", "owner_org", "region"
    ):
        owned.setdefault(owner, pk)
        by_region.setdefault(region, pk)
    return {
        o.pk: owned.get(o.pk) or by_region.get(o.region_id)
        for o in organizations
        if owned.get(o.pk) or by_region.get(o.region_id)
    }


def _write_vehicles(
    rng: random.Random, plans: list[FleetPlan], parking: dict[int, int], today: datetime.date
) -> list[Vehicle]:
    plates = Plates(set(Vehicle.objects.values_list("plate", flat=True)))
    serial = Vehicle.objects.count() + 1
    vehicles = []
    leaning: dict[int, float] = {}
    for plan in plans:
        org = plan.organization
        lean = leaning.setdefault(org.pk, rng.choice((0.2, 0.5, 0.8, 1.0, 1.2, 1.6, 2.2)))
        police = "公安" in org.name
        prefix = _plate_prefix(org.region.path)
        for _ in range(plan.count):
            # Renewed steadily over the last ten years, a tail older than that.
            years = rng.uniform(0.05, 10) if rng.random() < 0.85 else rng.uniform(10, 14)
            age_days = int(years * 365)
            bought_on = today - datetime.timedelta(days=age_days)
            new_energy = rng.random() < _new_energy_chance(bought_on.year, lean)
            model = _choose_model(rng, plan.category, new_energy, police)
            if model.energy in NEW_ENERGY:
                kind = "D" if model.energy in NO_ENGINE else "F"
            else:
                kind = "police" if police and plan.category == "law_enforcement" else "ordinary"
            if rng.random() < 0.15 and model.energy in NEW_ENERGY and bought_on.year < 2018:
                kind = "ordinary"  # registered before new-energy plates reached the city
            per_year = rng.uniform(32_000, 52_000) if police else rng.uniform(14_000, 30_000)
            mileage = int(per_year * age_days / 365)
            status = rng.choices(
                ("in_use", "repair", "sealed", "pending_disposal", "disposed"),
                (90, 3, 3, 2, 2),
            )[0]
            if years > 9 and rng.random() < 0.25:
                status = rng.choice(("pending_disposal", "disposed"))
            vehicle = Vehicle(
                organization=org,
                region_id=org.region_id,
                plate=plates.next(prefix, kind),
                vin=_vin(model, bought_on.year, serial),
                category=plan.category,
                body=model.body,
                brand=model.brand,
                model_name=model.name,
                energy=model.energy,
                new_energy=model.energy in NEW_ENERGY,
                displacement=Decimal(model.displacement) if model.displacement else None,
                price=Decimal(model.price + rng.randrange(-3, 1) * 1_000),
                seats=model.seats,
                bought_on=bought_on,
                mileage=mileage,
                marked=plan.category in ("law_enforcement", "general") or rng.random() < 0.3,
                terminal=f"0{13_000_000_000 + serial:011d}" if rng.random() < 0.92 else "",
                fuel_norm=Decimal(model.fuel_norm),
                parking_compound_id=parking.get(org.pk),
                status=status,
            )
            if status == "disposed":
                vehicle.disposed_on = today - datetime.timedelta(days=rng.randint(10, 400))
                vehicle.disposal_kind = rng.choices(("auction", "scrap", "transfer"), (5, 3, 2))[0]
            vehicles.append(vehicle)
            serial += 1
    Vehicle.objects.bulk_create(vehicles, batch_size=BATCH)
    return vehicles


def _write_drivers(
    rng: random.Random, plans: list[FleetPlan], today: datetime.date
) -> list[Driver]:
    counts: Counter[int] = Counter()
    orgs: dict[int, Organization] = {}
    for plan in plans:
        police = "公安" in plan.organization.name
        counts[plan.organization.pk] += plan.count * (0.25 if police else 0.75)
        orgs[plan.organization.pk] = plan.organization
    drivers = []
    phone = 0
    for pk, weight in counts.items():
        org = orgs[pk]
        for _ in range(max(1, round(weight))):
            phone += 1
            expires = today + datetime.timedelta(days=rng.randint(-20, 6 * 365))
            drivers.append(
                Driver(
                    organization=org,
                    region_id=org.region_id,
                    name=person_name(rng),
                    phone=f"1{rng.choice('35789')}{rng.randrange(10)}{phone:08d}",
                    license_class=rng.choices(("C1", "B1", "A1"), (80, 12, 8))[0],
                    license_expires_on=expires,
                    active=rng.random() < 0.95,
                )
            )
    Driver.objects.bulk_create(drivers, batch_size=BATCH)
    return drivers


def _write_quotas(rng: random.Random, vehicles: list[Vehicle]) -> int:
    held: Counter[tuple[int, str]] = Counter()
    for v in vehicles:
        if v.status in HOLDS_QUOTA:
            held[(v.organization_id, v.category)] += 1
    quotas = []
    for (org, category), n in sorted(held.items()):
        roll = rng.random()
        count = n - 1 if roll < 0.04 and n > 1 else n + (1 if roll < 0.5 else 0)
        quotas.append(
            VehicleQuota(
                organization_id=org,
                category=category,
                count=count,
                approved_by_document="公务用车编制核定通知",
            )
        )
    VehicleQuota.objects.bulk_create(quotas, batch_size=BATCH)
    return len(quotas)


def _write_shops(rng: random.Random, region_ids: set[int]) -> list[RepairShop]:
    """Designated shops of each city and county seat (three each), and one not designated."""
    regions = Region.objects.filter(pk__in=region_ids, level__in=("province", "city", "county"))
    existing_names = set(RepairShop.objects.values_list("region", "name"))
    shops = []
    for region in regions.order_by("path"):
        for i in range(4):
            name = f"{region.name}{'鸿运通达顺安'[i * 2 % 6]}{'达泰通利'[i]}{SHOP_NAMES[i]}"
            if (region.pk, name) in existing_names:
                continue
            shops.append(
                RepairShop(
                    name=name,
                    region=region,
                    designated=i < 3,
                    designated_until=datetime.date(clock.today().year + 1, 12, 31)
                    if i < 3
                    else None,
                    address=f"{region.name}工业路 {rng.randint(1, 300)} 号",
                    phone=f"0632-{rng.randint(3_000_000, 8_999_999)}",
                )
            )
    RepairShop.objects.bulk_create(shops, batch_size=BATCH)
    return list(RepairShop.objects.filter(region_id__in=region_ids))


def _anniversary(bought_on: datetime.date, year: int) -> datetime.date:
    try:
        return bought_on.replace(year=year)
    except ValueError:  # 29 February
        return bought_on.replace(year=year, day=28)


def _write_costs(
    rng: random.Random, vehicles: list[Vehicle], shops: list[RepairShop], today: datetime.date
) -> Counter[str]:
    shops_by_region: dict[int, list[RepairShop]] = {}
    for shop in shops:
        shops_by_region.setdefault(shop.region_id, []).append(shop)
    region_paths = dict(Region.objects.values_list("pk", "path"))
    shop_ids_by_path = {region_paths[k]: v for k, v in shops_by_region.items()}
    cards, fuel, repairs, policies, inspections = [], [], [], [], []
    card_no = FuelCard.objects.count() + 1
    month_start = today - datetime.timedelta(days=30)
    for v in vehicles:
        if v.status == "disposed":
            continue
        electric = v.energy in NO_ENGINE
        card = FuelCard(
            vehicle=v,
            number=f"{'9' if electric else '1000'}{card_no:012d}",
            issuer="charging" if electric else rng.choices(("sinopec", "petrochina"), (7, 3))[0],
            issued_on=v.bought_on,
        )
        card_no += 1
        cards.append(card)
        _insurance(rng, v, today, policies)
        _inspection(rng, v, today, inspections)
        if v.status != "in_use":
            continue
        police = v.category == "law_enforcement" and "警" in v.plate
        month_km = int(rng.uniform(2_400, 4_200) if police else rng.uniform(600, 2_600))
        fills = max(1, round(month_km / rng.uniform(380, 520)))
        start_odo = max(v.mileage - month_km, 0)
        norm = v.fuel_norm or Decimal("8")
        unit_price = Decimal("1.25") if electric else Decimal("7.62")
        if v.energy == "diesel":
            unit_price = Decimal("7.31")
        for i in range(fills):
            day = month_start + datetime.timedelta(days=(i + 1) * 30 // (fills + 1))
            odometer = start_odo + month_km * (i + 1) // fills
            litres = (
                norm * Decimal(month_km / fills) / 100 * Decimal(rng.uniform(0.9, 1.15))
            ).quantize(Decimal("0.01"))
            fuel.append(
                FuelRecord(
                    vehicle=v,
                    card=card,
                    filled_on=day,
                    litres=max(litres, Decimal("5.00")),
                    amount=(max(litres, Decimal("5.00")) * unit_price).quantize(Decimal("0.01")),
                    odometer=odometer,
                    station="充电站" if electric else f"{card.get_issuer_display()}加油站",
                )
            )
        age = (today - v.bought_on).days / 365
        if rng.random() < 0.10 + min(age, 12) * 0.02:
            kind, words, (low, high) = rng.choice(REPAIR_WORDS)
            path = region_paths.get(v.region_id, "")
            local = []
            while path and not local:
                local = shop_ids_by_path.get(path, [])
                path = path[: path[:-1].rfind("/") + 1]
            shop = rng.choice(local) if local else None
            repairs.append(
                RepairRecord(
                    vehicle=v,
                    shop=shop,
                    kind=kind,
                    repaired_on=month_start + datetime.timedelta(days=rng.randint(0, 29)),
                    amount=Decimal(rng.randint(low, high)),
                    odometer=start_odo + rng.randint(0, month_km),
                    description=words,
                )
            )
    for model, rows in (
        (FuelCard, cards),
        (FuelRecord, fuel),
        (RepairRecord, repairs),
        (InsurancePolicy, policies),
        (AnnualInspection, inspections),
    ):
        model.objects.bulk_create(rows, batch_size=BATCH)
    return Counter(
        {
            "加油卡": len(cards),
            "加油记录（近 30 天）": len(fuel),
            "维修记录（近 30 天）": len(repairs),
            "车辆保险": len(policies),
            "年检": len(inspections),
        }
    )


def _insurance(rng, v: Vehicle, today: datetime.date, policies: list) -> None:
    start = _anniversary(v.bought_on, today.year)
    if start > today:
        start = _anniversary(v.bought_on, today.year - 1)
    if start < v.bought_on:
        start = v.bought_on
    end = _anniversary(start, start.year + 1) - datetime.timedelta(days=1)
    insurer = rng.choice(INSURERS)
    policies.append(
        InsurancePolicy(
            vehicle=v,
            kind="compulsory",
            insurer=insurer,
            policy_number=f"PDZA{start:%Y}{rng.randrange(10**9):09d}",
            start_on=start,
            end_on=end,
            premium=Decimal("950.00") if v.seats < 6 else Decimal("1100.00"),
        )
    )
    premium = Decimal(int(v.price) * rng.uniform(0.018, 0.028)).quantize(Decimal("1"))
    policies.append(
        InsurancePolicy(
            vehicle=v,
            kind="commercial",
            insurer=insurer,
            policy_number=f"PDAA{start:%Y}{rng.randrange(10**9):09d}",
            start_on=start,
            end_on=end,
            premium=premium,
        )
    )


def _inspection(rng, v: Vehicle, today: datetime.date, inspections: list) -> None:
    """The last inspection (done) and the next one (open; a few overdue, some due soon)."""
    due = _anniversary(v.bought_on, today.year)
    if due < today - datetime.timedelta(days=45):
        due = _anniversary(v.bought_on, today.year + 1)
    if (due - v.bought_on).days < 2 * 365:
        return
    last_due = _anniversary(v.bought_on, due.year - 1)
    done_on = last_due - datetime.timedelta(days=rng.randint(0, 20))
    if done_on > v.bought_on and done_on <= today:
        inspections.append(
            AnnualInspection(
                vehicle=v,
                due_on=last_due,
                done_on=done_on,
                result="passed",
                station=f"{v.plate[:2]}机动车检测站",
            )
        )
    done = due <= today and rng.random() < 0.7
    inspections.append(
        AnnualInspection(
            vehicle=v,
            due_on=due,
            done_on=min(due, today) if done else None,
            result="passed" if done else "",
            station=f"{v.plate[:2]}机动车检测站" if done else "",
        )
    )
