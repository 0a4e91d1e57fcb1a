"""What a signed-in browser session must satisfy before it reaches any page (DESIGN §6).

In order:

1. the session is within its idle timeout and its absolute lifetime, and has not been ended
   from the 我的会话 page — otherwise it is signed out;
2. an account with an authenticator has verified this session with it (before anything else,
   so a password alone cannot even change the password);
3. the password is neither an initial/reset one nor older than the maximum age — otherwise the
   password change page;
4. an account whose role requires a second factor has one — otherwise the enrolment page.

Until then only login, logout, the page of the pending step and static files are reachable; API
calls get a JSON 403. API requests authenticated by a token (no session) are not concerned: a
token is created by an account that has passed these steps.
"""

from __future__ import annotations

import time
from functools import cached_property
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse

from . import sessions
from .otp import has_second_factor
from .passwords import password_change_reason
from .receivers import LOGOUT_REASON

# step -> (URL name of its page, what the user is told)
STEPS: dict[str, tuple[str, str]] = {
    "verify": ("accounts:otp_verify", "请输入身份验证器上的动态口令，完成登录。"),
    "password": ("accounts:password_change", "请先修改密码。"),
    "enroll": ("accounts:otp_enroll", "您的角色要求使用双因素认证，请先绑定身份验证器。"),
}

ENDED = {
    "idle": "您已超过 {minutes} 分钟未操作，请重新登录。",
    "absolute": "登录已超过 {hours} 小时，请重新登录。",
    "ended": "该会话已被结束，请重新登录。",
}


def pending_step(request) -> str | None:
    """The first step the signed-in session still has to take, or None."""
    user = request.user
    verified = user.is_verified() if hasattr(user, "is_verified") else False
    has_device = None if verified else has_second_factor(user)
    if has_device:
        return "verify"
    if password_change_reason(user):
        return "password"
    if user.second_factor_required and not verified:
        return "enroll"
    return None


def session_end_reason(request) -> str | None:
    """Why the session is over (idle, absolute lifetime, ended elsewhere), or None."""
    session = request.session
    now = time.time()
    if now - session.get(sessions.SEEN_AT, 0) > settings.SESSION_IDLE_TIMEOUT:
        return "idle"
    if now - session.get(sessions.AUTH_AT, 0) > settings.SESSION_ABSOLUTE_AGE:
        return "absolute"
    if not sessions.touch(request):
        return "ended"
    return None


class AccountSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    @cached_property
    def _always_open(self) -> tuple[str, ...]:
        return (reverse("accounts:login"), reverse("accounts:logout"))

    @cached_property
    def _api_prefix(self) -> str:
        return reverse("api:root")

    def __call__(self, request):
        if not request.user.is_authenticated:
            return self.get_response(request)
        path = request.path_info
        is_api = path.startswith(self._api_prefix)
        if is_api and request.META.get("HTTP_AUTHORIZATION", "").startswith("Token "):
            return self.get_response(request)  # DRF authenticates the token, not the session

        reason = session_end_reason(request)
        if reason:
            return self._end_session(request, reason, is_api)

        step = pending_step(request)
        if step is None or path.startswith(settings.STATIC_URL):
            return self.get_response(request)
        url_name, message = STEPS[step]
        step_url = reverse(url_name)
        if path == step_url or path in self._always_open:
            return self.get_response(request)
        return self._redirect(request, step_url, message, is_api)

    def _end_session(self, request, reason: str, is_api: bool):
        setattr(request, LOGOUT_REASON, reason)
        logout(request)
        text = ENDED[reason].format(
            minutes=settings.SESSION_IDLE_TIMEOUT // 60, hours=settings.SESSION_ABSOLUTE_AGE // 3600
        )
        if is_api:
            return JsonResponse({"detail": text}, status=401)
        messages.info(request, text)
        return self._redirect(request, reverse("accounts:login"), None, False)

    @staticmethod
    def _redirect(request, url: str, message: str | None, is_api: bool):
        if is_api:
            return JsonResponse({"detail": message}, status=403)
        if request.method == "GET" and not getattr(request, "htmx", False):
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return HttpResponseRedirect(url)
