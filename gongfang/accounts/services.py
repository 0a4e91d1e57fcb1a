"""Account services under 三员分立 (DESIGN §1, §6).

- The system administrator (sys_admin) creates accounts, edits their profiles, deactivates and
  reactivates them and resets passwords — never roles or scopes.
- The security administrator (sec_admin) grants and revokes roles, sets scopes and unlocks
  locked accounts — never profiles or passwords.
- Nobody changes their own roles or scope; an account holds at most one of the three
  administrator roles and never an administrator role beside a business role; the last active
  holder of each administrator role can be neither deactivated nor demoted.
- A password reset of an administrator account waits for a second administrator (another
  system or security administrator) to confirm it, so that no one administrator alone can take
  over another's account.

Each function is keyword-only, runs in one transaction and writes the audit trail: profile and
status changes as create/update rows, roles and scopes as ``account.roles`` / ``account.scope``
events with before and after. Refusals are ``PermissionDenied`` (wrong role) or
``ValidationError`` (a rule), in Chinese.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from ..framework.changelog import (
    local_time,
    record_change,
    record_event,
    record_events,
    serialize_object,
)
from ..framework.models import ObjectChange
from .models import PendingPasswordReset, User
from .passwords import set_password, set_password_hash
from .roles import SEPARATED_ADMIN_ROLES, Role

ROLES_EVENT = "account.roles"
SCOPE_EVENT = "account.scope"
RESET_REQUEST_EVENT = "account.password_reset_request"
RESET_CANCEL_EVENT = "account.password_reset_cancel"
PROFILE_FIELDS = ("name", "phone", "email")
# Who may confirm (or withdraw) another administrator's reset of an administrator's password.
RESET_CONFIRMERS = (Role.SYS_ADMIN, Role.SEC_ADMIN)

ACCOUNT_EVENTS: dict[str, str] = {
    ROLES_EVENT: "角色变更",
    SCOPE_EVENT: "管辖范围变更",
    RESET_REQUEST_EVENT: "申请重置管理员密码",
    RESET_CANCEL_EVENT: "撤销重置管理员密码",
}


def require_role(actor, role: str, doing: str) -> None:
    """Refuse unless ``actor`` is an active account holding ``role``."""
    if not (actor is not None and actor.is_authenticated and actor.is_active):
        raise PermissionDenied("请先登录。")
    if not actor.has_role(role):
        raise PermissionDenied(f"只有{Role(role).label}可以{doing}。")


def _not_self(actor, user: User, message: str) -> None:
    if actor.pk == user.pk:
        raise ValidationError(message)


def admin_roles_of(user: User) -> list[str]:
    """The administrator roles (三员分立) ``user`` holds."""
    return [r for r in user.roles if r in SEPARATED_ADMIN_ROLES]


def _keep_last_holders(user: User, losing) -> None:
    """Refuse if ``user`` is the last active holder of one of the administrator roles it is
    ``losing`` (deactivated or demoted).

    The active holders are locked first, so two administrators cannot take each other's role
    away at the same time.
    """
    if not user.is_active:
        return
    for role in sorted(set(losing) & SEPARATED_ADMIN_ROLES):
        holders = User.objects.select_for_update().filter(
            is_active=True, roles__icontains=f'"{role}"'
        )
        if not any(role in u.roles and u.pk != user.pk for u in holders):
            raise ValidationError(
                f"“{user}”是最后一个启用的{Role(role).label}账号，"
                f"至少须保留一个启用的{Role(role).label}账号。"
            )


def _clean(user: User) -> None:
    user.full_clean(exclude=["password", "last_login"])


@contextmanager
def _password_field():
    """The policy's messages belong to the password field of whatever form sent it."""
    try:
        yield
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise ValidationError({"password": exc.messages}) from exc


def _set_password(*, actor, user: User, raw_password: str) -> None:
    """An administrator's password for ``user``: its owner must change it at the next login."""
    with _password_field():
        set_password(user=user, raw_password=raw_password, by_admin=True, actor=actor)


# System administrator --------------------------------------------------------------------------
@transaction.atomic
def create_account(
    *, actor, username: str, password: str, name: str = "", phone: str = "", email: str = ""
) -> User:
    """A new account without roles; its initial password must be changed at the first login."""
    require_role(actor, Role.SYS_ADMIN, "新建账号")
    user = User(username=username.strip(), name=name.strip(), phone=phone.strip(), email=email)
    user.set_unusable_password()
    _clean(user)
    user.save()
    _set_password(actor=actor, user=user, raw_password=password)
    record_change(actor=actor, instance=user, action=ObjectChange.Action.CREATE, before=None)
    return user


@transaction.atomic
def update_profile(
    *,
    actor,
    user: User,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
) -> User:
    """Name, phone and e-mail of an account (None leaves a field as it is)."""
    require_role(actor, Role.SYS_ADMIN, "修改账号资料")
    user = User.objects.select_for_update().get(pk=user.pk)
    before = serialize_object(user)
    for field, value in (("name", name), ("phone", phone), ("email", email)):
        if value is not None:
            setattr(user, field, value.strip())
    _clean(user)
    user.save(update_fields=list(PROFILE_FIELDS))
    record_change(actor=actor, instance=user, action=ObjectChange.Action.UPDATE, before=before)
    return user


@transaction.atomic
def set_active(*, actor, user: User, active: bool) -> User:
    """Deactivate (the account can no longer sign in or use a token) or reactivate an account."""
    require_role(actor, Role.SYS_ADMIN, "停用或启用账号")
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active == active:
        return user
    if not active:
        _not_self(actor, user, "不能停用自己的账号。")
        _keep_last_holders(user, admin_roles_of(user))
    before = serialize_object(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        from .sessions import end_other_sessions

        end_other_sessions(user=user, keep_session_key=None)
    record_change(actor=actor, instance=user, action=ObjectChange.Action.UPDATE, before=before)
    return user


@transaction.atomic
def reset_password(*, actor, user: User, password: str) -> PendingPasswordReset | None:
    """A new password set by the system administrator; the owner must change it at the next
    login and every session of the account ends (recorded as ``auth.password_reset``).

    An administrator account's new password is only requested (checked against the policy and
    kept hashed, ``account.password_reset_request``) and returned as pending; it is set when a
    second administrator confirms it (:func:`confirm_password_reset`). None: set now.
    """
    require_role(actor, Role.SYS_ADMIN, "重置密码")
    _not_self(actor, user, "不能在此重置自己的密码，请通过“修改密码”修改。")
    user = User.objects.select_for_update().get(pk=user.pk)
    if not admin_roles_of(user):
        _set_password(actor=actor, user=user, raw_password=password)
        return None
    with _password_field():
        validate_password(password, user)
    pending, _ = PendingPasswordReset.objects.update_or_create(
        user=user,
        defaults={
            "password": make_password(password),
            "requested_by": actor,
            "requested_at": timezone.now(),
        },
    )
    record_event(actor=actor, event=RESET_REQUEST_EVENT, obj=user, data={"roles": user.roles})
    return pending


def _pending_reset(*, actor, user: User, doing: str) -> PendingPasswordReset:
    """The account's pending reset, locked, once ``actor`` may act on it (an active system or
    security administrator other than the account itself)."""
    if not (actor is not None and actor.is_authenticated and actor.is_active):
        raise PermissionDenied("请先登录。")
    if not any(actor.has_role(r) for r in RESET_CONFIRMERS):
        raise PermissionDenied(f"只有系统管理员或安全管理员可以{doing}。")
    _not_self(actor, user, f"不能{doing}自己账号的密码重置。")
    pending = (
        PendingPasswordReset.objects.select_for_update()
        .select_related("user", "requested_by")
        .filter(user=user)
        .first()
    )
    if pending is None:
        raise ValidationError(f"账号“{user}”没有待确认的密码重置。")
    return pending


@transaction.atomic
def confirm_password_reset(*, actor, user: User) -> User:
    """A second administrator confirms a pending reset of an administrator's password: the
    password is set as any reset is (``auth.password_reset`` naming who requested it)."""
    pending = _pending_reset(actor=actor, user=user, doing="确认")
    if pending.requested_by_id == actor.pk:
        raise ValidationError("密码重置须由申请人以外的另一名管理员确认。")
    user = User.objects.select_for_update().get(pk=user.pk)
    set_password_hash(
        user=user,
        hashed=pending.password,
        by_admin=True,
        actor=actor,
        data={
            "requested_by": pending.requested_by.username,
            "requested_at": local_time(pending.requested_at),
        },
    )
    pending.delete()
    return user


@transaction.atomic
def cancel_password_reset(*, actor, user: User) -> None:
    """Withdraw a pending reset of an administrator's password (the requester or another
    system or security administrator; ``account.password_reset_cancel``)."""
    pending = _pending_reset(actor=actor, user=user, doing="撤销")
    requested_by = pending.requested_by.username
    pending.delete()
    record_event(
        actor=actor, event=RESET_CANCEL_EVENT, obj=user, data={"requested_by": requested_by}
    )


# Security administrator ------------------------------------------------------------------------
def normalize_roles(roles) -> list[str]:
    """Known roles, each once, in the order of :class:`Role`; unknown codes refused."""
    wanted = {str(r) for r in roles}
    unknown = sorted(wanted - set(Role.values))
    if unknown:
        raise ValidationError({"roles": f"未知角色：{'、'.join(unknown)}。"})
    return [r for r in Role.values if r in wanted]


def scope_snapshot(user: User) -> dict:
    """An account's scope as the audit trail records it (ids, codes and names)."""
    region, org = user.scope_region, user.scope_organization
    return {
        "region": {"id": region.pk, "code": region.code, "name": region.name} if region else None,
        "organization": {"id": org.pk, "name": org.name} if org else None,
    }


@transaction.atomic
def set_access(*, actor, user: User, roles, scope_region=None, scope_organization=None) -> User:
    """Roles and scope of an account, checked together (a business role needs a scope).

    Records ``account.roles`` and/or ``account.scope`` with before and after; nothing when
    nothing changed.
    """
    require_role(actor, Role.SEC_ADMIN, "分配角色和管辖范围")
    _not_self(actor, user, "不能修改自己的角色和管辖范围，请由另一名安全管理员办理。")
    roles = normalize_roles(roles)
    user = User.objects.select_for_update().get(pk=user.pk)
    before_roles = list(user.roles)
    before_scope = scope_snapshot(user)
    # 三员分立 (one administrator role, none beside a business role) is the model's clean().
    _keep_last_holders(user, set(admin_roles_of(user)) - set(roles))
    user.roles = roles
    user.scope_region = scope_region
    user.scope_organization = scope_organization
    _clean(user)
    user.save(update_fields=["roles", "scope_region", "scope_organization"])
    after_scope = scope_snapshot(user)
    entries = []
    if before_roles != roles:
        entries.append(
            (
                ROLES_EVENT,
                user,
                {
                    "before": before_roles,
                    "after": roles,
                    "added": [r for r in roles if r not in before_roles],
                    "removed": [r for r in before_roles if r not in roles],
                },
            )
        )
    if before_scope != after_scope:
        entries.append((SCOPE_EVENT, user, {"before": before_scope, "after": after_scope}))
    if entries:
        record_events(actor=actor, entries=entries)
    return user


@transaction.atomic
def unlock_account(*, actor, username: str) -> None:
    """Clear the failed logins that lock an account name — an account's or a made-up one, which
    is locked alike (recorded as ``auth.unlock``)."""
    require_role(actor, Role.SEC_ADMIN, "解除账号锁定")
    from .lockout import unlock

    unlock(actor=actor, username=username)


@transaction.atomic
def unlock_address(*, actor, ip_address: str) -> None:
    """Clear the failed logins that lock an address (recorded as ``auth.unlock``)."""
    require_role(actor, Role.SEC_ADMIN, "解除地址锁定")
    from .lockout import unlock_address as unlock

    unlock(actor=actor, ip_address=ip_address)
