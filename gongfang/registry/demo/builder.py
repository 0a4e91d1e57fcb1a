"""Build the plan of one demo part (a prefecture city, or the province-level organs).

Pure Python: one ``random.Random`` per part, no database, no clock (dates count back from the
plan's anchor). The order of steps matters, since later steps size what earlier ones decided:
organizations → persons → compounds and buildings → office rooms (sized by the standard) →
planted cases → 编制 and 领导职数 → service rooms (within each organization's approved A + B) and
other rooms → areas scaled to the part's totals → floors and room numbers.
"""

from __future__ import annotations

import datetime

from .assemble import AssembleSteps
from .organizations import OrganizationSteps
from .plan import Plan
from .rooms import RoomSteps
from .sites import SiteSteps
from .specs import CountySpec, PartSpec, Planting, Targets

__all__ = ["CountySpec", "PartSpec", "Planting", "Targets", "build_plan"]


class _Builder(OrganizationSteps, SiteSteps, RoomSteps, AssembleSteps):
    def build(self) -> Plan:
        self.build_orgs()
        self.plant_abolished()
        self.build_persons()
        self.build_sites()
        self.build_offices()
        quotas = self.build_quotas()
        self.build_other_rooms(quotas)
        usable, gross = self.scale_areas()
        return self.assemble(quotas=quotas, usable=usable, gross=gross)


def build_plan(spec: PartSpec, *, seed: int, anchor: datetime.date) -> Plan:
    """The plan of one part; the same spec, seed and anchor always give the same plan."""
    return _Builder(spec, seed=seed, anchor=anchor).build()
