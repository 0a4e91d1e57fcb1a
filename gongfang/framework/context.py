"""The request that is being served, for code (the change log) that has no request at hand."""

from __future__ import annotations

import contextvars
import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RequestContext:
    request_id: uuid.UUID = field(default_factory=uuid.uuid4)
    remote_addr: str | None = None


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "gongfang_request_context", default=None
)


def current_context() -> RequestContext:
    """The context of the current request, or a fresh one for commands and tasks."""
    ctx = _current.get()
    if ctx is None:
        ctx = RequestContext()
        _current.set(ctx)
    return ctx


def set_context(ctx: RequestContext | None) -> contextvars.Token:
    return _current.set(ctx)


def reset_context(token: contextvars.Token) -> None:
    _current.reset(token)
