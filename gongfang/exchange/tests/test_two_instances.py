"""Two deployments, two databases (issue 14, points 9 and 11): the county is this test process on
the test database; the city is a real gunicorn on its own SQLite file, migrated and set up once
for the module (``city_instance``). The county signs its figures and posts the package to the
city's receiving API; the city verifies and imports it, refuses a package with one byte changed,
and returns the figures on its package page; the county imports the downloaded return.
"""

from __future__ import annotations

import datetime
import json
import re
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.urls import reverse
from django_otp.oath import TOTP

from ...accounts.roles import Role
from ...framework.tests.test_gunicorn import ROOT, Browser, base_env, csrf_token, gunicorn
from ...registry.choices import RegionLevel
from ...registry.tests import factories as f
from ...registry.tests.world import make_user
from ...reporting import services as reporting
from ...reporting.choices import SubmissionState
from ...reporting.models import ReportForm, Submission
from ...reporting.tests.world import sign_kwargs
from .. import services
from ..models import Direction
from . import city_instance

pytestmark = pytest.mark.django_db

CITY_KEYS = "city-1:" + "c1" * 32
REASONS = "办公室面积与登记数据不符，请核实后重报。"


@dataclass
class City:
    """The running city instance, as the county's operators know it."""

    url: str
    database: Path
    identity: dict
    token: str
    totp_key: str
    submission: int  # the county's submission in the city's database

    def api(self, path: str, data: bytes | None = None) -> tuple[int, dict]:
        """The city's API with its bureau's token, as the county's system calls it."""
        headers = {"Authorization": f"Token {self.token}", "Content-Type": "application/json"}
        request = urllib.request.Request(f"{self.url}{path}", data=data, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.load(response)
        except urllib.error.HTTPError as error:
            return error.code, json.load(error)

    def post_package(self, data: bytes) -> tuple[int, dict]:
        return self.api("/api/exchange/receive/", data)

    def county_submission(self) -> dict:
        status, body = self.api(f"/api/reporting/submissions/{self.submission}/")
        assert status == 200, body
        return body

    def last_package(self) -> tuple:
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True) as db:
            return db.execute(
                "SELECT accepted, verified, result FROM exchange_package ORDER BY id DESC LIMIT 1"
            ).fetchone()


@pytest.fixture(scope="module")
def city(tmp_path_factory):
    """The city's instance: migrated, set up and served for the whole module."""
    folder = tmp_path_factory.mktemp("city")
    env = base_env(
        DATABASE_URL=f"sqlite:///{folder / 'city.sqlite3'}",
        AUDIT_KEYS=CITY_KEYS,
        AUDIT_CHECKPOINT_FILE=str(folder / "checkpoints.jsonl"),
        PRIVATE_MEDIA_ROOT=str(folder / "private"),
    )
    county = services.own_identity()  # handed to the city once, with the letter

    def manage(*args: str) -> str:
        command = [sys.executable, "manage.py", *args, "--verbosity", "0"]
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    manage("migrate")
    setup = f"set_up({county['algorithm']!r}, {county['public_key']!r})"
    code = f"from {city_instance.__name__} import set_up; {setup}"
    found = json.loads(manage("shell", "-c", code).splitlines()[-1])
    with gunicorn(env) as url:
        yield City(url=url, database=folder / "city.sqlite3", **found)


@pytest.fixture
def county(city):
    """The county's own instance (the test database): its bureau, its own period as the top
    region, the city registered as its upper system with the key the city handed over."""
    province = f.RegionFactory(code="370000", name="山东省", level=RegionLevel.PROVINCE)
    upper = f.RegionFactory(code="370400", name="枣庄市", level=RegionLevel.CITY, parent=province)
    region = f.RegionFactory(code="370481", name="滕州市", level=RegionLevel.COUNTY, parent=upper)
    bureau = make_user("county_bureau", [Role.BUREAU_ADMIN], scope_region=region)
    period = reporting.do_open_period(
        form=ReportForm.objects.get(region__isnull=True),
        region=region,
        year=city_instance.YEAR,
        as_of=datetime.date(city_instance.YEAR, 6, 30),
        deadline=datetime.date(city_instance.YEAR, 12, 31),
        actor=bureau,
    )
    peer = services.register_peer(
        name="枣庄市公房管理系统", direction=Direction.UPPER, region=upper, actor=bureau
    )
    services.register_key(
        peer=peer,
        public_key=city.identity["public_key"],
        algorithm=city.identity["algorithm"],
        actor=bureau,
    )
    submission = Submission.objects.get(period=period, unit_key=f"region:{region.pk}")
    return bureau, submission


def signed_package(bureau, submission: Submission) -> bytes:
    """Filled, checked and signed by the county's principal, then packaged for the city."""
    reporting.do_save(submission=submission, values={"B12": "权属清晰"}, actor=bureau)
    checked = reporting.do_check(submission=submission, actor=bureau)
    assert checked.state == SubmissionState.CHECKED, checked.check_results
    reporting.do_sign(submission=submission, actor=bureau, **sign_kwargs(bureau))
    submission.refresh_from_db()
    return services.send_submission(submission=submission, actor=bureau).data.encode()


def city_returns(city: City, package_id: int, reasons: str) -> bytes:
    """The city's bureau signs in (password and authenticator), returns the package on its page
    and downloads the signed return package."""
    browser = Browser(follow=False)
    login = f"{city.url}/accounts/login/"
    _, _, page = browser.request(login)
    fields = {"username": "city_bureau", "password": city_instance.PASSWORD}
    status, _, _ = browser.request(login, {**fields, "csrfmiddlewaretoken": csrf_token(page)})
    assert status == 302
    verify = f"{city.url}/accounts/2fa/verify/"
    _, _, page = browser.request(verify)
    code = f"{TOTP(bytes.fromhex(city.totp_key)).token():06d}"
    status, _, _ = browser.request(verify, {"token": code, "csrfmiddlewaretoken": csrf_token(page)})
    assert status == 302
    url = f"{city.url}/exchange/packages/{package_id}/"
    status, _, page = browser.request(url)
    assert status == 200 and "退回下级系统" in page.decode(), page.decode()[:2000]
    form = {"reasons": reasons, "csrfmiddlewaretoken": csrf_token(page)}
    status, headers, _ = browser.request(url, form)
    assert status == 302
    returned = re.fullmatch(r"/exchange/packages/(\d+)/", headers["Location"])
    assert returned and int(returned.group(1)) != package_id, headers["Location"]
    status, _, data = browser.request(f"{city.url}{headers['Location']}download/")
    assert status == 200
    return data


def one_byte_changed(data: bytes) -> bytes:
    """The package with one digit of a figure changed (still a well-formed package)."""
    values = json.loads(data)["content"]["values"]
    code = next(c for c, v in sorted(values.items()) if re.search(r"\d", str(v)))
    key = f'"{code}":'.encode()
    after = data.index(key) + len(key)
    at = after + re.search(rb"\d", data[after:]).start()
    digit = b"1" if data[at : at + 1] != b"1" else b"2"
    return data[:at] + digit + data[at + 1 :]


# ------------------------------------------------------------------------------------------------
def test_a_package_with_one_byte_changed_is_refused_and_nothing_imported(city, county):
    data = one_byte_changed(signed_package(*county))
    before = city.county_submission()
    status, answer = city.post_package(data)
    assert status == 400
    assert not answer["accepted"] and not answer["verified"]
    assert "签名校验失败：报送包内容在签名后被改动" in answer["detail"]
    assert "滕州市公房管理系统" in answer["detail"]
    after = city.county_submission()
    assert (after["state"], after["version"], after["values"]) == (
        before["state"],
        before["version"],
        before["values"],
    )
    # Kept on the city's side with the reason, as every package is.
    assert city.last_package() == (0, 0, answer["detail"])


def test_a_signed_package_is_imported_by_the_city_and_its_return_travels_back(city, county, client):
    bureau, submission = county
    data = signed_package(bureau, submission)
    content = json.loads(data)["content"]

    status, answer = city.post_package(data)
    assert status == 201, answer
    assert answer["accepted"] and answer["verified"]
    assert "验签通过" in answer["detail"] and "已导入为“滕州市" in answer["detail"]
    imported = city.county_submission()
    assert imported["state"] == SubmissionState.SUBMITTED
    assert imported["external"] is True
    assert imported["signer_name"] == "王局长"
    for code, value in content["values"].items():
        assert str(imported["values"][code]) == str(value), code

    returned = city_returns(city, answer["id"], REASONS)
    assert city.county_submission()["state"] == SubmissionState.RETURNED
    # The returned package sent again does not undo the return: figures go up signed anew.
    status, replayed = city.post_package(data)
    assert status == 400 and "已经导入过" in replayed["detail"], replayed
    assert city.county_submission()["state"] == SubmissionState.RETURNED

    # Back on the county's system, through its own receiving API.
    client.force_login(bureau)
    response = client.post(
        reverse("api:exchange:receive"), data=returned, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert f"上级已退回：{REASONS.rstrip('。')}" in response.json()["detail"]
    assert "本系统报送已改为已退回" in response.json()["detail"]
    submission.refresh_from_db()
    assert submission.state == SubmissionState.RETURNED
    assert submission.return_reasons == REASONS
