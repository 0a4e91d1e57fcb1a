"""The JT/T 808 gateway: an asyncio TCP server, one ``Session`` per connection.

Every message is answered as the standard requires: 0x0100 with 0x8100, everything else
(0x0102, 0x0002, 0x0003, 0x0200, 0x0704, unknown ids) with 0x8001 — result 3 for an id not
supported, 2 for a body that cannot be read, 1 for a location from a terminal not
authenticated. Frames whose header cannot be read are logged and dropped; a connection that
sends too many of them, floods beyond its rate, or stays idle is closed. Nothing a terminal
sends can raise out of its session, and a session's end never touches the others.

Database work (registration, authentication) runs in worker threads; positions go to the
``PositionWriter`` thread through a queue and are acknowledged once queued.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from django.db import close_old_connections
from django.utils import timezone

from .ingest import PositionWriter, Row
from .jt808 import codec
from .jt808 import messages as m
from .jt808.framing import FrameError, FrameSplitter
from .services import authenticate_terminal, register_terminal

log = logging.getLogger("gongfang.terminals.gateway")


@dataclass
class Options:
    host: str = "127.0.0.1"
    port: int = 6808
    verify_check: bool = True
    idle_timeout: float = 300.0
    max_frame: int = 4096
    # Connections waiting to be accepted: a fleet reconnects at once after a restart, and
    # asyncio's default of 100 makes the kernel drop the rest (seen losing 12% of 2,000).
    backlog: int = 4096
    rate: float = 50.0  # messages per second per connection, sustained
    burst: float = 200.0
    max_bad: int = 20  # unreadable frames or dropped messages before the connection is closed
    batch_rows: int = 1000
    flush_ms: int = 200
    build_trips: bool = True


@dataclass
class Stats:
    connections: int = 0
    open: int = 0
    messages: int = 0
    positions: int = 0
    bad_frames: int = 0
    bad_checks: int = 0
    unsupported: int = 0
    flood_dropped: int = 0
    refused: int = 0
    closed_idle: int = 0
    closed_hostile: int = 0
    by_id: dict[int, int] = field(default_factory=dict)


def _sync(func, /, **kwargs):
    """Run ORM code in a worker thread with a healthy connection."""
    close_old_connections()
    try:
        return func(**kwargs)
    finally:
        close_old_connections()


class Session:
    """One terminal's connection: its framing state, identity and budgets."""

    def __init__(self, gateway: Gateway, reader, writer) -> None:
        self.gateway = gateway
        self.options = gateway.options
        self.reader = reader
        self.writer = writer
        peer = writer.get_extra_info("peername")
        self.address = f"{peer[0]}:{peer[1]}" if peer else ""
        self.splitter = FrameSplitter(max_frame=self.options.max_frame)
        self.reassembler = codec.Reassembler()
        self.terminal_id: int | None = None
        self.vehicle_id: int | None = None
        self.phone: str | None = None
        self.serial = 0
        self.tokens = self.options.burst
        self.refilled = time.monotonic()
        self.bad = 0
        self.replies: list[bytes] = []
        self.idle = False

    async def run(self) -> None:
        stats = self.gateway.stats
        loop = asyncio.get_running_loop()
        self.idle_until = loop.time() + self.options.idle_timeout
        self.idle_timer = loop.call_at(self.idle_until, self._idle_check)
        try:
            while data := await self.reader.read(65536):
                # A read only moves the deadline; the timer re-arms itself when it fires early
                # (one timer a connection, not one per read).
                self.idle_until = loop.time() + self.options.idle_timeout
                before = self.splitter.oversized
                for frame in self.splitter.feed(data):
                    await self.handle_frame(frame)
                if self.splitter.oversized > before:
                    self.bad += self.splitter.oversized - before
                    log.warning("连接 %s 发送超长帧，已丢弃", self.address)
                self.flush()
                if self.bad > self.options.max_bad:
                    stats.closed_hostile += 1
                    log.warning("连接 %s 异常数据过多，已断开", self.address)
                    return
                await self.writer.drain()
        except (ConnectionError, OSError):
            return
        except Exception:  # a bug must end this session only, never the server
            log.exception("连接 %s 处理异常，已断开", self.address)
        finally:
            self.idle_timer.cancel()
            if not self.idle:
                self.flush()
            self.writer.close()

    def _idle_check(self) -> None:
        loop = asyncio.get_running_loop()
        if loop.time() < self.idle_until:
            self.idle_timer = loop.call_at(self.idle_until, self._idle_check)
            return
        self.idle = True
        self.gateway.stats.closed_idle += 1
        log.info("连接 %s 空闲超时，已断开", self.address)
        self.writer.close()  # the pending read returns b"": the session ends

    def flush(self) -> None:
        """Send the replies of what was read, in one write (one system call, not one per
        acknowledgement)."""
        if self.replies:
            self.writer.write(b"".join(self.replies))
            self.replies.clear()

    def allow(self) -> bool:
        """Token bucket: ``rate`` messages a second, ``burst`` at once."""
        now = time.monotonic()
        self.tokens = min(
            self.options.burst, self.tokens + (now - self.refilled) * self.options.rate
        )
        self.refilled = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True

    def send(self, msg_id: int, body: bytes, request: codec.Header) -> None:
        header = codec.Header(
            msg_id=msg_id,
            phone=request.phone,
            serial=self.serial,
            version=request.version,
            protocol_version=request.protocol_version,
        )
        self.serial = (self.serial + 1) & 0xFFFF
        self.replies.append(codec.encode(header, body))

    def ack(self, request: codec.Header, result: int = m.RESULT_OK) -> None:
        self.send(
            m.PLATFORM_RESPONSE,
            m.GeneralReply(request.serial, request.msg_id, result).encode(),
            request,
        )

    async def handle_frame(self, frame: bytes) -> None:
        stats = self.gateway.stats
        if not self.allow():
            stats.flood_dropped += 1
            self.bad += 1
            return
        try:
            packet = codec.decode_frame(frame, verify=False)
        except FrameError as exc:
            stats.bad_frames += 1
            self.bad += 1
            log.info("连接 %s 帧无法解析：%s（%s）", self.address, exc, frame[:64].hex())
            return
        stats.messages += 1
        header = packet.header
        if not packet.check_ok:
            stats.bad_checks += 1
            if self.options.verify_check:
                self.bad += 1
                self.ack(header, m.RESULT_BAD_MESSAGE)
                return
        try:
            whole = self.reassembler.add(packet)
        except FrameError as exc:
            self.bad += 1
            log.info("连接 %s 分包被拒：%s", self.address, exc)
            self.ack(header, m.RESULT_FAILED)
            return
        if whole is None:
            self.ack(header)  # each sub-package is acknowledged as it comes
            return
        stats.by_id[header.msg_id] = stats.by_id.get(header.msg_id, 0) + 1
        try:
            await self.dispatch(whole)
        except FrameError as exc:
            self.bad += 1
            log.info("连接 %s 消息 %#06x 无法解析：%s", self.address, header.msg_id, exc)
            self.ack(whole.header, m.RESULT_BAD_MESSAGE)

    async def dispatch(self, packet: codec.Packet) -> None:
        header, body = packet.header, packet.body
        msg_id = header.msg_id
        if msg_id == m.LOCATION:
            self.store(header, [m.Location.decode(body)], batch=False)
        elif msg_id == m.BATCH_LOCATION:
            batch = m.BatchLocation.decode(body)
            self.store(header, batch.locations, batch=batch.kind == 1)
        elif msg_id == m.HEARTBEAT:
            self.ack(header)
        elif msg_id == m.REGISTER:
            await self.register(header, m.Registration.decode(body, header.version))
        elif msg_id == m.AUTHENTICATE:
            await self.authenticate(header, m.Authentication.decode(body, header.version))
        elif msg_id == m.LOGOUT:
            self.ack(header)
            self.terminal_id = self.vehicle_id = None
        elif msg_id == m.TERMINAL_RESPONSE:
            m.GeneralReply.decode(body)  # a response is not answered
        else:
            self.gateway.stats.unsupported += 1
            self.ack(header, m.RESULT_NOT_SUPPORTED)

    def store(self, header: codec.Header, locations: list[m.Location], *, batch: bool) -> None:
        if self.terminal_id is None or header.terminal != self.phone:
            self.ack(header, m.RESULT_FAILED)  # authenticate first
            return
        now = timezone.now()
        put = self.gateway.writer.put
        for loc in locations:
            put(
                Row(
                    self.terminal_id,
                    self.vehicle_id,
                    loc.time,
                    now,
                    loc.lat,
                    loc.lng,
                    loc.altitude,
                    loc.speed,
                    loc.direction % 360,
                    loc.alarm,
                    loc.status,
                    loc.acc,
                    loc.located,
                    loc.mileage_km,
                    loc.fuel_l,
                    batch,
                )
            )
        self.gateway.stats.positions += len(locations)
        self.ack(header)

    async def register(self, header: codec.Header, registration: m.Registration) -> None:
        result, code, _ = await asyncio.to_thread(
            _sync,
            register_terminal,
            phone=header.terminal,
            registration=registration,
            version=header.version,
            address=self.address,
        )
        if result != m.REGISTER_OK:
            self.gateway.stats.refused += 1
            log.info("终端 %s 未绑定车辆，注册被拒", header.terminal)
        self.send(
            m.REGISTER_RESPONSE, m.RegistrationReply(header.serial, result, code).encode(), header
        )

    async def authenticate(self, header: codec.Header, auth: m.Authentication) -> None:
        terminal = await asyncio.to_thread(
            _sync,
            authenticate_terminal,
            phone=header.terminal,
            auth_code=auth.auth_code,
            address=self.address,
        )
        if terminal is None:
            self.ack(header, m.RESULT_FAILED)
            return
        self.terminal_id, self.vehicle_id, self.phone = (
            terminal.pk,
            terminal.vehicle_id,
            header.terminal,
        )
        self.ack(header)


class Gateway:
    def __init__(self, options: Options | None = None, writer: PositionWriter | None = None):
        self.options = options or Options()
        self.stats = Stats()
        self.writer = writer or PositionWriter(
            batch_rows=self.options.batch_rows,
            flush_ms=self.options.flush_ms,
            build_trips=self.options.build_trips,
        )
        self.server: asyncio.base_events.Server | None = None
        self.sessions: dict[asyncio.Task, Session] = {}

    async def start(self) -> int:
        """Listen; returns the port (useful with port 0)."""
        if not self.writer.is_alive():
            self.writer.start()
        self.server = await asyncio.start_server(
            self._serve,
            self.options.host,
            self.options.port,
            limit=self.options.max_frame * 2,
            backlog=self.options.backlog,
        )
        return self.server.sockets[0].getsockname()[1]

    async def _serve(self, reader, writer) -> None:
        self.stats.connections += 1
        self.stats.open += 1
        task = asyncio.current_task()
        session = self.sessions[task] = Session(self, reader, writer)
        try:
            await session.run()
        finally:
            self.stats.open -= 1
            self.sessions.pop(task, None)

    async def stop(self) -> None:
        """Stop accepting, end the sessions, and write what is queued."""
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()
        # Closing the transports ends each session's read; cancel only what does not end.
        for session in list(self.sessions.values()):
            session.writer.close()
        if self.sessions:
            _, late = await asyncio.wait(list(self.sessions), timeout=5)
            for task in late:
                task.cancel()
        await asyncio.to_thread(self.writer.stop)
