"""Browser sessions of an account: registered at login, listed and ended by their owner.

The session itself stays in Django's session store; ``UserSession`` remembers which store key
belongs to which account, from where and since when. Ending a session deletes both; a request
whose row is gone is signed out (accounts/middleware.py), whatever the session backend.
"""

from __future__ import annotations

import time
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ..framework.changelog import local_time
from ..framework.middleware import client_address
from .audit import auth_event
from .models import User, UserSession

# Session keys this module keeps in the session itself.
AUTH_AT = "gf_auth_at"  # when the password was checked (absolute lifetime)
SEEN_AT = "gf_seen_at"  # the last request (idle timeout)
TOUCHED_AT = "gf_touched_at"  # when UserSession.last_activity was last written

# Write last_activity and the session's own clocks at most this often (seconds): a page view
# should not always write a row.
TOUCH_INTERVAL = 60


def _store(session_key: str):
    engine = import_module(settings.SESSION_ENGINE)
    return engine.SessionStore(session_key=session_key)


def register(request, user: User) -> UserSession | None:
    """At login: remember the session, its address and browser; start its clocks."""
    session = getattr(request, "session", None)
    if session is None:
        return None
    now = time.time()
    session[AUTH_AT] = now
    session[SEEN_AT] = now
    session[TOUCHED_AT] = now
    if session.session_key is None:
        session.save()
    user_agent = request.META.get("HTTP_USER_AGENT", "")[:300]
    row, _ = UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "ip_address": client_address(request),
            "user_agent": user_agent,
            "created_at": timezone.now(),
            "last_activity": timezone.now(),
        },
    )
    return row


def forget(session_key: str | None) -> None:
    """At logout: the session is gone, so is its row."""
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def rekeyed(request, old_key: str | None) -> None:
    """The session got a new key (Django's ``update_session_auth_hash``): follow it."""
    new_key = request.session.session_key
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)


def cycle_key(request) -> None:
    """A new session key after a privilege step (second factor), keeping the registration of the
    session, so a key seen before the step is worth nothing after it."""
    old_key = request.session.session_key
    request.session.cycle_key()
    rekeyed(request, old_key)


def touch(request) -> bool:
    """Note the request's activity; False when the session has been ended elsewhere."""
    session = request.session
    now = time.time()
    if now - session.get(TOUCHED_AT, 0) < TOUCH_INTERVAL:
        # Seen within the minute: nothing to write. The idle clock may run up to a minute early,
        # never late, and a page view does not write the session (nor lock SQLite) each time.
        return True
    session[SEEN_AT] = now
    session[TOUCHED_AT] = now
    updated = UserSession.objects.filter(
        session_key=session.session_key, user_id=request.user.pk
    ).update(last_activity=timezone.now())
    return updated > 0


def _alive(now) -> Q:
    """Sessions that have been neither idle too long nor alive too long at ``now``."""
    return Q(
        last_activity__gt=now - timezone.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT),
        created_at__gt=now - timezone.timedelta(seconds=settings.SESSION_ABSOLUTE_AGE),
    )


def active_sessions(user: User) -> QuerySet[UserSession]:
    """The account's sessions that have been neither idle too long nor alive too long."""
    return UserSession.objects.filter(_alive(timezone.now()), user=user).order_by(
        "-last_activity", "-pk"
    )


def end_expired(now) -> int:
    """End every session past its lifetime (the periodic clean-up): our rows, their entries in
    the session store, and whatever else the store holds that has expired on its own."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
    return _end(list(UserSession.objects.exclude(_alive(now))))


def _end(rows: list[UserSession]) -> int:
    for row in rows:
        _store(row.session_key).delete()
    UserSession.objects.filter(pk__in=[row.pk for row in rows]).delete()
    return len(rows)


def end_session(*, user: User, session_id: int) -> bool:
    """End one of the account's own sessions (from the 我的会话 page)."""
    with transaction.atomic():
        row = UserSession.objects.filter(user=user, pk=session_id).first()
        if row is None:
            return False
        _end([row])
        auth_event(
            "auth.session_end",
            actor=user,
            data={
                "session": row.pk,
                "ip_address": row.ip_address,
                "login_at": local_time(row.created_at),
            },
        )
    return True


def end_other_sessions(
    *, user: User, keep_session_key: str | None = None, record: bool = False
) -> int:
    """End every session of the account but ``keep_session_key`` (all when it is None).

    ``record``: write an auth.session_end event (the owner asked for it); a password change
    records its own event instead.
    """
    with transaction.atomic():
        rows = list(
            UserSession.objects.filter(user=user).exclude(session_key=keep_session_key or "")
        )
        ended = _end(rows)
        if record:
            auth_event("auth.session_end", actor=user, data={"others": True, "count": ended})
    return ended
