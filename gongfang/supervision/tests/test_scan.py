"""The scan over the database: the official calendar (holiday on a weekday, 调休 Saturday, a
year not announced), dispatches, overnight stays, fuel, silence; findings written once."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from ...framework import clock
from ...terminals.models import Terminal
from ...vehicles.models import FuelRecord
from .. import scan
from ..models import Anomaly, RegionArea, RuleVersion, ScanNote, ScanRun
from .world import HOME_A, HOME_B, SupervisionWorldMixin, at, make_dispatch, make_trip


class ScanTests(SupervisionWorldMixin, TestCase):
    def setUp(self):
        self.vehicle = self.world.a.vehicle

    def rules_of(self, trip) -> set[str]:
        return set(Anomaly.objects.filter(trip=trip).values_list("rule", flat=True))

    def test_holiday_on_a_weekday_without_dispatch(self):
        trip = make_trip(self.vehicle, "2026-10-01T10:00", "2026-10-01T11:00")  # Thursday, 国庆节
        scan.scan_trips([trip])
        self.assertEqual(self.rules_of(trip), {"V1", "V4"})
        v1 = Anomaly.objects.get(trip=trip, rule="V1")
        self.assertIn("2026-10-01 国庆节 法定节假日", v1.summary)
        self.assertIn("国务院办公厅关于2026年部分节假日安排的通知", v1.lines[0])
        v4 = Anomaly.objects.get(trip=trip, rule="V4")
        self.assertIn("本车当日前后没有任何派车单", v4.lines)
        self.assertEqual(v4.organization, self.world.a.org)

    def test_makeup_working_saturday_is_not_v1(self):
        trip = make_trip(self.vehicle, "2026-10-10T09:00", "2026-10-10T10:00")  # 调休上班
        make_dispatch(self.vehicle, self.user_with_perm, "2026-10-10T08:50", "2026-10-10T10:30")
        scan.scan_trips([trip])
        self.assertEqual(self.rules_of(trip), set())

    def test_unannounced_year_gives_a_note_not_v1(self):
        trip = make_trip(self.vehicle, "2027-01-02T10:00", "2027-01-02T11:00")  # a Saturday
        make_dispatch(self.vehicle, self.user_with_perm, "2027-01-02T09:00", "2027-01-02T12:00")
        outcome = scan.scan_trips([trip])
        self.assertEqual(self.rules_of(trip), set())
        note = ScanNote.objects.get(trip=trip)
        self.assertIn("2027年节假日安排尚未公布", note.text)
        self.assertEqual(outcome.noted, 1)

    def test_dispatch_not_approved_is_named(self):
        trip = make_trip(self.vehicle, "2026-11-04T09:00", "2026-11-04T10:00")
        d = make_dispatch(
            self.vehicle, self.user_with_perm, "2026-11-04T09:00", "2026-11-04T10:00", "requested"
        )
        scan.scan_trips([trip])
        v4 = Anomaly.objects.get(trip=trip, rule="V4")
        self.assertTrue(any(f"派车单 {d.pk}" in line and "未获批准" in line for line in v4.lines))

    def test_night_overnight_and_outside(self):
        far = (36.65, 117.0)  # 济南
        trip = make_trip(
            self.vehicle, "2026-11-04T21:00", "2026-11-04T23:30", km=250, end_point=far
        )
        make_dispatch(self.vehicle, self.user_with_perm, "2026-11-04T20:50", "2026-11-05T00:00")
        scan.scan_trips([trip])
        self.assertEqual(self.rules_of(trip), {"V2", "V3", "V5"})
        v5 = Anomaly.objects.get(trip=trip, rule="V5")
        self.assertIn(self.world.a.compound.name, v5.lines[2])

    def test_configured_area_wins(self):
        RegionArea.objects.create(
            region=self.world.a.region, kind="bbox", south=30, west=110, north=40, east=125
        )
        trip = make_trip(
            self.vehicle, "2026-11-04T09:00", "2026-11-04T11:00", end_point=(36.65, 117.0)
        )
        make_dispatch(self.vehicle, self.user_with_perm, "2026-11-04T08:55", "2026-11-04T11:10")
        scan.scan_trips([trip])
        self.assertNotIn("V2", self.rules_of(trip))

    def test_a_second_scan_adds_nothing_and_keeps_the_review(self):
        trip = make_trip(self.vehicle, "2026-10-01T10:00", "2026-10-01T11:00")
        scan.scan_trips([trip])
        Anomaly.objects.filter(trip=trip).update(state="dismissed", reason="抢险")
        outcome = scan.scan_trips([trip])
        self.assertEqual(outcome.found, 0)
        self.assertEqual(
            set(Anomaly.objects.filter(trip=trip).values_list("state", flat=True)), {"dismissed"}
        )

    def test_disabled_rule_is_not_applied(self):
        national = RuleVersion.objects.get(rule="V4", region=None)
        RuleVersion.objects.create(
            rule="V4",
            region=self.world.a.region,
            number=1,
            enabled=False,
            parameters=national.parameters,
            source="试点期间暂停",
            effective_from=datetime.date(2026, 1, 1),
        )
        trip = make_trip(self.vehicle, "2026-11-04T09:00", "2026-11-04T10:00")
        scan.scan_trips([trip])
        self.assertNotIn("V4", self.rules_of(trip))
        other = make_trip(self.world.b.vehicle, "2026-11-04T09:00", "2026-11-04T10:00")
        scan.scan_trips([other])
        self.assertIn("V4", self.rules_of(other))

    def test_fuel_far_above_mileage(self):
        make_trip(self.vehicle, "2026-11-03T09:00", "2026-11-03T10:00", km=40)
        record = FuelRecord.objects.create(
            vehicle=self.vehicle,
            filled_on=datetime.date(2026, 11, 5),
            litres=Decimal("55"),
            amount=Decimal("420"),
        )
        scan.scan_fuel([record])
        v6 = Anomaly.objects.get(fuel_record=record)
        self.assertEqual(v6.rule, "V6")
        self.assertIn("40.0 公里 × 油耗定额 8 升/百公里 = 3.2 升", v6.lines[1])

    def test_silent_terminal(self):
        Terminal.objects.create(
            phone="13800000001",
            vehicle=self.vehicle,
            region=self.vehicle.region,
            state="bound",
            last_seen_at=clock.now() - datetime.timedelta(hours=30),
        )
        scan.scan_silent()
        self.assertEqual(Anomaly.objects.filter(rule="V7", vehicle=self.vehicle).count(), 1)
        scan.scan_silent()
        self.assertEqual(Anomaly.objects.filter(rule="V7", vehicle=self.vehicle).count(), 1)

    def test_terminal_silent_while_moving(self):
        from ...terminals.models import Position

        terminal = Terminal.objects.create(
            phone="13800000002", vehicle=self.vehicle, region=self.vehicle.region, state="bound"
        )
        home, away = (34.81, 117.32), (34.84, 117.40)
        route = [
            [*home, int(at("2026-11-04T09:00").timestamp())],
            [*away, int(at("2026-11-04T09:40").timestamp())],
            [*home, int(at("2026-11-04T09:50").timestamp())],
        ]
        trip = make_trip(self.vehicle, "2026-11-04T09:00", "2026-11-04T09:50", km=18, route=route)
        make_dispatch(self.vehicle, self.user_with_perm, "2026-11-04T08:55", "2026-11-04T10:00")
        for moment in ("2026-11-04T09:00", "2026-11-04T09:40"):
            Position.objects.create(
                terminal=terminal,
                vehicle=self.vehicle,
                recorded_at=at(moment),
                received_at=at(moment),
                lat=34.9,
                lng=117.32,
            )
        scan.scan_trips([trip])
        self.assertEqual(self.rules_of(trip), {"V7"})
        v7 = Anomaly.objects.get(trip=trip)
        self.assertIn("无定位上报 40 分钟", v7.lines[1])

    def test_scan_since_last_takes_only_new_trips(self):
        make_trip(self.vehicle, "2026-10-01T10:00", "2026-10-01T11:00")
        first = scan.scan_since_last()
        self.assertEqual(first.trips, 1)
        self.assertEqual(ScanRun.objects.count(), 1)
        ScanRun.objects.update(started_at=clock.now() + datetime.timedelta(hours=1))
        second = scan.scan_since_last()
        self.assertEqual(second.trips, 0)

    def test_trip_closed_signal_scans(self):
        from ...terminals.signals import trip_closed

        trip = make_trip(self.vehicle, "2026-10-01T10:00", "2026-10-01T11:00")
        with self.captureOnCommitCallbacks(execute=True):
            trip_closed.send(sender=type(trip), trip=trip)
        self.assertIn("V1", self.rules_of(trip))

    def test_local_version_by_region(self):
        national = RuleVersion.objects.get(rule="V3", region=None)
        RuleVersion.objects.create(
            rule="V3",
            region=self.world.a.region,
            number=1,
            parameters={"night_start_h": 20.0, "night_end_h": 6.0},
            source="本市规定",
            effective_from=datetime.date(2026, 1, 1),
        )
        self.assertEqual(national.parameters["night_start_h"], 22.0)
        trip = make_trip(self.vehicle, "2026-11-04T20:00", "2026-11-04T21:00")
        make_dispatch(self.vehicle, self.user_with_perm, "2026-11-04T19:55", "2026-11-04T21:10")
        scan.scan_trips([trip])
        v3 = Anomaly.objects.get(trip=trip, rule="V3")
        self.assertIn("20:00—06:00", v3.summary)
        self.assertIn("本市规定", v3.lines[-1])
        self.assertEqual(at("2026-11-04T20:00"), trip.start_at)


class BatchTests(SupervisionWorldMixin, TestCase):
    """Many trips judged as one batch: the same findings as one by one, in a fixed number of
    queries, each trip reading only its own vehicle's dispatches, next trip and raw reports."""

    def setUp(self):
        self.a, self.b = self.world.a.vehicle, self.world.b.vehicle

    def findings(self) -> set[tuple[int, str]]:
        return set(Anomaly.objects.values_list("trip_id", "rule"))

    def week(self, vehicle, days: range) -> list:
        trips = []
        for day in days:
            date = f"2026-11-{day:02d}"
            trips.append(make_trip(vehicle, f"{date}T09:00", f"{date}T10:00"))  # no dispatch: V4
            if day % 2:
                make_dispatch(vehicle, self.user_with_perm, f"{date}T13:50", f"{date}T15:10")
            trips.append(make_trip(vehicle, f"{date}T14:00", f"{date}T15:00"))
        return trips

    def test_a_batch_finds_what_single_trips_find_in_as_many_queries_as_two(self):
        trips = self.week(self.a, range(2, 9)) + self.week(self.b, range(2, 9))
        for trip in trips:
            scan.scan_trips([trip])
        one_by_one = self.findings()
        self.assertIn((trips[0].pk, "V4"), one_by_one)
        self.assertIn((trips[-2].pk, "V1"), one_by_one)  # Sunday 2026-11-08
        Anomaly.objects.all().delete()
        with CaptureQueriesContext(connection) as small:
            scan.scan_trips(trips[:2])
        Anomaly.objects.all().delete()
        with self.assertNumQueries(len(small.captured_queries)):
            scan.scan_trips(trips)
        self.assertEqual(self.findings(), one_by_one)

    def test_next_trip_of_the_same_vehicle_only(self):
        far = (34.70, 117.20)
        evening = make_trip(self.a, "2026-11-04T17:00", "2026-11-04T18:00", end_point=far)
        make_dispatch(self.a, self.user_with_perm, "2026-11-04T16:50", "2026-11-04T18:10")
        other = make_trip(self.b, "2026-11-04T20:00", "2026-11-04T20:30")
        make_dispatch(self.b, self.user_with_perm, "2026-11-04T19:50", "2026-11-04T20:40")
        scan.scan_trips([evening, other])
        self.assertEqual(self.findings(), {(evening.pk, "V5")})  # b's trip is not a's next
        Anomaly.objects.all().delete()
        back = make_trip(self.a, "2026-11-04T20:00", "2026-11-04T20:30")
        make_dispatch(self.a, self.user_with_perm, "2026-11-04T19:50", "2026-11-04T20:40")
        scan.scan_trips([evening, other, back])
        self.assertEqual(self.findings(), set())  # driven home the same evening

    def test_raw_reports_in_a_gap_of_the_same_vehicle_only(self):
        from ...terminals.models import Position

        trips = {}
        for vehicle, home, phone in (
            (self.a, HOME_A, "13800000011"),
            (self.b, HOME_B, "13800000012"),
        ):
            away = (home[0] + 0.14, home[1])  # 15 km north in half an hour, two route points
            route = [
                [*home, int(at("2026-11-04T09:00").timestamp())],
                [*away, int(at("2026-11-04T09:30").timestamp())],
            ]
            trips[vehicle] = make_trip(
                vehicle, "2026-11-04T09:00", "2026-11-04T09:30", km=16, end_point=away, route=route
            )
            make_dispatch(vehicle, self.user_with_perm, "2026-11-04T08:55", "2026-11-04T09:40")
            terminal = Terminal.objects.create(
                phone=phone, vehicle=vehicle, region=vehicle.region, state="bound"
            )
            moments = ["2026-11-04T09:00", "2026-11-04T09:30"]
            if vehicle == self.a:
                moments.append("2026-11-04T09:15")  # a reported inside the stretch
            for moment in moments:
                Position.objects.create(
                    terminal=terminal,
                    vehicle=vehicle,
                    recorded_at=at(moment),
                    received_at=at(moment),
                    lat=home[0],
                    lng=home[1],
                )
        silent = make_trip(self.a, "2026-11-05T09:00", "2026-11-05T09:30", km=16)
        silent.route = [
            [*HOME_A, int(at("2026-11-05T09:00").timestamp())],
            [34.95, 117.32, int(at("2026-11-05T09:30").timestamp())],
        ]
        silent.save(update_fields=["route"])  # no raw report kept that day: no silence judged
        scan.scan_trips([trips[self.a], trips[self.b], silent])
        self.assertEqual(
            set(Anomaly.objects.filter(rule="V7").values_list("trip_id", flat=True)),
            {trips[self.b].pk},
        )
