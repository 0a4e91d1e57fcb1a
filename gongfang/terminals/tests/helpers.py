"""Shared set-up of the terminals tests: a bound terminal and a gateway on a free port."""

from __future__ import annotations

import asyncio
import contextlib
import datetime

from ...vehicles.tests.factories import VehicleFactory
from ..gateway import Gateway, Options
from ..jt808 import messages as m
from ..models import Terminal, TerminalState

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=m.CHINA_TZ)  # a Monday


def bound_terminal(phone: str = "13800000001", **vehicle) -> Terminal:
    car = VehicleFactory(**vehicle)
    return Terminal.objects.create(
        phone=phone, vehicle=car, region=car.region, state=TerminalState.BOUND
    )


def route(minutes: int = 20, *, start: datetime.datetime = START, lat=34.81, lng=117.32):
    """A straight drive north-east, one point a minute (~36 km/h)."""
    t0 = int(start.timestamp())
    return [[lat + 0.004 * k, lng + 0.004 * k, t0 + 60 * k] for k in range(minutes + 1)]


@contextlib.asynccontextmanager
async def running_gateway(**options):
    gateway = Gateway(Options(port=0, **options))
    port = await gateway.start()
    try:
        yield gateway, port
    finally:
        await gateway.stop()


def run(coro):
    return asyncio.run(coro)
