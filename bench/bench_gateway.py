"""The JT/T 808 gateway under load: 2,000 terminals over TCP on loopback, into PostgreSQL.

Usage: .venv/bin/python bench/bench_gateway.py [--db-url postgres://postgres@127.0.0.1:5432/h_t1]
        [--terminals 2000] [--rate 3] [--seconds 20] [--clients 2] [--port 6899]

Binds ``--terminals`` terminals to as many vehicles (made once, in bulk), starts
``manage.py jt808_gateway`` in its own process, then ``--clients`` client processes open one
connection per terminal, register, authenticate and send location reports (0x0200) at ``--rate``
a second each, without waiting for the previous acknowledgement (as a terminal with a send
window does). It prints:

- reports sent, acknowledged and stored (rows of ``Position`` after the gateway drained its
  queue on SIGTERM): none may be lost;
- sustained acknowledged reports per second — counted over the window from the first report
  sent to the last acknowledgement received, so a gateway that falls behind is not credited
  for the senders' rate — and the p50 / p99 acknowledgement latency;
- the same load against a floor: a bare asyncio server that splits the same frames and answers
  each with a fixed 0x8001, writing nothing — the ratio says what decoding, the session logic
  and the database cost on top of the sockets alone.

Goal: at least ``GOAL_PER_SECOND`` stored reports a second with nothing lost.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_PER_SECOND = 5000
PHONE_BASE = 17_700_000_000


def django_setup(db_url: str) -> None:
    os.environ["DATABASE_URL"] = db_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongfang.settings")
    import django

    django.setup()


def prepare(count: int) -> list[str]:
    """``count`` bound terminals (and their vehicles), made once; their positions emptied."""
    from django.core.management import call_command
    from django.db import transaction

    call_command("migrate", verbosity=0)
    from gongfang.registry.models import Organization
    from gongfang.registry.tests.factories import OrganizationFactory
    from gongfang.terminals.models import LastPosition, Position, Terminal, TerminalState, Trip
    from gongfang.vehicles.models import Vehicle
    from gongfang.vehicles.tests.factories import make_plate, make_vin

    phones = [str(PHONE_BASE + k) for k in range(count)]
    have = set(Terminal.objects.filter(phone__in=phones).values_list("phone", flat=True))
    missing = [p for p in phones if p not in have]
    if missing:
        org = Organization.objects.first() or OrganizationFactory()
        with transaction.atomic():
            cars = [
                Vehicle(
                    organization=org,
                    region_id=org.region_id,
                    plate=make_plate(90_000 + int(p) - PHONE_BASE, letter="Z"),
                    vin=make_vin(700_000 + int(p) - PHONE_BASE, wmi="LSV"),
                    category="general",
                    brand="大众",
                    model_name="帕萨特",
                    energy="petrol",
                    displacement=1.4,
                    price=150000,
                    seats=5,
                    bought_on=datetime.date(2022, 1, 1),
                )
                for p in missing
            ]
            Vehicle.objects.bulk_create(cars, batch_size=1000)
            Terminal.objects.bulk_create(
                [
                    Terminal(
                        phone=p,
                        vehicle=car,
                        region_id=org.region_id,
                        state=TerminalState.BOUND,
                        auth_code=f"bench{p}",
                    )
                    for p, car in zip(missing, cars, strict=True)
                ],
                batch_size=1000,
            )
    terminals = Terminal.objects.filter(phone__in=phones)
    Position.objects.filter(terminal__in=terminals).delete()
    LastPosition.objects.filter(terminal__in=terminals).delete()
    Trip.objects.filter(terminal__in=terminals).delete()
    return phones


def stored(phones: list[str]) -> int:
    from gongfang.terminals.models import Position, Terminal

    return Position.objects.filter(terminal__in=Terminal.objects.filter(phone__in=phones)).count()


# -- load client (its own process) -----------------------------------------------------------


async def _terminal(phone, port, rate, seconds, start_at, out, login: bool):
    from gongfang.terminals.jt808 import codec
    from gongfang.terminals.jt808 import messages as m
    from gongfang.terminals.jt808.framing import FrameSplitter, open_frame

    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sent_at: dict[int, float] = {}
    waiters: dict[int, asyncio.Future] = {}
    latencies = out["latencies"]
    serial = 0

    def frame(msg_id, body):
        nonlocal serial
        serial = (serial + 1) & 0xFFFF
        h = codec.Header(msg_id=msg_id, phone=phone.rjust(12, "0"), serial=serial)
        return serial, codec.encode(h, body)

    async def listen():
        splitter = FrameSplitter()
        while data := await reader.read(65536):
            for raw in splitter.feed(data):
                # The replied-to serial opens the body, after the 12-byte 2013 header.
                content, _ = open_frame(raw)
                s = int.from_bytes(content[12:14], "big")
                if s in waiters:
                    waiters.pop(s).set_result(codec.decode(content))
                elif s in sent_at:
                    latencies.append(time.perf_counter() - sent_at.pop(s))
                    out["acked"] += 1
                    out["last_ack"] = time.time()

    listener = asyncio.create_task(listen())
    try:
        if login:
            s, f = frame(
                m.REGISTER, m.Registration(37, 400, "GF", "BENCH", phone[-7:], 1, "").encode()
            )
            waiters[s] = asyncio.get_running_loop().create_future()
            writer.write(f)
            reply = m.RegistrationReply.decode((await asyncio.wait_for(waiters[s], 60)).body)
            s, f = frame(m.AUTHENTICATE, m.Authentication(reply.auth_code).encode())
            waiters[s] = asyncio.get_running_loop().create_future()
            writer.write(f)
            await asyncio.wait_for(waiters[s], 60)
        # The reports are encoded before the start, so that the clients' CPU (on the same
        # machine) goes to sending and timing, not to building frames.
        t0 = datetime.datetime(2026, 12, 1, 8, tzinfo=m.CHINA_TZ)
        lat, lng = 34.8 + (int(phone) % 1000) / 10000, 117.3
        reports = [
            frame(
                m.LOCATION,
                m.Location(
                    0,
                    3,
                    lat + k * 1e-4,
                    lng,
                    40,
                    36.0,
                    90,
                    t0 + datetime.timedelta(seconds=k),
                    mileage_km=1000 + k / 10,
                ).encode(),
            )
            for k in range(int(rate * seconds) + 1)
        ]
        await asyncio.sleep(max(0, start_at - time.time()))
        k = 0
        begun = time.perf_counter()
        while (elapsed := time.perf_counter() - begun) < seconds and k < len(reports):
            due = k / rate
            if due > elapsed:
                await asyncio.sleep(due - elapsed)
            s, f = reports[k]
            sent_at[s] = time.perf_counter()
            writer.write(f)
            out["sent"] += 1
            k += 1
        deadline = time.perf_counter() + 15
        while sent_at and time.perf_counter() < deadline:
            await asyncio.sleep(0.1)
    except (ConnectionError, OSError, TimeoutError):
        out["errors"] += 1
    finally:
        listener.cancel()
        writer.close()


def client(phones, port, rate, seconds, start_at, login, queue):
    import logging

    logging.getLogger("asyncio").setLevel(logging.ERROR)  # writes after a peer closed
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongfang.settings")
    out = {"sent": 0, "acked": 0, "errors": 0, "latencies": [], "last_ack": start_at}

    async def main():
        await asyncio.gather(
            *(_terminal(p, port, rate, seconds, start_at, out, login) for p in phones)
        )

    asyncio.run(main())
    queue.put(out)


def load(phones, port, rate, seconds, clients, login) -> dict:
    queue = multiprocessing.Queue()
    start_at = time.time() + 15 + len(phones) / 300  # logged in and reports encoded first
    procs = [
        multiprocessing.Process(
            target=client, args=(phones[i::clients], port, rate, seconds, start_at, login, queue)
        )
        for i in range(clients)
    ]
    for p in procs:
        p.start()
    results = [queue.get() for _ in procs]
    for p in procs:
        p.join()
    total = {"sent": 0, "acked": 0, "errors": 0, "latencies": []}
    for r in results:
        for key in total:
            total[key] += r[key]
    # The window runs from the first report sent to the last acknowledgement received: a
    # server that falls behind acknowledges after the senders stopped, and is not credited.
    total["window"] = max(r["last_ack"] for r in results) - start_at
    return total


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# -- floor: a bare asyncio answering server --------------------------------------------------


def echo_server(port: int) -> None:
    from gongfang.terminals.jt808 import codec
    from gongfang.terminals.jt808.framing import FrameSplitter

    async def serve(reader, writer):
        splitter = FrameSplitter()
        while data := await reader.read(65536):
            out = []
            for raw in splitter.feed(data):
                # Echo the frame's serial in a fixed reply: no decoding beyond the header bytes.
                body = raw[10:12] + raw[0:2] + b"\x00"
                h = codec.Header(msg_id=0x8001, phone="000000000000", serial=0)
                out.append(codec.encode(h, body))
            writer.write(b"".join(out))
            await writer.drain()

    async def main():
        server = await asyncio.start_server(serve, "127.0.0.1", port, backlog=4096)
        async with server:
            await server.serve_forever()

    asyncio.run(main())


def summary(name: str, result: dict, seconds: float) -> float:
    lat = sorted(result["latencies"]) or [0.0]
    window = max(result["window"], seconds)
    rate = result["acked"] / window
    print(
        f"{name}: 发送 {result['sent']:,}，{window:.1f} 秒内确认 {result['acked']:,}"
        f"（持续 {rate:,.0f} 条/秒），"
        f"确认延迟 p50 {statistics.median(lat) * 1000:.1f} ms，"
        f"p99 {lat[int(0.99 * (len(lat) - 1))] * 1000:.1f} ms，连接错误 {result['errors']}"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db-url", default="postgres://postgres@127.0.0.1:5432/h_t1")
    parser.add_argument("--terminals", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=3.0, help="reports a second per terminal")
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=2)
    parser.add_argument("--port", type=int, default=6899)
    args = parser.parse_args()
    django_setup(args.db_url)
    phones = prepare(args.terminals)
    print(
        f"{args.terminals:,} 个终端，每个每秒 {args.rate:g} 条，持续 {args.seconds:g} 秒"
        f"（目标总速率 {args.terminals * args.rate:,.0f} 条/秒），数据库 {args.db_url.split('@')[-1]}"
    )

    env = {**os.environ, "DATABASE_URL": args.db_url}
    gateway = subprocess.Popen(
        [sys.executable, "manage.py", "jt808_gateway", "--port", str(args.port), "--rate", "100"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    gateway.stdout.readline()  # listening
    try:
        result = load(phones, args.port, args.rate, args.seconds, args.clients, login=True)
        cpu = cpu_seconds(gateway.pid)  # before the drain on SIGTERM: the load's own cost
    finally:
        gateway.send_signal(signal.SIGTERM)
        tail = gateway.communicate(timeout=600)[0]
    rows = stored(phones)
    rate = summary("网关（写入 PostgreSQL）", result, args.seconds)
    print(f"  网关：{tail.strip()}")
    print(
        f"  网关进程 CPU {cpu:.1f} 秒（含登录 {args.terminals:,} 个终端），"
        f"每条定位 {cpu / max(result['acked'], 1) * 1e6:.0f} 微秒；本机 {os.cpu_count()} 个核，"
        "负载客户端与 PostgreSQL 同机运行"
    )
    lost = result["acked"] - rows
    print(f"  已确认 {result['acked']:,} 条，入库 {rows:,} 条，丢失 {max(lost, 0):,} 条")

    floor = multiprocessing.Process(target=echo_server, args=(args.port + 1,), daemon=True)
    floor.start()
    time.sleep(1)
    try:
        echo = load(phones, args.port + 1, args.rate, args.seconds, args.clients, login=False)
    finally:
        floor.terminate()
    floor_rate = summary("下限：裸 asyncio 应答（不解码、不写库）", echo, args.seconds)
    ratio = rate / floor_rate if floor_rate else 0
    stored_rate = rows / max(result["window"], args.seconds)
    verdict = "达标" if stored_rate >= GOAL_PER_SECOND and lost <= 0 else "未达标"
    print(
        f"入库速率 {stored_rate:,.0f} 条/秒（目标 ≥ {GOAL_PER_SECOND:,}），"
        f"为下限吞吐的 {ratio:.2f} 倍：{verdict}"
    )


if __name__ == "__main__":
    main()
