"""Django's and django-axes' authentication signals into the audit trail and the session list.

Imported by ``accounts.models``, so the receivers are connected whenever the app is loaded.
"""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from ..framework.changelog import local_time
from ..framework.middleware import client_address
from . import sessions
from .audit import auth_event
from .backends import WAS_LOCKED
from .models import User

# request attribute: why a logout happened (set before calling django.contrib.auth.logout)
LOGOUT_REASON = "gf_logout_reason"


@receiver(user_logged_in, dispatch_uid="gongfang.accounts.login")
def on_login(sender, request, user, **kwargs) -> None:
    if request is None:
        return
    sessions.register(request, user)
    AxesProxyHandler.reset_attempts(username=user.get_username())
    auth_event("auth.login", actor=user, data={"method": "password"})


@receiver(user_logged_out, dispatch_uid="gongfang.accounts.logout")
def on_logout(sender, request, user, **kwargs) -> None:
    if request is None or user is None:
        return
    sessions.forget(request.session.session_key)
    auth_event("auth.logout", actor=user, data={"reason": getattr(request, LOGOUT_REASON, "user")})


@receiver(user_login_failed, dispatch_uid="gongfang.accounts.login_failed")
def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    username = str((credentials or {}).get("username") or "")[:150]
    was_locked = bool(getattr(request, WAS_LOCKED, False))
    auth_event(
        "auth.login_failed",
        actor=User.objects.filter(username=username).first() if username else None,
        success=False,
        data={"reason": "locked" if was_locked else "credentials"},
        user_name=username,
    )


@receiver(user_locked_out, dispatch_uid="gongfang.accounts.locked_out")
def on_locked_out(sender, request, username, ip_address, **kwargs) -> None:
    if getattr(request, WAS_LOCKED, False):
        return  # a further attempt while locked: already recorded as a failure
    from .lockout import locked_until

    until = locked_until(username=username, ip_address=ip_address or client_address(request))
    user = User.objects.filter(username=username).first() if username else None
    auth_event(
        "auth.lockout",
        actor=user,
        success=False,
        data={
            "username": username,
            "ip_address": ip_address,
            "until": local_time(until) if until else None,
        },
        user_name=str(username or "")[:150],
    )
