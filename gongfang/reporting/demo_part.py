"""The reporting part of the demo (``manage.py load_demo``).

* Last year's period of the demo's top region, accepted at every level;
* this year's, in progress with units in every state: 荆河街道办事处 (account ``jh_unit``) was
  returned by its township (``jh_bureau``) with reasons; the city's 市教育局 (``unit_admin``)
  has submitted and waits for ``zz_bureau``; the other units spread over the states, each
  township's own figures sent only when all its units are accepted (children first).

The story units go through the real services (check, sign with password and authenticator code,
submit, return). The hundreds of other units are written in one pass each — the same fields,
history rows and states the services write — since signing in as each of them would make the
demo slow without showing more; the province profile opens one four-level period the same way.
"""

from __future__ import annotations

import datetime
import functools
import io
import random
import time

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from ..accounts.models import User
from ..accounts.otp import provision_device
from ..accounts.roles import Role
from ..registry.demo.accounts import DEMO_PASSWORD, signing_credentials
from ..registry.models import Organization, Region
from . import services
from .choices import ActionKind, SubmissionState
from .models import (
    EvaluationScore,
    ReportForm,
    ReportPeriod,
    Submission,
    SubmissionAction,
)

LABEL = "统计报送"
TOWN = "370481001"  # 荆河街道 (滕州市)
SIGNERS = ("王建国", "李明", "张华", "刘伟", "陈静", "杨帆")
# Spread of this year's other units over the states (not started … accepted).
SPREAD = (
    SubmissionState.NOT_STARTED,
    SubmissionState.FILLING,
    SubmissionState.FILLING,
    SubmissionState.CHECKED,
    SubmissionState.SIGNED,
    SubmissionState.SUBMITTED,
    SubmissionState.ACCEPTED,
    SubmissionState.ACCEPTED,
    SubmissionState.ACCEPTED,
)
ORDER = list(SubmissionState.values)


def existing() -> dict[str, int]:
    n = ReportPeriod.objects.count()
    return {"报送期": n} if n else {}


def flush() -> int:
    n = SubmissionAction.objects.count() + EvaluationScore.objects.count()
    n += Submission.objects.count() + ReportPeriod.objects.count()
    ReportPeriod.objects.all().delete()
    User.objects.filter(username__in=("jh_unit", "jh_bureau")).delete()
    return n


def _township(top: Region) -> Region | None:
    """荆河街道 when the profile has it, else the first township of the subtree with a unit."""
    towns = Region.objects.filter(
        path__startswith=top.path, level="township", organizations__isnull=False
    ).order_by("code")
    return towns.filter(code=TOWN).first() or towns.first()


def _accounts(run, region: Region) -> tuple[User, User]:
    """The township's two demo accounts (unit admin of its first unit, its township bureau)."""
    org = Organization.objects.filter(region=region).order_by("pk").first()
    password = make_password(DEMO_PASSWORD)
    made = []
    for username, name, role, scope in (
        ("jh_unit", "荆河街道办事处单位管理员", Role.UNIT_ADMIN, {"scope_organization": org}),
        ("jh_bureau", "荆河街道机关事务管理员", Role.BUREAU_ADMIN, {"scope_region": region}),
    ):
        user = User.objects.filter(username=username).first() or User(username=username)
        user.name, user.roles, user.is_active = name, [role], True
        user.scope_region = scope.get("scope_region")
        user.scope_organization = scope.get("scope_organization")
        user.password, user.password_changed_at, user.must_change_password = (
            password,
            timezone.now(),
            False,
        )
        user.save()
        provision_device(user=user)
        run.users[username] = user
        made.append(user)
    return made[0], made[1]


@functools.cache
def _scan() -> bytes:
    """A stand-in for the scanned signed page: a grey A4-shaped PNG with ruled lines and a
    red seal (a PDF would take WeasyPrint seconds to render)."""
    from PIL import Image, ImageDraw

    page = Image.new("RGB", (420, 594), "#f4f4f0")
    draw = ImageDraw.Draw(page)
    for y in range(80, 520, 28):
        draw.line((40, y, 380, y), fill="#9a9a9a", width=2)
    draw.ellipse((270, 440, 370, 540), outline="#c0392b", width=5)
    buffer = io.BytesIO()
    page.save(buffer, "PNG")
    return buffer.getvalue()


def _sign(sub: Submission, user: User, name: str) -> Submission:
    credentials = signing_credentials(user)
    return services.do_sign(
        submission=sub,
        actor=user,
        signer_name=name,
        signer_title="主任",
        scan=_scan(),
        **credentials,
    )


def _story_send(sub: Submission, user: User, signer: str) -> Submission:
    services.do_save(
        submission=sub,
        values={"B12": "权属清晰"},
        actor=user,
        contact_name="赵联络",
        contact_phone="0632-5512345",
    )
    services.do_check(submission=sub, actor=user)
    _sign(sub, user, signer)
    return services.do_submit(submission=sub, actor=user)


def _write_states(subs: list[Submission], states: dict[int, str], at: datetime.datetime) -> None:
    """The services' fields, history and states for many units in one pass (see the module)."""
    rng = random.Random(20261206)
    actions = []
    for s in subs:
        state = states.get(s.pk)
        if not state or state == SubmissionState.NOT_STARTED:
            continue
        reached = ORDER.index(state)
        s.state = state
        s.values = {**s.values, "B12": "权属清晰"} if "B02" in s.values else dict(s.values)
        s.contact_name = rng.choice(("孙", "周", "吴", "郑")) + rng.choice(("敏", "强", "丽", "军"))
        s.contact_phone = f"0632-{rng.randint(3000000, 8999999)}"
        steps = [ActionKind.SAVE]
        if reached >= ORDER.index(SubmissionState.CHECKED):
            s.checked_at = at
            s.first_check_passed = rng.random() > 0.2
            steps.append(ActionKind.CHECK)
        if reached >= ORDER.index(SubmissionState.SIGNED):
            s.signer_name = rng.choice(SIGNERS)
            s.signer_title = "主要负责人"
            s.signed_at = at
            s.signature_method = "password+totp"
            s.content_hash = "sha256:" + format(rng.getrandbits(256), "064x")
            steps.append(ActionKind.SIGN)
        if reached >= ORDER.index(SubmissionState.SUBMITTED):
            s.submitted_at = at
            steps.append(ActionKind.SUBMIT)
        if state == SubmissionState.ACCEPTED:
            s.decided_at = at
            steps.append(ActionKind.ACCEPT)
        actions += [SubmissionAction(submission=s, action=a, at=at) for a in steps]
    fields = [
        "state", "values", "contact_name", "contact_phone", "checked_at", "first_check_passed",
        "signer_name", "signer_title", "signed_at", "signature_method", "content_hash",
        "submitted_at", "decided_at",
    ]  # fmt: skip
    # One UPDATE a row: bulk_update's CASE over hundreds of JSON values took 8 s on SQLite.
    for s in subs:
        if states.get(s.pk, SubmissionState.NOT_STARTED) != SubmissionState.NOT_STARTED:
            Submission.objects.filter(pk=s.pk).update(**{f: getattr(s, f) for f in fields})
    SubmissionAction.objects.bulk_create(actions, batch_size=1000)


def _children_first(subs: list[Submission], states: dict[int, str]) -> None:
    """A bureau's own figures go up only when all its children are accepted; else it fills."""
    by_receiver: dict[int, list[Submission]] = {}
    for s in subs:
        if s.receiver_id:
            by_receiver.setdefault(s.receiver_id, []).append(s)
    for b in sorted((s for s in subs if s.is_bureau), key=lambda s: -s.region.path.count("/")):
        children = by_receiver.get(b.region_id, [])
        done = all(states.get(c.pk) == SubmissionState.ACCEPTED for c in children)
        if not done and states.get(b.pk) in (SubmissionState.SUBMITTED, SubmissionState.ACCEPTED):
            states[b.pk] = SubmissionState.FILLING
    # The top level has no one to accept it: submitted is as far as it goes.
    for b in subs:
        if b.receiver_id is None and states.get(b.pk) == SubmissionState.ACCEPTED:
            states[b.pk] = SubmissionState.SUBMITTED


def _open(top: Region, bureau: User, year: int) -> ReportPeriod:
    return services.do_open_period(
        form=ReportForm.objects.filter(region__isnull=True).order_by("-year", "-number").first(),
        region=top,
        year=year,
        as_of=datetime.date(year, 6, 30),
        deadline=datetime.date(year, 12, 31),
        actor=bureau,
    )


@transaction.atomic
def build(run) -> None:
    started = time.monotonic()
    province = run.profile == "province"
    top_user = run.users.get("sd_bureau" if province else "zz_bureau") or User.objects.get(
        username="zz_bureau"
    )
    top = top_user.scope_region
    today = run.anchor
    lines = []

    # Last year: accepted at every level.
    last = _open(top, top_user, today.year - 1)
    subs = list(last.submissions.select_related("region"))
    states = {s.pk: SubmissionState.ACCEPTED for s in subs}
    _children_first(subs, states)
    at = timezone.make_aware(datetime.datetime(today.year - 1, 11, 20, 10))
    _write_states(subs, states, at)
    services.do_evaluate(period=last, actor=top_user)
    lines.append(f"{last}：{len(subs):,} 个填报单位全部逐级接收，已计算考评")

    # This year: in progress.
    period = _open(top, top_user, today.year)
    subs = list(period.submissions.select_related("region", "organization"))
    town = _township(top)
    jh_unit, jh_bureau = _accounts(run, town) if town is not None else (None, None)
    story = set()
    if jh_unit is not None:
        story |= {f"org:{jh_unit.scope_organization_id}", f"region:{town.pk}"}
    unit_admin = run.users.get("unit_admin") or User.objects.filter(username="unit_admin").first()
    if unit_admin is not None:
        provision_device(user=unit_admin)
        story.add(f"org:{unit_admin.scope_organization_id}")
    rng = random.Random(run.seed)
    states = {s.pk: rng.choice(SPREAD) for s in subs if s.unit_key not in story}
    _children_first(subs, states)
    _write_states(subs, states, timezone.make_aware(datetime.datetime(today.year, 11, 25, 9)))

    if jh_unit is not None:
        jh = Submission.objects.get(period=period, unit_key=f"org:{jh_unit.scope_organization_id}")
        _story_send(jh, jh_unit, "周主任")
        services.do_return(
            submission=jh,
            reasons="会议室面积与登记不符，请核对后重新报送；权属状况请按不动产权证填写。",
            actor=jh_bureau,
        )
        lines.append(f"{jh.unit_name}（jh_unit）：报送后被{town.name}（jh_bureau）退回，待修改重报")
    if unit_admin is not None:
        edu = Submission.objects.get(
            period=period, unit_key=f"org:{unit_admin.scope_organization_id}"
        )
        _story_send(edu, unit_admin, "钱局长")
        lines.append(f"{edu.unit_name}（unit_admin）：已报送，待 zz_bureau 接收")
    counts: dict[str, int] = {}
    for state in Submission.objects.filter(period=period).values_list("state", flat=True):
        counts[state] = counts.get(state, 0) + 1
    lines.append(
        f"{period}："
        + "，".join(f"{SubmissionState(s).label} {n:,}" for s, n in sorted(counts.items()))
    )
    run.rows += Submission.objects.count() + SubmissionAction.objects.count()
    run.section(LABEL, lines)
    run.timings.append(f"统计报送 {time.monotonic() - started:.1f} 秒")
