"""Rules V1–V7 as pure functions, table-driven (no database)."""

from __future__ import annotations

import datetime

from django.test import SimpleTestCase

from ...framework.workdays import DayKind, DayStatus
from .. import rules
from ..rules import DEFAULTS, Area, DispatchFacts, TripFacts

TZ = rules.LOCAL
HOME = (34.81, 117.32)  # 枣庄 downtown


def at(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=TZ)


def trip(start: str, end: str, *, km: float = 12.0, end_point=HOME, route=(), pk: int = 1):
    return TripFacts(
        id=pk,
        vehicle_id=7,
        start_at=at(start),
        end_at=at(end),
        start=HOME,
        end=end_point,
        distance_km=km,
        route=route,
    )


# A calendar of its own: 2026-10-01 (Thursday) 国庆节, 2026-10-10 (Saturday) worked in exchange,
# 2027 not announced.
SPECIAL = {
    datetime.date(2026, 10, 1): (DayKind.HOLIDAY, "国庆节"),
    datetime.date(2026, 10, 3): (DayKind.HOLIDAY, "国庆节"),
    datetime.date(2026, 10, 10): (DayKind.MAKEUP_WORKDAY, "国庆节"),
}


def calendar(day: datetime.date) -> DayStatus:
    if day.year >= 2027:
        return DayStatus(day, DayKind.UNKNOWN)
    if day in SPECIAL:
        kind, name = SPECIAL[day]
        return DayStatus(day, kind, name, "国务院办公厅通知")
    return DayStatus(day, DayKind.WEEKEND if day.weekday() >= 5 else DayKind.WORKDAY, "", "通知")


class V1Tests(SimpleTestCase):
    CASES = (
        # (label, start, end, finding?, note?, text expected in the summary or note)
        (
            "weekday holiday",
            "2026-10-01T09:00",
            "2026-10-01T10:00",
            True,
            False,
            "2026-10-01 国庆节 法定节假日",
        ),
        (
            "holiday on a weekend",
            "2026-10-03T09:00",
            "2026-10-03T10:00",
            True,
            False,
            "国庆节 法定节假日",
        ),
        ("调休 working Saturday", "2026-10-10T09:00", "2026-10-10T10:00", False, False, ""),
        ("ordinary Sunday", "2026-11-08T09:00", "2026-11-08T10:00", True, False, "2026-11-08 周末"),
        ("ordinary weekday", "2026-11-04T09:00", "2026-11-04T10:00", False, False, ""),
        ("into a rest day", "2026-11-06T23:30", "2026-11-07T00:30", True, False, "2026-11-07 周末"),
        (
            "unannounced year",
            "2027-01-02T09:00",
            "2027-01-02T10:00",
            False,
            True,
            "2027年节假日安排尚未公布",
        ),
    )

    def test_table(self):
        for label, start, end, finding, note, text in self.CASES:
            with self.subTest(label):
                verdict = rules.check_v1(trip(start, end), DEFAULTS["V1"], calendar)
                if not finding and not note:
                    self.assertIsNone(verdict)
                    continue
                self.assertEqual(verdict.is_finding, finding)
                self.assertIn(text, verdict.summary if finding else verdict.note)

    def test_short_moves_are_ignored(self):
        verdict = rules.check_v1(
            trip("2026-10-01T09:00", "2026-10-01T09:05", km=0.2), DEFAULTS["V1"], calendar
        )
        self.assertIsNone(verdict)


class V2Tests(SimpleTestCase):
    BOX = Area("枣庄市", bbox=(34.4, 116.9, 35.3, 117.9), source="测试")
    SQUARE = Area("市中区", polygon=[[34.7, 117.2], [34.7, 117.5], [34.9, 117.5], [34.9, 117.2]])
    CASES = (
        ("inside the box", BOX, (34.9, 117.5), False),
        ("just outside, within the margin", BOX, (35.33, 117.5), False),
        ("Jinan, far outside", BOX, (36.65, 117.0), True),
        ("inside the polygon", SQUARE, (34.8, 117.3), False),
        ("outside the polygon", SQUARE, (35.2, 117.3), True),
    )

    def test_table(self):
        for label, area, end, expected in self.CASES:
            with self.subTest(label):
                t = trip("2026-11-04T09:00", "2026-11-04T12:00", end_point=end)
                verdict = rules.check_v2(t, DEFAULTS["V2"], area)
                self.assertEqual(verdict is not None, expected)
                if expected:
                    self.assertIn(area.name, verdict.summary)

    def test_no_area_no_finding(self):
        self.assertIsNone(rules.check_v2(trip("2026-11-04T09:00", "2026-11-04T10:00"), {}, None))


class V3Tests(SimpleTestCase):
    CASES = (
        ("day trip", "2026-11-04T09:00", "2026-11-04T11:00", 0),
        ("23:00 trip", "2026-11-04T23:00", "2026-11-04T23:40", 40),
        ("across 22:00", "2026-11-04T21:30", "2026-11-04T22:30", 30),
        ("early morning", "2026-11-05T05:00", "2026-11-05T06:30", 60),
        ("ends at 22:00 sharp", "2026-11-04T21:00", "2026-11-04T22:00", 0),
    )

    def test_table(self):
        for label, start, end, minutes in self.CASES:
            with self.subTest(label):
                verdict = rules.check_v3(trip(start, end), DEFAULTS["V3"])
                if not minutes:
                    self.assertIsNone(verdict)
                else:
                    self.assertEqual(verdict.figures["night_minutes"], minutes)
                    self.assertIn("22:00—06:00", verdict.summary)


class V4Tests(SimpleTestCase):
    def dispatch(self, start, end, state="returned", returned=None, pk=5):
        labels = {"returned": "已还车", "requested": "待审批", "approved": "已批准"}
        return DispatchFacts(
            pk, state, labels[state], at(start), at(end), returned and at(returned)
        )

    def test_table(self):
        t = trip("2026-11-04T09:00", "2026-11-04T11:00")
        cases = (
            ("covering", [self.dispatch("2026-11-04T09:00", "2026-11-04T11:00")], False, ""),
            (
                "within tolerance",
                [self.dispatch("2026-11-04T09:10", "2026-11-04T10:50")],
                False,
                "",
            ),
            (
                "returned late",
                [
                    self.dispatch(
                        "2026-11-04T09:00", "2026-11-04T10:00", returned="2026-11-04T11:05"
                    )
                ],
                False,
                "",
            ),
            (
                "outside tolerance",
                [self.dispatch("2026-11-04T09:20", "2026-11-04T11:00")],
                True,
                "时间未覆盖",
            ),
            (
                "not approved",
                [self.dispatch("2026-11-04T09:00", "2026-11-04T11:00", state="requested")],
                True,
                "待审批，未获批准",
            ),
            ("none at all", [], True, "没有任何派车单"),
        )
        for label, dispatches, finding, text in cases:
            with self.subTest(label):
                verdict = rules.check_v4(t, DEFAULTS["V4"], dispatches)
                self.assertEqual(verdict is not None, finding)
                if finding:
                    self.assertTrue(any(text in line for line in verdict.lines), verdict.lines)


class V5Tests(SimpleTestCase):
    NEAR = (34.8105, 117.3205)  # ~70 m away
    FAR = (34.85, 117.40)  # ~8.5 km away

    def test_table(self):
        cases = (
            ("home for the night", self.NEAR, None, False),
            ("away for the night", self.FAR, None, True),
            ("away, but drives again before 03:00", self.FAR, at("2026-11-05T01:00"), False),
            ("away, next trip in the morning", self.FAR, at("2026-11-05T07:30"), True),
        )
        for label, end, next_start, expected in cases:
            with self.subTest(label):
                t = trip("2026-11-04T18:00", "2026-11-04T19:00", end_point=end)
                verdict = rules.check_v5(t, next_start, DEFAULTS["V5"], HOME, "机关大院")
                self.assertEqual(verdict is not None, expected)
                if expected:
                    self.assertIn("机关大院", verdict.lines[2])

    def test_no_designated_place(self):
        t = trip("2026-11-04T18:00", "2026-11-04T19:00", end_point=self.FAR)
        self.assertIsNone(rules.check_v5(t, None, DEFAULTS["V5"], None))


class V6Tests(SimpleTestCase):
    def test_table(self):
        cases = (
            # litres, km, norm, finding
            ("as the norm says", 40.0, 500.0, 8.0, False),
            ("29% over", 51.6, 500.0, 8.0, False),
            ("far over", 60.0, 200.0, 8.0, True),
            ("no trips at all", 45.0, 0.0, 8.0, True),
            ("small top-up", 5.0, 0.0, 8.0, False),
            ("no norm", 60.0, 10.0, None, False),
        )
        for label, litres, km, norm, expected in cases:
            with self.subTest(label):
                verdict = rules.check_v6(
                    record_id=3,
                    filled_on=datetime.date(2026, 11, 20),
                    litres=litres,
                    since=datetime.date(2026, 11, 1),
                    distance_km=km,
                    norm_l_per_100km=norm,
                    params=DEFAULTS["V6"],
                )
                self.assertEqual(verdict is not None, expected)
        verdict = rules.check_v6(
            record_id=3,
            filled_on=datetime.date(2026, 11, 20),
            litres=60.0,
            since=datetime.date(2026, 11, 1),
            distance_km=200.0,
            norm_l_per_100km=8.0,
            params=DEFAULTS["V6"],
        )
        self.assertIn("200.0 公里 × 油耗定额 8 升/百公里 = 16.0 升", verdict.lines[1])
        self.assertIn("超出 275%", verdict.lines[2])


class V7Tests(SimpleTestCase):
    def test_gaps(self):
        base = at("2026-11-04T09:00").timestamp()
        steady = [[34.80 + i * 0.002, 117.3, base + i * 60] for i in range(10)]
        gap = [*steady[:5], [34.90, 117.3, base + 30 * 60], [34.901, 117.3, base + 31 * 60]]
        cases = (("steady reports", steady, False), ("silent 25 min while moving", gap, True))
        for label, route, expected in cases:
            with self.subTest(label):
                t = trip("2026-11-04T09:00", "2026-11-04T09:31", route=route)
                verdict = rules.check_v7_gaps(t, DEFAULTS["V7"])
                self.assertEqual(verdict is not None, expected)
                if expected:
                    self.assertEqual(verdict.figures["silent_minutes"], 26)

    def test_raw_reports_inside_a_simplified_stretch(self):
        base = at("2026-11-04T09:00").timestamp()
        route = [[34.80, 117.3, base], [34.95, 117.3, base + 20 * 60]]
        t = trip("2026-11-04T09:00", "2026-11-04T09:20", route=route)
        self.assertIsNone(rules.check_v7_gaps(t, DEFAULTS["V7"], lambda a, b: True))
        self.assertIsNotNone(rules.check_v7_gaps(t, DEFAULTS["V7"], lambda a, b: False))

    def test_long_silence(self):
        now = at("2026-11-06T12:00")
        cases = (
            ("reported an hour ago", at("2026-11-06T11:00"), False),
            ("silent two days", at("2026-11-04T10:00"), True),
            ("never reported", None, False),
        )
        for label, last, expected in cases:
            with self.subTest(label):
                verdict = rules.check_v7_silent(
                    vehicle_id=7, last_seen=last, now=now, params=DEFAULTS["V7"]
                )
                self.assertEqual(verdict is not None, expected)
