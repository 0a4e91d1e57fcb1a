"""Middleware that gives every request an id and remembers where it came from."""

from __future__ import annotations

import uuid

from .context import RequestContext, reset_context, set_context


def client_address(request) -> str | None:
    # Behind a reverse proxy the proxy sets X-Real-IP; REMOTE_ADDR otherwise.
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ctx = RequestContext(request_id=uuid.uuid4(), remote_addr=client_address(request))
        request.id = ctx.request_id
        token = set_context(ctx)
        try:
            response = self.get_response(request)
        finally:
            reset_context(token)
        response["X-Request-ID"] = str(ctx.request_id)
        return response
