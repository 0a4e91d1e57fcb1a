"""The reporting flow: pre-fill, the state machine (returns, withdrawals, corrections),
children first, aggregation, evaluation, the exchange entry points."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError

from ...framework.models import ObjectChange
from .. import selectors, services
from ..choices import ActionKind, SubmissionState
from ..models import EvaluationScore, Submission, SubmissionAction
from .world import ReportingWorld, sign_kwargs


class OpenAndPrefillTests(ReportingWorld):
    def test_every_unit_has_a_prefilled_submission(self):
        subs = Submission.objects.filter(period=self.period)
        # 3 regions' bureaus + 3 organizations
        self.assertEqual(subs.count(), 6)
        town_org = self.sub(self.town, org=True)
        self.assertEqual(town_org.values["B03"], "18.00")  # office
        self.assertEqual(town_org.values["B04"], "40.00")  # service
        self.assertEqual(town_org.values["B02"], "58.00")
        self.assertEqual(town_org.values["B07"], "1")
        self.assertEqual(town_org.values["B11"], "1")
        self.assertNotIn("A01", town_org.values)  # the bureau's table only
        town = self.sub(self.town, org=False)
        self.assertEqual(town.values["A01"], "370481001")
        self.assertEqual(town.values["A03"], "1")
        self.assertEqual(town.receiver, self.county)
        self.assertEqual(town_org.receiver, self.town)
        self.assertIsNone(self.sub(self.city, org=False).receiver)

    def test_only_the_region_bureau_opens(self):
        with self.assertRaises(PermissionDenied):
            services.do_open_period(
                form=self.form,
                region=self.city,
                year=2027,
                as_of=datetime.date(2027, 6, 30),
                deadline=datetime.date(2027, 12, 31),
                actor=self.county_bureau,
            )


class StateMachineTests(ReportingWorld):
    def test_fill_check_sign_submit_accept(self):
        s = self.sub(self.town, org=True)
        done = self.send(s)
        self.assertEqual(done.state, SubmissionState.SUBMITTED)
        self.assertTrue(done.content_hash.startswith(("sha256:", "sm3:")))
        self.assertTrue(done.signed_scan.name.endswith(".pdf"))
        self.assertTrue(done.first_check_passed)
        accepted = services.do_accept(submission=s, actor=self.town_bureau)
        self.assertEqual(accepted.state, SubmissionState.ACCEPTED)
        # Frozen: no edit after acceptance.
        with self.assertRaises(ValidationError):
            services.do_save(submission=s, values={"B03": "1"}, actor=self.town_unit)
        self.assertTrue(
            ObjectChange.objects.filter(
                event="submission.transition", changed_object_id=s.pk
            ).exists()
        )

    def test_blocking_rule_keeps_it_filling(self):
        s = self.sub(self.town, org=True)
        services.do_save(
            submission=s, values={"B12": "权属清晰", "B02": "999"}, actor=self.town_unit
        )
        s = services.do_check(submission=s, actor=self.town_unit)
        self.assertEqual(s.state, SubmissionState.FILLING)
        self.assertFalse(s.first_check_passed)
        codes = {f["rule"] for f in s.check_results}
        self.assertIn("R04", codes)
        with self.assertRaises(ValidationError):
            services.do_sign(submission=s, actor=self.town_unit, **sign_kwargs(self.town_unit))

    def test_return_then_fix_and_accept(self):
        s = self.sub(self.town, org=True)
        self.send(s)
        with self.assertRaises(PermissionDenied):  # not the receiver
            services.do_return(submission=s, reasons="面积有误", actor=self.county_bureau)
        with self.assertRaises(ValidationError):
            services.do_return(submission=s, reasons=" ", actor=self.town_bureau)
        s = services.do_return(submission=s, reasons="办公室面积与登记不符", actor=self.town_bureau)
        self.assertEqual(s.state, SubmissionState.RETURNED)
        self.assertEqual(s.return_reasons, "办公室面积与登记不符")
        self.send(s)
        s = services.do_accept(submission=s, actor=self.town_bureau)
        self.assertEqual(s.state, SubmissionState.ACCEPTED)
        actions = list(s.actions.values_list("action", flat=True))
        self.assertEqual(actions.count(ActionKind.SUBMIT), 2)
        self.assertIn(ActionKind.RETURN, actions)

    def test_withdraw_before_acceptance_only(self):
        s = self.sub(self.town, org=True)
        self.send(s)
        with self.assertRaises(PermissionDenied):
            services.do_withdraw(submission=s, actor=self.town_bureau)
        s = services.do_withdraw(submission=s, actor=self.town_unit, reason="补充数据")
        self.assertEqual(s.state, SubmissionState.FILLING)
        self.send(s)
        services.do_accept(submission=s, actor=self.town_bureau)
        with self.assertRaises(ValidationError):
            services.do_withdraw(submission=s, actor=self.town_unit)

    def test_correction_is_a_new_revision(self):
        s = self.sub(self.town, org=True)
        self.send(s)
        services.do_accept(submission=s, actor=self.town_bureau)
        with self.assertRaises(ValidationError):
            services.do_correct(submission=s, reason="", actor=self.town_unit)
        new = services.do_correct(submission=s, reason="会议室面积测绘更正", actor=self.town_unit)
        self.assertEqual(new.revision, 2)
        self.assertEqual(new.state, SubmissionState.FILLING)
        s.refresh_from_db()
        self.assertFalse(s.is_current)
        self.assertEqual(s.state, SubmissionState.ACCEPTED)
        # The aggregate keeps the accepted revision until the new one is accepted.
        services.do_save(
            submission=new, values={"B04": "50.00", "B02": "68.00"}, actor=self.town_unit
        )
        town = self.sub(self.town, org=False)
        self.assertEqual(selectors.aggregate(town).totals["B04"], Decimal("40.00"))
        self.send(new)
        services.do_accept(submission=new, actor=self.town_bureau)
        s.refresh_from_db()
        self.assertEqual(s.state, SubmissionState.SUPERSEDED)
        self.assertEqual(selectors.aggregate(town).totals["B04"], Decimal("50.00"))
        # The old revision is a read-only snapshot.
        with self.assertRaises(ValidationError):
            services.do_save(submission=s, values={"B04": "1"}, actor=self.town_unit)

    def test_only_the_unit_fills(self):
        s = self.sub(self.town, org=True)
        with self.assertRaises(PermissionDenied):
            services.do_save(submission=s, values={"B03": "1"}, actor=self.county_unit)
        with self.assertRaises(ValidationError):
            services.do_save(submission=s, values={"ZZ9": "1"}, actor=self.town_unit)

    def test_stale_version_refused(self):
        s = self.sub(self.town, org=True)
        old = s.version
        services.do_save(submission=s, values={"B12": "权属清晰"}, actor=self.town_unit)
        with self.assertRaises(ValidationError):
            services.do_save(
                submission=s, values={"B03": "1"}, actor=self.town_unit, expected_version=old
            )


class ChildrenFirstTests(ReportingWorld):
    def test_bureau_submits_only_after_children_accepted(self):
        town = self.sub(self.town, org=False)
        self.complete(town)
        services.do_check(submission=town, actor=self.town_bureau)
        services.do_sign(submission=town, actor=self.town_bureau, **sign_kwargs(self.town_bureau))
        with self.assertRaisesMessage(ValidationError, "荆河街道党政办"):
            services.do_submit(submission=town, actor=self.town_bureau)
        child = self.sub(self.town, org=True)
        self.send(child)
        services.do_accept(submission=child, actor=self.town_bureau)
        town = services.do_submit(submission=town, actor=self.town_bureau)
        self.assertEqual(town.state, SubmissionState.SUBMITTED)
        # Once its own figures went up, the township cannot return its children.
        with self.assertRaises(ValidationError):
            services.do_correct(submission=child, reason="x", actor=self.town_unit)

    def test_aggregate_own_plus_accepted_children_and_registry(self):
        child = self.sub(self.town, org=True)
        town = self.sub(self.town, org=False)
        agg = selectors.aggregate(town)
        self.assertEqual([m.pk for m in agg.missing], [child.pk])
        self.assertEqual(agg.totals["B03"], Decimal(0))
        self.assertEqual(agg.registry["B03"], Decimal("18.00"))
        self.send(child)
        services.do_accept(submission=child, actor=self.town_bureau)
        agg = selectors.aggregate(town)
        self.assertEqual(agg.missing, [])
        self.assertEqual(agg.totals["B03"], Decimal("18.00"))
        self.assertEqual(agg.totals["B02"], Decimal("58.00"))
        county = selectors.aggregate(self.sub(self.county, org=False))
        self.assertEqual(county.registry["B03"], Decimal("36.00"))  # county + town orgs
        self.assertEqual(len(county.missing), 2)

    def test_four_level_climb_to_the_city(self):
        for region in (self.town, self.county, self.city):
            org = self.sub(region, org=True)
            self.send(org)
            services.do_accept(submission=org, actor=self.filler(self.sub(region, org=False)))
            bureau = self.sub(region, org=False)
            self.send(bureau)
            if region != self.city:
                parent = {self.town.pk: self.county_bureau, self.county.pk: self.city_bureau}
                services.do_accept(submission=bureau, actor=parent[region.pk])
        city = selectors.aggregate(self.sub(self.city, org=False))
        self.assertEqual(city.totals["B03"], Decimal("54.00"))
        self.assertEqual(city.totals["B03"], city.registry["B03"])


class ExternalAndEvaluationTests(ReportingWorld):
    def test_content_and_receive_external(self):
        child = self.sub(self.town, org=True)
        content = services.submission_content(child)
        self.assertEqual(content["unit"]["region"], "370481001")
        self.assertEqual(content["values"]["B03"], "18.00")
        content["values"]["B12"] = "权属清晰"
        town = self.town
        received = services.do_receive_external(
            period=self.period,
            unit=town,
            content={"values": {"A01": "370481001", "B12": "权属清晰"}},
            signer="李主任",
            signed_at=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC),
            actor=self.county_bureau,
        )
        self.assertEqual(received.state, SubmissionState.SUBMITTED)
        self.assertTrue(received.external)
        self.assertEqual(received.signer_name, "李主任")
        with self.assertRaises(PermissionDenied):
            services.do_receive_external(
                period=self.period,
                unit=self.orgs[self.town.pk],
                content=content,
                signer="x",
                signed_at=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC),
                actor=self.county_bureau,
            )

    def test_evaluation_scores(self):
        s = self.sub(self.town, org=True)
        self.send(s)
        services.do_return(submission=s, reasons="补充", actor=self.town_bureau)
        self.send(s)
        services.do_accept(submission=s, actor=self.town_bureau)
        services.do_evaluate(period=self.period, actor=self.city_bureau)
        points = dict(
            EvaluationScore.objects.filter(submission=s).values_list("indicator__kind", "points")
        )
        self.assertEqual(points["on_time"], Decimal("40.0"))
        self.assertEqual(points["first_pass"], Decimal("30.0"))
        self.assertEqual(points["no_return"], Decimal("0.0"))
        idle = self.sub(self.county, org=True)
        self.assertEqual(
            EvaluationScore.objects.get(submission=idle, indicator__kind="on_time").points, 0
        )

    def test_reminders_reach_pending_units(self):
        n = services.do_remind(period=self.period, actor=self.city_bureau)
        self.assertGreaterEqual(n, 4)  # 3 bureaus + the unit admins of pending organizations
        self.assertFalse(SubmissionAction.objects.exists())
