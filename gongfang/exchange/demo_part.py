"""The exchange part of the demo (``manage.py load_demo``), after reporting's.

A county below the demo's top region is shown as running its own deployment: the top bureau has
registered it as a lower system with its public key; one signed package from it was verified and
imported as that county's own figures (已报送, to accept or return), and one whose figures were
changed after signing was refused with the reason. The county's key is derived from a fixed seed
so a reloaded demo shows the same fingerprint.
"""

from __future__ import annotations

import hashlib
import json

from ..accounts.models import User
from ..accounts.roles import Role
from ..framework import clock, crypto
from ..registry.models import Region
from ..reporting import services as reporting
from ..reporting.choices import PeriodState, SubmissionState
from ..reporting.demo_part import TOWN
from ..reporting.models import ReportPeriod, Submission
from . import services
from .models import Direction, Package, Peer, PeerKey

LABEL = "系统间数据交换"


def existing() -> dict[str, int]:
    n = Peer.objects.count()
    return {"交换系统": n} if n else {}


def flush() -> int:
    n = Package.objects.count() + PeerKey.objects.count() + Peer.objects.count()
    Package.objects.all().delete()
    PeerKey.objects.all().delete()
    Peer.objects.all().delete()
    return n


def _story():
    """The bureau of this year's open period's region, and a county below it whose own figures
    are not in yet (not the reporting story's county)."""
    period = (
        ReportPeriod.objects.filter(state=PeriodState.OPEN)
        .select_related("region", "form")
        .order_by("-year", "region__path")
        .first()
    )
    if period is None:
        return None
    town = Region.objects.filter(code=TOWN).first()
    waiting = (
        Submission.objects.filter(
            period=period, organization__isnull=True, receiver=period.region, is_current=True
        )
        .exclude(state__in=(SubmissionState.SUBMITTED, SubmissionState.ACCEPTED))
        .select_related("region")
        .order_by("region__path")
    )
    for sub in waiting:
        # The reporting story's county (荆河街道's) stays as that story tells it.
        if town is None or not town.path.startswith(sub.region.path):
            return _bureau_of(period), sub
    return None


def _bureau_of(period: ReportPeriod) -> User | None:
    for user in User.objects.filter(scope_region=period.region, is_active=True).order_by("pk"):
        if user.has_role(Role.BUREAU_ADMIN):
            return user
    return None


def build(run) -> None:
    found = _story()
    if found is None or found[0] is None:
        run.say("  无可演示的报送期，未生成数据交换示例。")
        return
    bureau, sub = found
    county = sub.region
    key = crypto.SigningKey(hashlib.sha256(f"gongfang-demo-{county.code}".encode()).digest())
    peer = services.register_peer(
        name=f"{county.name}公房管理系统",
        direction=Direction.LOWER,
        region=county,
        contact="县机关事务服务中心 0632-5500000",
        actor=bureau,
    )
    registered = services.register_key(
        peer=peer, public_key=key.public_key, algorithm=key.algorithm, actor=bureau
    )
    content = reporting.submission_content(sub)
    content["signature"] = {
        **(content.get("signature") or {}),
        "signer": "孙局长",
        "title": "局长",
        "signed_at": clock.now().isoformat(),
    }
    content["state"] = SubmissionState.SIGNED
    sender = {"region": county.code, "uscc": "", "name": f"{county.name}机关事务管理部门"}
    data = services.make_package(kind="submission", sender=sender, content=content, key=key)
    # Changed after signing (a figure edited by hand in the file): refused.
    body = json.loads(data)
    code = sorted(body["content"]["values"])[0] if body["content"]["values"] else "B02"
    body["content"]["values"][code] = "999999"
    refused = services.receive(data=services.canonical(body), actor=bureau)
    received = services.receive(data=data, actor=bureau)
    run.rows += 4
    run.section(
        LABEL,
        [
            f"已登记下级系统：{peer.name}（密钥指纹 {registered.fingerprint[:16]}…）",
            f"已验签导入：{received.unit_name or county.name}（{received.result[:40]}）",
            f"已拒收篡改的报送包：{refused.result[:60]}",
            f"以 {bureau.username} 登录“数据交换”页面查看。",
        ],
    )
