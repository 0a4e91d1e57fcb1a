"""Writing location reports: batches from the gateway into ``Position`` (COPY on PostgreSQL,
one executemany on SQLite), the last position per terminal, terminals' last contact and the
trips built from the reports (blind-area re-sends, which arrive after later reports, by
rebuilding their days from the stored positions).

The gateway's event loop only puts rows on a queue; ``PositionWriter`` (a thread with its own
database connection) takes them, writing every ``batch_rows`` rows or ``flush_ms`` milliseconds,
whichever comes first. ``stop`` drains the queue before it returns, so nothing acknowledged is
lost on a clean shutdown.
"""

from __future__ import annotations

import datetime
import logging
import queue
import threading
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from ..framework.bulk import insert_values, upsert_values
from ..vehicles.models import Vehicle
from .models import LastPosition, Position, Terminal
from .trips import Point, TripBuilder, rebuild_day

log = logging.getLogger("gongfang.terminals.ingest")

COLUMNS = (
    "terminal_id",
    "vehicle_id",
    "recorded_at",
    "received_at",
    "lat",
    "lng",
    "altitude",
    "speed",
    "direction",
    "alarm",
    "status",
    "acc",
    "located",
    "mileage_km",
    "fuel_l",
    "batch",
)


@dataclass(frozen=True, slots=True)
class Row:
    terminal_id: int
    vehicle_id: int | None
    recorded_at: datetime.datetime
    received_at: datetime.datetime
    lat: float
    lng: float
    altitude: int
    speed: float
    direction: int
    alarm: int
    status: int
    acc: bool
    located: bool
    mileage_km: float | None
    fuel_l: float | None
    batch: bool

    def values(self) -> tuple:
        return tuple(getattr(self, c) for c in COLUMNS)


def _copy_line(row: Row) -> str:
    """One row of COPY's text format; the columns in ``COLUMNS`` order (written out: the
    gateway formats thousands of these a second beside its event loop)."""
    mileage = "\\N" if row.mileage_km is None else repr(row.mileage_km)
    fuel = "\\N" if row.fuel_l is None else repr(row.fuel_l)
    vehicle = "\\N" if row.vehicle_id is None else row.vehicle_id
    return (
        f"{row.terminal_id}\t{vehicle}\t{row.recorded_at.isoformat()}\t"
        f"{row.received_at.isoformat()}\t{row.lat!r}\t{row.lng!r}\t{row.altitude}\t"
        f"{row.speed!r}\t{row.direction}\t{row.alarm}\t{row.status}\t{'t' if row.acc else 'f'}\t"
        f"{'t' if row.located else 'f'}\t{mileage}\t{fuel}\t{'t' if row.batch else 'f'}\n"
    )


def write_positions(rows: list[Row]) -> None:
    """Insert ``rows`` into ``Position`` in the current transaction."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        # COPY (several times faster than INSERT) of one text buffer: a single write, so the
        # writer thread gives up the GIL once per batch, not once per row, beside a busy loop.
        data = "".join(_copy_line(row) for row in rows).encode()
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(
                f"COPY {Position._meta.db_table} ({', '.join(COLUMNS)}) FROM STDIN"
            ) as copy,
        ):
            copy.write(data)
        return
    fields = [Position._meta.get_field(c.removesuffix("_id")) for c in COLUMNS]
    insert_values(Position, fields, [row.values() for row in rows])


def write_last_positions(rows: list[Row]) -> None:
    """Upsert each terminal's latest located report; an older one never replaces a newer."""
    latest: dict[int, Row] = {}
    for row in rows:
        seen = latest.get(row.terminal_id)
        if row.located and (seen is None or row.recorded_at >= seen.recorded_at):
            latest[row.terminal_id] = row
    meta = LastPosition._meta
    fields = meta.concrete_fields  # each a field of Row too: terminal, vehicle, recorded_at …
    upsert_values(
        LastPosition,
        fields,
        [tuple(getattr(r, f.attname) for f in fields) for r in latest.values()],
        unique=meta.get_field("terminal"),
        newer=meta.get_field("recorded_at"),
    )


class PositionWriter(threading.Thread):
    """Takes rows from ``queue`` and writes them in batches; builds trips as they come."""

    SWEEP_EVERY = 30.0
    LATEST_EVERY = 2.0

    def __init__(
        self, *, batch_rows: int = 1000, flush_ms: int = 200, build_trips: bool = True
    ) -> None:
        super().__init__(name="jt808-writer", daemon=True)
        self.queue: queue.SimpleQueue[Row | None] = queue.SimpleQueue()
        self.batch_rows = batch_rows
        self.flush_s = flush_ms / 1000
        self.trips = TripBuilder() if build_trips else None
        self.written = 0
        self.failed = 0
        self.batches = 0
        self._stopping = False
        self.latest: dict[int, Row] = {}
        self.latest_flushed = time.monotonic()
        # (vehicle, local day) that received blind-area re-sends (补报, 0x0704 type 1): their
        # trips are rebuilt from the stored positions, since the live builder only goes forward.
        self.late: set[tuple[int, datetime.date]] = set()

    def put(self, row: Row) -> None:
        self.queue.put(row)

    def stop(self, timeout: float | None = None) -> None:
        """Drain what is queued, write it, and end the thread (every acknowledged report is
        written before this returns)."""
        self.queue.put(None)
        self.join(timeout)

    def run(self) -> None:
        try:
            if self.trips is not None:
                self.trips.load_open()
            last_sweep = time.monotonic()
            while not self._stopping:
                batch = self._collect()
                if batch:
                    self._write(batch)
                if self.trips is not None and time.monotonic() - last_sweep > self.SWEEP_EVERY:
                    last_sweep = time.monotonic()
                    self.trips.sweep(now=timezone.now())
                    self._save_trips(include_open=True)
                    self._rebuild_late()
            self._flush_latest()
            if self.trips is not None:
                self.trips.save(include_open=True)
                self._rebuild_late()
        finally:
            connection.close()

    def _collect(self) -> list[Row]:
        batch: list[Row] = []
        deadline = None
        while len(batch) < self.batch_rows:
            timeout = None if deadline is None else deadline - time.monotonic()
            if timeout is not None and timeout <= 0:
                break
            try:
                row = self.queue.get(timeout=timeout if timeout is not None else 1.0)
            except queue.Empty:
                if deadline is None:
                    return batch
                break
            if row is None:
                self._stopping = True
                break
            batch.append(row)
            if deadline is None:
                deadline = time.monotonic() + self.flush_s
        return batch

    def _write(self, batch: list[Row]) -> None:
        try:
            with transaction.atomic():
                write_positions(batch)
            self.written += len(batch)
            self.batches += 1
        except Exception:
            # A batch that cannot be written is logged with its size; the gateway keeps going.
            self.failed += len(batch)
            log.exception("写入定位数据失败（%d 条）", len(batch))
            connection.close()
            return
        for row in batch:
            seen = self.latest.get(row.terminal_id)
            if seen is None or row.recorded_at >= seen.recorded_at:
                self.latest[row.terminal_id] = row
        if time.monotonic() - self.latest_flushed >= self.LATEST_EVERY:
            self._flush_latest()
        if self.trips is not None:
            for row in sorted(batch, key=lambda r: r.recorded_at):
                if row.vehicle_id is not None and not row.batch:
                    self.trips.add(
                        row.vehicle_id,
                        Point(
                            row.recorded_at,
                            row.lat,
                            row.lng,
                            row.speed,
                            row.acc,
                            row.located,
                            row.terminal_id,
                        ),
                    )
            self.late |= {
                (row.vehicle_id, timezone.localdate(row.recorded_at))
                for row in batch
                if row.batch and row.vehicle_id is not None
            }
            # Closed trips at once; open ones (their growing routes) every sweep only.
            self._save_trips(include_open=False)
            self._rebuild_late()

    def _rebuild_late(self) -> None:
        """Rebuild the days that got re-sent reports, each once its vehicle has no trip open
        (an open trip lives in the builder and would be rebuilt under its feet); a day still
        waiting is rebuilt after the trip closes."""
        for vehicle_id, day in sorted(self.late):
            if vehicle_id in self.trips.open:
                continue
            self.late.discard((vehicle_id, day))
            try:
                rebuild_day(Vehicle(pk=vehicle_id), day)
            except Exception:
                log.exception("补报数据重建行程失败（车辆 %s，%s）", vehicle_id, day)
                connection.close()

    def _flush_latest(self) -> None:
        """Last positions and terminals' last contact: at most every ``LATEST_EVERY`` seconds
        (one row per terminal however many reports it sent meanwhile)."""
        self.latest_flushed = time.monotonic()
        rows, self.latest = list(self.latest.values()), {}
        if not rows:
            return
        try:
            with transaction.atomic():
                write_last_positions(rows)
                Terminal.objects.filter(pk__in=[r.terminal_id for r in rows]).update(
                    last_seen_at=timezone.now()
                )
        except Exception:
            log.exception("更新最新位置失败（%d 台终端）", len(rows))
            connection.close()

    def _save_trips(self, *, include_open: bool) -> None:
        try:
            self.trips.save(include_open=include_open)
        except Exception:
            log.exception("保存行程失败")
            connection.close()
