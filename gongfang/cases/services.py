"""Services of the cases app: the records approved cases leave, and the authority their effects
run under.

**Authority.** A case's effects are written through the registry's own services (permission,
scope, invariants, change log, compliance re-check), but the account that makes the last
decision is often a leader, who may read the registry and not write it. The approval itself is
the authority: :func:`authority` gives the services an account that acts as the bureau of the
case's region (its rights, that region's subtree as its scope) and bears the signer's identity,
so the change log names the signer and nothing outside the case's region can be touched.
"""

from __future__ import annotations

import copy

from ..accounts.models import User
from ..accounts.roles import Role
from ..framework.services import ObjectService, register
from .models import ApprovedUse, ConstructionProject


def authority(*, case, user=None) -> User:
    """An (unsaved) account with the bureau's rights over ``case``'s region, named as ``user``
    (the signer; none: the system, e.g. the job that applies a case on its date)."""
    agent = copy.copy(user) if user is not None else User(username="system")
    agent.roles = [Role.BUREAU_ADMIN]
    agent.is_active = True
    agent.scope_organization = None
    agent.scope_region = case.region
    # Never saved: an attempt to would write the signer's row with these rights.
    agent.save = _refuse_save
    return agent


def _refuse_save(*args, **kwargs):
    raise RuntimeError("an approval's authority is not an account to save")


@register
class ApprovedUseService(ObjectService):
    model = ApprovedUse


@register
class ConstructionProjectService(ObjectService):
    model = ConstructionProject
