"""Reconciliation of drawn rooms with registered rooms: by number, by position, differences."""

from decimal import Decimal

from gongfang.survey.drawings import DrawnRoom
from gongfang.survey.drawings.samples import office_floor_layout
from gongfang.survey.reconcile import RegisteredRoom, loose_key, number_key, reconcile

TOLERANCE = Decimal("0.03")


def drawn(number: str, area: float, geometry: dict | None = None) -> DrawnRoom:
    return DrawnRoom(number, "", area, geometry or {}, None, "", "polyline")


def registered(pk: int, number: str, area: str, geometry: dict | None = None) -> RegisteredRoom:
    return RegisteredRoom(pk, number, "办公室", Decimal(area), geometry)


def test_number_normalisation() -> None:
    assert number_key(" １０１ ") == "101"
    assert number_key("b－101") == "B-101"
    assert loose_key("B-0101") == "B-101"
    assert loose_key("3-05") == loose_key("3-5")
    assert number_key("0101") != number_key("101")


def test_matched_new_missing_with_difference_and_ratio() -> None:
    items = reconcile(
        [drawn("101", 25.0), drawn("102", 20.0), drawn("105", 9.5)],
        [
            registered(1, "101", "24.50"),
            registered(2, "１０２", "21.00"),
            registered(3, "103", "30.00"),
        ],
        tolerance=TOLERANCE,
    )
    assert [(i.kind, i.room_id, i.matched_by) for i in items] == [
        ("matched", 1, "number"),
        ("matched", 2, "number"),
        ("new", None, None),
        ("missing", 3, None),
    ]
    first, second = items[0], items[1]
    assert first.difference == Decimal("0.50") and first.ratio == Decimal("0.0204")
    assert not first.beyond_tolerance  # 2.04 % <= 3 %
    assert second.difference == Decimal("-1.00") and second.beyond_tolerance  # 4.76 %
    assert items[2].drawn_area == Decimal("9.50") and items[3].registered_area == Decimal("30.00")


def test_exact_number_wins_over_leading_zeros() -> None:
    items = reconcile(
        [drawn("0101", 10), drawn("101", 12)],
        [registered(1, "101", "12"), registered(2, "0101", "10")],
        tolerance=TOLERANCE,
    )
    assert [(i.kind, i.room_id) for i in items] == [("matched", 2), ("matched", 1)]
    loose = reconcile([drawn("0101", 10)], [registered(1, "101", "10")], tolerance=TOLERANCE)
    assert loose[0].kind == "matched" and loose[0].room_id == 1


def test_position_match_when_numbers_differ() -> None:
    layout = office_floor_layout([("101", "", 20), ("102", "", 30), ("103", "", 15)])
    items = reconcile(
        [
            drawn("", 30.1, layout["102"]),
            drawn("X9", 14.0, layout["103"]),
            drawn(
                "",
                5,
                {
                    "type": "Polygon",
                    "coordinates": [[[500, 500], [501, 500], [501, 501], [500, 500]]],
                },
            ),
        ],
        [
            registered(1, "101", "20", layout["101"]),
            registered(2, "102", "30", layout["102"]),
            registered(3, "103", "15", layout["103"]),
        ],
        tolerance=TOLERANCE,
    )
    assert [(i.kind, i.room_id, i.matched_by) for i in items] == [
        ("matched", 2, "position"),
        ("matched", 3, "position"),
        ("new", None, None),
        ("missing", 1, None),
    ]
    assert items[1].beyond_tolerance  # 14 vs 15: 6.7 %


def test_registered_zero_area_and_bad_geometry() -> None:
    items = reconcile(
        [drawn("201", 8.0), drawn("", 3.0, {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]})],
        [registered(1, "201", "0"), registered(2, "202", "3", {"type": "nonsense"})],
        tolerance=TOLERANCE,
    )
    assert items[0].kind == "matched" and items[0].ratio is None and items[0].beyond_tolerance
    assert items[1].kind == "new" and items[2].kind == "missing"
