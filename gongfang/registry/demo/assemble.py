"""Step 7: floors, room numbers, coordinates and the final plan with its planted list."""

from __future__ import annotations

import math
from collections import defaultdict
from decimal import Decimal

from ..choices import (
    HeightClass,
    ParkingKind,
    RoomCategory,
    RoomStatus,
    TitleStatus,
)
from . import names as N
from .plan import (
    BuildingPlan,
    CanteenPlan,
    CompoundPlan,
    FloorPlan,
    OccupancyPlan,
    ParkingLotPlan,
    Plan,
    PlantedCase,
    QuotaPlan,
    RoomPlan,
)
from .state import BuilderState, to_decimal


class AssembleSteps(BuilderState):
    # ---------------------------------------------------------------- 7. assemble
    def assemble(self, *, quotas: list[QuotaPlan], usable: list[int], gross: list[int]) -> Plan:
        """The plan, from the drafts and each building's usable and gross area in cents."""
        rng, spec, anchor = self.rng, self.spec, self.anchor
        plan = Plan(name=spec.name, anchor=anchor)
        plan.organizations = [o.plan for o in self.orgs]
        plan.persons = self.persons
        plan.posts = self.posts
        plan.quotas = quotas
        lng0, lat0 = spec.center or (None, None)
        county_offset = {
            c.code: (rng.uniform(-0.3, 0.3), rng.uniform(-0.25, 0.25)) for c in spec.counties
        }
        counties = list(spec.counties)
        room_keys: dict[int, int] = {}

        for ci, c in enumerate(self.compounds):
            owner = self.orgs[c.owner]
            if c.kind == "township":
                area = f"{self.county_name.get(owner.county, '')}{owner.template_key}"
            elif owner.county:
                area = self.county_name[owner.county]
            else:
                area = rng.choice(counties).name if counties else "济南市历下区"
            lng = lat = None
            if lng0 is not None and lat0 is not None:
                dx, dy = county_offset.get(owner.county, (0.0, 0.0))
                spread = 0.12 if c.kind == "township" else 0.03
                lng = Decimal(f"{lng0 + dx + rng.uniform(-spread, spread):.6f}")
                lat = Decimal(f"{lat0 + dy + rng.uniform(-spread, spread):.6f}")
            footprint = 0.0
            for b in c.buildings:
                footprint += gross[b] / max(1, self.buildings[b].floors_above)
            land = int(footprint * rng.uniform(1.6, 3.5))
            certificate = ""
            if rng.random() < 0.7:
                abbr = "鲁" if spec.kind == "province" else spec.name[0]
                certificate = (
                    f"{abbr}国用（{rng.randint(1995, 2020)}）第{rng.randint(1, 99999):05d}号"
                )
            plan.compounds.append(
                CompoundPlan(
                    key=ci,
                    name=c.name,
                    region_code=c.region_code,
                    owner_org=c.owner,
                    address=f"{spec.province_name if spec.kind == 'province' else spec.name}{area}"
                    f"{rng.choice(N.ROADS)}{rng.randint(1, 299)}号",
                    lng=lng,
                    lat=lat,
                    land_area=to_decimal(land) if land > 0 else None,
                    land_certificate=certificate,
                )
            )

        for bi, b in enumerate(self.buildings):
            roll = rng.random()
            title = (
                TitleStatus.CERTIFIED
                if roll < 0.7
                else TitleStatus.FILED
                if roll < 0.85
                else TitleStatus.UNCLEAR
            )
            plan.buildings.append(
                BuildingPlan(
                    key=bi,
                    compound=b.compound,
                    name=b.name,
                    floors_above=b.floors_above,
                    floors_below=b.floors_below,
                    building_area=to_decimal(gross[bi]),
                    usable_area=to_decimal(usable[bi]),
                    year_built=rng.randint(1982, min(2023, anchor.year)),
                    height_class=HeightClass.HIGH if b.floors_above >= 8 else HeightClass.MULTI,
                    title_status=title,
                )
            )
            floor_key: dict[int, int] = {}
            for number in [*range(-b.floors_below, 0), *range(1, b.floors_above + 1)]:
                floor_key[number] = len(plan.floors)
                plan.floors.append(FloorPlan(len(plan.floors), bi, number))
            # Lay rooms out: basements, ground-floor services, then each organization's block.
            rooms = [self.rooms[i] for i in b.rooms]
            idx = list(b.rooms)
            below = [i for i, r in zip(idx, rooms, strict=True) if r.basement and b.floors_below]
            ground = [i for i, r in zip(idx, rooms, strict=True) if r.ground and i not in below]
            placed = set(below) | set(ground)
            rest = [i for i in idx if i not in placed]
            offices = [i for i in rest if self.rooms[i].category == RoomCategory.OFFICE]
            misc = [i for i in rest if self.rooms[i].category != RoomCategory.OFFICE]
            offices.sort(key=lambda i: (self.rooms[i].org or 0, i))
            rng.shuffle(misc)
            seq = list(ground)
            step = max(1, len(offices) // max(1, len(misc))) if misc else len(offices) + 1
            oi = 0
            for m in misc:
                seq += offices[oi : oi + step]
                oi += step
                seq.append(m)
            seq += offices[oi:]
            per_floor = math.ceil(len(seq) / b.floors_above) if seq else 1
            layout: dict[int, list[int]] = defaultdict(list)
            for n, i in enumerate(seq):
                layout[min(b.floors_above, n // per_floor + 1)].append(i)
            for n, i in enumerate(below):
                layout[-(n % b.floors_below) - 1].append(i)
            for number in sorted(layout):
                for s, i in enumerate(layout[number], start=1):
                    r = self.rooms[i]
                    label = f"{number}{s:02d}" if number > 0 else f"B{-number}{s:02d}"
                    room_keys[i] = len(plan.rooms)
                    plan.rooms.append(
                        RoomPlan(
                            key=len(plan.rooms),
                            floor=floor_key[number],
                            number=label,
                            name=r.name[:60],
                            category=r.category,
                            subtype=r.subtype,
                            usable_area=to_decimal(r.cents),
                            organization=r.org,
                            status=r.status,
                            status_since=r.status_since,
                        )
                    )

        for i, r in enumerate(self.rooms):
            for pk, start, end, primary in r.occupants:
                plan.occupancies.append(OccupancyPlan(pk, room_keys[i], start, end, primary))
        for pk, current, start, end in self.history:
            org = self.persons[pk].org
            earlier = [i for i in self.buildings[self.rooms[current].building].rooms
                       if i != current and self.rooms[i].org == org
                       and self.rooms[i].category == RoomCategory.OFFICE
                       and self.rooms[i].status == RoomStatus.IN_USE]  # fmt: skip
            if earlier:
                room = earlier[rng.randrange(len(earlier))]
                plan.occupancies.append(OccupancyPlan(pk, room_keys[room], start, end, True))

        for ci, c in enumerate(self.compounds):
            people = sum(len(self.orgs[k].persons) for k in c.tenants)
            garage = sum(self.rooms[i].cents for b in c.buildings for i in self.buildings[b].rooms
                         if self.rooms[i].subtype == "停车库")  # fmt: skip
            canteen = sum(self.rooms[i].cents for b in c.buildings for i in self.buildings[b].rooms
                          if self.rooms[i].subtype == "食堂")  # fmt: skip
            if rng.random() < 0.8 or c.kind == "center":
                spaces = max(8, min(400, int(people * rng.uniform(0.2, 0.45))))
                plan.parking_lots.append(
                    ParkingLotPlan(ci, "地面停车场", ParkingKind.SURFACE, spaces)
                )
            if garage:
                plan.parking_lots.append(
                    ParkingLotPlan(
                        ci, "地下停车库", ParkingKind.UNDERGROUND, max(10, garage // 3200)
                    )
                )
            if c.kind == "center" and rng.random() < 0.5:
                plan.parking_lots.append(
                    ParkingLotPlan(ci, "立体停车库", ParkingKind.STRUCTURE, rng.randint(60, 240))
                )
            if canteen:
                plan.canteens.append(
                    CanteenPlan(
                        ci,
                        rng.choice(["机关食堂", "职工食堂"]),
                        to_decimal(canteen),
                        max(20, canteen // 180),
                    )
                )

        plan.planted = self.planted_cases(room_keys)
        return plan

    def planted_cases(self, room_keys: dict[int, int]) -> list[PlantedCase]:
        def rooms(code: str) -> list[int]:
            return sorted(room_keys[i] for i in self.planted[code])

        r7_rooms = 0
        for org in self.planted["R7"]:
            r7_rooms += sum(1 for r in self.rooms if r.org == org)
        return [
            PlantedCase("R1-sole", "R1", "领导人员单独使用的办公室超过本人标准", True, rooms("R1-sole")),
            PlantedCase("R1-shared", "R1", "多人合用的办公室超过使用人标准之和", True, rooms("R1-shared")),
            PlantedCase("R2-post", "R2", "因在任兼职另有第二办公室（面积小于标准，合规对照）", False,
                        sorted(self.planted["R2-post"]), "person"),
            PlantedCase("R2-nopost", "R2", "无兼职却同时占用两间办公室", True,
                        sorted(self.planted["R2-nopost"]), "person"),
            PlantedCase("R3-retired", "R3", "退休超过 1 个月仍占用办公室", True,
                        sorted(self.planted["R3-retired"]), "person"),
            PlantedCase("R3-transferred", "R3", "调离超过 1 个月仍占用办公室", True,
                        sorted(self.planted["R3-transferred"]), "person"),
            PlantedCase("R4", "R4", "兼职结束超过 2 个月仍占用第二办公室", True,
                        sorted(self.planted["R4"]), "person"),
            PlantedCase("R5", "R5", "办公室闲置超过 6 个月", True, rooms("R5")),
            PlantedCase("R6", "R6", "单位办公室和服务用房使用面积超过核定面积（A + B）", True,
                        list(self.planted["R6"]), "organization",
                        excess=[to_decimal(self.r6_excess[k]) for k in self.planted["R6"]]),
            PlantedCase("R7", "R7", "已撤销单位仍占有房间", True, sorted(self.planted["R7"]),
                        "organization", rooms=r7_rooms),
            PlantedCase("R8-lent", "R8", "房间出借（无审批）", True, rooms("R8-lent")),
            PlantedCase("R8-leased", "R8", "房间出租（无审批）", True, rooms("R8-leased")),
        ]  # fmt: skip
