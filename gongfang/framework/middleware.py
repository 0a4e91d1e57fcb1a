"""Middleware that gives every request an id and remembers where it came from."""

from __future__ import annotations

import ipaddress
import uuid
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from .context import RequestContext, reset_context, set_context

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """``TRUSTED_PROXIES`` as networks (a bare address is a network of one)."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"设置 TRUSTED_PROXIES 中的“{entry}”不是有效的 IP 地址或网段（如 10.0.0.5、10.0.0.0/24）。"
            ) from None
    return tuple(networks)


def parse_address(value: str | None) -> IPAddress | None:
    """One address from a header or the socket, or None when it is not an IP address.

    Accepts what proxies write besides a bare address: ``1.2.3.4:5678``, ``[2001:db8::1]:443``;
    an IPv4 address mapped into IPv6 (a dual-stack socket) is given as IPv4.
    """
    text = (value or "").strip()
    if text.startswith("["):
        text = text[1 : text.find("]")] if "]" in text else ""
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _is_trusted(address: IPAddress, networks: tuple[IPNetwork, ...]) -> bool:
    return any(address in network for network in networks)


def client_address(request) -> str | None:
    """The address of the client, as far as it can be known.

    Forwarding headers are anyone's to write, so they count only when the socket peer is one of
    ``TRUSTED_PROXIES``: then the right-most address of ``X-Forwarded-For`` that is not itself a
    trusted proxy (each proxy appends the peer it saw; what is left of an untrusted hop is the
    client's own claim), or ``X-Real-IP`` when there is no ``X-Forwarded-For``. A malformed
    entry ends the walk at the last hop known to be good. Lockout (django-axes'
    ``AXES_CLIENT_IP_CALLABLE``), sessions and the audit trail all use this.
    """
    peer = parse_address(request.META.get("REMOTE_ADDR"))
    if peer is None:
        return None
    networks = trusted_networks(tuple(settings.TRUSTED_PROXIES))
    if not _is_trusted(peer, networks):
        return str(peer)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").strip()
    if not forwarded:
        real_ip = parse_address(request.META.get("HTTP_X_REAL_IP"))
        return str(real_ip or peer)
    client = peer
    for entry in reversed(forwarded.split(",")):
        hop = parse_address(entry)
        if hop is None:
            break
        client = hop
        if not _is_trusted(hop, networks):
            break
    return str(client)


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
