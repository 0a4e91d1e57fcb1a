"""``manage.py jt808_gateway``: the JT/T 808 gateway, in its own process."""

from __future__ import annotations

import asyncio
import logging
import signal

from django.core.management.base import BaseCommand

from ...gateway import Gateway, Options


class Command(BaseCommand):
    help = "运行 JT/T 808 车载终端接入网关（TCP）。"

    def add_arguments(self, parser) -> None:
        d = Options()
        parser.add_argument("--host", default=d.host)
        parser.add_argument("--port", type=int, default=d.port)
        parser.add_argument(
            "--no-verify-check", action="store_true", help="不校验校验码（部分终端计算有误）"
        )
        parser.add_argument("--idle-timeout", type=float, default=d.idle_timeout)
        parser.add_argument("--max-frame", type=int, default=d.max_frame)
        parser.add_argument("--backlog", type=int, default=d.backlog, help="等待接入的连接数上限")
        parser.add_argument("--rate", type=float, default=d.rate, help="每连接每秒消息数上限")
        parser.add_argument("--burst", type=float, default=d.burst)
        parser.add_argument("--batch-rows", type=int, default=d.batch_rows)
        parser.add_argument("--flush-ms", type=int, default=d.flush_ms)
        parser.add_argument("--no-trips", action="store_true", help="不实时生成行程")

    def handle(self, *args, **options) -> None:
        logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
        gateway_options = Options(
            host=options["host"],
            port=options["port"],
            verify_check=not options["no_verify_check"],
            idle_timeout=options["idle_timeout"],
            max_frame=options["max_frame"],
            backlog=options["backlog"],
            rate=options["rate"],
            burst=options["burst"],
            batch_rows=options["batch_rows"],
            flush_ms=options["flush_ms"],
            build_trips=not options["no_trips"],
        )
        asyncio.run(self._run(gateway_options))

    async def _run(self, options: Options) -> None:
        gateway = Gateway(options)
        port = await gateway.start()
        self.stdout.write(f"JT/T 808 网关监听 {options.host}:{port}")
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await stop.wait()
        await gateway.stop()
        s = gateway.stats
        self.stdout.write(
            f"网关已停止：连接 {s.connections:,}，消息 {s.messages:,}，定位 {s.positions:,}，"
            f"写入 {gateway.writer.written:,}（失败 {gateway.writer.failed:,}），"
            f"坏帧 {s.bad_frames:,}，限流丢弃 {s.flood_dropped:,}"
        )
