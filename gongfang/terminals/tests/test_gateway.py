"""The gateway over a real socket: the simulator's terminals, unknown terminals, and hostile
input that must be answered or dropped without harming other connections."""

from __future__ import annotations

import asyncio

import pytest

from ...registry.tests.factories import RegionFactory
from ..jt808 import codec
from ..jt808 import messages as m
from ..jt808.framing import FrameSplitter, wrap
from ..models import LastPosition, Position, Terminal, TerminalState, Trip
from ..signals import trip_closed
from ..simulator import Plan, SimStats, SimTerminal, replay, reports_from_route, run_fleet
from .helpers import START, bound_terminal, route, running_gateway

pytestmark = pytest.mark.django_db(transaction=True)


def test_fleet_replay_stores_every_report_and_builds_trips():
    # The region the simulator's registration names (province 37, city 0400): an unknown
    # terminal is filed under it (the factory's other regions depend on the tests run before).
    zaozhuang = RegionFactory(code="370400", name="枣庄市")
    a = bound_terminal("13800000001")
    b = bound_terminal("13800000002")
    b.protocol = 2019
    b.save()
    closed = []
    trip_closed.connect(lambda sender, trip, **kw: closed.append(trip), weak=False)
    plans = [
        Plan(a.phone, reports_from_route(route(20))),
        Plan(b.phone, reports_from_route(route(30, lat=34.70)), version=2019),
        Plan("13999999999", reports_from_route(route(5))),  # not bound: refused
    ]

    async def scenario():
        async with running_gateway() as (gateway, port):
            stats = await run_fleet(plans, "127.0.0.1", port, speed=0)
        return stats, gateway

    stats, gateway = asyncio.run(scenario())
    sent = len(plans[0].reports) + len(plans[1].reports)
    assert stats.sent == stats.acked == sent and stats.failed == 0
    assert stats.refused == 1 and stats.registered == 2
    assert gateway.writer.written == sent and gateway.writer.failed == 0
    assert Position.objects.count() == sent
    assert Position.objects.filter(vehicle=a.vehicle).count() == len(plans[0].reports)
    last = LastPosition.objects.get(terminal=a)
    assert last.vehicle_id == a.vehicle_id and not last.acc
    assert last.recorded_at == plans[0].reports[-1].time
    trips = list(Trip.objects.all())
    assert sorted(t.vehicle_id for t in trips) == sorted([a.vehicle_id, b.vehicle_id])
    trip = Trip.objects.get(vehicle=a.vehicle)
    assert trip.closed and trip.start_at == plans[0].reports[0].time
    assert trip.duration_s == 20 * 60
    assert trip.distance_km == pytest.approx(11.3, abs=0.3)  # 20 steps of ~565 m
    assert len(trip.route) == 2  # a straight line simplifies to its ends
    assert {t.pk for t in closed} == {t.pk for t in trips}
    unknown = Terminal.objects.get(phone="13999999999")
    assert unknown.state == TerminalState.UNBOUND and unknown.refused_count == 1
    assert unknown.region == zaozhuang


async def _raw(port: int):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    return reader, writer


async def _replies(reader, count: int, timeout: float = 5.0) -> list[codec.Packet]:
    splitter, out = FrameSplitter(), []
    while len(out) < count:
        data = await asyncio.wait_for(reader.read(4096), timeout)
        if not data:
            break
        out += [codec.decode_frame(f) for f in splitter.feed(data)]
    return out


def _frame(msg_id: int, body: bytes = b"", serial: int = 1, phone: str = "013800000001"):
    return codec.encode(codec.Header(msg_id=msg_id, phone=phone, serial=serial), body)


def test_hostile_input_is_answered_or_dropped():
    bound_terminal("13800000001")
    location = m.Location(0, 3, 34.8, 117.3, 0, 0, 0, START).encode()

    async def scenario():
        async with running_gateway(max_frame=256) as (gateway, port):
            reader, writer = await _raw(port)
            bad_check = bytearray(_frame(m.HEARTBEAT, serial=2))
            bad_check[-2] ^= 0xFF
            writer.write(
                b"garbage\x7e\x7e"  # noise and an empty frame: dropped silently
                + _frame(0x0900, b"\x01\x02", serial=1)  # unknown id: not supported
                + bytes(bad_check)  # wrong check: message error
                + _frame(m.LOCATION, location, serial=3)  # not authenticated: failed
                + _frame(m.LOCATION, b"\x00" * 5, serial=4)  # short body: message error
                + b"\x7e"
                + b"\x11" * 600
                + b"\x7e"  # oversized: dropped
                + _frame(m.HEARTBEAT, serial=5)  # still served
            )
            await writer.drain()
            replies = await _replies(reader, 5)
            results = [m.GeneralReply.decode(p.body) for p in replies]
            # A second terminal is untouched by the first's trouble.
            plan = Plan("13800000001", [m.Location.decode(location)])
            stats = SimStats()
            await replay(plan, "127.0.0.1", port, stats, speed=0)
            writer.close()
            return results, stats, gateway

    results, stats, gateway = asyncio.run(scenario())
    assert [(r.serial, r.msg_id, r.result) for r in results] == [
        (1, 0x0900, m.RESULT_NOT_SUPPORTED),
        (2, m.HEARTBEAT, m.RESULT_BAD_MESSAGE),
        (3, m.LOCATION, m.RESULT_FAILED),
        (4, m.LOCATION, m.RESULT_BAD_MESSAGE),
        (5, m.HEARTBEAT, m.RESULT_OK),
    ]
    assert stats.acked == 1 and gateway.stats.bad_checks == 1
    assert Position.objects.count() == 1


def test_bad_check_accepted_when_verification_is_off():
    bound_terminal("13800000001")

    async def scenario():
        async with running_gateway(verify_check=False) as (_, port):
            reader, writer = await _raw(port)
            frame = bytearray(_frame(m.HEARTBEAT, serial=9))
            frame[-2] ^= 0x01
            writer.write(bytes(frame))
            await writer.drain()
            replies = await _replies(reader, 1)
            writer.close()
            return replies

    (reply,) = asyncio.run(scenario())
    assert m.GeneralReply.decode(reply.body).result == m.RESULT_OK


def test_flood_and_garbage_close_the_connection_not_the_server():
    async def scenario():
        async with running_gateway(rate=5, burst=10, max_bad=20) as (gateway, port):
            reader, writer = await _raw(port)
            writer.write(_frame(m.HEARTBEAT) * 200)
            await writer.drain()
            data = b""
            while chunk := await asyncio.wait_for(reader.read(65536), 5):
                data += chunk  # read until the server closes
            answered = len(FrameSplitter().feed(data))
            # Frames that cannot be read at all: a second connection closed for them.
            r2, w2 = await _raw(port)
            w2.write(wrap(b"\x00\x02\x00") * 50)
            await w2.drain()
            closed = await asyncio.wait_for(r2.read(100), 5)
            # The server still answers a newcomer.
            r3, w3 = await _raw(port)
            w3.write(_frame(m.HEARTBEAT, serial=7))
            await w3.drain()
            fresh = await _replies(r3, 1)
            w3.close()
            return answered, closed, fresh, gateway.stats

    answered, closed, fresh, stats = asyncio.run(scenario())
    assert 10 <= answered < 200 and stats.flood_dropped > 0
    assert closed == b"" and stats.closed_hostile == 2
    assert m.GeneralReply.decode(fresh[0].body).serial == 7


def test_idle_connection_is_closed():
    async def scenario():
        async with running_gateway(idle_timeout=0.3) as (gateway, port):
            reader, _ = await _raw(port)
            data = await asyncio.wait_for(reader.read(10), 5)
            return data, gateway.stats.closed_idle

    assert asyncio.run(scenario()) == (b"", 1)


def test_subpackaged_batch_and_2019_authentication():
    terminal = bound_terminal("13800000003")
    terminal.protocol = 2019
    terminal.save()
    reports = reports_from_route(route(40))

    async def scenario():
        async with running_gateway() as (_, port):
            sim = SimTerminal(Plan(terminal.phone, [], version=2019), SimStats())
            await sim.connect("127.0.0.1", port)
            assert await sim.login()
            body = m.BatchLocation(1, reports).encode()
            header = sim.header(m.BATCH_LOCATION)
            frames = codec.split(header, body, size=300)
            futures = []
            for i, frame in enumerate(frames):
                fut = asyncio.get_running_loop().create_future()
                sim.waiting[(m.BATCH_LOCATION, (header.serial + i) & 0xFFFF)] = (fut, 0.0)
                futures.append(fut)
                sim.writer.write(frame)
            sim.serial += len(frames) - 1
            replies = await asyncio.wait_for(asyncio.gather(*futures), 5)
            await sim.close()
            return len(frames), replies

    count, replies = asyncio.run(scenario())
    assert count > 3 and all(r.result == m.RESULT_OK for r in replies)
    stored = Position.objects.filter(terminal=terminal)
    assert stored.count() == len(reports) and all(p.batch for p in stored)
    # 补报 rows bypass the live builder; their day is rebuilt from the stored positions.
    (trip,) = Trip.objects.filter(vehicle=terminal.vehicle)
    assert trip.closed and trip.start_at == reports[0].time
