"""The roles of DESIGN §1 and what each may do.

Roles are fixed by the design (三员分立 among them), so they live here; what each role may do is
one table, read by ``User.has_model_perm`` and so by every queryset's ``restrict()``.
"""

from __future__ import annotations

from django.db import models

ALL = frozenset({"view", "add", "change", "delete"})
VIEW = frozenset({"view"})


class Role(models.TextChoices):
    BUREAU_ADMIN = "bureau_admin", "机关事务管理员"
    UNIT_ADMIN = "unit_admin", "单位系统管理员"
    SURVEYOR = "surveyor", "测绘单位"
    SUPERVISOR = "supervisor", "纪检监督"
    LEADER = "leader", "审批领导"
    SYS_ADMIN = "sys_admin", "系统管理员"
    SEC_ADMIN = "sec_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


# 三员分立: an account holds at most one of these.
SEPARATED_ADMIN_ROLES = frozenset({Role.SYS_ADMIN, Role.SEC_ADMIN, Role.AUDIT_ADMIN})
# Roles that work on business data and so need a region or organization scope.
BUSINESS_ROLES = frozenset(
    {Role.BUREAU_ADMIN, Role.UNIT_ADMIN, Role.SURVEYOR, Role.SUPERVISOR, Role.LEADER}
)

# role -> {"app_label.model_name" or "app_label.*": actions}
PERMISSIONS: dict[str, dict[str, frozenset[str]]] = {
    Role.BUREAU_ADMIN: {
        "registry.*": ALL,
        "standards.*": ALL,
        "compliance.*": ALL,
        "workflow.*": ALL,
        "titles.*": ALL,
        "cases.*": ALL,
        "ledger.*": ALL,
        "archives.*": ALL,
        "maintenance.*": ALL,
        "inspections.*": ALL,
        "vehicles.*": ALL,
        "survey.*": ALL,
        "review.*": ALL,
        "reporting.*": ALL,
        "exchange.*": ALL,
        "terminals.*": ALL,
        # Positions and trips come from the terminals only; the bureau reads them.
        "terminals.position": VIEW,
        "terminals.lastposition": VIEW,
        "terminals.trip": VIEW,
        "supervision.*": ALL,
    },
    Role.UNIT_ADMIN: {
        "registry.*": ALL,
        "registry.region": VIEW,
        "standards.*": VIEW,
        "compliance.*": VIEW,
        # Applies (drafts, edits, submits, withdraws its cases); definitions are read only.
        "workflow.*": VIEW,
        "workflow.case": ALL,
        "titles.*": VIEW,
        "cases.*": VIEW,
        "ledger.*": ALL,
        # Documents of its own objects; proposals and its own projects' reports (the services
        # check which stage a unit may act in); its fleet and its dispatch requests.
        "archives.*": VIEW,
        "archives.document": ALL,
        "maintenance.*": ALL,
        # Reads its inspections; answers findings with its rectification (checked by service).
        "inspections.*": VIEW,
        "vehicles.*": ALL,
        "survey.*": VIEW,
        "review.*": VIEW,
        "reporting.*": VIEW,
        "exchange.*": VIEW,
        "terminals.*": VIEW,
        "supervision.*": VIEW,
    },
    Role.SURVEYOR: {
        "registry.region": VIEW,
        "registry.organization": VIEW,
        "registry.compound": VIEW,
        "registry.building": VIEW,
        "registry.floor": VIEW,
        "registry.room": VIEW,
        "archives.document": frozenset({"view", "add"}),
        # Works only on the survey batches assigned to it (survey.models.SurveyQuerySet); the
        # survey services check which step it may take.
        "survey.*": VIEW,
        "survey.surveybatch": frozenset({"view", "change"}),
        "survey.surveydrawing": frozenset({"view", "add", "change"}),
        "survey.surveyitem": frozenset({"view", "change"}),
    },
    Role.SUPERVISOR: {
        "registry.*": VIEW,
        "standards.*": VIEW,
        "compliance.*": VIEW,
        "workflow.*": VIEW,
        "titles.*": VIEW,
        "cases.*": VIEW,
        "archives.*": VIEW,
        "maintenance.*": VIEW,
        # Urges (督办), adds findings and refers (checked by the inspections' services); no
        # registry writes.
        "inspections.*": VIEW,
        "vehicles.*": VIEW,
        "survey.*": VIEW,
        "review.*": VIEW,
        "reporting.*": VIEW,
        "exchange.*": VIEW,
        "terminals.*": VIEW,
        "supervision.*": VIEW,
    },
    # A leader decides and signs the tasks addressed to him (checked by the workflow's services
    # against his tasks, not by a model permission); he reads the rest.
    Role.LEADER: {
        "registry.*": VIEW,
        "standards.*": VIEW,
        "compliance.*": VIEW,
        "workflow.*": VIEW,
        "titles.*": VIEW,
        "cases.*": VIEW,
        "archives.*": VIEW,
        "maintenance.*": VIEW,
        "inspections.*": VIEW,
        "vehicles.*": VIEW,
        "survey.*": VIEW,
        "review.*": VIEW,
        "reporting.*": VIEW,
        "exchange.*": VIEW,
        "terminals.*": VIEW,
        "supervision.*": VIEW,
    },
    # 三员分立: accounts' profiles / accounts' roles and scopes / the audit log. The finer
    # actions (create, reset a password; grant roles, set a scope, unlock) are checked by role in
    # accounts.services.
    Role.SYS_ADMIN: {
        "accounts.user": frozenset({"view", "add", "change"}),
        # The periodic jobs' schedule: switch a job on or off, move its time.
        "scheduler.scheduledjob": frozenset({"view", "change"}),
    },
    Role.SEC_ADMIN: {"accounts.user": frozenset({"view", "change"})},
    Role.AUDIT_ADMIN: {"framework.objectchange": VIEW},
}

# The official holiday calendar (framework.HolidayYear and its days): national data the bureau
# enters when the State Council announces a year; every business role reads it.
for _role in BUSINESS_ROLES:
    _actions = ALL if _role == Role.BUREAU_ADMIN else VIEW
    PERMISSIONS[_role].update(
        {"framework.holidayyear": _actions, "framework.calendarday": _actions}
    )
del _role, _actions


def role_actions(role: str, model_key: str) -> frozenset[str]:
    """Actions ``role`` may take on the model ``app_label.model_name``."""
    table = PERMISSIONS.get(role, {})
    if model_key in table:
        return table[model_key]
    app_label = model_key.split(".", 1)[0]
    return table.get(f"{app_label}.*", frozenset())
