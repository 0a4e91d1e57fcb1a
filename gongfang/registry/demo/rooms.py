"""Steps 4–6: offices sized by the standard, planted cases, other rooms, areas to target."""

from __future__ import annotations

import datetime
import math
from collections import defaultdict

from ..choices import (
    EmploymentStatus,
    OrganizationStatus,
    RoomCategory,
    RoomStatus,
)
from . import names as N
from .limits import OFFICE_LIMITS, STAFF_LIMIT, approved_area, office_limit
from .plan import OrgPlan, PostPlan, QuotaPlan
from .state import (
    BASEMENT_EQUIPMENT,
    EQUIPMENT_MIX,
    FIRST_DAY,
    GROUND_SERVICE,
    GROUP_SIZES,
    SERVICE_MIX,
    BuilderState,
    RoomDraft,
    largest_remainder,
    to_cents,
)

# Sized by the standard, never scaled to the area target.
FIXED = (RoomCategory.OFFICE, RoomCategory.SERVICE)


class RoomSteps(BuilderState):
    # ---------------------------------------------------------------- 4. offices
    def add_room(self, room: RoomDraft) -> int:
        self.rooms.append(room)
        key = len(self.rooms) - 1
        self.buildings[room.building].rooms.append(key)
        return key

    def office(
        self, org: int, cents: int, name: str, leader: bool, building: int | None = None
    ) -> int:
        o = self.orgs[org]
        return self.add_room(
            RoomDraft(
                building=o.building if building is None else building,
                org=org,
                category=RoomCategory.OFFICE,
                subtype="领导人员办公室" if leader else "一般工作人员办公室",
                name=name,
                cents=cents,
            )
        )

    def build_offices(self) -> None:
        rng, pl, anchor = self.rng, self.spec.planting, self.anchor
        unit_word = {"province": "处", "city": "科", "county": "股", "township": "办"}
        certain = [
            o
            for o in self.orgs
            if o.tier != "township" and o.plan.status == OrganizationStatus.ACTIVE
        ]
        sure_people = {pk for o in certain for pk in o.persons}

        def active(pk: int) -> bool:
            return self.persons[pk].employment_status in (
                EmploymentStatus.ACTIVE,
                EmploymentStatus.SECONDED,
            )

        # Planted R3: active staff or deputies who retired / left but kept their office.
        pool = [pk for pk in range(len(self.persons))
                if self.persons[pk].employment_status == EmploymentStatus.ACTIVE
                and self.person_rung[pk] in ("deputy", "chief", "vice_chief", "staff")]  # fmt: skip
        rng.shuffle(pool)
        for code, status, n in (
            ("R3-retired", EmploymentStatus.RETIRED, pl.r3_retired),
            ("R3-transferred", EmploymentStatus.TRANSFERRED, pl.r3_transferred),
        ):
            for pk in pool[:n]:
                p = self.persons[pk]
                p.employment_status = status
                p.status_changed_on = self.days_ago(45, 420)
                self.planted[code].append(pk)
            pool = pool[n:]
        r3 = set(self.planted["R3-retired"]) | set(self.planted["R3-transferred"])

        singles: list[int] = []
        groups: list[list[int]] = []
        for o in self.orgs:
            holders = [pk for pk in o.persons if active(pk) or pk in r3]
            lone = [pk for pk in holders
                    if self.person_rung[pk] in ("top", "deputy") or self.limit(pk) > STAFF_LIMIT
                    or pk in r3]  # fmt: skip
            lone_set = set(lone)
            rest = [pk for pk in holders if pk not in lone_set]
            rng.shuffle(rest)
            singles += lone
            while rest:
                size = rng.choices(
                    [s for s, _ in GROUP_SIZES], weights=[w for _, w in GROUP_SIZES]
                )[0]
                groups.append(rest[:size])
                rest = rest[size:]

        # Planted R1: some leaders alone in too big a room, some shared rooms too big.
        leader_pool = [pk for pk in singles if pk in sure_people and pk not in r3]
        rng.shuffle(leader_pool)
        over_sole = set(leader_pool[: pl.r1_sole])
        leader_pool = leader_pool[pl.r1_sole :]
        shared_pool = [i for i, g in enumerate(groups) if len(g) > 1 and g[0] in sure_people]
        over_shared = set(rng.sample(shared_pool, min(pl.r1_shared, len(shared_pool))))

        for pk in singles:
            p = self.persons[pk]
            limit = self.limit(pk)
            factor = rng.uniform(1.25, 1.8) if pk in over_sole else rng.uniform(0.8, 1.0)
            cents = to_cents(limit * factor)
            if pk in over_sole:
                cents = max(cents, limit * 100 + 150)
            leader = self.person_rung[pk] in ("top", "deputy") or self.limit(pk) > STAFF_LIMIT
            room = self.office(p.org, cents, f"{p.position}办公室" if leader else "办公室", leader)
            self.seat(pk, room, primary=True)
            if pk in over_sole:
                self.planted["R1-sole"].append(room)
        for i, g in enumerate(groups):
            limit = sum(self.limit(pk) for pk in g)
            factor = rng.uniform(1.15, 1.45) if i in over_shared else rng.uniform(0.78, 1.0)
            cents = to_cents(limit * factor)
            if i in over_shared:
                cents = max(cents, limit * 100 + 200)
            o = self.orgs[self.persons[g[0]].org]
            name = f"{rng.choice(N.SECTIONS)}{unit_word[o.tier]}"
            room = self.office(o.plan.key, cents, name, False)
            for pk in g:
                self.seat(pk, room, primary=True)
            if i in over_shared:
                self.planted["R1-shared"].append(room)

        # Second offices: with a current post (compliant), without any post, post long ended.
        # Leaders whose limit is above the staff figure come first, so the rooms stay plausible.
        others = [o.plan.key for o in certain]
        leader_pool.sort(key=lambda pk: self.limit(pk) <= STAFF_LIMIT)
        for code, n in (("R2-post", pl.r2_post), ("R2-nopost", pl.r2_nopost), ("R4", pl.r4)):
            for pk in leader_pool[:n]:
                self.second_office(pk, code, others)
                self.planted[code].append(pk)
            leader_pool = leader_pool[n:]
        # Ordinary posts without a second office, and past posts whose office was handed back.
        for pk in leader_pool[: max(1, len(leader_pool) // 12)]:
            self.post(pk, others, ended=False)
        for pk in leader_pool[
            len(leader_pool) // 12 : len(leader_pool) // 12 + max(1, len(leader_pool) // 60)
        ]:
            post = self.post(pk, others, ended=True)
            target = [r for r in self.buildings[self.orgs[post.org].building].rooms
                      if self.rooms[r].org == post.org and self.rooms[r].category == RoomCategory.OFFICE]  # fmt: skip
            if target and post.ended_on:
                end = min(anchor, post.ended_on + datetime.timedelta(days=rng.randint(0, 40)))
                self.rooms[rng.choice(target)].occupants.append((pk, post.started_on, end, False))

        # Planted R5: offices idle for more than six months.
        for _ in range(pl.r5):
            o = self.orgs[rng.choice(others)]
            room = self.office(o.plan.key, to_cents(rng.uniform(12, 36)), "办公室", False)
            self.rooms[room].status = RoomStatus.IDLE
            self.rooms[room].status_since = self.days_ago(190, 900)
            self.planted["R5"].append(room)

        # Planted R7: the abolished organization still holds rooms.
        for org in self.planted["R7"]:
            for i in range(pl.r7_rooms):
                if i < 2:
                    self.office(org, to_cents(rng.uniform(14, 30)), "办公室", False)
                else:
                    self.add_room(RoomDraft(self.orgs[org].building, org, RoomCategory.SERVICE,
                                        "档案室" if i == 2 else "储藏室", "档案室" if i == 2 else "储藏室",
                                        to_cents(rng.uniform(15, 40))))  # fmt: skip

        # Past offices: people who left on time, and moves inside an organization.
        for pk, p in enumerate(self.persons):
            if (
                p.employment_status in (EmploymentStatus.RETIRED, EmploymentStatus.TRANSFERRED)
                and pk not in r3
            ):
                rooms = [r for r in self.buildings[self.orgs[p.org].building].rooms
                         if self.rooms[r].org == p.org and self.rooms[r].category == RoomCategory.OFFICE
                         and self.rooms[r].status == RoomStatus.IN_USE]  # fmt: skip
                if rooms and rng.random() < 0.85 and p.status_changed_on:
                    end = min(
                        anchor, p.status_changed_on + datetime.timedelta(days=rng.randint(0, 25))
                    )
                    start = self.between(
                        FIRST_DAY, p.status_changed_on - datetime.timedelta(days=200)
                    )
                    self.rooms[rng.choice(rooms)].occupants.append((pk, start, end, True))

    def seat(
        self, pk: int, room: int, *, primary: bool, start: datetime.date | None = None
    ) -> None:
        p = self.persons[pk]
        latest = self.anchor - datetime.timedelta(days=60)
        if p.status_changed_on:
            latest = min(latest, p.status_changed_on - datetime.timedelta(days=30))
        start = start or self.between(FIRST_DAY, latest)
        if primary and self.rng.random() < 0.08 and (start - FIRST_DAY).days > 400:
            # Moved rooms once: an earlier office in the same organization, now handed back.
            self.history.append((pk, room, self.between(FIRST_DAY, start - datetime.timedelta(days=300)),
                                 start - datetime.timedelta(days=1)))  # fmt: skip
        self.rooms[room].occupants.append((pk, start, None, primary))

    def post(self, pk: int, orgs: list[int], *, ended: bool) -> PostPlan:
        p = self.persons[pk]
        # Only where the standard has a row for the post's grade (no 副市长 post in a county body).
        target = self.rng.choice(
            [
                k
                for k in orgs
                if k != p.org
                and p.grade in OFFICE_LIMITS[self.orgs[k].plan.effective_standard_level]
            ]
        )
        if ended:
            start = self.days_ago(700, 1800)
            end = self.between(
                start + datetime.timedelta(days=180), self.anchor - datetime.timedelta(days=70)
            )
        else:
            start, end = self.days_ago(90, 1200), None
        post = PostPlan(pk, target, self.rng.choice(N.POST_TITLES), p.grade, start, end)
        self.posts.append(post)
        return post

    def second_office(self, pk: int, code: str, orgs: list[int]) -> None:
        p = self.persons[pk]
        limit = self.limit(pk)
        if code == "R2-nopost":
            room = self.office(
                p.org, to_cents(limit * self.rng.uniform(0.6, 0.95)), "第二办公室", True
            )
            self.seat(pk, room, primary=False, start=self.days_ago(60, 700))
            return
        post = self.post(pk, orgs, ended=code == "R4")
        other = self.orgs[post.org]
        # A second office must be smaller than the limit under either organization's row.
        cap = min(limit, office_limit(other.plan.effective_standard_level, post.grade))
        room = self.office(
            post.org, to_cents(cap * self.rng.uniform(0.6, 0.85)), "兼职办公室", True
        )
        latest = (post.ended_on or self.anchor) - datetime.timedelta(days=10)
        self.seat(pk, room, primary=False, start=self.between(post.started_on, latest))

    # ---------------------------------------------------------------- 5. other rooms
    def service_targets(self, quotas: list[QuotaPlan]) -> dict[int, int]:
        """Cents of 服务用房 for each active organization: what its approved A + B (DESIGN §4.3)
        leaves after its offices, less a margin; the planted R6 ones get that plus a known excess.

        An organization whose offices alone exceed A + B gets vacant 编制 until they fit."""
        rng, pl = self.rng, self.spec.planting
        office: dict[int, int] = defaultdict(int)
        for r in self.rooms:
            if r.category == RoomCategory.OFFICE and r.org is not None:
                office[r.org] += r.cents
        leadership: dict[int, list[tuple[str, int]]] = defaultdict(list)
        for q in quotas:
            leadership[q.org].append((q.grade, q.count))

        def approved(p: OrgPlan) -> int:
            staffing = p.staffing_quota + p.institution_staffing_quota
            return approved_area(p.effective_standard_level, staffing, leadership[p.key]) * 100

        room_left: dict[int, int] = {}
        for o in self.orgs:
            p = o.plan
            if p.status != OrganizationStatus.ACTIVE or not o.persons:
                continue
            while approved(p) < office[p.key]:
                if p.institution_staffing_quota and not p.staffing_quota:
                    p.institution_staffing_quota += 1
                else:
                    p.staffing_quota += 1
            room_left[p.key] = approved(p) - office[p.key]
        candidates = [k for k in room_left
                      if self.orgs[k].tier != "township" and len(self.orgs[k].persons) >= 6]  # fmt: skip
        planted = sorted(rng.sample(candidates, min(pl.r6, len(candidates))))
        targets: dict[int, int] = {}
        for k, left in room_left.items():
            if k in planted:
                self.r6_excess[k] = to_cents(rng.uniform(20, 160))
                targets[k] = left + self.r6_excess[k]
            else:
                targets[k] = int(left * rng.uniform(0.78, 0.96))
        self.planted["R6"] = planted
        return targets

    def build_other_rooms(self, quotas: list[QuotaPlan]) -> None:
        rng, spec = self.rng, self.spec
        targets = self.service_targets(quotas)
        n_office = len(self.rooms)
        total = spec.targets.rooms - n_office
        if total < 3 * len(self.buildings):
            raise ValueError(
                f"{spec.name}：房间数目标 {spec.targets.rooms} 太小（办公室已有 {n_office} 间）。"
            )
        weights = [
            (b.persons * rng.uniform(0.8, 1.25) + 10) if b.tenants else rng.uniform(20, 45)
            for b in self.buildings
        ]
        counts = largest_remainder(total, weights, [3] * len(self.buildings))
        first_of = {c.buildings[0] for c in self.compounds}
        service_rooms: dict[int, list[int]] = defaultdict(list)
        for bi, (b, n) in enumerate(zip(self.buildings, counts, strict=True)):
            size = n + len(b.rooms)
            if size >= 150:
                b.floors_below = rng.choice([1, 1, 2])
            elif size >= 60:
                b.floors_below = 1 if rng.random() < 0.5 else 0
            else:
                b.floors_below = 1 if rng.random() < 0.08 else 0
            tier = self.orgs[self.compounds[b.compound].owner].tier
            top = 6 if tier == "township" else 28
            b.floors_above = max(1, min(top, math.ceil(size / rng.uniform(9, 26))))
            b.fill = rng.uniform(0.80, 0.92)
            # Abolished tenants keep only their planted rooms (R7 stays a known number).
            owners = [k for k in b.tenants if self.orgs[k].weight > 0] or [
                self.compounds[b.compound].owner
            ]
            kinds: list[tuple[str, str, float, float]] = []
            compound = self.compounds[b.compound]
            if compound.canteen and bi in first_of:
                people = sum(len(self.orgs[k].persons) for k in compound.tenants)
                kinds.append(
                    (RoomCategory.ANCILLARY, "食堂", max(50, people * 0.9), max(80, people * 1.5))
                )
            for _ in range(b.floors_below):
                kinds.append((RoomCategory.ANCILLARY, "停车库", 200, 1200))
            if b.floors_below:
                kinds.append((RoomCategory.ANCILLARY, "人防设施", 100, 600))
            if rng.random() < 0.3:
                kinds.append((RoomCategory.ANCILLARY, "警卫用房", 10, 24))
            kinds = kinds[:n]
            # 服务用房: about one room per 28 m² of each tenant's target, as the slots allow.
            tenants = [k for k in b.tenants if k in targets]
            want = [min(targets[k] // 400, max(1, round(targets[k] / 2800))) for k in tenants]
            # A planted R6 organization needs a service room, before any ancillary one.
            must = [int(k in self.r6_excess and w > 0) for k, w in zip(tenants, want, strict=True)]
            while sum(must) > n - len(kinds) and kinds:
                kinds.pop()
            free = n - len(kinds)
            if sum(want) > free:
                want = largest_remainder(free, [float(w) for w in want], must)
            for k, w in zip(tenants, want, strict=True):
                for _ in range(w):
                    sub, _, lo, hi = rng.choices(SERVICE_MIX, weights=[x[1] for x in SERVICE_MIX])[
                        0
                    ]
                    room = RoomDraft(
                        bi, k, RoomCategory.SERVICE, sub, sub, to_cents(rng.uniform(lo, hi))
                    )
                    room.ground = sub in GROUND_SERVICE
                    service_rooms[k].append(self.add_room(room))
            # The rest: equipment, 技术业务用房 and other rooms (not office space, not in R6).
            for _ in range(free - sum(want)):
                roll = rng.random()
                if roll < 0.3:
                    sub, _, lo, hi = rng.choices(
                        EQUIPMENT_MIX, weights=[x[1] for x in EQUIPMENT_MIX]
                    )[0]
                    kinds.append((RoomCategory.EQUIPMENT, sub, lo, hi))
                elif roll < 0.75:
                    kinds.append((RoomCategory.TECHNICAL, "", 20, 120))
                else:
                    kinds.append((RoomCategory.OTHER, "", 12, 60))
            for category, sub, lo, hi in kinds:
                if category == RoomCategory.TECHNICAL:
                    name = rng.choice(N.TECHNICAL_NAMES)
                elif category == RoomCategory.OTHER:
                    name = rng.choice(N.OTHER_NAMES)
                else:
                    name = sub
                org = rng.choice(owners) if category != RoomCategory.EQUIPMENT else compound.owner
                room = RoomDraft(bi, org, category, sub, name, to_cents(rng.uniform(lo, hi)))
                room.basement = sub in ("停车库", "人防设施") or (
                    sub in BASEMENT_EQUIPMENT and b.floors_below > 0 and rng.random() < 0.7
                )
                room.ground = sub in GROUND_SERVICE or sub in ("食堂", "警卫用房")
                self.add_room(room)

        # Size each organization's service rooms to its target exactly (they are not scaled).
        for k, keys in service_rooms.items():
            drafts = [self.rooms[i] for i in keys]
            scale = targets[k] / sum(r.cents for r in drafts)
            for r in drafts:
                r.cents = max(100, int(r.cents * scale))
            biggest = max(drafts, key=lambda r: r.cents)
            biggest.cents += targets[k] - sum(r.cents for r in drafts)
        missing = [k for k in self.r6_excess if not service_rooms.get(k)]
        if missing:
            raise ValueError(f"{spec.name}：预置 R6 的单位没有服务用房（{missing}）。")

        # Statuses of the other rooms: R8 (lent / leased out with no case) and harmless ones.
        pl = self.spec.planting
        active_org = {o.plan.key for o in self.orgs if o.plan.status == OrganizationStatus.ACTIVE}
        service = [i for i in range(n_office, len(self.rooms))
                   if self.rooms[i].category in (RoomCategory.SERVICE, RoomCategory.OTHER)
                   and self.rooms[i].subtype not in ("卫生间", "开水间") and self.rooms[i].org in active_org]  # fmt: skip
        equipment = [i for i in range(n_office, len(self.rooms))
                     if self.rooms[i].category in (RoomCategory.EQUIPMENT, RoomCategory.TECHNICAL)]  # fmt: skip
        rng.shuffle(service)
        rng.shuffle(equipment)
        for code, status, n, pool in (
            ("R8-lent", RoomStatus.LENT, pl.r8_lent, service),
            ("R8-leased", RoomStatus.LEASED_OUT, pl.r8_leased, service),
            ("", RoomStatus.BORROWED, pl.borrowed, service),
            ("", RoomStatus.RENTED, pl.rented, service),
            ("", RoomStatus.SEALED, pl.sealed, equipment),
            ("", RoomStatus.PENDING_DISPOSAL, pl.pending_disposal, equipment),
        ):
            for i in pool[:n]:
                self.rooms[i].status = status
                self.rooms[i].status_since = self.days_ago(40, 900)
                if code:
                    self.planted[code].append(i)
            del pool[:n]

    # ---------------------------------------------------------------- 6. areas
    def scale_areas(self) -> tuple[list[int], list[int]]:
        """Scale the rooms other than offices and service rooms (both sized to the standard) so
        the buildings' usable areas meet the target exactly."""
        t = self.spec.targets
        office = [0] * len(self.buildings)
        other = [0] * len(self.buildings)
        for r in self.rooms:
            if r.category in FIXED:
                office[r.building] += r.cents
            else:
                other[r.building] += r.cents
        fills = [b.fill for b in self.buildings]
        factor = 1.0
        if t.usable_area is not None:
            target = int(t.usable_area * 100)
            fixed = sum(o / f for o, f in zip(office, fills, strict=True))
            free = sum(o / f for o, f in zip(other, fills, strict=True))
            factor = (target - fixed) / free
            if not 0.3 < factor < 3.5:
                raise ValueError(
                    f"{self.spec.name}：面积目标与房间数不协调（缩放系数 {factor:.2f}）。"
                )
        self.area_factor = factor
        sums = [0] * len(self.buildings)
        for r in self.rooms:
            if r.category not in FIXED:
                r.cents = max(200, int(r.cents * factor))
            sums[r.building] += r.cents
        usable = [math.ceil(s / f) for s, f in zip(sums, fills, strict=True)]
        if t.usable_area is not None:
            target = int(t.usable_area * 100)
            g = target / sum(usable)
            usable = [max(s, round(u * g)) for s, u in zip(sums, usable, strict=True)]
            diff = target - sum(usable)
            order = sorted(range(len(usable)), key=lambda i: usable[i] - sums[i], reverse=True)
            usable[order[0]] += diff
            if usable[order[0]] < sums[order[0]]:
                raise ValueError("面积调整失败：房间面积之和超过楼座使用面积。")
        ratios = [self.rng.uniform(0.44, 0.56) for _ in usable]
        gross = [math.ceil(u / r) for u, r in zip(usable, ratios, strict=True)]
        if t.building_area is not None:
            target = int(t.building_area * 100)
            h = target / sum(gross)
            gross = [max(u, round(x * h)) for u, x in zip(usable, gross, strict=True)]
            i = max(range(len(gross)), key=lambda i: gross[i] - usable[i])
            gross[i] += target - sum(gross)
            if gross[i] < usable[i]:
                raise ValueError("面积调整失败：使用面积超过建筑面积。")
        return usable, gross
