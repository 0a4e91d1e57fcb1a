"""Login lockout with django-axes: the page a locked client sees, and unlocking by sec_admin.

Axes counts failures by account name and by address separately (``AXES_LOCKOUT_PARAMETERS``)
and records them whether or not the account exists, so a made-up name is locked exactly like a
real one and the page never tells them apart.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db import transaction
from django.db.models import F, Max, Sum, Value
from django.db.models.functions import Concat
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from .audit import auth_event
from .forms import LoginForm
from .models import User


def _cool_off() -> datetime.timedelta:
    return get_cool_off() or datetime.timedelta(0)


def _recent_attempts():
    return AccessAttempt.objects.filter(attempt_time__gte=timezone.now() - _cool_off())


def _locked_until(**filters) -> datetime.datetime | None:
    """When the lock on one parameter (username=… or ip_address=…) ends, if it is locked."""
    figures = (
        _recent_attempts()
        .filter(**filters)
        .aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    )
    if (figures["failures"] or 0) < settings.AXES_FAILURE_LIMIT:
        return None
    return figures["last"] + _cool_off()


def locked_until(*, username: str | None, ip_address: str | None) -> datetime.datetime | None:
    """The time a login with this name from this address is possible again (None: it is now)."""
    ends = []
    if username:
        ends.append(_locked_until(username=username))
    if ip_address:
        ends.append(_locked_until(ip_address=ip_address))
    ends = [end for end in ends if end is not None]
    return max(ends) if ends else None


def lockout_message(until: datetime.datetime | None) -> str:
    if until is None:
        return "登录失败次数过多，账号已锁定，请稍后再试。"
    return f"登录失败次数过多，账号已锁定，请于 {timezone.localtime(until):%H:%M} 后再试。"


def lockout_response(
    request: HttpRequest, original_response=None, credentials: dict | None = None
) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the login page (or a JSON error for the API) with the time.

    The same for every account name, existing or not: only the name and the address typed in
    decide what is shown.
    """
    username = (credentials or {}).get("username") or request.POST.get("username")
    ip_address = getattr(request, "axes_ip_address", None)
    message = lockout_message(locked_until(username=username, ip_address=ip_address))
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=429)
    return render(
        request,
        "accounts/login.html",
        {"form": LoginForm(request), "next": request.POST.get("next", ""), "locked": message},
        status=429,
    )


def is_locked(request: HttpRequest, username: str | None) -> bool:
    """Whether axes refuses this name from this address now."""
    return not AxesProxyHandler.is_allowed(request, {"username": username})


@dataclass(frozen=True)
class Lockout:
    kind: str  # "username" or "ip_address"
    value: str
    failures: int
    until: datetime.datetime


def active_lockouts() -> list[Lockout]:
    """Every account name and address locked now, for the security administrator's page."""
    limit = settings.AXES_FAILURE_LIMIT
    result = []
    for kind in ("username", "ip_address"):
        rows = (
            _recent_attempts()
            .exclude(**{f"{kind}__isnull": True})
            .values(kind)
            .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
            .filter(failures__gte=limit)
            .order_by(kind)
        )
        for row in rows:
            result.append(Lockout(kind, row[kind], row["failures"], row["last"] + _cool_off()))
    return result


# Failed API-token authentications -------------------------------------------------------------
# They are counted in django-axes' table like failed logins, with no account name: the address's
# failures add up across logins and tokens, and one lock (and one unlock) covers both.
TOKEN_PATH_PREFIX = "/api/"


def record_token_failure(request: HttpRequest, *, address: str | None, prefix: str) -> None:
    """Count one refused token from ``address`` toward its lockout (the key's prefix noted, never
    the key)."""
    if not address:
        return
    agent = (request.META.get("HTTP_USER_AGENT") or "")[:255]
    note = f"令牌前缀 {prefix}"
    now = timezone.now()
    with transaction.atomic():
        attempt, created = AccessAttempt.objects.select_for_update().get_or_create(
            username=None,
            ip_address=address,
            user_agent=agent,
            defaults={
                "get_data": "",
                "post_data": note,
                "http_accept": (request.META.get("HTTP_ACCEPT") or "")[:1025],
                "path_info": request.path[:255],
                "failures_since_start": 1,
                "attempt_time": now,
            },
        )
        if not created:
            AccessAttempt.objects.filter(pk=attempt.pk).update(
                failures_since_start=F("failures_since_start") + 1,
                attempt_time=now,
                path_info=request.path[:255],
                post_data=Concat("post_data", Value("\n" + note)),
            )


@dataclass(frozen=True)
class TokenFailures:
    ip_address: str
    failures: int
    last: datetime.datetime
    locked: bool


def token_failures() -> list[TokenFailures]:
    """Addresses whose API tokens were refused within the lockout window, most failures first,
    for the security administrator (locked or not yet)."""
    rows = (
        _recent_attempts()
        .filter(username__isnull=True, path_info__startswith=TOKEN_PATH_PREFIX)
        .values("ip_address")
        .annotate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        .order_by("-failures", "ip_address")
    )
    return [
        TokenFailures(
            row["ip_address"],
            row["failures"],
            row["last"],
            _locked_until(ip_address=row["ip_address"]) is not None,
        )
        for row in rows
    ]


def unlock(*, actor: User, username: str) -> None:
    """Clear the failures of an account name (django-axes reset); recorded as auth.unlock."""
    with transaction.atomic():
        count = AxesProxyHandler.reset_attempts(username=username)
        auth_event(
            "auth.unlock",
            actor=actor,
            obj=User.objects.filter(username=username).first(),
            data={"username": username, "attempts_cleared": count},
        )


def unlock_address(*, actor: User, ip_address: str) -> None:
    """Clear the failures from one address; recorded as auth.unlock."""
    with transaction.atomic():
        count = AxesProxyHandler.reset_attempts(ip_address=ip_address)
        auth_event(
            "auth.unlock",
            actor=actor,
            obj=None,
            data={"ip_address": ip_address, "attempts_cleared": count},
        )
