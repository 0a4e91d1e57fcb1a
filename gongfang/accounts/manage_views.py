"""Account management pages (/accounts/manage/, namespace ``manage``) under 三员分立.

Each page names the roles that may open it (403 for the rest); every write is a call to
:mod:`accounts.services`, which checks the role again and writes the audit trail.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views import View

from ..framework.forms import apply_errors
from ..framework.masking import Where, shown
from ..framework.templatetags.gongfang import format_value
from ..framework.views import ObjectListView
from . import manage_selectors as selectors
from . import services
from .manage_filtersets import UserFilterSet
from .manage_forms import (
    AccessForm,
    AccountCreateForm,
    AddressUnlockForm,
    ConfirmForm,
    PasswordResetForm,
    ProfileForm,
)
from .manage_tables import UserTable, role_badges
from .models import User
from .roles import Role

SYS = frozenset({Role.SYS_ADMIN})
SEC = frozenset({Role.SEC_ADMIN})
ACCOUNT_ADMINS = SYS | SEC


class RoleRequiredMixin(LoginRequiredMixin):
    """Signed in and holding one of ``roles``, else 403."""

    roles: ClassVar[frozenset[str]]

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and not any(user.has_role(r) for r in self.roles):
            raise PermissionDenied("您的角色不能办理此项账号管理事务。")
        return super().dispatch(request, *args, **kwargs)


def account_context(request) -> dict[str, Any]:
    """What every account page shows: the list link and which administrator is looking."""
    user = request.user
    return {
        "verbose_name": "账号",
        "list_url": reverse("manage:user_list"),
        "is_sys_admin": user.has_role(Role.SYS_ADMIN),
        "is_sec_admin": user.has_role(Role.SEC_ADMIN),
    }


class AccountView(RoleRequiredMixin, View):
    roles = ACCOUNT_ADMINS

    def get_account(self, pk) -> User:
        try:
            return selectors.accounts().get(pk=pk)
        except User.DoesNotExist:
            raise Http404("没有找到该账号。") from None


# List and detail --------------------------------------------------------------------------------
class UserListView(ObjectListView):
    """Every account, filtered by role, scope and status (系统管理员、安全管理员)."""

    queryset = selectors.accounts()
    filterset = UserFilterSet
    table = UserTable
    template_name = "accounts/manage/user_list.html"
    filter_order = ("role", "active", "scope_kind", "scope")

    def restricted(self, action: str | None = None):
        # Accounts have no scope; dispatch() has checked the permission to view them.
        return self.queryset.all()

    def base_context(self) -> dict[str, Any]:
        context = account_context(self.request)
        can_add = self.request.user.has_role(Role.SYS_ADMIN)
        return {
            **context,
            "model": User,
            "app_verbose_name": "系统管理",
            "add_url": reverse("manage:user_add") if can_add else "",
            "can_add": can_add,
            "can_change": False,
            "can_delete": False,
        }


class UserView(AccountView):
    def get(self, request, pk):
        account = self.get_account(pk)
        rows = [
            ("账号", account.username),
            ("姓名", account.name or "—"),
            ("手机号码", shown(request.user, account, "phone", account.phone, Where.DETAIL) or "—"),
            ("电子邮箱", account.email or "—"),
            ("状态", "启用" if account.is_active else "停用"),
            ("角色", role_badges(account.roles)),
            ("管辖范围", account.scope_label),
            ("创建时间", format_value(account.date_joined)),
            ("最近登录", format_value(account.last_login)),
            ("密码修改时间", format_value(getattr(account, "password_changed_at", None))),
            (
                "下次登录须修改密码",
                "是" if getattr(account, "must_change_password", False) else "否",
            ),
            ("双因素认证", "已启用" if selectors.has_second_factor(account) else "未启用"),
        ]
        return render(
            request,
            "accounts/manage/user.html",
            {
                **account_context(request),
                "object": account,
                "rows": rows,
                "locked_until": selectors.locked_until(account),
                "is_self": account.pk == request.user.pk,
                "pending_reset": selectors.pending_reset(account),
            },
        )


# Forms ------------------------------------------------------------------------------------------
class FormPageView(AccountView):
    """A form about one account (or a new one): GET shows it, POST calls the service."""

    form_class: ClassVar[type[forms.Form]]
    title: ClassVar[str]
    submit_label: ClassVar[str] = "保存"
    template_name = "accounts/manage/form.html"

    def get_form(self, account: User | None, data=None) -> forms.Form:
        return self.form_class(data)

    def render_form(self, form, account: User | None, status: int = 200):
        cancel = account_url(account) if account else reverse("manage:user_list")
        context = {
            **account_context(self.request),
            "form": form,
            "object": account,
            "title": self.title,
            "submit_label": self.submit_label,
            "cancel_url": cancel,
        }
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk=None):
        account = self.get_account(pk) if pk is not None else None
        return self.render_form(self.get_form(account), account)

    def post(self, request, pk=None):
        account = self.get_account(pk) if pk is not None else None
        form = self.get_form(account, request.POST)
        if form.is_valid():
            try:
                result = self.perform(form, account)
            except ValidationError as exc:
                apply_errors(form, _on_form_fields(exc))
            else:
                return HttpResponseRedirect(account_url(result))
        return self.render_form(form, account)

    def perform(self, form, account: User | None) -> User:
        raise NotImplementedError


def _on_form_fields(exc: ValidationError) -> ValidationError:
    """The services' ``password`` errors shown on the form's first password field."""
    if hasattr(exc, "error_dict") and "password" in exc.error_dict:
        errors = dict(exc.error_dict)
        errors["password1"] = errors.pop("password")
        return ValidationError(errors)
    return exc


def account_url(account: User) -> str:
    return reverse("manage:user", args=[account.pk])


class UserCreateView(FormPageView):
    roles = SYS
    form_class = AccountCreateForm
    title = "新增账号"

    def perform(self, form, account):
        data = form.cleaned_data
        user = services.create_account(
            actor=self.request.user,
            username=data["username"],
            password=data["password1"],
            name=data["name"],
            phone=data["phone"],
            email=data["email"],
        )
        messages.success(
            self.request, f"已新增账号“{user}”。请将初始密码告知本人，首次登录须修改密码。"
        )
        return user


class UserEditView(FormPageView):
    roles = SYS
    form_class = ProfileForm
    title = "修改账号资料"

    def get_form(self, account, data=None):
        initial = {"name": account.name, "phone": account.phone, "email": account.email}
        return self.form_class(data, initial=initial)

    def perform(self, form, account):
        user = services.update_profile(actor=self.request.user, user=account, **form.cleaned_data)
        messages.success(self.request, f"已修改账号“{user}”的资料。")
        return user


class UserPasswordView(FormPageView):
    roles = SYS
    form_class = PasswordResetForm
    title = "重置密码"
    submit_label = "重置密码"

    def perform(self, form, account):
        pending = services.reset_password(
            actor=self.request.user, user=account, password=form.cleaned_data["password1"]
        )
        if pending is not None:
            messages.warning(
                self.request,
                f"“{account}”是管理员账号：新密码须由另一名系统管理员或安全管理员确认后才生效。",
            )
        else:
            messages.success(
                self.request,
                f"已重置账号“{account}”的密码，其登录会话已全部结束；本人下次登录须修改密码。",
            )
        return account


class UserAccessView(FormPageView):
    roles = SEC
    form_class = AccessForm
    title = "角色与管辖范围"
    template_name = "accounts/manage/access.html"

    def get_form(self, account, data=None):
        return self.form_class(data, initial=AccessForm.initial_for(account))

    def perform(self, form, account):
        data = form.cleaned_data
        user = services.set_access(
            actor=self.request.user,
            user=account,
            roles=form.roles(),
            scope_region=data.get("scope_region"),
            scope_organization=data.get("scope_organization"),
        )
        messages.success(self.request, f"已保存账号“{user}”的角色与管辖范围。")
        return user


# Confirmed actions ------------------------------------------------------------------------------
class ConfirmView(AccountView):
    """GET: what will happen; POST: do it through the service."""

    template_name = "accounts/manage/confirm.html"

    def texts(self, account: User) -> tuple[str, str, str]:
        """(title, explanation, button) of the confirmation page."""
        raise NotImplementedError

    def perform(self, account: User) -> str:
        raise NotImplementedError

    def get(self, request, pk):
        account = self.get_account(pk)
        title, text, button = self.texts(account)
        return render(
            request,
            self.template_name,
            {
                **account_context(request),
                "object": account,
                "title": title,
                "text": text,
                "button": button,
                "form": ConfirmForm(),
                "cancel_url": account_url(account),
            },
        )

    def post(self, request, pk):
        account = self.get_account(pk)
        try:
            notice = self.perform(account)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, notice)
        return HttpResponseRedirect(account_url(account))


class UserActiveView(ConfirmView):
    roles = SYS

    def texts(self, account):
        if account.is_active:
            return (
                "停用账号",
                f"停用后“{account}”不能登录，其登录会话和接口令牌随即失效；可随时重新启用。",
                "停用",
            )
        return ("启用账号", f"启用后“{account}”可重新登录。", "启用")

    def perform(self, account):
        user = services.set_active(
            actor=self.request.user, user=account, active=not account.is_active
        )
        return f"已{'启用' if user.is_active else '停用'}账号“{user}”。"


class PendingResetView(ConfirmView):
    """Confirm or withdraw a pending reset of an administrator's password (a second
    administrator: system or security)."""

    roles = ACCOUNT_ADMINS

    def get_account(self, pk) -> User:
        account = super().get_account(pk)
        if selectors.pending_reset(account) is None:
            raise Http404("该账号没有待确认的密码重置。")
        return account


class ResetConfirmView(PendingResetView):
    def texts(self, account):
        pending = selectors.pending_reset(account)
        return (
            "确认重置管理员密码",
            f"{pending.requested_by}于 {format_value(pending.requested_at)} 申请重置管理员账号"
            f"“{account}”的密码。确认后新密码生效，该账号的登录会话全部结束，本人下次登录须修改密码。",
            "确认重置",
        )

    def perform(self, account):
        services.confirm_password_reset(actor=self.request.user, user=account)
        return f"已确认重置账号“{account}”的密码。"


class ResetCancelView(PendingResetView):
    def texts(self, account):
        pending = selectors.pending_reset(account)
        return (
            "撤销密码重置",
            f"撤销{pending.requested_by}对账号“{account}”的密码重置申请，原密码继续有效。",
            "撤销",
        )

    def perform(self, account):
        services.cancel_password_reset(actor=self.request.user, user=account)
        return f"已撤销账号“{account}”的密码重置申请。"


class UserUnlockView(ConfirmView):
    roles = SEC

    def texts(self, account):
        until = selectors.locked_until(account)
        state = "当前处于锁定状态" if until else "当前未被锁定"
        return (
            "解除登录锁定",
            f"清除“{account}”的登录失败记录，使其可立即重新登录（{state}）。",
            "解除锁定",
        )

    def perform(self, account):
        services.unlock_account(actor=self.request.user, username=account.username)
        return f"已解除账号“{account}”的登录锁定。"


# Security administrator's pages ------------------------------------------------------------------
class LockoutsView(RoleRequiredMixin, View):
    """Account names and addresses locked now, each with its unlock button."""

    roles = SEC

    def get(self, request):
        from .lockout import active_lockouts, token_failures

        lockouts = active_lockouts()
        names = [lock.value for lock in lockouts if lock.kind == "username"]
        known = dict(User.objects.filter(username__in=names).values_list("username", "pk"))
        return render(
            request,
            "accounts/manage/lockouts.html",
            {
                **account_context(request),
                "lockouts": [(lock, known.get(lock.value)) for lock in lockouts],
                "token_failures": token_failures(),
            },
        )

    def post(self, request):
        kind = request.POST.get("kind")
        value = request.POST.get("value", "").strip()
        try:
            if kind == "username" and value:
                services.unlock_account(actor=request.user, username=value)
            elif kind == "ip_address":
                form = AddressUnlockForm({"ip_address": value})
                if not form.is_valid():
                    raise ValidationError("地址格式不正确。")
                services.unlock_address(
                    actor=request.user, ip_address=form.cleaned_data["ip_address"]
                )
            else:
                raise ValidationError("请选择要解除锁定的账号或地址。")
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, f"已解除“{value}”的登录锁定。")
        return HttpResponseRedirect(reverse("manage:lockouts"))


class PolicyView(RoleRequiredMixin, View):
    """The security policy in force: read-only, every limit is a setting."""

    roles = SEC

    def get(self, request):
        return render(
            request,
            "accounts/manage/policy.html",
            {**account_context(request), "groups": selectors.security_policy()},
        )


class LookupView(RoleRequiredMixin, View):
    """``?q=`` → ``{results: [{id, display}]}`` for the scope selects of the access form."""

    roles = SEC
    lookup: ClassVar[Any]

    def get(self, request):
        return JsonResponse({"results": type(self).lookup(request.GET.get("q", ""))})


class RegionLookupView(LookupView):
    lookup = staticmethod(selectors.lookup_regions)


class OrganizationLookupView(LookupView):
    lookup = staticmethod(selectors.lookup_organizations)
