"""Who acts at a step: an actor rule resolved, for one case, into a role and a place.

A rule names no person. It names a role and where the role's accounts sit relative to the
applicant: the applicant unit itself, its 主管部门 (parent organization), the other party, or the
bureau / leaders of the applicant's region or of the region above. A task keeps the resolved
role and place; every active account holding that role with exactly that scope sees the task
(``Task.objects.for_user``).

A bureau rule climbs from the applicant's region to the nearest region where an active account of
the role is scoped (a township without its own bureau is served by the county's); with none
anywhere, the applicant's region is named, so the task waits for such an account to be created.
"""

from __future__ import annotations

from typing import NamedTuple

from django.core.exceptions import ValidationError

from ..accounts.models import User
from ..accounts.roles import Role
from ..registry.models import Organization, Region
from .choices import ActorRule


class Resolved(NamedTuple):
    """The role and the place (a region, or an organization) whose accounts act."""

    role: str
    region: Region | None = None
    organization: Organization | None = None


REGION_RULES = {
    ActorRule.REGION_BUREAU: Role.BUREAU_ADMIN,
    ActorRule.REGION_LEADER: Role.LEADER,
}
UPPER_RULES = {
    ActorRule.UPPER_BUREAU: (Role.BUREAU_ADMIN, ActorRule.REGION_BUREAU),
    ActorRule.UPPER_LEADER: (Role.LEADER, ActorRule.REGION_LEADER),
}


def _staffed_regions(role: str, regions: list[Region]) -> set[int]:
    """Those of ``regions`` where an active account holds ``role`` with that region scope."""
    rows = User.objects.filter(
        is_active=True, scope_region__in=[r.pk for r in regions]
    ).values_list("scope_region_id", "roles")
    return {region_id for region_id, roles in rows if role in (roles or ())}


def nearest_region(role: str, start: Region, *, strictly_above: bool = False) -> Region:
    """The nearest region at (or strictly above) ``start`` staffed with ``role``; else ``start``
    (or, strictly above, its parent: the task waits there)."""
    chain = start.ancestors(include_self=not strictly_above)
    chain.reverse()  # nearest first
    staffed = _staffed_regions(role, chain)
    for region in chain:
        if region.pk in staffed:
            return region
    if strictly_above:
        return chain[0] if chain else start
    return start


def resolve(rule: str, case) -> Resolved:
    """Resolve ``rule`` for ``case`` (its applicant, counterparty and region)."""
    applicant = case.applicant
    if rule == ActorRule.APPLICANT_ADMIN:
        return Resolved(Role.UNIT_ADMIN, organization=applicant)
    if rule == ActorRule.SUPERVISING_ADMIN:
        parent = applicant.parent if applicant.parent_id else applicant
        return Resolved(Role.UNIT_ADMIN, organization=parent)
    if rule == ActorRule.COUNTERPARTY_ADMIN:
        if not case.counterparty_id:
            raise ValidationError("该事项没有对方单位，无法确定“对方单位管理员”环节的办理人。")
        return Resolved(Role.UNIT_ADMIN, organization=case.counterparty)
    if rule in REGION_RULES:
        role = REGION_RULES[rule]
        return Resolved(role, region=nearest_region(role, applicant.region))
    if rule in UPPER_RULES:
        role, base_rule = UPPER_RULES[rule]
        base = nearest_region(REGION_RULES[base_rule], applicant.region)
        return Resolved(role, region=nearest_region(role, base, strictly_above=True))
    raise ValidationError(f"未知的办理人规则“{rule}”。")


def accounts_for(task) -> list[User]:
    """The active accounts that see ``task`` in their to-do: its role, exactly its place."""
    users = User.objects.filter(is_active=True)
    if task.organization_id:
        users = users.filter(scope_organization_id=task.organization_id)
    elif task.region_id:
        users = users.filter(scope_region_id=task.region_id)
    else:
        return []
    return [u for u in users if task.role in (u.roles or ())]
