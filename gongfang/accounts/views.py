"""Sign in and out, change the password, the second factor, one's sessions and API tokens.

Thin views over the services in passwords, otp, sessions and tokens; the order in which a new
session must pass the steps is the middleware's (accounts/middleware.py).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View

from ..framework.text import is_number
from . import otp, sessions, tokens
from .forms import (
    LoginForm,
    OTPTokenForm,
    PasswordChangeForm,
    RecoveryOrOTPForm,
    TokenCreateForm,
)
from .middleware import pending_step
from .models import ApiToken
from .passwords import password_change_reason, set_password

# Secrets shown once (recovery codes, a new API token's key) never go into the session, which
# the database keeps: the answer to the request that makes them shows them.


def _show_codes(request, codes: list[str], next_url: str):
    """The new recovery codes, in the answer to the request that made them (shown once)."""
    response = render(request, "accounts/otp_codes.html", {"codes": codes, "next": next_url})
    response["Cache-Control"] = "no-store"
    return response


def _next_url(request, default: str = "home") -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def _layout(request) -> str:
    """A step of signing in gets the bare, centred layout; otherwise the page with its menu."""
    return "accounts/focus.html" if pending_step(request) else "accounts/page.html"


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5): a link cannot sign anyone out."""


# Password ------------------------------------------------------------------------------------
class PasswordChangeView(LoginRequiredMixin, View):
    template_name = "accounts/password_change.html"

    def render(self, request, form, status: int = 200):
        context = {
            "form": form,
            "reason": password_change_reason(request.user),
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "layout": _layout(request),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self.render(request, PasswordChangeForm(request.user))

    def post(self, request):
        form = PasswordChangeForm(request.user, request.POST)
        if form.is_valid():
            old_key = request.session.session_key
            try:
                set_password(
                    user=request.user,
                    raw_password=form.cleaned_data["new_password1"],
                    by_admin=False,
                    keep_session_key=old_key,
                )
            except ValidationError as exc:
                form.add_error("new_password1", exc)
            else:
                update_session_auth_hash(request, request.user)
                sessions.rekeyed(request, old_key)
                messages.success(request, "密码已修改。您在其他地方的登录已全部退出。")
                return HttpResponseRedirect(_next_url(request))
        return self.render(request, form)


# Second factor -------------------------------------------------------------------------------
class OTPOverviewView(LoginRequiredMixin, View):
    """双因素认证: whether it is set up, how many recovery codes are left, what can be done."""

    def get(self, request):
        device = otp.totp_device(request.user)
        return render(
            request,
            "accounts/otp.html",
            {
                "device": device,
                "codes_left": otp.recovery_codes_left(request.user) if device else 0,
                "required": request.user.second_factor_required,
            },
        )


class OTPEnrollView(LoginRequiredMixin, View):
    template_name = "accounts/otp_enroll.html"

    def render(self, request, form, status: int = 200):
        device = otp.start_enrollment(user=request.user)
        context = {
            "form": form,
            "qr": otp.qr_data_uri(device),
            "secret": otp.secret_of(device),
            "replacing": otp.has_second_factor(request.user),
            "required": request.user.second_factor_required,
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "layout": _layout(request),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self.render(request, OTPTokenForm())

    def post(self, request):
        form = OTPTokenForm(request.POST)
        if form.is_valid():
            device = otp.start_enrollment(user=request.user)
            if not device.verify_is_allowed()[0]:
                form.add_error("token", "错误次数过多，请稍等片刻再试。")
                return self.render(request, form)
            codes = otp.confirm_enrollment(
                request=request, device=device, token=form.cleaned_data["token"]
            )
            if codes is not None:
                messages.success(request, "身份验证器已绑定，双因素认证已启用。")
                return _show_codes(request, codes, _next_url(request, "accounts:otp"))
            form.add_error("token", "动态口令不正确，请核对手机时间后输入最新的 6 位数字。")
        return self.render(request, form)


class OTPVerifyView(LoginRequiredMixin, View):
    template_name = "accounts/otp_verify.html"

    def render(self, request, form, status: int = 200):
        context = {
            "form": form,
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "layout": "accounts/focus.html",
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        if not otp.has_second_factor(request.user):
            return redirect("accounts:otp")
        return self.render(request, RecoveryOrOTPForm())

    def post(self, request):
        form = RecoveryOrOTPForm(request.POST)
        if form.is_valid():
            if otp.throttled(request.user):
                form.add_error("token", "错误次数过多，请稍等片刻再试。")
            elif otp.verify(request=request, token=form.cleaned_data["token"]):
                left = otp.recovery_codes_left(request.user)
                if not is_number(form.cleaned_data["token"].strip()):
                    messages.warning(
                        request, f"已使用一个恢复码，还剩 {left} 个；用完前请重新生成或更换设备。"
                    )
                return HttpResponseRedirect(_next_url(request))
            else:
                form.add_error("token", "动态口令或恢复码不正确。")
        return self.render(request, form)


class OTPRecoveryCodesView(LoginRequiredMixin, View):
    """POST makes new recovery codes and shows them, once; there is nothing to GET (the codes
    are not kept anywhere to show again)."""

    def get(self, request):
        return redirect("accounts:otp")

    def post(self, request):
        if not otp.has_second_factor(request.user):
            return redirect("accounts:otp")
        codes = otp.regenerate_recovery_codes(user=request.user)
        messages.success(request, "已生成新的恢复码，原有恢复码全部作废。")
        return _show_codes(request, codes, _next_url(request, "accounts:otp"))


class OTPDisableView(LoginRequiredMixin, View):
    def post(self, request):
        try:
            otp.disable(user=request.user)
        except PermissionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "已解除双因素认证。")
        return redirect("accounts:otp")


# Sessions ------------------------------------------------------------------------------------
class SessionListView(LoginRequiredMixin, View):
    def get(self, request):
        return render(
            request,
            "accounts/sessions.html",
            {
                "sessions": sessions.active_sessions(request.user),
                "current_key": request.session.session_key,
                "idle_minutes": settings.SESSION_IDLE_TIMEOUT // 60,
                "absolute_hours": settings.SESSION_ABSOLUTE_AGE // 3600,
            },
        )


class SessionEndView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        row = get_object_or_404(sessions.active_sessions(request.user), pk=pk)
        if row.session_key == request.session.session_key:
            messages.info(request, "当前会话请通过“退出登录”结束。")
        elif sessions.end_session(user=request.user, session_id=row.pk):
            messages.success(request, "已结束该会话。")
        return redirect("accounts:sessions")


class SessionEndOthersView(LoginRequiredMixin, View):
    def post(self, request):
        ended = sessions.end_other_sessions(
            user=request.user, keep_session_key=request.session.session_key, record=True
        )
        messages.success(request, f"已结束其他 {ended} 个会话。")
        return redirect("accounts:sessions")


# API tokens ----------------------------------------------------------------------------------
class TokenListView(LoginRequiredMixin, View):
    template_name = "accounts/tokens.html"

    def render(self, request, form, status: int = 200, new_key: str | None = None):
        context = {"form": form, "tokens": tokens.tokens_of(request.user), "new_key": new_key}
        response = render(request, self.template_name, context, status=status)
        if new_key:
            response["Cache-Control"] = "no-store"
        return response

    def get(self, request):
        return self.render(request, TokenCreateForm())

    def post(self, request):
        form = TokenCreateForm(request.POST)
        if not form.is_valid():
            return self.render(request, form)
        _, key = tokens.create_token(
            user=request.user,
            name=form.cleaned_data["name"],
            scope=form.cleaned_data["scope"],
            days=form.cleaned_data["days"],
        )
        return self.render(request, TokenCreateForm(), new_key=key)


class TokenRevokeView(LoginRequiredMixin, View):
    def post(self, request, pk: int):
        token = ApiToken.objects.filter(user=request.user, pk=pk).first()
        if token is None:
            raise Http404
        tokens.revoke_token(actor=request.user, token=token)
        messages.success(request, f"令牌 {token.prefix}… 已吊销。")
        return redirect("accounts:tokens")
