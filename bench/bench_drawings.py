"""Time reading survey drawings against the floor of merely parsing the same files.

    .venv/bin/python bench/bench_drawings.py [--rooms 200] [--floors 20] [--repeat 3]

DXF: a generated office floor of ``--rooms`` rooms in each drawing style (the TArch-like walls
drawing is the large one: double wall lines, door and window blocks, labels in block inserts)
is read by ``read_drawing`` — parse, units, layer detection, outlines or wall spaces, labels,
checks — and reconciled with the registered rooms of that floor (a few areas changed, a few
rooms renamed, one missing). The floor is ezdxf's own ``recover.read`` of the same bytes: no
importer built on ezdxf can be faster. Ratio = floor / (read + reconcile).

IFC: a generated building of ``--floors`` storeys of ``--rooms`` spaces each, read whole by
``read_drawing``; the floor is IfcOpenShell's ``file.from_string`` of the same text.

No database is used. Figures are the best of ``--repeat`` runs.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NAMES = ["办公室", "会议室", "档案室", "接待室", "资料室", "值班室", "库房", "文印室"]


def best(repeat: int, work) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        value = work()
        times.append(time.perf_counter() - started)
    return min(times), value


def floor_rooms(level: int, count: int) -> list[tuple[str, str, float]]:
    """Rooms of one floor, areas 8–80 m² spread deterministically."""
    return [
        (
            f"{level}{k:02d}" if count < 100 else f"{level}{k:03d}",
            NAMES[k % len(NAMES)],
            round(8 + (k * 37 % 73), 2),
        )
        for k in range(1, count + 1)
    ]


def registered(rooms, layout) -> list:
    from gongfang.survey.reconcile import RegisteredRoom

    result = []
    for pk, (number, name, area) in enumerate(rooms[:-1], start=1):
        if pk % 10 == 0:
            area = area * 1.05  # beyond the 3 % tolerance
        if pk % 25 == 0:
            number = f"X{number}"  # renamed: matched by position
        result.append(
            RegisteredRoom(
                pk, number, name, Decimal(str(round(area, 2))), layout.get(number.lstrip("X"))
            )
        )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=200)
    parser.add_argument("--floors", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import ifcopenshell
    from ezdxf import recover

    from gongfang.survey.drawings import read_drawing
    from gongfang.survey.drawings.samples import (
        STYLES,
        office_building_ifc,
        office_floor_dxf,
        office_floor_layout,
    )
    from gongfang.survey.reconcile import reconcile

    rooms = floor_rooms(1, args.rooms)
    layout = office_floor_layout(rooms)
    known = registered(rooms, layout)
    print(f"DXF floor of {args.rooms} rooms (best of {args.repeat})")
    print(
        f"{'style':<10}{'MB':>7}{'parse floor s':>15}{'read s':>9}{'reconcile s':>13}{'ratio':>8}  rooms  matched  beyond"
    )
    for style in STYLES:
        data = office_floor_dxf(rooms, style=style)
        floor, _ = best(args.repeat, lambda data=data: recover.read(io.BytesIO(data)))
        read, result = best(args.repeat, lambda data=data: read_drawing(data, filename="floor.dxf"))
        match, items = best(
            args.repeat,
            lambda result=result: reconcile(result.rooms, known, tolerance=Decimal("0.03")),
        )
        matched = sum(1 for i in items if i.kind == "matched")
        beyond = sum(1 for i in items if i.beyond_tolerance)
        assert len(result.rooms) == args.rooms, (style, result.problems[:3])
        print(
            f"{style:<10}{len(data) / 1e6:>7.2f}{floor:>15.3f}{read:>9.3f}{match:>13.3f}"
            f"{floor / (read + match):>8.2f}  {len(result.rooms):>5}  {matched:>7}  {beyond:>6}"
        )

    floors = [floor_rooms(level, args.rooms) for level in range(1, args.floors + 1)]
    started = time.perf_counter()
    data = office_building_ifc(floors, area_source="mixed")
    made = time.perf_counter() - started
    text = data.decode("utf-8")
    floor, _ = best(args.repeat, lambda: ifcopenshell.file.from_string(text))
    read, result = best(args.repeat, lambda: read_drawing(data, filename="building.ifc"))
    assert len(result.rooms) == args.rooms * args.floors, result.problems[:3]
    print(
        f"\nIFC building of {args.floors} storeys x {args.rooms} spaces: {len(data) / 1e6:.2f} MB "
        f"(generated in {made:.1f} s)\n"
        f"parse floor {floor:.3f} s, read {read:.3f} s ({len(result.rooms)} spaces), ratio {floor / read:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
