"""The cases of the demo city: every kind in every state, built through the engine's services.

Each demo account logs in to real work: the 枣庄市 bureau (``zz_bureau``) and the 滕州市 bureau
(``tz_bureau``) to cases waiting for their review, the leader to cases waiting for his signature
(and a 预警暂不整改 request), the 市教育局 administrator (``unit_admin``) to drafts, cases returned
to him and a 处置 countersign (会签) of its 主管部门. Past them: rejected, withdrawn, approved cases
waiting for their date, and applied ones whose effects are in the registry (rooms lent with an
approval, so no R8; the planted loans made without one stay R8 warnings).

Every step happens on its own past working day (the project clock set to it); the leader signs in
sessions every few working days, several cases under one identity confirmation, as on his to-do
page. Subjects are rooms in use that no warning names (nor their occupants), the empty ones
first, each used by one case only.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, F, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from ..compliance.models import ACTIVE_STATES, Warning
from ..registry.choices import RoomCategory, RoomStatus
from ..registry.models import Building, Compound, Occupancy, Organization, Region, Room
from ..workflow import services
from ..workflow.choices import Action, CaseKind, CaseState
from ..workflow.kinds import KINDS
from ..workflow.models import Case, CaseAction, Task
from .story import Refused, Story, on_day, working_days_after, working_days_back

# The states a case is left in (beyond the engine's: where in review it waits).
DRAFT = "draft"
WAIT_BUREAU = "wait_bureau"  # submitted, the bureau's review open
WAIT_LEADER = "wait_leader"  # the bureau approved, the leader's signature open
COUNTERSIGN = "countersign"  # a 会签 where only the unit administrator has still to approve
RETURNED = "returned"
REJECTED = "rejected"
WITHDRAWN = "withdrawn"
APPROVED = "approved"  # approved, waiting for its effective date
APPLIED = "applied"

# What each state shows in the report.
GOALS = {
    DRAFT: "草稿",
    WAIT_BUREAU: "待管理局审核",
    WAIT_LEADER: "待领导签批",
    COUNTERSIGN: "待主管部门会签",
    RETURNED: "已退回修改",
    REJECTED: "未予批准",
    WITHDRAWN: "已撤回",
    APPROVED: "已批准待生效",
    APPLIED: "已办结",
}

REJECTION = "不符合《党政机关办公用房管理办法》有关规定，不予批准。"
# The leader signs in a session every this many working days.
SESSION_EVERY = 4

# The office-space kinds this module builds; the maintenance and vehicle kinds come with their
# apps' own demo parts (they know their subjects: projects, plans, cars).
BUILT_HERE = (
    CaseKind.ALLOCATION,
    CaseKind.VACATE,
    CaseKind.LEND,
    CaseKind.LEASE_IN,
    CaseKind.LEASE_OUT,
    CaseKind.DISPOSAL,
    CaseKind.CHANGE_OF_USE,
    CaseKind.TITLE_FILING,
    CaseKind.WARNING_WAIVER,
    CaseKind.CONSTRUCTION,
)
SINGLE_BUREAU_STEP = (CaseKind.LEASE_IN, CaseKind.TITLE_FILING)
DATED = (
    CaseKind.ALLOCATION,
    CaseKind.VACATE,
    CaseKind.LEND,
    CaseKind.LEASE_OUT,
    CaseKind.CHANGE_OF_USE,
    CaseKind.DISPOSAL,
)


@dataclass(frozen=True)
class Plan:
    kind: str
    goal: str
    side: str  # "unit" (unit_admin for 市教育局), "city" (zz_bureau), "county" (tz_bureau)
    back: int  # working days ago the case was drafted


def zaozhuang_plans() -> list[Plan]:
    plans: list[Plan] = []
    for kind in BUILT_HERE:
        goals = [DRAFT, WAIT_BUREAU, WAIT_LEADER, RETURNED, REJECTED, WITHDRAWN, APPROVED, APPLIED]
        if kind in SINGLE_BUREAU_STEP:
            goals.remove(WAIT_LEADER)
        if kind == CaseKind.WARNING_WAIVER:  # one step: the leader's signature
            goals.remove(WAIT_BUREAU)
        if kind == CaseKind.DISPOSAL:
            goals.insert(3, COUNTERSIGN)
        if kind not in DATED:
            goals.remove(APPROVED)
        for n, goal in enumerate(goals):
            plans.append(Plan(kind, goal, side_of(kind, goal), back=3 + (n * 7 + len(kind)) % 15))
    # Loans approved and in force (their rooms 出借 without an R8 warning), and one more case of
    # the 滕州市 bureau waiting for it.
    plans += [Plan(CaseKind.LEND, APPLIED, "city", back=20 + n) for n in range(3)]
    plans += [Plan(CaseKind.VACATE, WAIT_BUREAU, "county", back=2)]
    return plans


def small_plans() -> list[Plan]:
    """A few cases waiting for each account; none applied (the small city's registry and its
    planted warnings stay as the tests of the registry and compliance count them)."""
    return [
        Plan(CaseKind.LEND, DRAFT, "unit", back=1),
        Plan(CaseKind.VACATE, WAIT_BUREAU, "unit", back=2),
        Plan(CaseKind.LEND, WAIT_LEADER, "city", back=4),
        Plan(CaseKind.CHANGE_OF_USE, RETURNED, "unit", back=5),
    ]


def side_of(kind: str, goal: str) -> str:
    if kind == CaseKind.DISPOSAL:
        return "unit"  # its 会签 names the 主管部门's administrator
    if kind == CaseKind.CONSTRUCTION:
        return "county"  # its last step goes to the bureau above: 滕州市 → 枣庄市
    if goal in (DRAFT, RETURNED, WITHDRAWN):
        return "unit"
    return "city"


ACTORS = {"unit": "unit_admin", "city": "zz_bureau", "county": "tz_bureau"}


class Pool:
    """Rooms and organizations the cases may name, each room used once."""

    def __init__(self, users: dict[str, Any]) -> None:
        self.used: set[int] = set()
        unit = users.get("unit_admin")
        self.unit_org = unit.scope_organization if unit else None
        self.city = Region.objects.filter(code="370400").first()
        self.county = Region.objects.filter(code="370481").first()
        # Rooms a warning names, or whose occupant a warning names: the planted cases stay.
        self.current = Occupancy.objects.filter(ended_on__isnull=True)
        warned_persons = Warning.objects.filter(person__isnull=False).values("person_id")
        self.warned = set(
            Warning.objects.filter(room__isnull=False).values_list("room_id", flat=True)
        ) | set(self.current.filter(person__in=warned_persons).values_list("room_id", flat=True))
        self._orgs: dict[str, list[Organization]] = {}

    def orgs(self, side: str) -> list[Organization]:
        """Active organizations of a side with free rooms, the busiest first."""
        if side not in self._orgs:
            orgs = Organization.objects.filter(status="active")
            if side == "unit":
                orgs = orgs.filter(pk=self.unit_org.pk) if self.unit_org else orgs.none()
            elif side == "county":
                orgs = orgs.filter(region=self.county) if self.county else orgs.none()
            else:
                orgs = orgs.filter(region__path__startswith=self.city.path).exclude(
                    region__path__startswith=self.county.path if self.county else "-"
                )
                if self.unit_org:
                    orgs = orgs.exclude(pk=self.unit_org.pk)
            orgs = [o for o in orgs.order_by("pk") if self.free_rooms(o).exists()]
            self._orgs[side] = orgs
        return self._orgs[side]

    def free_rooms(self, org: Organization):
        """Rooms in use of ``org`` that no warning names, the empty ones first."""
        return (
            Room.objects.filter(organization=org, status=RoomStatus.IN_USE)
            .exclude(pk__in=self.warned | self.used)
            .annotate(occupied=Exists(self.current.filter(room=OuterRef("pk"))))
            .order_by("occupied", "pk")
        )

    def take(self, org: Organization, n: int = 1) -> list[Room]:
        rooms = list(self.free_rooms(org)[:n])
        if len(rooms) < n:
            raise Refused(f"{org}没有足够的空闲房间")
        self.used.update(r.pk for r in rooms)
        return rooms

    def other_org(self, actor, org: Organization, n: int) -> Organization:
        """Another active organization the actor may name (a receiver, a borrower) in the
        applicant's region or below it (where the approval's authority reaches); for a unit
        administrator, one of its own sub-units."""
        orgs = list(
            Organization.objects.restrict(actor, "view")
            .filter(status="active", region__path__startswith=org.region.path)
            .exclude(pk=org.pk)
            .order_by("pk")[: 40 + n]
        )
        if not orgs:
            raise Refused(f"没有可作对方单位的单位（{org}以外）")
        return orgs[n % len(orgs)]

    def warning_of(self, side: str, n: int) -> Warning | None:
        """An open warning held by an organization of the side, not yet asked to be waived."""
        waived = {
            c.payload.get("warning") for c in Case.objects.filter(kind=CaseKind.WARNING_WAIVER)
        }
        warnings = (
            Warning.objects.filter(state__in=ACTIVE_STATES, organization__isnull=False)
            .filter(organization__region__path__startswith=self.city.path)
            .exclude(pk__in=[w for w in waived if w])
            .order_by("rule", "pk")
        )
        found = list(warnings[: n + 1])
        return found[n] if len(found) > n else (found[0] if found else None)


class CaseBuilder:
    def __init__(self, story: Story, pool: Pool) -> None:
        self.story = story
        self.pool = pool
        # (case, the leader's task, decision, the first day he may sign) for sign_sessions().
        self.to_sign: list[tuple[Case, Task, str, datetime.date]] = []
        self.made: list[int] = []

    def data(self, kind: str, actor, applicant, start: datetime.date, goal: str, n: int):
        """The form data of a case of ``kind``; dates relative to the drafting day."""
        pool = self.pool
        # An approved case waiting for its date takes effect next month.
        begin = (
            self.story.today + datetime.timedelta(days=30) if goal == APPROVED else start
        ).isoformat()
        if kind == CaseKind.ALLOCATION:
            rooms = pool.take(applicant, 2)
            receiver = pool.other_org(actor, applicant, n + 1)
            return {
                "rooms": [r.pk for r in rooms],
                "receiver": receiver.pk,
                "effective_on": begin,
                "end_occupancies": True,
                "reason": f"{receiver}新增内设机构，人员增加，办公用房不足，经协调调剂。",
            }
        if kind == CaseKind.VACATE:
            rooms = pool.take(applicant, 1)
            return {
                "rooms": [r.pk for r in rooms],
                "return_to_pool": n % 2 == 0,
                "effective_on": begin,
                "reason": "机构改革后人员减少，腾退多余用房交机关事务管理局统一调剂。",
            }
        if kind == CaseKind.LEND:
            rooms = pool.take(applicant, 1)
            borrower = pool.other_org(actor, applicant, n + 3)
            end = datetime.date.fromisoformat(begin) + datetime.timedelta(days=365)
            return {
                "rooms": [r.pk for r in rooms],
                "borrower": borrower.pk,
                "starts_on": begin,
                "ends_on": end.isoformat(),
                "agreement_number": f"借〔{start.year}〕{n + 1:02d}号",
                "reason": f"{borrower}临时办公场所不足，借用一年。",
            }
        if kind == CaseKind.LEASE_OUT:
            rooms = pool.take(applicant, 1)
            end = datetime.date.fromisoformat(begin) + datetime.timedelta(days=730)
            return {
                "rooms": [r.pk for r in rooms],
                "tenant": "枣庄市城投物业服务有限公司",
                "rent": "36000.00",
                "starts_on": begin,
                "ends_on": end.isoformat(),
                "agreement_number": f"租赁〔{start.year}〕{n + 1:02d}号",
                "bidding_record": f"枣庄市公共资源交易平台公告 ZZGG-{start.year}-{n + 101:03d}",
                "reason": "临街底层闲置用房，经公开招租出租，收入上缴财政。",
            }
        if kind == CaseKind.CHANGE_OF_USE:
            rooms = pool.take(applicant, 1)
            return {
                "rooms": [r.pk for r in rooms],
                "category": RoomCategory.SERVICE,
                "subtype": "档案室",
                "starts_on": begin,
                "reason": "档案数量增加，原档案室不足，改作档案室使用。",
            }
        if kind == CaseKind.DISPOSAL:
            rooms = pool.take(applicant, 1)
            return {
                "method": "seal",
                "rooms": [r.pk for r in rooms],
                "effective_on": begin,
                "reason": "房屋结构老化，封存备用，待统一处置。",
            }
        if kind == CaseKind.LEASE_IN:
            region = applicant.region
            return {
                "name": f"{applicant.short_name or applicant.name}租用办公楼{n + 1}",
                "region": region.pk,
                "address": f"{region.name}光明大道{100 + n}号",
                "landlord": "枣庄市某置业有限公司",
                "building_name": "租用楼座",
                "floors_above": 3,
                "height_class": "multi",
                "building_area": "420.00",
                "usable_area": "300.00",
                "category": RoomCategory.OFFICE,
                "rent": "120000.00",
                "starts_on": start.isoformat(),
                "ends_on": (start + datetime.timedelta(days=1095)).isoformat(),
                "agreement_number": f"租用〔{start.year}〕{n + 1:02d}号",
                "reason": "原办公楼鉴定为危房，搬迁期间租用过渡。",
            }
        if kind == CaseKind.CONSTRUCTION:
            building = (
                Building.objects.filter(compound__owner_org=applicant).order_by("pk").first()
                or Building.objects.filter(compound__region=applicant.region).order_by("pk").first()
            )
            return {
                "project_kind": "renovation",
                "name": f"{building.name if building else '办公楼'}维修改造",
                "building": building.pk if building else "",
                "budget": "85.00",
                "funding": "财政预算资金",
                "starts_on": (start + datetime.timedelta(days=60)).isoformat(),
                "necessity": "屋面渗漏、供暖管网老化，影响正常办公，仅作维修，不扩大面积、不提高标准。",
            }
        if kind == CaseKind.WARNING_WAIVER:
            warning = pool.warning_of("city", n)
            if warning is None:
                raise Refused("没有可申请暂不整改的预警")
            return {
                "warning": warning.pk,
                "action": "defer" if n % 2 == 0 else "file",
                "reason": "该单位正在整体搬迁，新址启用后一并整改。",
            }
        if kind == CaseKind.TITLE_FILING:
            compound = (
                Compound.objects.filter(owner_org=applicant).order_by("pk").first()
                or Compound.objects.filter(region=applicant.region).order_by("pk").first()
            )
            return {
                "compound": compound.pk,
                "kind": "certificate",
                "certificate_number": f"鲁（{start.year}）枣庄市不动产权第{1000 + n:07d}号",
                "holder": applicant.pk,
                "area": "2400.00",
                "issued_on": start.isoformat(),
                "source_document": "不动产登记中心颁发",
            }
        raise Refused("未知的事项类型")

    def applicant(self, plan: Plan, n: int) -> Organization:
        kind = plan.kind
        if kind == CaseKind.WARNING_WAIVER:
            warning = self.pool.warning_of("city", n)
            if warning is None:
                raise Refused("没有可申请暂不整改的预警")
            return warning.organization
        orgs = self.pool.orgs(plan.side)
        if not orgs:
            raise Refused("没有可作申请单位的单位")
        return orgs[n % len(orgs)]

    def actor(self, plan: Plan, applicant: Organization):
        if plan.kind == CaseKind.WARNING_WAIVER:  # a request of the bureau (as on its warning page)
            return self.story.users["zz_bureau"]
        return self.story.users[ACTORS[plan.side]]

    def build(self, plan: Plan, n: int) -> Case:
        try:
            return self.run(plan, n)
        except Refused:
            if plan.side != "unit" or plan.kind == CaseKind.DISPOSAL:
                raise
            # Nothing of the unit's own fits (a small city): the bureau's case instead.
            return self.run(Plan(plan.kind, plan.goal, "city", plan.back), n)

    def run(self, plan: Plan, n: int) -> Case:
        story = self.story
        day = story.today if plan.back <= 0 else working_days_back(story.today, plan.back)
        applicant = self.applicant(plan, n)
        actor = self.actor(plan, applicant)
        data = self.data(plan.kind, actor, applicant, day, plan.goal, n)
        case = story.create(actor=actor, kind=plan.kind, applicant=applicant, data=data, day=day)
        if plan.goal == DRAFT:
            return case
        case = story.submit(case, actor=actor, day=day)
        if plan.goal == WAIT_BUREAU:
            return case
        if plan.goal == WITHDRAWN:
            return story.withdraw(
                case,
                actor=actor,
                day=working_days_after(day, 1),
                comment="申请内容需进一步核实，先行撤回。",
            )
        if plan.goal == RETURNED:
            task = story.open_tasks(case)[0]
            return story.decide(
                case,
                task,
                decision=Action.RETURN,
                day=working_days_after(day, 1),
                comment="请补充说明理由并附相关会议纪要后重新提交。",
            )
        if plan.goal == COUNTERSIGN:
            case, _ = story.advance(case, day=day, hold="unit_admin")
            return case
        if plan.goal == WAIT_LEADER:
            case, _ = story.advance(case, day=day, hold="leader")
            return case
        if plan.goal == REJECTED and not self.has_leader_step(case):
            task = story.open_tasks(case)[0]  # one review step: its reviewer rejects
            return story.decide(
                case,
                task,
                decision=Action.REJECT,
                day=working_days_after(day, 1),
                comment=REJECTION,
            )
        # Up to the leader's signature: he signs in his next session (approved, then applied
        # when its date has come, or rejected).
        case, last = story.advance(case, day=day, hold="leader")
        tasks = [t for t in story.open_tasks(case) if t.role == "leader"]
        if tasks:
            decision = Action.REJECT if plan.goal == REJECTED else Action.APPROVE
            self.to_sign.append(
                (case, tasks[0], decision, min(working_days_after(last, 1), story.today))
            )
        return case

    @staticmethod
    def has_leader_step(case: Case) -> bool:
        rules = case.definition.steps.values_list("actors", flat=True)
        return any(r in ("region_leader", "upper_leader") for actors in rules for r in actors)

    def sign_sessions(self) -> list[str]:
        """The leader signs what waits for him in sessions every few working days (one identity
        confirmation each, as on his to-do page), then the cases go on (a step after his)."""
        story = self.story
        sessions = [working_days_back(story.today, k) for k in range(25, -1, -SESSION_EVERY)]
        groups: dict[tuple, list[Case]] = defaultdict(list)
        signers: dict[int, Any] = {}
        refused: list[str] = []
        for case, task, decision, ready in self.to_sign:
            signer = story.actor_of(task)
            if signer is None:
                refused.append(f"{case.number}：领导签批环节没有可办理的演示账号")
                continue
            signers[signer.pk] = signer
            session = next((d for d in sessions if d >= ready), story.today)
            groups[(session, decision, signer.pk)].append(case)
        for (session, decision, signer_pk), cases in sorted(groups.items()):
            signer = signers[signer_pk]
            comment = REJECTION if decision == Action.REJECT else "同意。"
            with on_day(session, 16):
                results = services.decide_many(
                    actor=signer,
                    cases=cases,
                    decision=decision,
                    comment=comment,
                    **story.signature(signer),
                )
            for case, error in results:
                if error:
                    refused.append(f"{case.number}：{error}")
                    continue
                try:
                    story.advance(case, day=session)
                except Refused as exc:
                    refused.append(f"{case.number}：{exc}")
        return refused


def build_cases(*, users: dict[str, Any], today: datetime.date, profile: str) -> dict[str, Any]:
    """Write the demo cases; returns what the report shows."""
    story = Story(users, today)
    builder = CaseBuilder(story, Pool(users))
    plans = small_plans() if profile == "small" else zaozhuang_plans()
    # The oldest first: the numbers follow the days the cases were submitted.
    plans.sort(key=lambda plan: -plan.back)
    refused: list[str] = []
    for n, plan in enumerate(plans):
        if plan.kind not in KINDS:
            refused.append(f"{CaseKind(plan.kind).label}：该事项类型尚未开通")
            continue
        try:
            case = builder.build(plan, n)
        except Refused as exc:
            refused.append(f"{CaseKind(plan.kind).label}（{GOALS[plan.goal]}）：{exc}")
            continue
        builder.made.append(case.pk)
    refused += builder.sign_sessions()
    backdate(builder.made)
    made = Counter(Case.objects.filter(pk__in=builder.made).values_list("state", flat=True))
    return {"made": made, "refused": refused, "story": story}


def backdate(pks: list[int]) -> None:
    """The cases' 创建/更新 times on the story's days (their first and last action), not the
    moment the demo was loaded: a case shown as created after it was submitted reads wrong."""
    actions = CaseAction.objects.filter(case=OuterRef("pk")).order_by().values("case")
    Case.objects.filter(pk__in=pks).update(
        created_at=Coalesce(
            Subquery(actions.annotate(first=Min("at")).values("first")), F("created_at")
        ),
        updated_at=Coalesce(
            Subquery(actions.annotate(last=Max("at")).values("last")), F("updated_at")
        ),
    )


def waiting_work(users: dict[str, Any]) -> list[str]:
    """Each demo account's open tasks and editable cases, for the report."""
    lines = []
    for username in ("zz_bureau", "tz_bureau", "leader", "unit_admin"):
        user = users.get(username)
        if user is None:
            continue
        tasks = Task.objects.for_user(user).open().count()
        editable = (
            Case.objects.restrict(user, "change")
            .filter(Q(state=CaseState.DRAFT) | Q(state=CaseState.RETURNED))
            .count()
        )
        extra = f"，可修改的草稿和退回事项 {editable} 件" if editable else ""
        lines.append(f"{username}：待办 {tasks} 件{extra}")
    return lines
