"""Two deployments trading signed packages: the county's own gongfang sends its signed figures to
the city's, which verifies and imports them, refuses tampered and unknown ones, and returns.

Here the two instances share the test database but not their keys: each instance is its keyring
(``AUDIT_KEYS``), as each deployment has its own key file; what one signs the other can only
verify through the public key registered by hand. ``test_two_instances`` runs the same exchange
between two real instances with two databases (the city a gunicorn on its own SQLite file).
"""

from __future__ import annotations

import json

from django.contrib.contenttypes.models import ContentType
from django.test import override_settings
from django.urls import reverse

from ...accounts.roles import Role
from ...framework import crypto
from ...framework.models import ObjectChange
from ...registry.tests.world import make_user
from ...reporting import services as reporting
from ...reporting.choices import SubmissionState
from ...reporting.models import Submission
from ...reporting.tests.world import ReportingWorld, sign_kwargs
from .. import services
from ..models import Direction, Package, PackageDirection, PeerKey

COUNTY_KEYS = "county-1:" + "c3" * 32
STRANGER_SEED = bytes(range(32))


def county():
    """The county's own deployment: its own key."""
    return override_settings(AUDIT_KEYS=COUNTY_KEYS)


class ExchangeTests(ReportingWorld):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        # The county's bureau figures, signed on the county's system.
        cls.county_sub = cls.sub_of(cls, cls.county)
        with county():
            county_identity = services.own_identity()
        city_identity = services.own_identity()
        # Keys exchanged once: the city registers the county's, the county the city's.
        cls.county_peer = services.register_peer(
            name="滕州市公房管理系统",
            direction=Direction.LOWER,
            region=cls.county,
            actor=cls.city_bureau,
        )
        services.register_key(
            peer=cls.county_peer,
            public_key=county_identity["public_key"],
            algorithm=county_identity["algorithm"],
            actor=cls.city_bureau,
        )
        cls.city_peer = services.register_peer(
            name="枣庄市公房管理系统",
            direction=Direction.UPPER,
            region=cls.city,
            actor=cls.county_bureau,
        )
        services.register_key(
            peer=cls.city_peer,
            public_key=city_identity["public_key"],
            algorithm=city_identity["algorithm"],
            actor=cls.county_bureau,
        )

    def sub_of(self, region):
        from ...reporting.models import Submission

        return Submission.objects.get(
            period=self.period, unit_key=f"region:{region.pk}", is_current=True
        )

    def county_package(self) -> Package:
        """Filled, checked and signed on the county's system, then packaged there."""
        sub = self.county_sub
        self.complete(sub)
        reporting.do_check(submission=sub, actor=self.county_bureau)
        reporting.do_sign(
            submission=sub, actor=self.county_bureau, **sign_kwargs(self.county_bureau)
        )
        sub.refresh_from_db()
        with county():
            return services.send_submission(submission=sub, actor=self.county_bureau)

    def reset_county_state(self) -> None:
        """On the city's own database the county's row has not been signed there: what the
        city holds before the package arrives."""
        from ...reporting.models import Submission

        Submission.objects.filter(pk=self.county_sub.pk).update(state=SubmissionState.FILLING)

    # ----------------------------------------------------------------------------------------
    def test_a_package_made_by_one_instance_is_verified_and_imported_by_the_other(self):
        sent = self.county_package()
        content = json.loads(sent.data)["content"]
        self.reset_county_state()
        received = services.receive(data=sent.data.encode("utf-8"), actor=self.city_bureau)
        self.assertTrue(received.accepted, received.result)
        self.assertTrue(received.verified)
        self.assertIn("验签通过", received.result)
        sub = received.submission
        sub.refresh_from_db()
        self.assertEqual(sub.pk, self.county_sub.pk)
        self.assertEqual(sub.state, SubmissionState.SUBMITTED)
        self.assertTrue(sub.external)
        self.assertEqual(sub.signer_name, "王局长")
        for code, value in content["values"].items():
            self.assertEqual(str(sub.values.get(code)), str(value), code)
        self.assertTrue(
            ObjectChange.objects.filter(event="exchange.receive", changed_object_id=received.pk)
        )

    def test_a_tampered_package_is_refused_with_a_clear_message(self):
        sent = self.county_package()
        self.reset_county_state()
        body = json.loads(sent.data)
        code = sorted(body["content"]["values"])[0]
        body["content"]["values"][code] = "999999"
        tampered = services.canonical(body)
        refused = services.receive(data=tampered, actor=self.city_bureau)
        self.assertFalse(refused.accepted)
        self.assertFalse(refused.verified)
        self.assertIn("签名校验失败：报送包内容在签名后被改动", refused.result)
        self.assertIn("滕州市公房管理系统", refused.result)
        self.county_sub.refresh_from_db()
        self.assertEqual(self.county_sub.state, SubmissionState.FILLING)
        self.assertTrue(ObjectChange.objects.filter(event="exchange.refuse"))

    def test_an_unknown_key_is_refused(self):
        stranger = crypto.SigningKey(STRANGER_SEED)
        data = services.make_package(
            kind="submission",
            sender={"region": self.county.code, "name": "冒名系统"},
            content=reporting.submission_content(self.county_sub),
            key=stranger,
        )
        refused = services.receive(data=data, actor=self.city_bureau)
        self.assertFalse(refused.accepted)
        self.assertIn("签名密钥未登记", refused.result)
        self.assertIn("请先与对方交换并登记密钥", refused.result)

    def test_a_revoked_key_and_a_foreign_unit_are_refused(self):
        sent = self.county_package()
        self.reset_county_state()
        # Signed by the county's key but speaking for the township: not the key's unit.
        with county():
            content = reporting.submission_content(self.sub_of(self.town))
            forged = services.make_package(
                kind="submission", sender={"region": self.town.code}, content=content
            )
        refused = services.receive(data=forged, actor=self.city_bureau)
        self.assertIn("报送单位与密钥登记的区划“滕州市”不符", refused.result)
        key = PeerKey.objects.get(peer=self.county_peer)
        services.revoke_key(key=key, actor=self.city_bureau)
        refused = services.receive(data=sent.data.encode(), actor=self.city_bureau)
        self.assertIn("已停用", refused.result)

    def test_garbage_is_refused(self):
        refused = services.receive(data=b"\xff\xfe not json", actor=self.city_bureau)
        self.assertIn("不是有效的报送包", refused.result)

    def test_a_return_travels_back(self):
        sent = self.county_package()
        self.reset_county_state()
        received = services.receive(data=sent.data.encode(), actor=self.city_bureau)
        returned = services.send_return(
            received=received, reasons="办公室面积与登记数据不符，请核实。", actor=self.city_bureau
        )
        self.assertEqual(returned.direction, PackageDirection.OUT)
        received.submission.refresh_from_db()
        self.assertEqual(received.submission.state, SubmissionState.RETURNED)
        # The returned package sent again is refused: it would undo the return.
        replayed = services.receive(data=sent.data.encode(), actor=self.city_bureau)
        self.assertIn("该报送包已经导入过", replayed.result)
        received.submission.refresh_from_db()
        self.assertEqual(received.submission.state, SubmissionState.RETURNED)
        # On the county's system: verified with the city's registered key, tied to what it sent;
        # its own submission (submitted there, the shared test row stands for it) goes back to
        # 已退回 with the reasons.
        Submission.objects.filter(pk=self.county_sub.pk).update(
            state=SubmissionState.SUBMITTED, return_reasons=""
        )
        with county():
            back = services.receive(data=returned.data.encode(), actor=self.county_bureau)
        self.assertTrue(back.accepted, back.result)
        self.assertIn("上级已退回：办公室面积与登记数据不符", back.result)
        self.assertIn("本系统报送已改为已退回", back.result)
        self.assertEqual(back.submission_id, sent.submission_id)
        own = Submission.objects.get(pk=self.county_sub.pk)
        self.assertEqual(own.state, SubmissionState.RETURNED)
        self.assertEqual(own.return_reasons, "办公室面积与登记数据不符，请核实。")
        self.assertTrue(
            own.actions.filter(action="return", comment__startswith="上级系统退回").exists()
        )
        # Received twice (the local row is no longer signed): kept, the state left as it is.
        with county():
            again = services.receive(data=returned.data.encode(), actor=self.county_bureau)
        self.assertTrue(again.accepted, again.result)
        self.assertIn("本系统报送状态未改变", again.result)
        # A return the county never asked for (naming a package it did not send) is refused.
        bogus = services.make_package(
            kind="return",
            sender={"region": self.city.code},
            content={"package_sha256": "0" * 64, "reasons": "x"},
        )
        with county():
            refused = services.receive(data=bogus, actor=self.county_bureau)
        self.assertIn("不是本系统发出的", refused.result)

    def test_the_api_receives_and_refuses(self):
        sent = self.county_package()
        self.reset_county_state()
        self.client.force_login(self.city_bureau)
        url = reverse("api:exchange:receive")
        tampered = sent.data.replace("王局长", "李局长").encode()
        response = self.client.post(url, data=tampered, content_type="application/json")
        self.assertEqual(response.status_code, 400)
        self.assertIn("签名校验失败", response.json()["detail"])
        response = self.client.post(url, data=sent.data.encode(), content_type="application/json")
        self.assertEqual(response.status_code, 201, response.content)
        self.assertTrue(response.json()["accepted"])

    def received(self) -> tuple[Package, Package]:
        """The county's package as sent, and as the city received and imported it."""
        sent = self.county_package()
        self.reset_county_state()
        received = services.receive(data=sent.data.encode(), actor=self.city_bureau)
        self.assertTrue(received.accepted, received.result)
        return sent, received

    def test_the_api_returns_a_received_package_and_the_county_imports_the_return(self):
        sent, received = self.received()
        url = reverse("api:exchange:package-return", args=[received.pk])
        self.client.force_login(self.city_bureau)
        for body in ({}, {"reasons": "  "}):
            response = self.client.post(url, body, content_type="application/json")
            self.assertEqual(response.status_code, 400, body)
            self.assertIn("reasons", response.json())
        received.submission.refresh_from_db()
        self.assertEqual(received.submission.state, SubmissionState.SUBMITTED)
        response = self.client.post(
            url, {"reasons": "办公室面积与登记数据不符，请核实。"}, content_type="application/json"
        )
        self.assertEqual(response.status_code, 201, response.content.decode())
        body = response.json()
        returned = Package.objects.get(pk=body["id"])
        self.assertEqual((body["direction"], body["kind"]), ("out", "return"))
        self.assertEqual(returned.submission_id, self.county_sub.pk)
        self.assertIn("办公室面积与登记数据不符", body["result"])
        self.assertNotIn("data", body)
        received.submission.refresh_from_db()
        self.assertEqual(received.submission.state, SubmissionState.RETURNED)
        # Every write in the change log: the package made, its event, the submission's return.
        log = ObjectChange.objects.filter(user=self.city_bureau)
        package_log = log.filter(
            changed_object_type=ContentType.objects.get_for_model(Package),
            changed_object_id=returned.pk,
        )
        self.assertTrue(package_log.filter(action=ObjectChange.Action.CREATE).exists())
        self.assertTrue(package_log.filter(event="exchange.return").exists())
        self.assertTrue(
            log.filter(
                event="submission.transition",
                changed_object_id=self.county_sub.pk,
                postchange_data__to=SubmissionState.RETURNED,
            ).exists()
        )
        # The signed return package, as downloaded, is what the county's system imports.
        download = self.client.get(body["download_url"])
        self.assertEqual(download.status_code, 200)
        self.assertEqual(download.content, returned.data.encode())
        self.assertEqual(json.loads(download.content)["content"]["package_sha256"], sent.sha256)
        Submission.objects.filter(pk=self.county_sub.pk).update(
            state=SubmissionState.SUBMITTED, return_reasons=""
        )
        with county():
            back = services.receive(data=download.content, actor=self.county_bureau)
        self.assertTrue(back.accepted, back.result)
        self.assertIn("本系统报送已改为已退回", back.result)
        own = Submission.objects.get(pk=self.county_sub.pk)
        self.assertEqual(own.state, SubmissionState.RETURNED)
        self.assertEqual(own.return_reasons, "办公室面积与登记数据不符，请核实。")
        # Returned once: a second return is refused in Chinese; so is returning what we sent.
        Submission.objects.filter(pk=self.county_sub.pk).update(state=SubmissionState.RETURNED)
        response = self.client.post(url, {"reasons": "再退"}, content_type="application/json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"detail": "只有已报送、尚未接收的报送可以退回。"})
        out = reverse("api:exchange:package-return", args=[returned.pk])
        response = self.client.post(out, {"reasons": "再退"}, content_type="application/json")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"detail": "只能退回已导入的报送包。"})

    def test_the_api_return_is_the_receiving_bureaus_only(self):
        _, received = self.received()
        url = reverse("api:exchange:package-return", args=[received.pk])
        province = make_user("province_bureau", [Role.BUREAU_ADMIN], scope_region=self.city.parent)
        city_supervisor = make_user("city_supervisor", [Role.SUPERVISOR], scope_region=self.city)
        expected = {
            province: 403,  # sees the package, is not the receiver
            city_supervisor: 403,
            make_user("nobody", []): 403,
            self.county_bureau: 404,  # outside its scope
            self.city_unit: 404,
        }
        for user, status in expected.items():
            with self.subTest(user=user.username):
                self.client.force_login(user)
                response = self.client.post(
                    url, {"reasons": "越权退回"}, content_type="application/json"
                )
                self.assertEqual(response.status_code, status, response.content.decode())
                self.assertRegex(response.json()["detail"], r"[\u4e00-\u9fff]")
        received.submission.refresh_from_db()
        self.assertEqual(received.submission.state, SubmissionState.SUBMITTED)
        self.assertFalse(Package.objects.filter(kind="return").exists())

    def test_pages(self):
        sent = self.county_package()
        self.reset_county_state()
        self.client.force_login(self.city_bureau)
        home = self.client.get(reverse("exchange:home"))
        self.assertContains(home, "本系统签名密钥")
        self.assertContains(home, "滕州市公房管理系统")
        from django.core.files.uploadedfile import SimpleUploadedFile

        upload = SimpleUploadedFile("package.json", sent.data.encode(), "application/json")
        response = self.client.post(
            reverse("exchange:home"), {"action": "receive", "package": upload}, follow=True
        )
        self.assertContains(response, "验签通过")
        self.assertContains(response, "退回下级系统")
        package = Package.objects.filter(direction="in").latest("pk")
        # The submission's page sends its return here: to the package it came in.
        response = self.client.get(reverse("exchange:received", args=[package.submission_id]))
        self.assertRedirects(response, reverse("exchange:package", args=[package.pk]))
        self.assertEqual(
            self.client.get(reverse("exchange:received", args=[10**6])).status_code, 404
        )
        download = self.client.get(reverse("exchange:download", args=[package.pk]))
        self.assertEqual(download.content, sent.data.encode())
        self.assertEqual(self.client.get("/exchange/packages/1e3/").status_code, 404)
