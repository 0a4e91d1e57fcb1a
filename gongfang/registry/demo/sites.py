"""Step 3: compounds and buildings, and which organization sits where."""

from __future__ import annotations

from . import names as N
from .state import BuilderState, BuildingDraft, CompoundDraft


class SiteSteps(BuilderState):
    # ---------------------------------------------------------------- 3. sites
    def build_sites(self) -> None:
        spec, t, rng = self.spec, self.spec.targets, self.rng
        p = N.level_word(spec.name)
        top = [o for o in self.orgs if o.tier in ("city", "province")]
        manager = next((o.plan.key for o in top if "site_manager" in o.tags), top[0].plan.key)
        gov = next((o.plan.key for o in top if "anchor_gov" in o.tags), top[0].plan.key)
        party = next((o.plan.key for o in top if "anchor_party" in o.tags), None)

        def compound(name: str, region: str, owner: int, kind: str) -> int:
            self.compounds.append(CompoundDraft(name, region, owner, kind))
            return len(self.compounds) - 1

        if spec.kind == "province":
            gov_c = compound(f"{spec.name}级机关综合办公区", spec.code, manager, "center")
        else:
            gov_c = compound(f"{spec.name}行政中心", spec.code, manager, "center")
        housed: dict[int, int] = {gov: gov_c, manager: gov_c}
        townships = [o for o in self.orgs if o.tier == "township"]
        county_centers: dict[str, int] = {}
        for county in spec.counties:
            members = [o for o in self.orgs if o.tier == "county" and o.county == county.code]
            organs = [o for o in members if o.plan.parent is None]
            if not organs:
                continue
            anchor = next((o for o in organs if "anchor_gov" in o.tags), organs[0])
            owner = next((o for o in organs if "site_manager" in o.tags), anchor)
            county_centers[county.code] = compound(
                f"{county.name}行政中心", county.code, owner.plan.key, "center"
            )
            housed[anchor.plan.key] = housed[owner.plan.key] = county_centers[county.code]
        fixed = len(self.compounds) + len(townships)
        party_c = None
        if party is not None and t.compounds - fixed > 0:
            party_c = compound(
                "省委机关大院" if spec.kind == "province" else f"{p}委大院",
                spec.code,
                party,
                "center",
            )
            housed[party] = party_c
        for o in townships:
            c = compound(f"{o.plan.name}大院", o.plan.region_code, o.plan.key, "township")
            housed[o.plan.key] = c
        independent = t.compounds - len(self.compounds)
        if independent < 0:
            raise ValueError(
                f"{spec.name}：院落数目标 {t.compounds} 太小（至少 {len(self.compounds)}）。"
            )
        candidates = [
            o for o in self.orgs
            if o.plan.key not in housed and o.tier != "township" and o.weight > 0
        ]  # fmt: skip
        candidates.sort(key=lambda o: (not o.own_site, rng.random()))
        if independent > len(candidates):
            raise ValueError(f"{spec.name}：院落数目标 {t.compounds} 太大。")
        for o in candidates[:independent]:
            region = o.county or spec.code
            housed[o.plan.key] = compound(f"{o.plan.name}办公区", region, o.plan.key, "own")
        for o in self.orgs:  # parents come first, so an institution finds its parent housed
            k = o.plan.key
            if k in housed:
                continue
            if o.plan.parent is not None:
                housed[k] = housed[o.plan.parent]
            elif o.county:
                housed[k] = county_centers[o.county]
            elif o.group == "party" and party_c is not None:
                housed[k] = party_c
            else:
                housed[k] = gov_c
        for o in self.orgs:
            o.compound = housed[o.plan.key]
            self.compounds[o.compound].tenants.append(o.plan.key)

        # Buildings: one each, then the extras to the centres and the biggest sites.
        extra = t.buildings - len(self.compounds)
        if extra < 0:
            raise ValueError(f"{spec.name}：楼座数目标 {t.buildings} 小于院落数。")
        more = [0] * len(self.compounds)
        wanted = [(gov_c, 3)] + ([(party_c, 1)] if party_c is not None else [])
        wanted += [(c, 1) for c in county_centers.values()]
        for c, n in wanted:
            give = min(n, extra, max(0, len(self.compounds[c].tenants) - 1))
            more[c] += give
            extra -= give
        others = [i for i, c in enumerate(self.compounds) if c.kind != "center"]
        size = {
            i: sum(len(self.orgs[k].persons) for k in self.compounds[i].tenants) for i in others
        }
        while extra > 0:
            pool = [i for i in others if more[i] < 2] or others
            i = rng.choices(pool, weights=[size[j] + 5 for j in pool])[0]
            more[i] += 1
            extra -= 1
        for ci, c in enumerate(self.compounds):
            n = 1 + more[ci]
            if c.kind == "center" and n > 1:
                labels = list(N.CENTER_BUILDINGS[:n])
            else:
                labels = [rng.choice(N.BUILDING_NAMES_MAIN)]
                extra_names = [x for x in N.BUILDING_NAMES_MORE if x not in labels]
                labels += extra_names[: n - 1]
            for label in labels:
                self.buildings.append(BuildingDraft(compound=ci, name=label))
                c.buildings.append(len(self.buildings) - 1)
            # Tenants to buildings, biggest first into the emptiest; institutions follow parents.
            load = dict.fromkeys(c.buildings, 0)
            tenants = sorted(c.tenants, key=lambda k: -len(self.orgs[k].persons))
            for k in tenants:
                o = self.orgs[k]
                if o.plan.parent is not None and self.orgs[o.plan.parent].compound == ci:
                    continue
                b = min(load, key=lambda b: (load[b], b))
                o.building = b
                load[b] += len(o.persons) + 1
            for k in tenants:
                o = self.orgs[k]
                if o.building < 0:
                    o.building = self.orgs[o.plan.parent].building
            for k in c.tenants:
                b = self.buildings[self.orgs[k].building]
                b.tenants.append(k)
                b.persons += len(self.orgs[k].persons)
            c.canteen = c.kind == "center" or rng.random() < (0.55 if c.kind == "township" else 0.3)
