"""The maintenance part of the demo (``manage.py load_demo``): projects of the demo city in every
stage (run through the real services, cases and gates, with their papers filed), a three-year
plan with ranked proposals approved by the leader, service contracts, budgets and expenses of the
largest compounds. Deterministic (fixed choices, a seeded random for amounts) and quick: the
papers are small generated Word files and PNG photos, not PDFs rendered one by one.
"""

from __future__ import annotations

import datetime
import io
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count

from ..framework import clock
from ..framework.services import service_for
from ..registry.demo.accounts import signing_credentials
from ..registry.models import Building, Compound, Organization, Region
from ..workflow.choices import CaseKind
from . import services
from .choices import Stage
from .models import (
    Budget,
    Expense,
    MaintenancePayment,
    MaintenanceProject,
    PlanProposal,
    ProgressReport,
    ServiceContract,
    ThreeYearPlan,
)

LABEL = "维修项目与物业经费"
CITY = "370400"
SHANGHAI = ZoneInfo("Asia/Shanghai")
MODELS = (
    Expense,
    Budget,
    ServiceContract,
    MaintenancePayment,
    ProgressReport,
    MaintenanceProject,
    PlanProposal,
    ThreeYearPlan,
)


def existing() -> dict[str, int]:
    counts = {m._meta.verbose_name: m.objects.count() for m in MODELS}
    return {name: n for name, n in counts.items() if n}


def flush() -> int:
    from django.contrib.contenttypes.models import ContentType

    from ..archives.models import Document

    types = [ContentType.objects.get_for_model(m) for m in MODELS]
    deleted = 0
    # Later versions first: a first version is protected while later ones point to it.
    for current in (False, True):
        deleted += Document.objects.filter(
            subject_type__in=types, supersedes__isnull=current
        ).delete()[0]
    for model in MODELS:
        deleted += model.objects.all().delete()[0]
    return deleted


@contextmanager
def on_day(day: datetime.date, hour: int = 10) -> Iterator[None]:
    """Run what follows with the project clock at ``hour`` o'clock of ``day`` (then back)."""
    target = datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)
    delta = target - clock.now()
    clock.advance(delta)
    try:
        yield
    finally:
        clock.advance(-delta)


# Papers ---------------------------------------------------------------------------------------
def docx_bytes(title: str, lines: list[str]) -> bytes:
    import docx

    document = docx.Document()
    document.add_heading(title, level=1)
    for line in lines:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def photo_bytes(label: int, rng: random.Random) -> bytes:
    """A small site photo stand-in: a PNG with a colour of its own (no placeholder of 0 bytes)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 200), tuple(rng.randrange(90, 200) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20 + label * 10, 40, 200, 160), outline=(255, 255, 255), width=4)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


PAPERS = {
    "maintenance": ("维修方案及概算", "维修方案"),
    "contract": ("施工合同", "合同"),
    "construction": ("施工图设计及招标文件", "招标"),
}


def file_paper(user, project: MaintenanceProject, category: str, rng: random.Random, n=0) -> None:
    from django.core.files.base import ContentFile

    from ..archives.services import add_document

    if category == "photo":
        data, title = photo_bytes(n, rng), f"{project.title}施工{'前' if n == 0 else '后'}照片"
    elif category == "maintenance" and n:
        title = f"{project.title}竣工验收资料"
        data = docx_bytes(
            title, [f"项目：{project.title}", "验收结论：合格。", "竣工图、结算书已归集。"]
        )
    else:
        label, word = PAPERS[category]
        title = f"{project.title}{label}"
        data = docx_bytes(
            title,
            [
                f"项目名称：{project.title}",
                f"位置：{project.property_label}",
                f"估算金额：{project.estimate:,.2f} 元",
                f"{word}：{project.reason}",
            ],
        )
    suffix = ".png" if category == "photo" else ".docx"
    file = ContentFile(data, name=f"{title}{suffix}")
    add_document(user=user, subject=project, category=category, file=file, title=title)


# Projects -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Story:
    """One demo project: where, how big, how far it got, on which days (days before today)."""

    title: str
    kind: str
    goal: str  # a Stage value, or "waiting" (its case waits for the bureau)
    applied: int  # days ago the case was submitted
    duration: int  # planned days of works
    progress: int = 100
    paid_share: str = "1.00"  # payments / contract
    over: str = "0.95"  # contract / approved amount


STORIES = (
    Story("办公楼屋面防水及保温改造", "major", Stage.ARCHIVED, 700, 120),
    Story("外墙涂料翻新", "minor", Stage.ARCHIVED, 700, 60),
    Story("供暖管网及散热器更换", "major", Stage.EVALUATED, 300, 90),
    Story("卫生间给排水管道维修", "minor", Stage.ACCEPTED, 300, 45),
    Story("电梯更新改造", "major", Stage.IN_PROGRESS, 160, 180, 60, "0.40"),
    Story("消防设施维修", "minor", Stage.IN_PROGRESS, 160, 60, 80, "0.50"),  # overdue
    Story("中央空调系统维修", "major", Stage.IN_PROGRESS, 160, 200, 70, "0.98", "1.08"),
    Story("门窗更换", "major", Stage.APPROVED, 40, 90),
    Story("会议室吊顶维修", "minor", "waiting", 3, 30),
    Story("地下室防潮处理", "major", Stage.PROPOSED, 0, 60),
    Story("院内道路及排水沟维修", "minor", "draft", 0, 30),
    Story("楼顶避雷设施检测维修", "minor", "returned", 6, 30),
)
ORDER = list(Stage.values)


class Builder:
    def __init__(self, run, rng: random.Random) -> None:
        self.run = run
        self.rng = rng
        self.users = run.users
        self.today = clock.today()
        self.bureau = run.users["zz_bureau"]
        self.leader = run.users["leader"]
        self.unit = run.users.get("unit_admin")

    def day(self, back: int) -> datetime.date:
        return self.today - datetime.timedelta(days=back)

    def actor_for(self, building: Building):
        unit = self.unit
        if unit is not None and unit.scope_organization_id:
            visible = Building.objects.restrict(unit, "view").filter(pk=building.pk).exists()
            if visible:
                return unit, unit.scope_organization
        return self.bureau, building.compound.owner_org

    def project(self, story: Story, building: Building):
        """The project drafted, applied for and reviewed by the bureau, as far as its story
        goes before the leader's signature: (project, its case or None, the acting account)."""
        actor, org = self.actor_for(building)
        base = Decimal(
            self.rng.randrange(8, 60) * 10000
            if story.kind == "major"
            else self.rng.randrange(2, 9) * 10000
        )
        created = self.day(story.applied + 20)
        with on_day(created):
            project, _ = service_for(MaintenanceProject).create(
                actor=actor,
                data={
                    "building": building,
                    "organization": org,
                    "kind": story.kind,
                    "title": f"{building.name}{story.title}",
                    "reason": f"{building.name}建成于 {building.year_built or '早年'} 年，"
                    f"{story.title[:-2] if story.title.endswith('维修') else story.title}问题突出，影响正常办公。",
                    "estimate": base,
                    "funding_source": "财政预算资金",
                    "year": self.day(story.applied).year,
                },
            )
        if story.goal == Stage.PROPOSED:
            return project, None, actor
        from ..workflow import services as workflow

        if story.goal == "draft":  # the unit's application drafted, not yet sent
            with on_day(self.day(story.applied + 2)):
                workflow.create_case(
                    actor=actor,
                    kind=CaseKind.MAINTENANCE_PROJECT,
                    applicant=org,
                    data={"project": project.pk, "amount": str(project.estimate)},
                )
            return project, None, actor
        if story.kind == "major":
            file_paper(actor, project, "maintenance", self.rng)
        submitted = self.day(story.applied)
        with on_day(submitted, 9):
            case = services.submit_project(actor=actor, project=project)
        if story.goal == "waiting":
            return project, None, actor
        if story.goal == "returned":  # the bureau wants the estimate explained
            with on_day(submitted + datetime.timedelta(days=1), 10):
                workflow.decide(
                    actor=self.bureau,
                    case=case,
                    decision="return",
                    comment="请补充估算明细和现场照片后重新提交。",
                )
            return project, None, actor
        with on_day(submitted + datetime.timedelta(days=2), 15):
            workflow.decide(actor=self.bureau, case=case, decision="approve", comment="同意立项。")
        return project, case, actor

    def sign(self, day: datetime.date, cases: list) -> None:
        """The leader signs the cases waiting for him in one session (one identity check)."""
        from ..workflow import services as workflow

        for case in cases:
            case.refresh_from_db()
        with on_day(day, 16):
            results = workflow.decide_many(
                actor=self.leader,
                cases=cases,
                decision="approve",
                comment="同意。",
                **signing_credentials(self.leader),
            )
        refused = [f"{case}：{error}" for case, error in results if error]
        if refused:
            raise RuntimeError("；".join(refused))

    def reached(self, story: Story, stage: str) -> bool:
        return ORDER.index(story.goal) >= ORDER.index(stage)

    def advance(
        self, actor, project: MaintenanceProject, story: Story, start: datetime.date
    ) -> None:
        if not self.reached(story, Stage.IN_PROGRESS):
            return
        rng = self.rng
        file_paper(actor, project, "contract", rng)
        if project.kind == "major":
            file_paper(actor, project, "construction", rng)
        contract = (project.approved_amount * Decimal(story.over)).quantize(Decimal("100"))
        end = start + datetime.timedelta(days=story.duration)
        with on_day(start):
            services.start_works(
                actor=actor,
                project=project,
                contractor=rng.choice(
                    (
                        "枣庄市第一建筑工程有限公司",
                        "山东鲁南建设集团有限公司",
                        "枣庄市城建维修有限公司",
                    )
                ),
                contract_amount=contract,
                start_on=start,
                planned_end_on=end,
            )
        finish = min(end, self.today)
        steps = (30, 60, story.progress) if story.progress < 100 else (30, 70, 100)
        span = (finish - start).days
        for n, percent in enumerate(steps, start=1):
            day = start + datetime.timedelta(days=span * n // len(steps))
            with on_day(day):
                service_for(ProgressReport).create(
                    actor=actor,
                    data={
                        "project": project,
                        "reported_on": day,
                        "percent": percent,
                        "note": f"完成{percent}%",
                    },
                )
        paid = (contract * Decimal(story.paid_share)).quantize(Decimal("0.01"))
        shares = (Decimal("0.3"), Decimal("0.4"))
        amounts = [(paid * s).quantize(Decimal("0.01")) for s in shares]
        amounts.append(paid - sum(amounts))
        notes = ("预付款", "进度款", "结算款")
        for n, amount in enumerate(amounts):
            day = start + datetime.timedelta(days=span * (n + 1) // 3)
            with on_day(day):
                service_for(MaintenancePayment).create(
                    actor=actor,
                    data={"project": project, "paid_on": day, "amount": amount, "note": notes[n]},
                )
        project.refresh_from_db()
        if not self.reached(story, Stage.ACCEPTED):
            return
        file_paper(actor, project, "photo", rng, 0)
        if project.kind == "major":
            file_paper(actor, project, "photo", rng, 1)
        accepted = end + datetime.timedelta(days=5)
        with on_day(accepted):
            services.accept(
                actor=actor,
                project=project,
                accepted_on=accepted,
                result="passed",
                note="工程质量符合要求，资料齐全。",
            )
        if not self.reached(story, Stage.EVALUATED):
            return
        with on_day(accepted + datetime.timedelta(days=10)):
            services.evaluate(
                actor=self.bureau,
                project=project,
                score=80 + self.rng.randrange(0, 18),
                comment="按期完工，资金使用规范。",
            )
        if not self.reached(story, Stage.ARCHIVED):
            return
        file_paper(actor, project, "maintenance", rng, 1)
        with on_day(accepted + datetime.timedelta(days=20)):
            services.archive(actor=self.bureau, project=project)


def largest_compounds(city: Region, n: int) -> list[Compound]:
    return list(
        Compound.objects.filter(region=city)
        .annotate(n=Count("buildings"))
        .filter(n__gt=0)
        .order_by("-n", "pk")[:n]
    )


def buildings_for_stories(city: Region, unit) -> list[Building]:
    """A building per story: the unit admin's building first (its own projects), then the
    buildings of the largest compounds."""
    chosen: list[Building] = []
    if unit is not None and unit.scope_organization_id:
        chosen += list(Building.objects.restrict(unit, "view").order_by("pk")[:1])
    for compound in largest_compounds(city, 12):
        for building in compound.buildings.order_by("name"):
            if building not in chosen:
                chosen.append(building)
    return chosen


def build_projects(builder: Builder, city: Region) -> list[MaintenanceProject]:
    buildings = buildings_for_stories(city, builder.unit)
    # The unit's building gets the works under way and the one waiting, so its admin sees both.
    order = [4, 8, 0, 1, 2, 3, 5, 6, 7, 9, 10, 11]
    made: list[tuple[Story, MaintenanceProject, object, object]] = []
    for index, story_no in enumerate(order):
        story = STORIES[story_no]
        building = buildings[max(index - 1, 0) % len(buildings)]
        made.append((story, *builder.project(story, building)))
    # The leader signs in sessions (the stories applied on the same day), then the works go on.
    sessions: dict[int, list] = {}
    for entry in made:
        if entry[2] is not None:
            sessions.setdefault(entry[0].applied, []).append(entry)
    for applied, entries in sorted(sessions.items(), reverse=True):
        signed = builder.day(applied) + datetime.timedelta(days=4)
        builder.sign(signed, [case for _story, _project, case, _actor in entries])
        for story, project, _case, actor in entries:
            project.refresh_from_db()
            builder.advance(actor, project, story, signed + datetime.timedelta(days=6))
    return [project for _story, project, _case, _actor in made]


def build_plan(builder: Builder, city: Region) -> ThreeYearPlan:
    bureau, rng = builder.bureau, builder.rng
    start_year = builder.today.year + 1
    started = builder.day(45)
    with on_day(started):
        plan, _ = service_for(ThreeYearPlan).create(
            actor=bureau,
            data={
                "region": city,
                "start_year": start_year,
                "title": f"枣庄市市直机关办公用房 {start_year}—{start_year + 2} 年维修规划",
                "note": "依据房屋使用状况和历史维修数据，统筹安排三年维修项目。",
            },
        )
    works = (
        "屋面防水维修",
        "电梯更新",
        "外墙保温改造",
        "供暖管网更换",
        "消防系统改造",
        "门窗更换",
        "配电系统改造",
        "给排水管网改造",
    )
    conditions = ("dangerous", "poor", "poor", "fair", "fair", "poor", "good", "fair")
    proposals = []
    compounds = largest_compounds(city, 12)
    for n, work in enumerate(works):
        compound = compounds[n % len(compounds)]
        building = compound.buildings.order_by("name")[
            n // len(compounds) % compound.buildings.count()
        ]
        with on_day(started + datetime.timedelta(days=3 + n)):
            proposal, _ = service_for(PlanProposal).create(
                actor=bureau,
                data={
                    "plan": plan,
                    "building": building,
                    "organization": compound.owner_org,
                    "title": work,
                    "kind": "major" if n % 3 else "minor",
                    "estimate": Decimal(rng.randrange(10, 90) * 10000),
                    "year": start_year + n % 3,
                    "condition": conditions[n],
                    "note": f"{building}{work}，房屋使用状况{dict(PlanProposal._meta.get_field('condition').choices)[conditions[n]]}。",
                },
            )
        proposals.append(proposal)
    # The bureau ranks the worst first and leaves the good one out; the leader signs.
    ranked = [
        p.pk
        for p in sorted(
            proposals,
            key=lambda p: (
                ("dangerous", "poor", "fair").index(p.condition) if p.condition != "good" else 9
            ),
        )
        if p.condition != "good"
    ]
    applicant = (
        Organization.objects.filter(region=city, name__contains="机关事务").first()
        or compounds[0].owner_org
    )
    day = builder.day(20)
    with on_day(day):
        services.rank_proposals(actor=bureau, plan=plan, order=ranked)
        case = services.submit_plan(actor=bureau, plan=plan, applicant=applicant)
    from ..workflow import services as workflow

    with on_day(day + datetime.timedelta(days=3), 16):
        case.refresh_from_db()
        workflow.decide(
            actor=builder.leader,
            case=case,
            decision="approve",
            comment="同意。",
            **signing_credentials(builder.leader),
        )
    plan.refresh_from_db()
    return plan


def build_funds(builder: Builder, city: Region) -> tuple[int, int, int]:
    bureau, rng = builder.bureau, builder.rng
    year = builder.today.year
    providers = ("枣庄市城投物业服务有限公司", "山东鲁南物业管理有限公司", "枣庄市机关后勤服务中心")
    scope_sets = (
        ["cleaning", "security", "greening", "repair"],
        ["cleaning", "security"],
        ["cleaning", "security", "catering"],
    )
    contracts = budgets = expenses = 0
    for n, compound in enumerate(largest_compounds(city, 8)):
        area = sum((b.building_area for b in compound.buildings.all()), Decimal("0"))
        service_for(ServiceContract).create(
            actor=bureau,
            data={
                "compound": compound,
                "provider": providers[n % 3],
                "scopes": scope_sets[n % 3],
                "area": area,
                "price": Decimal(rng.randrange(250, 480)) / 100,
                "price_period": "month",
                "start_on": datetime.date(year - 1, 7, 1),
                "end_on": datetime.date(year + 1, 6, 30),
            },
        )
        contracts += 1
        monthly = (area * Decimal(rng.randrange(25, 45)) / 10).quantize(Decimal("0.01"))
        for month in range(1, builder.today.month + 1, 3):
            day = datetime.date(year, month, 10)
            if day > builder.today:
                break
            service_for(Expense).create(
                actor=bureau,
                data={
                    "compound": compound,
                    "item": "energy",
                    "spent_on": day,
                    "amount": monthly * 3,
                    "note": "水电燃气费（季度）",
                },
            )
            expenses += 1
        for item, planned in (
            ("property", area * Decimal("45")),
            ("maintenance", Decimal("600000")),
            ("energy", monthly * 12),
        ):
            service_for(Budget).create(
                actor=bureau,
                data={
                    "compound": compound,
                    "year": year,
                    "item": item,
                    "planned": planned.quantize(Decimal("100")),
                },
            )
            budgets += 1
    unit = builder.unit
    if unit is not None and unit.scope_organization_id:
        # The unit administrator's own budgets: its maintenance payments and its energy bills.
        for item, planned in (("maintenance", Decimal("200000")), ("energy", Decimal("60000"))):
            service_for(Budget).create(
                actor=unit,
                data={
                    "organization": unit.scope_organization,
                    "year": year,
                    "item": item,
                    "planned": planned,
                },
            )
            budgets += 1
        for month in range(1, builder.today.month + 1, 3):
            if datetime.date(year, month, 15) > builder.today:
                break
            service_for(Expense).create(
                actor=unit,
                data={
                    "organization": unit.scope_organization,
                    "item": "energy",
                    "spent_on": datetime.date(year, month, 15),
                    "amount": Decimal("13800.00"),
                    "note": "电费（季度）",
                },
            )
            expenses += 1
    return contracts, budgets, expenses


def build(run) -> None:
    started = time.perf_counter()
    city = Region.objects.filter(code=CITY).first()
    if city is None or "zz_bureau" not in run.users or "leader" not in run.users:
        run.section("维修项目与物业经费", ["未生成：演示城市或其账号不存在。"])
        return
    builder = Builder(run, random.Random(run.seed))
    projects = build_projects(builder, city)
    plan = build_plan(builder, city)
    contracts, budgets, expenses = build_funds(builder, city)
    stages = {}
    for project in MaintenanceProject.objects.filter(pk__in=[p.pk for p in projects]):
        stages[project.get_stage_display()] = stages.get(project.get_stage_display(), 0) + 1
    flagged = [
        p
        for p in MaintenanceProject.objects.filter(pk__in=[p.pk for p in projects])
        if p.is_overdue or p.is_over_budget
    ]
    lines = [
        f"维修项目 {len(projects)} 个：" + "，".join(f"{k} {v}" for k, v in stages.items()),
        "提示："
        + "；".join(
            f"{p.title}（{'逾期' if p.is_overdue else ''}{'超批准金额' if p.is_over_budget else ''}）"
            for p in flagged
        ),
        f"三年维修规划：{plan}（{plan.get_state_display()}，申报 {plan.proposals.count()} 项，"
        f"列入 {plan.proposals.filter(rank__isnull=False).count()} 项）",
        f"物业服务合同 {contracts} 份，经费预算 {budgets} 项，能耗支出 {expenses} 笔",
    ]
    run.section("维修项目与物业经费", lines)
    run.rows += len(projects) + contracts + budgets + expenses + plan.proposals.count() + 1
    run.timings.append(f"维修与物业 {time.perf_counter() - started:.1f} 秒")
