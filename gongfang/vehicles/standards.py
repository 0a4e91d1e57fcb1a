"""The vehicle standards applied: purchase caps, quota, new-energy share and renewal conditions.

Every check answers a :class:`Verdict` whose lines name the rule, the figures and the verdict in
Chinese: the vehicle cases show them before a case can be submitted, and refuse it when
``ok`` is false. The standard in force for a place is the national version with the local
versions of the regions above it laid over it, the nearest region winning cell by cell
(:func:`standard_for`).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.db.models import Count, Q

from ..framework import clock
from ..standards.models import region_prefixes
from .choices import BODY_CLASS, HOLDS_QUOTA, BodyClass, StandardParam, VehicleCategory
from .models import (
    Vehicle,
    VehicleQuota,
    VehicleStandardParameter,
    VehicleStandardRow,
)

WAN = Decimal(10000)


@dataclass(frozen=True)
class VerdictLine:
    """One rule applied: its name, the figures compared and the verdict, all in Chinese."""

    rule: str
    figures: str
    verdict: str
    ok: bool

    def __str__(self) -> str:
        return f"{self.rule}：{self.figures}——{self.verdict}"


@dataclass
class Verdict:
    lines: list[VerdictLine] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(line.ok for line in self.lines)

    @property
    def failures(self) -> list[VerdictLine]:
        return [line for line in self.lines if not line.ok]

    def add(self, rule: str, figures: str, verdict: str, ok: bool) -> None:
        self.lines.append(VerdictLine(rule, figures, verdict, ok))

    def extend(self, other: Verdict) -> Verdict:
        self.lines.extend(other.lines)
        return self

    def __str__(self) -> str:
        return "\n".join(str(line) for line in self.lines)


@dataclass(frozen=True)
class ResolvedStandard:
    """The cells of the standard in force for one place: each with the version it comes from."""

    rows: dict[tuple[str, str, bool], VehicleStandardRow]
    parameters: dict[str, VehicleStandardParameter]

    def row(self, category: str, body_class: str, exceptional: bool) -> VehicleStandardRow | None:
        return self.rows.get((category, body_class, exceptional))

    def param(self, key: str) -> Decimal | None:
        parameter = self.parameters.get(key)
        return parameter.value if parameter is not None else None

    def param_source(self, key: str) -> str:
        parameter = self.parameters.get(key)
        return parameter.standard.name if parameter is not None else "（未规定）"


def standard_for(region, on: datetime.date | None = None) -> ResolvedStandard:
    """The standard in force in ``region`` (``None``: the national one) on ``on``."""
    on = on or clock.today()
    prefixes = region_prefixes(region.path) if region is not None else []
    depth = {prefix: i + 1 for i, prefix in enumerate(prefixes)}
    in_force = Q(standard__effective_from__lte=on) & (
        Q(standard__effective_to__isnull=True) | Q(standard__effective_to__gte=on)
    )
    applies = Q(standard__region__isnull=True) | Q(standard__region__path__in=prefixes)

    def nearest_last(row) -> tuple[int, datetime.date]:
        region = row.standard.region
        return (depth.get(region.path, 0) if region else 0, row.standard.effective_from)

    rows = sorted(
        VehicleStandardRow.objects.filter(in_force & applies).select_related("standard__region"),
        key=nearest_last,
    )
    parameters = sorted(
        VehicleStandardParameter.objects.filter(in_force & applies).select_related(
            "standard__region"
        ),
        key=nearest_last,
    )
    return ResolvedStandard(
        rows={(r.category, r.body_class, r.exceptional): r for r in rows},
        parameters={p.key: p for p in parameters},
    )


def yuan(amount: Decimal) -> str:
    """An amount in 万元 the way the rules state caps: 18 万元, 16.8 万元."""
    value = (Decimal(amount) / WAN).quantize(Decimal("0.01")).normalize()
    return f"{value:f} 万元"


def litres(value: Decimal) -> str:
    return f"{Decimal(value).quantize(Decimal('0.1'))} 升"


def _category_label(category: str) -> str:
    return VehicleCategory(category).label


def check_purchase(
    *,
    organization,
    category: str,
    price: Decimal,
    displacement: Decimal | None,
    new_energy: bool,
    on: datetime.date | None = None,
    body: str = "sedan",
    justified: bool = False,
) -> Verdict:
    """Price and displacement of a vehicle to buy against the caps in force for the organization.

    A figure above the ordinary cap but within the exceptional one ("特殊情况") passes only with
    ``justified`` (the case states the reason). A new-energy small vehicle takes the new-energy
    price cap and has no displacement cap.
    """
    standard = standard_for(organization.region, on)
    verdict = Verdict()
    body_class = BODY_CLASS.get(body, BodyClass.SMALL)
    label = f"{_category_label(category)}（{BodyClass(body_class).label}）"
    ordinary = standard.row(category, body_class, False)
    exceptional = standard.row(category, body_class, True)
    if ordinary is None and exceptional is None:
        verdict.add(
            f"配备标准：{label}",
            "适用的公务用车标准中没有此类别、车型的配备标准",
            "不能配备",
            False,
        )
        return verdict
    rows = [row for row in (ordinary, exceptional) if row is not None]
    if all(row.price_cap is None and row.displacement_cap is None for row in rows):
        verdict.add(
            f"配备标准：{label}",
            "无全国统一的价格和排气量上限（由行业主管部门会同财政部门确定）",
            "按行业标准审核",
            True,
        )
        return verdict

    price = Decimal(price)
    new_energy_small = new_energy and body_class == BodyClass.SMALL
    if new_energy_small and (cap := standard.param(StandardParam.NEW_ENERGY_PRICE_CAP)) is not None:
        verdict.add(
            "新能源轿车价格上限",
            f"购置价格 {yuan(price)}，上限 {yuan(cap)}（{standard.param_source('new_energy_price_cap')}）",
            "符合" if price <= cap else f"超出上限 {yuan(price - cap)}，不能申报",
            price <= cap,
        )
        return verdict

    def fits(row: VehicleStandardRow | None) -> bool:
        if row is None:
            return False
        price_ok = row.price_cap is None or price <= row.price_cap
        disp_ok = (
            row.displacement_cap is None
            or displacement is None
            or Decimal(displacement) <= row.displacement_cap
        )
        return price_ok and disp_ok

    if fits(ordinary):
        verdict.lines += _cap_lines(ordinary, label, price, displacement)
        return verdict
    if fits(exceptional):
        if ordinary is not None:
            # Over the ordinary cap, within the exceptional one: allowed only with a reason.
            over = "超出一般标准，按特殊情况标准审核" if justified else "超出一般标准"
            verdict.lines += _cap_lines(ordinary, label, price, displacement, over, justified)
        verdict.lines += _cap_lines(exceptional, label, price, displacement)
        verdict.add(
            "特殊情况说明",
            "超出一般配备标准，在特殊情况标准以内"
            if ordinary is not None
            else "此车型只在特殊情况、因工作需要时配备",
            "已说明理由" if justified else "须说明特殊情况或工作需要的理由后方可申报",
            justified,
        )
        return verdict
    for row in (ordinary, exceptional):
        if row is not None:
            verdict.lines += _cap_lines(row, label, price, displacement)
    return verdict


def _cap_lines(
    row: VehicleStandardRow,
    label: str,
    price: Decimal,
    displacement: Decimal | None,
    over: str = "",
    over_ok: bool = False,
) -> list[VerdictLine]:
    """The price and displacement lines of one row; ``over`` replaces the verdict of a figure
    above the cap (with ``over_ok``) where an exceptional row may still allow it."""
    rule = f"{'特殊情况' if row.exceptional else ''}配备标准：{label}"
    lines = []
    if row.price_cap is not None:
        within = price <= row.price_cap
        lines.append(
            VerdictLine(
                f"{rule} 价格上限",
                f"购置价格 {yuan(price)}，上限 {yuan(row.price_cap)}（{row.standard.name}）",
                "符合" if within else over or f"超出上限 {yuan(price - row.price_cap)}，不能申报",
                within or over_ok,
            )
        )
    if row.displacement_cap is not None:
        if displacement is None:
            lines.append(VerdictLine(f"{rule} 排气量上限", "未填写排气量", "须填写排气量", False))
        else:
            within = Decimal(displacement) <= row.displacement_cap
            lines.append(
                VerdictLine(
                    f"{rule} 排气量上限",
                    f"排气量 {litres(displacement)}，上限 {litres(row.displacement_cap)}",
                    "符合" if within else over or "超出上限，不能申报",
                    within or over_ok,
                )
            )
    return lines


@dataclass(frozen=True)
class QuotaUse:
    """A category's quota (编制) of one organization and how much of it is used."""

    category: str
    quota: int
    used: int

    @property
    def free(self) -> int:
        return self.quota - self.used

    @property
    def label(self) -> str:
        return _category_label(self.category)


def quota_use(organization) -> list[QuotaUse]:
    """Quota, used and free per category for one organization (every category that has either)."""
    quotas = dict(
        VehicleQuota.objects.filter(organization=organization).values_list("category", "count")
    )
    used = dict(
        Vehicle.objects.filter(organization=organization, status__in=HOLDS_QUOTA)
        .values("category")
        .annotate(n=Count("pk"))
        .values_list("category", "n")
    )
    return [
        QuotaUse(category, quotas.get(category, 0), used.get(category, 0))
        for category in VehicleCategory.values
        if category in quotas or category in used
    ]


def check_quota(*, organization, category: str, adding: int = 1, replacing: int = 0) -> Verdict:
    """Whether ``adding`` vehicles (and retiring ``replacing``) keeps the category within quota.

    A renewal replaces one vehicle with one: adding=1, replacing=1 never exceeds a quota the fleet
    already keeps.
    """
    quota = (
        VehicleQuota.objects.filter(organization=organization, category=category)
        .values_list("count", flat=True)
        .first()
    )
    used = Vehicle.objects.filter(
        organization=organization, category=category, status__in=HOLDS_QUOTA
    ).count()
    after = used + adding - replacing
    rule = f"车辆编制：{_category_label(category)}"
    verdict = Verdict()
    change = f"本次新增 {adding} 辆" + (f"、更新替换 {replacing} 辆" if replacing else "")
    if not adding and not replacing:  # the quota as it stands (a vehicle's or a quota's page)
        change = ""
    if quota is None:
        verdict.add(
            rule,
            f"未核定此类别编制，现有 {used} 辆" + (f"，{change}" if change else ""),
            "未核定编制，不能申报" if after > 0 else "符合",
            after <= 0,
        )
        return verdict
    ok = after <= quota
    verdict.add(
        rule,
        f"编制 {quota} 辆，现有 {used} 辆" + (f"，{change}，申报后 {after} 辆" if change else ""),
        "在编制以内" if ok else f"超编 {after - quota} 辆，不能申报",
        ok,
    )
    return verdict


@dataclass(frozen=True)
class Share:
    """The new-energy share of an organization's new or replaced vehicles in one year."""

    year: int
    total: int
    new_energy: int
    aim: Decimal

    @property
    def share(self) -> Decimal | None:
        """Exact fraction; ``None`` when no vehicle was bought (no share, nothing missed)."""
        if self.total == 0:
            return None
        return Decimal(self.new_energy) / Decimal(self.total)

    @property
    def meets(self) -> bool | None:
        share = self.share
        return None if share is None else share >= self.aim

    @property
    def percent(self) -> str:
        """Rounded down: 29.96% shows as 29.9%, never as a 30.0% that misses the aim."""
        share = self.share
        if share is None:
            return "—"
        return f"{(share * 100).quantize(Decimal('0.1'), rounding=ROUND_DOWN)}%"

    def line(self, who: str = "") -> VerdictLine:
        aim = f"{(self.aim * 100).normalize():f}%"
        rule = f"新能源汽车配备比例（{self.year} 年{who}）"
        if self.total == 0:
            return VerdictLine(rule, f"当年无新增或更新车辆，目标不低于 {aim}", "无需考核", True)
        figures = (
            f"新增及更新 {self.total} 辆，其中新能源 {self.new_energy} 辆，"
            f"占 {self.percent}，目标不低于 {aim}"
        )
        return VerdictLine(
            rule, figures, "达到目标" if self.meets else "未达到目标", bool(self.meets)
        )


def share_aim(region=None, on: datetime.date | None = None) -> Decimal:
    value = standard_for(region, on).param(StandardParam.NEW_ENERGY_SHARE)
    return value if value is not None else Decimal("0.30")


def share_blocks(region=None, on: datetime.date | None = None) -> bool:
    """Whether a missed new-energy share stops a case (the standard's parameter; no parameter:
    a warning only, as the national standard has it)."""
    return bool(standard_for(region, on).param(StandardParam.NEW_ENERGY_SHARE_BLOCKS))


def new_energy_share(organization, year: int) -> Share:
    """The share of new-energy vehicles among the organization's vehicles bought in ``year``."""
    counts = Vehicle.objects.filter(organization=organization, bought_on__year=year).aggregate(
        total=Count("pk"), new_energy=Count("pk", filter=Q(new_energy=True))
    )
    return Share(
        year,
        counts["total"],
        counts["new_energy"],
        share_aim(organization.region, datetime.date(year, 12, 31)),
    )


def check_renewal(*, vehicle: Vehicle, on: datetime.date | None = None) -> Verdict:
    """Whether a vehicle meets the renewal conditions (years of use or mileage, either one)."""
    on = on or clock.today()
    standard = standard_for(vehicle.region, on)
    years = standard.param(StandardParam.RENEWAL_YEARS)
    km = standard.param(StandardParam.RENEWAL_KM)
    verdict = Verdict()
    if years is None and km is None:
        verdict.add("更新条件", "适用标准未规定更新条件", "不能申请更新", False)
        return verdict
    used_years = _years_between(vehicle.bought_on, on)
    year_ok = years is not None and used_years >= years
    km_ok = km is not None and vehicle.mileage >= km
    parts = []
    if years is not None:
        parts.append(f"已使用 {used_years} 年（满 {years.normalize():f} 年）")
    if km is not None:
        parts.append(f"行驶 {vehicle.mileage:,} 公里（满 {int(km):,} 公里）")
    verdict.add(
        "更新条件：使用年限或行驶里程满足其一",
        "，".join(parts),
        "符合更新条件" if year_ok or km_ok else "未达到更新条件，不能申请更新",
        year_ok or km_ok,
    )
    return verdict


def _years_between(start: datetime.date, end: datetime.date) -> int:
    """Whole years from ``start`` to ``end`` (a vehicle bought on 29 Feb is a year older on
    1 Mar)."""
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return max(years, 0)
