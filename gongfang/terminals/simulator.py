"""A JT/T 808 terminal simulator: speaks the gateway's protocol over TCP.

``SimTerminal`` registers, authenticates and sends location reports (0x0200, or 0x0704 batches),
waiting for each acknowledgement and measuring its latency. ``reports_from_trips`` turns saved
trips (their routes) into the reports a terminal would have sent that day; ``run_fleet`` replays
many terminals at a speed factor. Used by ``manage.py jt808_simulator``, ``make demo``, the tests
and the bench.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import itertools
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from .jt808 import codec
from .jt808 import messages as m
from .jt808.framing import FrameSplitter
from .trips import CLOSE_AFTER, distance_m


@dataclass
class SimStats:
    sent: int = 0
    acked: int = 0
    failed: int = 0
    refused: int = 0
    registered: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)

    def p(self, q: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


@dataclass
class Plan:
    phone: str  # digits, as bound in Terminal.phone
    reports: list[m.Location]
    version: int = 2013
    registration: m.Registration | None = None


class SimTerminal:
    def __init__(self, plan: Plan, stats: SimStats, *, timeout: float = 10.0) -> None:
        self.plan = plan
        self.stats = stats
        self.timeout = timeout
        self.serial = 0
        self.waiting: dict[tuple[int, int], tuple[asyncio.Future, float]] = {}
        width = 20 if plan.version == 2019 else 12
        self.phone = plan.phone.rjust(width, "0")
        self.reader = self.writer = None

    def header(self, msg_id: int) -> codec.Header:
        self.serial = (self.serial + 1) & 0xFFFF
        return codec.Header(
            msg_id=msg_id,
            phone=self.phone,
            serial=self.serial,
            version=self.plan.version,
            protocol_version=1 if self.plan.version == 2019 else 0,
        )

    async def connect(self, host: str, port: int) -> None:
        self.reader, self.writer = await asyncio.open_connection(host, port)
        self.listener = asyncio.create_task(self._listen())

    async def _listen(self) -> None:
        splitter = FrameSplitter()
        try:
            while data := await self.reader.read(65536):
                for frame in splitter.feed(data):
                    packet = codec.decode_frame(frame)
                    if packet.header.msg_id == m.REGISTER_RESPONSE:
                        reply = m.RegistrationReply.decode(packet.body)
                        key = (m.REGISTER, reply.serial)
                    elif packet.header.msg_id == m.PLATFORM_RESPONSE:
                        reply = m.GeneralReply.decode(packet.body)
                        key = (reply.msg_id, reply.serial)
                    else:
                        continue
                    waiting = self.waiting.pop(key, None)
                    if waiting is not None and not waiting[0].done():
                        self.stats.latencies.append(time.perf_counter() - waiting[1])
                        waiting[0].set_result(reply)
        except (ConnectionError, OSError):
            pass
        finally:
            for future, _ in self.waiting.values():
                if not future.done():
                    future.set_exception(ConnectionError("连接已断开"))

    def send(self, msg_id: int, body: bytes) -> asyncio.Future:
        header = self.header(msg_id)
        future = asyncio.get_running_loop().create_future()
        self.waiting[(msg_id, header.serial)] = (future, time.perf_counter())
        self.writer.write(codec.encode(header, body))
        return future

    async def request(self, msg_id: int, body: bytes):
        future = self.send(msg_id, body)
        await self.writer.drain()
        return await asyncio.wait_for(future, self.timeout)

    async def login(self) -> bool:
        registration = self.plan.registration or m.Registration(
            37, 400, "GF", "SIM-808", self.plan.phone[-7:], 1, ""
        )
        reply = await self.request(m.REGISTER, registration.encode(self.plan.version))
        if reply.result != m.REGISTER_OK:
            self.stats.refused += 1
            return False
        self.stats.registered += 1
        auth = m.Authentication(reply.auth_code, "86" + self.plan.phone[-13:].rjust(13, "0"), "1.0")
        ack = await self.request(m.AUTHENTICATE, auth.encode(self.plan.version))
        return ack.result == m.RESULT_OK

    async def report(self, location: m.Location) -> None:
        self.stats.sent += 1
        reply = await self.request(m.LOCATION, location.encode())
        if reply.result == m.RESULT_OK:
            self.stats.acked += 1
        else:
            self.stats.failed += 1

    async def close(self) -> None:
        if self.writer is None:
            return
        with contextlib.suppress(ConnectionError, OSError, TimeoutError):
            await self.request(m.LOGOUT, b"")
        self.writer.close()
        self.listener.cancel()


async def replay(
    plan: Plan,
    host: str,
    port: int,
    stats: SimStats,
    *,
    speed: float = 60.0,
    live: bool = False,
) -> None:
    """Send ``plan``'s reports paced by their times divided by ``speed`` (0: as fast as acks
    come); ``live`` stamps each report with the wall clock instead of its own time."""
    terminal = SimTerminal(plan, stats)
    try:
        await terminal.connect(host, port)
        if not await terminal.login():
            return
        started = time.monotonic()
        first = plan.reports[0].time if plan.reports else None
        for location in plan.reports:
            if speed > 0:
                due = (location.time - first).total_seconds() / speed
                delay = due - (time.monotonic() - started)
                if delay > 0:
                    await asyncio.sleep(delay)
            if live:
                location = m.Location(**{**location.__dict__, "time": _now()})
            await terminal.report(location)
    except (ConnectionError, OSError, TimeoutError):
        stats.errors += 1
    finally:
        await terminal.close()


def _now() -> datetime.datetime:
    return datetime.datetime.now(m.CHINA_TZ).replace(microsecond=0)


async def run_fleet(plans: Iterable[Plan], host: str, port: int, **kwargs) -> SimStats:
    stats = SimStats()
    await asyncio.gather(*(replay(plan, host, port, stats, **kwargs) for plan in plans))
    return stats


def _interpolate(a, b, step_s: int):
    """Points every ``step_s`` seconds from route point a to b ([lat, lng, epoch])."""
    span = b[2] - a[2]
    if span <= 0:
        return []
    metres = distance_m(a[0], a[1], b[0], b[1])
    kmh = metres / span * 3.6
    heading = int(math.degrees(math.atan2(b[1] - a[1], b[0] - a[0]))) % 360
    count = max(1, span // step_s)
    return [
        (
            a[0] + (b[0] - a[0]) * i / count,
            a[1] + (b[1] - a[1]) * i / count,
            a[2] + span * i / count,
            kmh,
            heading,
        )
        for i in range(1, count + 1)
    ]


def reports_from_route(
    route: list[list[float]],
    *,
    step_s: int = 30,
    mileage_km: float = 0.0,
    park_after: datetime.timedelta = CLOSE_AFTER + datetime.timedelta(minutes=1),
    park: bool = True,
) -> list[m.Location]:
    """The reports of one trip along ``route`` (ACC on, every ``step_s`` seconds, speed from
    the distance), then parked reports (ACC off) long enough for the trip to close."""
    if not route:
        return []
    located = m.STATUS_LOCATED
    moving = located | m.STATUS_ACC

    def loc(lat, lng, epoch, kmh, heading, status, mileage):
        return m.Location(
            0,
            status,
            round(lat, 6),
            round(lng, 6),
            30,
            round(kmh, 1),
            heading,
            datetime.datetime.fromtimestamp(int(epoch), m.CHINA_TZ),
            mileage_km=round(mileage, 1),
            satellites=12,
        )

    out = [loc(route[0][0], route[0][1], route[0][2], 0, 0, moving, mileage_km)]
    for a, b in itertools.pairwise(route):
        for lat, lng, epoch, kmh, heading in _interpolate(a, b, step_s):
            prev = out[-1]
            mileage_km += distance_m(prev.lat, prev.lng, lat, lng) / 1000
            out.append(loc(lat, lng, epoch, max(kmh, 6.0), heading, moving, mileage_km))
    end = route[-1]
    parked = int(park_after.total_seconds()) if park else 0
    for k in range(60, parked + 1, 60):
        out.append(loc(end[0], end[1], end[2] + k, 0, 0, located, mileage_km))
    return out
