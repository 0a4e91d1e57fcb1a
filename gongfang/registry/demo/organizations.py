"""Steps 1–2: organizations (names, codes, ladders of posts) and their people."""

from __future__ import annotations

from collections import defaultdict

from ..choices import (
    AdminLevel,
    EmploymentStatus,
    OrganizationKind,
    OrganizationStatus,
    StaffingKind,
)
from . import names as N
from .plan import OrgPlan, PersonPlan, QuotaPlan
from .specs import CountySpec
from .state import BuilderState, OrgDraft, largest_remainder

G = N.G
K = OrganizationKind


class OrganizationSteps(BuilderState):
    # ---------------------------------------------------------------- 1. organizations
    def ladder(self, tier: str, kind: str, head: str, deputy: str, tops) -> N.Ladder:
        """Grades of an organization's posts by its tier (who heads a city bureau, etc.)."""
        inst = kind == K.INSTITUTION
        sub = self.spec.subprovincial
        if tier == "province" or (tier == "city" and sub):
            grades = (
                (G.DIVISION, G.VICE_DIVISION, G.SECTION, None, "科")
                if inst
                else (G.BUREAU, G.VICE_BUREAU, G.DIVISION, G.VICE_DIVISION, "处")
            )
        elif tier == "city":
            grades = (
                (G.SECTION, G.VICE_SECTION, None, None, "")
                if inst
                else (G.DIVISION, G.VICE_DIVISION, G.SECTION, G.VICE_SECTION, "科")
            )
        elif tier == "county":
            grades = (G.SECTION, G.VICE_SECTION, None, None, "")
        else:  # township: its tops are its heads
            grades = (None, G.VICE_SECTION, None, None, "")
        head_g, deputy_g, chief_g, vice_g, unit = grades
        lean = self.spec.lean
        rungs = [N.Rung(pos, g, 1 if lean else n) for pos, g, n in tops]
        if head_g:
            rungs.append(N.Rung(head, head_g))
        staff_positions = ("科员", "一级科员", "二级科员", "四级主任科员", "科员", "工作人员")
        if tier in ("county", "township"):
            staff_positions = ("科员", "一级科员", "股长", "工作人员", "四级主任科员", "科员")
        return N.Ladder(
            tops=tuple(rungs),
            deputy=N.Rung(deputy, deputy_g),
            chief=N.Rung(f"{unit}长", chief_g) if chief_g else None,
            vice_chief=N.Rung(f"副{unit}长", vice_g) if vice_g else None,
            staff_positions=staff_positions,
        )

    def add_org(
        self,
        *,
        name: str,
        short: str,
        kind: str,
        tier: str,
        region_code: str,
        weight: float,
        tops=(),
        head: str = "",
        parent: int | None = None,
        group: str = "government",
        own_site: bool = False,
        tags: frozenset[str] = frozenset(),
        template_key: str = "",
        county: str = "",
    ) -> int:
        key = len(self.orgs)
        level = {"province": AdminLevel.PROVINCE, "city": AdminLevel.CITY,
                 "county": AdminLevel.COUNTY, "township": AdminLevel.TOWNSHIP}[tier]  # fmt: skip
        standard = ""
        if tier == "city" and self.spec.subprovincial and kind != K.INSTITUTION:
            standard = AdminLevel.PROVINCE  # 副省级城市 departments: 省级 row (DESIGN §4.1)
        head_title, deputy_title = N.head_titles(short)
        if head:
            head_title, deputy_title = head, "副" + head
        plan = OrgPlan(
            key=key,
            name=name,
            short_name=short[:40],
            kind=kind,
            level=level,
            region_code=region_code,
            uscc=self.uscc(kind, region_code),
            parent=parent,
            standard_level=standard,
        )
        p = N.level_word(self.region_name(region_code, tier))
        tops = tuple((pos.format(p=p), g, n) for pos, g, n in tops)
        self.orgs.append(
            OrgDraft(
                plan=plan,
                tier=tier,
                ladder=self.ladder(tier, kind, head_title, deputy_title, tops),
                weight=weight,
                group=group,
                own_site=own_site,
                tags=tags,
                template_key=template_key,
                county=county,
            )
        )
        return key

    def region_name(self, code: str, tier: str) -> str:
        if tier == "county":
            return self.county_name[code]
        return self.spec.name

    def build_orgs(self) -> None:
        spec, t = self.spec, self.spec.targets
        top_tier = "province" if spec.kind == "province" else "city"
        level = (
            "province"
            if spec.kind == "province"
            else ("subprovincial" if spec.subprovincial else "city")
        )
        r, p = spec.name, N.level_word(spec.name)

        # Townships first decide how much room is left.
        towns: list[tuple[CountySpec, str, str]] = []
        queues = [list(c.townships) for c in spec.counties]
        cap = spec.township_cap if spec.township_cap is not None else sum(map(len, queues))
        while len(towns) < cap and any(queues):
            for county, q in zip(spec.counties, queues, strict=True):
                if q and len(towns) < cap:
                    code, tname = q.pop(0)
                    towns.append((county, code, tname))

        templates = N.organ_templates(level)
        if spec.city_organ_keys is not None:
            by_key = {x.key: x for x in templates}
            templates = [by_key[k] for k in spec.city_organ_keys]
        n_counties = len(spec.counties)
        rest = t.organizations - len(towns)
        if spec.kind == "province" or spec.city_organ_keys is not None:
            organs = templates[: min(len(templates), rest)]
        else:
            organs = templates[: max(0, min(len(templates), rest - 2 * n_counties))]
        rest -= len(organs)
        per_county = 0
        if n_counties:
            per_county = spec.county_organs or max(
                1, min(len(N.COUNTY_PRIORITY), int(rest * 0.78 / n_counties))
            )
            chosen = {tpl.key for tpl in organs}
            n_city_insts = sum(1 for x in N.CITY_INSTITUTIONS if x[0] in chosen)
            # More organs per county while the institutions left over would outrun the templates.
            while spec.county_organs is None and per_county < len(N.COUNTY_PRIORITY):
                keys = set(N.COUNTY_PRIORITY[:per_county])
                capacity = n_city_insts + n_counties * sum(
                    1 for x in N.COUNTY_INSTITUTIONS if x[0] in keys
                )
                if rest - per_county * n_counties <= capacity:
                    break
                per_county += 1
            rest -= per_county * n_counties
        if rest < 0:
            raise ValueError(f"{spec.name}：单位数目标 {t.organizations} 太小。")

        city_keys: dict[str, int] = {}
        for tpl in organs:
            short = tpl.key.format(p=p) if "{p}" in tpl.key else p + tpl.key
            key = self.add_org(
                name=tpl.name.format(r=r, p=p), short=short, kind=tpl.kind, tier=top_tier,
                region_code=spec.code, weight=tpl.weight, tops=tpl.tops, head=tpl.head,
                group=tpl.group, own_site=tpl.own_site, tags=tpl.tags, template_key=tpl.key,
            )  # fmt: skip
            city_keys[tpl.key] = key

        county_keys: dict[str, dict[str, int]] = {}
        county_templates = {x.key: x for x in N.organ_templates("county")}
        for county in spec.counties:
            cp = N.level_word(county.name)
            county_keys[county.code] = {}
            for tkey in N.COUNTY_PRIORITY[:per_county]:
                tpl = county_templates[tkey]
                # Short names keep the county's name: six districts each have a 区委办公室.
                cn = county.name
                short = tpl.key.format(p=cn) if "{p}" in tpl.key else cn + tpl.key
                name = tpl.name.format(r=cn, p=cp)
                if tkey == "公安分局" and cp != "区":
                    name, short = f"{cn}公安局", f"{cn}公安局"
                elif tkey == "公安分局":
                    name, short = f"{r}公安局{cn}分局", f"{cn}公安分局"
                key = self.add_org(
                    name=name, short=short, kind=tpl.kind, tier="county", region_code=county.code,
                    weight=tpl.weight, tops=tpl.tops, head=tpl.head, group=tpl.group,
                    own_site=tpl.own_site, tags=tpl.tags, template_key=tkey, county=county.code,
                )  # fmt: skip
                county_keys[county.code][tkey] = key

        for county, code, tname in towns:
            full, short, tops, deputy = N.township_org_name(tname)
            key = self.add_org(
                name=full, short=short, kind=K.GOVERNMENT, tier="township", region_code=code,
                weight=1.9 * self.rng.uniform(0.75, 1.3), tops=tops, head="",
                county=county.code, tags=frozenset({"township"}), template_key=tname,
            )  # fmt: skip
            self.orgs[key].ladder = N.Ladder(
                tops=tuple(N.Rung(pos, g, 1 if spec.lean else n) for pos, g, n in tops),
                deputy=N.Rung(deputy, G.VICE_SECTION),
                staff_positions=("科员", "一级科员", "工作人员", "站长", "所长", "科员"),
            )

        # Institutions fill what is left: city first (up to two thirds), then the counties.
        insts = rest
        if spec.kind == "province":
            self.province_institutions(insts, city_keys)
            return
        city_avail = [x for x in N.CITY_INSTITUTIONS if x[0] in city_keys]
        county_avail = [
            (c, x) for x in N.COUNTY_INSTITUTIONS for c in spec.counties
            if x[0] in county_keys[c.code]
        ]  # fmt: skip
        n_county = min(len(county_avail), insts // 3)
        n_city = min(len(city_avail), insts - n_county)
        n_county = insts - n_city
        if n_county > len(county_avail):
            raise ValueError(f"{spec.name}：事业单位模板不足（需要 {insts} 个）。")
        for parent_key, suffix, w, own in city_avail[:n_city]:
            self.add_org(
                name=f"{r}{suffix}", short=f"{p}{suffix}", kind=K.INSTITUTION, tier=top_tier,
                region_code=spec.code, weight=w, parent=city_keys[parent_key], own_site=own,
                template_key=suffix,
            )  # fmt: skip
        for county, (parent_key, suffix, w, own) in county_avail[:n_county]:
            self.add_org(
                name=f"{county.name}{suffix}", short=f"{county.name}{suffix}", kind=K.INSTITUTION,
                tier="county", region_code=county.code, weight=w,
                parent=county_keys[county.code][parent_key], own_site=own, template_key=suffix,
                county=county.code,
            )  # fmt: skip

    def province_institutions(self, count: int, organ_keys: dict[str, int]) -> None:
        r, p = self.spec.name, N.level_word(self.spec.name)
        parents = [
            (k, key) for k, key in organ_keys.items()
            if self.orgs[key].plan.kind not in (K.MASS, K.DEMOCRATIC)
            and not (self.orgs[key].tags & {"anchor_party", "anchor_gov"})
        ]  # fmt: skip
        combos = [(k, key, s) for k, key in parents for s in N.PROVINCE_INSTITUTION_SUFFIXES]
        self.rng.shuffle(combos)
        chosen = sorted(combos[:count], key=lambda c: (c[1], c[2]))
        if len(chosen) < count:
            raise ValueError(f"省直事业单位模板不足（需要 {count} 个）。")
        for tkey, parent, suffix in chosen:
            core = tkey.format(p=p) if "{p}" in tkey else p + tkey
            core = core.removeprefix(p)
            self.add_org(
                name=f"{r}{core}{suffix}", short=f"{p}{core}{suffix}", kind=K.INSTITUTION,
                tier="province", region_code=self.spec.code, weight=self.rng.uniform(0.25, 0.7),
                parent=parent, own_site=self.rng.random() < 0.5, template_key=suffix,
            )  # fmt: skip

    def plant_abolished(self) -> None:
        """The first city (or province) institution was abolished; its staff moved on."""
        if not self.spec.planting.r7_rooms:
            return
        org = next(
            o for o in self.orgs if o.plan.kind == K.INSTITUTION and o.plan.parent is not None
        )
        org.plan.status = OrganizationStatus.ABOLISHED
        org.plan.abolished_on = self.days_ago(200, 420)
        org.plan.successor = org.plan.parent
        org.weight = 0
        self.planted["R7"].append(org.plan.key)

    # ---------------------------------------------------------------- 2. persons
    def build_persons(self) -> None:
        t = self.spec.targets
        lean = self.spec.lean
        minimum, weights = [], []
        for o in self.orgs:
            if o.weight == 0:
                minimum.append(0)
                weights.append(0.0)
                continue
            tops = sum(r.count for r in o.ladder.tops)
            minimum.append(tops + 2)
            base = 1 if lean else 40 if o.tier in ("city", "province") else 30
            weights.append(o.weight * base * self.rng.uniform(0.75, 1.3))
        sizes = largest_remainder(t.persons, weights, minimum)
        for o, n in zip(self.orgs, sizes, strict=True):
            self.persons_of(o, n)

    def persons_of(self, o: OrgDraft, n: int) -> None:
        rng, lad = self.rng, o.ladder
        if n == 0:
            return
        rungs: list[tuple[str, N.Rung]] = [("top", r) for r in lad.tops for _ in range(r.count)]
        left = n - len(rungs)
        deputies = 1 if self.spec.lean else max(1, min(5, round(n * 0.07)))
        deputies = min(deputies, left - 1)
        rungs += [("deputy", lad.deputy)] * deputies
        left -= deputies
        if lad.chief and left > 3:
            chiefs = max(1, min(left - 2, round(n * 0.12)))
            rungs += [("chief", lad.chief)] * chiefs
            left -= chiefs
            if lad.vice_chief and left > 3:
                vices = min(left - 2, round(chiefs * 0.4))
                rungs += [("vice_chief", lad.vice_chief)] * vices
                left -= vices
        rungs += [("staff", N.Rung("", lad.staff_grade))] * left
        inst = o.plan.kind == K.INSTITUTION
        unit = "处" if lad.chief and lad.chief.position == "处长" else "科"
        for i, (rung, r) in enumerate(rungs):
            position = r.position
            if rung in ("chief", "vice_chief"):
                position = (
                    f"{rng.choice(N.SECTIONS).removesuffix('办公室') or '综合'}{unit}{r.position}"
                )
            elif rung == "staff":
                position = rng.choice(lad.staff_positions)
            if inst:
                kind = StaffingKind.INSTITUTION if rng.random() < 0.92 else StaffingKind.OTHER
            elif o.tier == "township":
                kind = (
                    StaffingKind.ADMINISTRATIVE if rng.random() < 0.6 else StaffingKind.INSTITUTION
                )
            else:
                roll = rng.random()
                kind = (StaffingKind.ADMINISTRATIVE if roll < 0.9 else
                        StaffingKind.INSTITUTION if roll < 0.95 else StaffingKind.OTHER)  # fmt: skip
            status, changed = EmploymentStatus.ACTIVE, None
            if rung in ("deputy", "chief", "vice_chief", "staff"):
                roll = rng.random()
                if roll < 0.035:
                    status = EmploymentStatus.RETIRED
                elif roll < 0.055:
                    status = EmploymentStatus.TRANSFERRED
                elif roll < 0.065:
                    status = EmploymentStatus.SECONDED
                if status != EmploymentStatus.ACTIVE:
                    changed = self.days_ago(60, 1800)
            key = len(self.persons)
            self.persons.append(
                PersonPlan(
                    key=key,
                    org=o.plan.key,
                    number=f"{i + 1:04d}",
                    name=N.person_name(rng),
                    position=position,
                    grade=r.grade,
                    staffing_kind=kind,
                    employment_status=status,
                    status_changed_on=changed,
                    phone=f"1{rng.choice('3578')}{rng.randrange(10**9):09d}",
                )
            )
            self.person_rung.append(rung)
            o.persons.append(key)

    def build_quotas(self) -> list[QuotaPlan]:
        quotas = []
        for o in self.orgs:
            counts: dict[str, int] = defaultdict(int)
            admin = inst = heads = 0
            for pk in o.persons:
                p = self.persons[pk]
                if p.employment_status in (EmploymentStatus.RETIRED, EmploymentStatus.TRANSFERRED):
                    continue
                heads += 1
                if self.person_rung[pk] != "staff":
                    counts[p.grade] += 1
                if p.staffing_kind == StaffingKind.ADMINISTRATIVE:
                    admin += 1
                elif p.staffing_kind == StaffingKind.INSTITUTION:
                    inst += 1
            if o.plan.status == OrganizationStatus.ACTIVE:
                o.plan.staffing_quota = admin + (self.rng.randint(0, 3) if admin else 0)
                o.plan.institution_staffing_quota = inst + (self.rng.randint(0, 3) if inst else 0)
                # 编外 staff stay a few: the head count is at most a little above the 编制.
                staffing = o.plan.staffing_quota + o.plan.institution_staffing_quota
                short = heads - staffing - max(2, staffing // 10)
                if short > 0 and (o.plan.staffing_quota or not o.plan.institution_staffing_quota):
                    o.plan.staffing_quota += short
                elif short > 0:
                    o.plan.institution_staffing_quota += short
            for grade, n in counts.items():
                quotas.append(QuotaPlan(o.plan.key, grade, n + (self.rng.random() < 0.3)))
        return quotas
