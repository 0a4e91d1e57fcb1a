"""The demo generator: the Zaozhuang plan (pure), and load_demo writing the small profile."""

from __future__ import annotations

import datetime
import io
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.models import Count, Q
from django.utils import timezone

from gongfang.accounts.models import User
from gongfang.compliance.facts import Facts, OrgFact, OrgUse
from gongfang.compliance.rules import approved_total, r6
from gongfang.registry.choices import (
    EmploymentStatus,
    OrganizationKind,
    OrganizationStatus,
    RoomCategory,
    RoomStatus,
)
from gongfang.registry.demo.accounts import DEMO_PASSWORD
from gongfang.registry.demo.builder import build_plan
from gongfang.registry.demo.limits import office_limit
from gongfang.registry.demo.plan import Plan
from gongfang.registry.demo.profiles import (
    ANCHOR,
    CITY_PLANTING,
    SMALL_TARGETS,
    part_specs,
)
from gongfang.registry.demo.writer import REGISTRY_MODELS
from gongfang.registry.models import (
    Building,
    Occupancy,
    Organization,
    Person,
    Post,
    Region,
    Room,
)
from gongfang.registry.uscc import uscc_errors
from gongfang.standards import demo as demo_standards
from gongfang.standards.data import national_2014
from gongfang.standards.ruleset import RuleSet

SEED = 2026
ZAOZHUANG_CODES = {"370400", "370402", "370403", "370404", "370405", "370406", "370481"}


@pytest.fixture(scope="module")
def zaozhuang() -> Plan:
    return build_plan(part_specs("zaozhuang")[0], seed=SEED, anchor=ANCHOR)


def _digest(plan: Plan) -> tuple:
    return (
        tuple((o.name, o.uscc) for o in plan.organizations),
        tuple((r.number, r.usable_area, r.status) for r in plan.rooms),
        tuple((p.name, p.grade, p.status_changed_on) for p in plan.persons),
        tuple((o.person, o.room, o.started_on, o.ended_on) for o in plan.occupancies),
    )


# ------------------------------------------------------------------------ the plan, no database
def test_zaozhuang_plan_has_the_design_figures(zaozhuang: Plan):
    counts = zaozhuang.counts()
    assert counts["organizations"] == 251
    assert counts["compounds"] == 184
    assert counts["buildings"] == 232
    assert counts["rooms"] == 17_074
    assert counts["persons"] == 10_663
    assert abs(zaozhuang.usable_area - Decimal("565400")) <= Decimal("565400") * Decimal("0.005")
    assert abs(zaozhuang.building_area - Decimal("1135400")) <= Decimal("1135400") * Decimal(
        "0.005"
    )


def test_zaozhuang_plan_respects_the_invariants(zaozhuang: Plan):
    assert zaozhuang.problems() == []
    cent = Decimal("0.01")
    rooms_by_building: dict[int, Decimal] = defaultdict(Decimal)
    floors = {f.key: f for f in zaozhuang.floors}
    for b in zaozhuang.buildings:
        assert b.usable_area <= b.building_area
        assert b.usable_area.as_tuple().exponent == -2 and b.usable_area > 0
    for f in zaozhuang.floors:
        b = zaozhuang.buildings[f.building]
        assert f.number != 0 and -b.floors_below <= f.number <= b.floors_above
    for r in zaozhuang.rooms:
        assert r.usable_area > 0 and r.usable_area == r.usable_area.quantize(cent)
        rooms_by_building[floors[r.floor].building] += r.usable_area
    for b in zaozhuang.buildings:
        assert rooms_by_building[b.key] <= b.usable_area
    assert max(Counter((r.floor, r.number) for r in zaozhuang.rooms).values()) == 1


def test_zaozhuang_plan_uses_real_codes_and_valid_uscc(zaozhuang: Plan):
    usccs = [o.uscc for o in zaozhuang.organizations]
    assert len(set(usccs)) == len(usccs)
    for o in zaozhuang.organizations:
        assert uscc_errors(o.uscc) == []
        assert o.region_code[:6] in ZAOZHUANG_CODES
        assert o.uscc[2:8] == o.region_code[:6]
        if o.kind == OrganizationKind.INSTITUTION:
            assert o.uscc.startswith("12")
        elif o.kind not in (OrganizationKind.MASS, OrganizationKind.DEMOCRATIC):
            assert o.uscc.startswith("11")
    levels = Counter(o.level for o in zaozhuang.organizations)
    assert levels["city"] > 50 and levels["county"] > 60 and levels["township"] == 66
    assert {o.region_code for o in zaozhuang.organizations if o.level == "city"} == {"370400"}
    assert any(o.name == "枣庄市教育局" for o in zaozhuang.organizations)
    assert sum(1 for o in zaozhuang.organizations if o.parent is not None) > 20


def test_zaozhuang_plan_has_realistic_people(zaozhuang: Plan):
    grades = Counter(p.grade for p in zaozhuang.persons)
    assert grades["staff"] > grades["section"] > grades["division"] > grades["bureau"] > 0
    status = Counter(p.employment_status for p in zaozhuang.persons)
    assert status[EmploymentStatus.ACTIVE] / len(zaozhuang.persons) > 0.9
    assert status[EmploymentStatus.RETIRED] and status[EmploymentStatus.TRANSFERRED]
    city = {o.key for o in zaozhuang.organizations if o.short_name == "市教育局"}
    heads = [p for p in zaozhuang.persons if p.org in city and p.position == "局长"]
    assert [p.grade for p in heads] == ["division"]  # a city bureau is headed at 县处级正职
    sizes = Counter(len(v) for v in zaozhuang.current_occupants().values())
    assert set(sizes) == {1, 2, 3, 4}


def test_zaozhuang_plan_dates_stay_before_the_anchor(zaozhuang: Plan):
    anchor = zaozhuang.anchor
    assert all(o.started_on <= anchor for o in zaozhuang.occupancies)
    assert all(o.ended_on is None or o.ended_on <= anchor for o in zaozhuang.occupancies)
    assert all(
        p.status_changed_on is None or p.status_changed_on <= anchor for p in zaozhuang.persons
    )
    assert all(b.year_built <= anchor.year for b in zaozhuang.buildings)


def test_zaozhuang_plan_plants_the_documented_cases(zaozhuang: Plan):
    counts = {c.code: c.count for c in zaozhuang.planted}
    assert counts == {
        "R1-sole": CITY_PLANTING.r1_sole,
        "R1-shared": CITY_PLANTING.r1_shared,
        "R2-post": CITY_PLANTING.r2_post,
        "R2-nopost": CITY_PLANTING.r2_nopost,
        "R3-retired": CITY_PLANTING.r3_retired,
        "R3-transferred": CITY_PLANTING.r3_transferred,
        "R4": CITY_PLANTING.r4,
        "R5": CITY_PLANTING.r5,
        "R6": CITY_PLANTING.r6,
        "R7": 1,
        "R8-lent": CITY_PLANTING.r8_lent,
        "R8-leased": CITY_PLANTING.r8_leased,
    }
    assert zaozhuang.planted_case("R7").rooms == CITY_PLANTING.r7_rooms
    # Over-standard rooms are exactly the planted ones (problems() checks every other room).
    occupants = zaozhuang.current_occupants()
    over = set()
    for room_key, people in occupants.items():
        room = zaozhuang.rooms[room_key]
        limit = sum(zaozhuang.office_limit_of(zaozhuang.persons[p], room) for p in people)
        if room.usable_area > limit:
            over.add(room_key)
    planted = set(zaozhuang.planted_case("R1-sole").keys) | set(
        zaozhuang.planted_case("R1-shared").keys
    )
    assert over == planted


def _seeded_ruleset() -> RuleSet:
    """The rule set the demo is judged by: the national seed plus 山东's demo 乡级 row."""
    limits = {(level, grade): area for level, grade, area, _, _ in national_2014.office_limits()}
    limits.update({("township", grade): area for grade, area, _ in demo_standards.TOWNSHIP_ROWS})
    return RuleSet(
        versions=(),
        office_limits=limits,
        service_allowance={level: value for level, value, _ in national_2014.service_allowances()},
        params={key: value for key, value, _, _ in national_2014.parameters()},
    )


def _r6_facts(plan: Plan) -> Facts:
    """The plan's organizations as the compliance engine sees them for R6 (§4.3)."""
    leadership: dict[int, list[tuple[str, int]]] = defaultdict(list)
    for q in plan.quotas:
        leadership[q.org].append((q.grade, q.count))
    use: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for r in plan.rooms:
        if r.organization is not None:
            use[r.organization][r.category] += r.usable_area
            use[r.organization]["total"] += r.usable_area
    orgs = {
        o.key: OrgFact(
            id=o.key,
            name=o.name,
            region_id=0,
            region_path="370000/",
            level=o.level,
            standard_level=o.effective_standard_level,
            status=o.status,
            staffing=o.staffing_quota + o.institution_staffing_quota,
            leadership=tuple(leadership[o.key]),
        )
        for o in plan.organizations
    }
    org_use = {
        k: OrgUse(office=u[RoomCategory.OFFICE], service=u[RoomCategory.SERVICE], total=u["total"])
        for k, u in use.items()
    }
    return Facts(
        today=plan.anchor,
        rulesets={"370000/": _seeded_ruleset()},
        orgs=orgs,
        org_use=org_use,
        subject_orgs=frozenset(orgs),
    )


@pytest.mark.parametrize("profile", ["zaozhuang", "small"])
def test_organizations_within_approved_total_except_the_planted_r6(profile: str, zaozhuang: Plan):
    """DESIGN §4.3 as the compliance engine computes it: only the planted R6 organizations are
    over A + B, each by its recorded excess; every active organization can be judged."""
    plan = (
        zaozhuang
        if profile == "zaozhuang"
        else build_plan(part_specs("small")[0], seed=SEED, anchor=ANCHOR)
    )
    facts = _r6_facts(plan)
    case = plan.planted_case("R6")
    assert case.count == (CITY_PLANTING.r6 if profile == "zaozhuang" else 1)
    findings = {f.organization_id: f.excess_area for f in r6(facts)}
    assert findings == dict(zip(case.keys, case.excess, strict=True))
    for org in facts.orgs.values():
        if org.status == OrganizationStatus.ACTIVE:
            approved = approved_total(facts, org)
            assert approved.judgeable and not approved.missing, org.name


def test_staffing_quotas_match_the_persons(zaozhuang: Plan):
    """编制 covers the organization's staff: head count at most a few above it (编外 staff)."""
    heads = Counter(
        p.org
        for p in zaozhuang.persons
        if p.employment_status in (EmploymentStatus.ACTIVE, EmploymentStatus.SECONDED)
    )
    for o in zaozhuang.organizations:
        if o.status != OrganizationStatus.ACTIVE:
            continue
        staffing = o.staffing_quota + o.institution_staffing_quota
        assert heads[o.key] > 0 and staffing > 0, o.name
        assert heads[o.key] <= staffing + max(3, staffing // 10), (o.name, heads[o.key], staffing)
        assert staffing <= heads[o.key] + max(6, heads[o.key] // 5), (
            o.name,
            heads[o.key],
            staffing,
        )


def test_plans_are_deterministic(zaozhuang: Plan):
    spec = part_specs("small")[0]
    assert _digest(build_plan(spec, seed=7, anchor=ANCHOR)) == _digest(
        build_plan(spec, seed=7, anchor=ANCHOR)
    )
    assert _digest(build_plan(spec, seed=7, anchor=ANCHOR)) != _digest(
        build_plan(spec, seed=8, anchor=ANCHOR)
    )
    again = build_plan(part_specs("zaozhuang")[0], seed=SEED, anchor=ANCHOR)
    assert _digest(again) == _digest(zaozhuang)


def test_small_plan_has_every_planted_case():
    plan = build_plan(part_specs("small")[0], seed=SEED, anchor=ANCHOR)
    assert plan.problems() == []
    assert plan.counts()["organizations"] == SMALL_TARGETS.organizations
    assert plan.counts()["rooms"] == SMALL_TARGETS.rooms
    assert all(case.count >= 1 for case in plan.planted), [(c.code, c.count) for c in plan.planted]


@pytest.mark.parametrize("code", ["370000", "370100", "370800", "371100", "371700"])
def test_province_parts_build(code: str):
    """The province profile's parts of every shape: the province organs, a 副省级 city, the
    cities with the most counties (济宁), the fewest (日照) and the most townships (菏泽)."""
    spec = next(s for s in part_specs("province") if s.code == code)
    plan = build_plan(spec, seed=SEED, anchor=ANCHOR)
    assert plan.counts()["rooms"] == spec.targets.rooms
    assert plan.counts()["organizations"] == spec.targets.organizations
    assert plan.usable_area == spec.targets.usable_area


# ------------------------------------------------------------------------ load_demo, small profile
@pytest.fixture
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def small(db, fast_hashing) -> str:
    out = io.StringIO()
    call_command("load_demo", profile="small", seed=SEED, stdout=out)
    return out.getvalue()


def _limit(person: Person) -> int:
    return office_limit(person.organization.effective_standard_level, person.grade)


def test_load_demo_small_writes_the_plan(small: str):
    plan = build_plan(part_specs("small")[0], seed=SEED, anchor=min(ANCHOR, timezone.localdate()))
    counts = plan.counts()
    assert Organization.objects.count() == counts["organizations"]
    assert Room.objects.count() == counts["rooms"]
    assert Person.objects.count() == counts["persons"]
    assert Occupancy.objects.count() == counts["occupancies"]
    assert Region.objects.filter(code="370481").exists()  # regions were loaded on the way
    assert "预置情形" in small and "Demo@2026!" in small and "每秒" in small
    for org in Organization.objects.select_related("parent"):
        assert org.path == (org.parent.path if org.parent else "/") + f"{org.pk}/"
    assert Organization.objects.filter(parent__isnull=False).exists()


def test_load_demo_small_rows_pass_full_clean(small: str):
    for model in REGISTRY_MODELS:
        rows = list(model.objects.all()[:25])
        assert rows, model
        for row in rows:
            row.full_clean()
    for building in Building.objects.all():
        rooms = sum(r.usable_area for r in Room.objects.filter(floor__building=building))
        assert rooms <= building.usable_area <= building.building_area


def test_load_demo_small_contains_every_planted_case(small: str):
    today = timezone.localdate()
    month_ago = today - datetime.timedelta(days=30)
    current = Occupancy.objects.filter(ended_on__isnull=True)

    # R3: retired / transferred more than a month ago, office still held.
    for status in (EmploymentStatus.RETIRED, EmploymentStatus.TRANSFERRED):
        late = current.filter(
            person__employment_status=status, person__status_changed_on__lt=month_ago
        )
        assert late.count() == 1, status

    # R1: a sole occupant over his limit; a shared room over the sum of its occupants' limits.
    sole_over = shared_over = 0
    for room in Room.objects.filter(category=RoomCategory.OFFICE):
        people = [
            o.person for o in current.filter(room=room).select_related("person__organization")
        ]
        if not people:
            continue
        over = room.usable_area > sum(_limit(p) for p in people)
        if len(people) == 1:
            sole_over += over
        else:
            shared_over += over
    assert (sole_over, shared_over) == (1, 1)

    # R2 / R4: persons with two current offices; with a current post, with none, post long ended.
    offices = Person.objects.annotate(
        n=Count("occupancies", filter=Q(occupancies__ended_on__isnull=True))
    )
    assert not offices.filter(n__gt=2).exists()
    doubled = set(offices.filter(n=2).values_list("pk", flat=True))
    current_post = set(Post.objects.filter(ended_on__isnull=True).values_list("person", flat=True))
    any_post = set(Post.objects.values_list("person", flat=True))
    long_ended = set(
        Post.objects.filter(ended_on__lt=today - datetime.timedelta(days=60)).values_list(
            "person", flat=True
        )
    )
    with_post = doubled & current_post
    without = doubled - any_post
    ended = (doubled & long_ended) - current_post
    assert (len(with_post), len(without), len(ended)) == (1, 1, 1)
    for person in Person.objects.filter(pk__in=with_post).select_related("organization"):
        second = current.get(person=person, is_primary=False)
        assert second.room.usable_area < _limit(person)
        assert second.room.organization_id == Post.objects.get(person=person).organization_id

    # R5: an office idle for more than six months, nobody in it.
    idle = Room.objects.filter(
        category=RoomCategory.OFFICE,
        status=RoomStatus.IDLE,
        status_since__lt=today - datetime.timedelta(days=183),
    ).exclude(pk__in=current.values("room"))
    assert idle.count() == 1

    # R7: the abolished organization still holds rooms.
    abolished = Organization.objects.get(status=OrganizationStatus.ABOLISHED)
    assert abolished.abolished_on and abolished.rooms.count() == 3

    # R8: rooms lent / leased out.
    assert Room.objects.filter(status=RoomStatus.LENT).count() == 1
    assert Room.objects.filter(status=RoomStatus.LEASED_OUT).count() == 1


def test_load_demo_creates_one_account_per_role(small: str):
    users = {u.username: u for u in User.objects.all()}
    assert set(users) >= {
        "zz_bureau", "tz_bureau", "unit_admin", "surveyor", "supervisor", "leader",
        "sys_admin", "sec_admin", "audit_admin",
    }  # fmt: skip
    assert users["zz_bureau"].scope_region.code == "370400"
    assert users["tz_bureau"].scope_region.code == "370481"
    assert users["unit_admin"].scope_organization.name == "枣庄市教育局"
    assert users["sys_admin"].scope_region is None and users["sys_admin"].roles == ["sys_admin"]
    assert users["leader"].check_password(DEMO_PASSWORD)


def test_load_demo_twice_is_refused_and_writes_nothing(small: str, fast_hashing):
    before = {m: m.objects.count() for m in (*REGISTRY_MODELS, Region, User)}
    with pytest.raises(CommandError, match="--flush"):
        call_command("load_demo", profile="small", seed=SEED, stdout=io.StringIO())
    assert {m: m.objects.count() for m in before} == before


def test_load_demo_flush_rebuilds(small: str, fast_hashing):
    first = set(Organization.objects.values_list("pk", flat=True))
    call_command("load_demo", profile="small", seed=SEED, flush=True, stdout=io.StringIO())
    assert Organization.objects.count() == len(first)
    assert not first & set(Organization.objects.values_list("pk", flat=True))
    assert User.objects.get(username="unit_admin").scope_organization.name == "枣庄市教育局"
    assert Region.objects.filter(code="370400").exists()


def test_load_demo_small_gives_every_room_a_plan_of_its_area(small: str):
    """Every demo floor is drawn (一图展示): each room a polygon of its registered area (4 of the
    small profile's 60 rooms are changed afterwards by the inspections' measurements and the
    survey's applied batch)."""
    from shapely.geometry import Polygon

    rooms = list(Room.objects.only("usable_area", "geometry"))
    assert all(r.geometry and r.geometry["type"] == "Polygon" for r in rooms)
    matching = sum(
        abs(Polygon(r.geometry["coordinates"][0]).area - float(r.usable_area)) < 0.01 for r in rooms
    )
    assert matching >= 0.85 * len(rooms)
