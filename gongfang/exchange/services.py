"""Signed packages between deployments (省市县乡四级互联互通).

A package is one JSON document in canonical form (sorted keys, compact, UTF-8): the body —
format, kind, sender, time, content and an optional attached scan — and the signature over the
body's canonical bytes, made with this instance's key (``framework.keyring``, purpose
``exchange-package``; Ed25519 or SM2 by ``CRYPTO_SUITE``). The receiver verifies it against the
peer's public key registered once, then imports a submission through
``reporting.services.do_receive_external``; a return travels back the same way, naming the
package it answers by its digest.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from ..framework import clock, crypto, keyring
from ..framework.changelog import record_change, record_event
from ..framework.models import ObjectChange
from ..registry.models import Organization
from ..reporting import services as reporting
from ..reporting.choices import SubmissionState
from ..reporting.models import ReportPeriod, Submission
from .models import Direction, Package, PackageDirection, PackageKind, Peer, PeerKey

FORMAT = "gongfang-exchange/1"
PURPOSE = "exchange-package"
MAX_BYTES = 20 * 1024 * 1024


class Refused(Exception):
    """A package not taken, with the reason in Chinese."""


def canonical(value) -> bytes:
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode("utf-8")


def fingerprint(algorithm: str, public_key: str) -> str:
    """SHA-256 of "algorithm:public key" (hex), the same whatever the suite: read aloud or
    printed on the letter that hands the key over."""
    return hashlib.sha256(f"{algorithm}:{public_key.lower()}".encode()).hexdigest()


def own_key() -> crypto.SigningKey:
    return keyring.current().signing_key(PURPOSE)


def own_identity() -> dict[str, str]:
    key = own_key()
    return {
        "algorithm": key.algorithm,
        "public_key": key.public_key,
        "fingerprint": fingerprint(key.algorithm, key.public_key),
    }


def make_package(
    *,
    kind: str,
    sender: dict,
    content: dict,
    scan: tuple[str, bytes] | None = None,
    key: crypto.SigningKey | None = None,
) -> bytes:
    """The signed package's bytes (signed with this instance's key unless ``key`` is given)."""
    body = {
        "format": FORMAT,
        "kind": kind,
        "sender": sender,
        "created_at": clock.now().isoformat(),
        "content": content,
    }
    if scan is not None:
        name, data = scan
        body["attachment"] = {
            "name": name,
            "sha256": hashlib.sha256(data).hexdigest(),
            "data": base64.b64encode(data).decode("ascii"),
        }
    key = key or own_key()
    signature = {
        "algorithm": key.algorithm,
        "public_key": key.public_key,
        "fingerprint": fingerprint(key.algorithm, key.public_key),
        "value": key.sign(canonical(body)),
    }
    return canonical({**body, "signature": signature})


def _sender_of(unit) -> dict:
    if isinstance(unit, Organization):
        return {"region": unit.region.code, "uscc": unit.uscc or "", "name": unit.name}
    return {"region": unit.code, "uscc": "", "name": f"{unit.name}机关事务管理部门"}


# Keys -------------------------------------------------------------------------------------------
def register_key(*, peer: Peer, public_key: str, algorithm: str, actor) -> PeerKey:
    """Register a peer's public key (handed over once, out of band)."""
    public_key = (public_key or "").strip().lower()
    if algorithm not in ("ed25519", "sm2"):
        raise ValidationError({"algorithm": "签名算法须为 Ed25519 或 SM2。"})
    try:
        raw = bytes.fromhex(public_key)
    except ValueError:
        raise ValidationError({"public_key": "公钥须为十六进制文本。"}) from None
    if len(raw) != (32 if algorithm == "ed25519" else 64):
        want = "64" if algorithm == "ed25519" else "128"
        raise ValidationError({"public_key": f"公钥长度不对：该算法的公钥为 {want} 位十六进制。"})
    print_ = fingerprint(algorithm, public_key)
    with transaction.atomic():
        if PeerKey.objects.filter(fingerprint=print_).exists():
            raise ValidationError({"public_key": "该公钥已经登记过。"})
        key = PeerKey.objects.create(
            peer=peer,
            algorithm=algorithm,
            public_key=public_key,
            fingerprint=print_,
            registered_by=actor,
        )
        record_change(actor=actor, instance=key, action=ObjectChange.Action.CREATE, before=None)
        record_event(
            actor=actor,
            event="exchange.key_register",
            obj=peer,
            data={"fingerprint": print_, "algorithm": algorithm},
        )
    return key


def revoke_key(*, key: PeerKey, actor) -> PeerKey:
    with transaction.atomic():
        key = PeerKey.objects.select_for_update().get(pk=key.pk)
        if key.revoked_at is None:
            key.revoked_at = clock.now()
            key.save(update_fields=["revoked_at", "updated_at"])
            record_event(
                actor=actor,
                event="exchange.key_revoke",
                obj=key.peer,
                data={"fingerprint": key.fingerprint},
            )
    return key


# Verifying --------------------------------------------------------------------------------------
def verify(data: bytes) -> tuple[dict, PeerKey]:
    """The package's body and the registered key that signed it; :class:`Refused` otherwise."""
    if len(data) > MAX_BYTES:
        raise Refused("报送包超过 20 MB，已拒收。")
    try:
        package = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise Refused("文件不是有效的报送包（无法按 JSON 读取）。") from None
    if not isinstance(package, dict) or package.get("format") != FORMAT:
        raise Refused("文件不是本系统的交换包（格式标识不符）。")
    signature = package.pop("signature", None)
    if not isinstance(signature, dict) or not all(
        isinstance(signature.get(k), str) for k in ("algorithm", "public_key", "value")
    ):
        raise Refused("报送包没有签名，已拒收。")
    print_ = fingerprint(signature["algorithm"], signature["public_key"])
    key = (
        PeerKey.objects.select_related("peer__region", "peer__organization")
        .filter(fingerprint=print_)
        .first()
    )
    if key is None:
        raise Refused(
            f"签名密钥未登记：指纹 {print_[:16]}… 不属于任何已登记的交换系统，"
            "请先与对方交换并登记密钥。"
        )
    if key.revoked_at is not None:
        raise Refused(
            f"签名密钥已停用：“{key.peer}”的该密钥已于 "
            f"{timezone.localtime(key.revoked_at):%Y-%m-%d %H:%M} 停用，已拒收。"
        )
    try:
        valid = crypto.verify_signature(
            public_key=key.public_key,
            data=canonical(package),
            signature=signature["value"],
            algorithm=key.algorithm,
        )
    except ValueError:
        valid = False
    if not valid:
        raise Refused(
            f"签名校验失败：报送包内容在签名后被改动，或签名不属于“{key.peer}”登记的密钥，已拒收。"
        )
    attachment = package.get("attachment")
    if attachment is not None:
        try:
            raw = base64.b64decode(attachment["data"], validate=True)
        except (KeyError, TypeError, binascii.Error):
            raise Refused("附件无法读取，已拒收。") from None
        if hashlib.sha256(raw).hexdigest() != attachment.get("sha256"):
            raise Refused("附件摘要与签名内容不符，已拒收。")
    return package, key


def _unit_of(peer: Peer, content: dict):
    """The unit the content speaks for, which must be the peer's own."""
    unit = content.get("unit") or {}
    org = unit.get("organization")
    if peer.organization_id:
        if (
            not org
            or (org.get("uscc") or "") != (peer.organization.uscc or "")
            or (not peer.organization.uscc and org.get("name") != peer.organization.name)
        ):
            raise Refused(f"报送单位与密钥登记的单位“{peer.organization}”不符，已拒收。")
        return peer.organization
    if org or unit.get("region") != peer.region.code:
        raise Refused(f"报送单位与密钥登记的区划“{peer.region}”不符，已拒收。")
    return peer.region


def _moment(value) -> datetime.datetime | None:
    parsed = parse_datetime(value) if isinstance(value, str) else None
    return parsed if parsed is not None and parsed.tzinfo is not None else None


def _record(
    *, actor, direction, kind, region, data, peer=None, submission=None, unit_name="", **state
) -> Package:
    package = Package.objects.create(
        direction=direction,
        kind=kind,
        region=region,
        peer=peer,
        submission=submission,
        unit_name=unit_name[:120],
        data=data.decode("utf-8", errors="replace"),
        sha256=hashlib.sha256(data).hexdigest(),
        handled_by=actor if getattr(actor, "pk", None) else None,
        **state,
    )
    record_change(actor=actor, instance=package, action=ObjectChange.Action.CREATE, before=None)
    return package


def receive(*, data: bytes, actor) -> Package:
    """Verify and import a package from a peer; every package is kept with what was found."""
    region = getattr(actor, "scope_region", None)
    if region is None or not actor.has_model_perm(Package, "add"):
        raise PermissionDenied("只有机关事务管理部门的账号可以接收交换包。")
    kind, verified = "", False
    try:
        with transaction.atomic():
            package, key = verify(data)
            verified, kind = True, package.get("kind")
            if kind == PackageKind.SUBMISSION and key.peer.direction == Direction.LOWER:
                return _import_submission(package, key, data, actor, region)
            if kind == PackageKind.RETURN and key.peer.direction == Direction.UPPER:
                return _import_return(package, key, data, actor, region)
            raise Refused("交换包类型与对方系统的方向不符，已拒收。")
    except (Refused, ValidationError, PermissionDenied) as exc:
        reason = str(exc) if isinstance(exc, Refused) else "；".join(_messages(exc))
        with transaction.atomic():
            refused = _record(
                actor=actor,
                direction=PackageDirection.IN,
                kind=kind if kind in PackageKind.values else PackageKind.SUBMISSION,
                region=region,
                data=data,
                verified=verified,
                result=f"拒收：{reason}"[:500],
            )
            record_event(
                actor=actor,
                event="exchange.refuse",
                obj=refused,
                data={"sha256": refused.sha256, "reason": reason[:300]},
            )
        return refused


def _messages(exc) -> list[str]:
    return list(getattr(exc, "messages", None) or [str(exc)])


def _import_submission(package: dict, key: PeerKey, data: bytes, actor, region) -> Package:
    # A package imported once and then returned, sent again, would undo the return with the
    # very figures returned: figures go up again only signed anew.
    sha256 = hashlib.sha256(data).hexdigest()
    earlier = Package.objects.filter(
        direction=PackageDirection.IN, kind=PackageKind.SUBMISSION, accepted=True, sha256=sha256
    ).first()
    if earlier is not None:
        raise Refused(
            f"该报送包已经导入过（{timezone.localtime(earlier.created_at):%Y-%m-%d %H:%M}），"
            "不能重复导入；如需重报，请下级系统更正后重新签批并制作报送包。"
        )
    content = package.get("content") or {}
    unit = _unit_of(key.peer, content)
    period_info, form = content.get("period") or {}, content.get("form") or {}
    key_name = f"org:{unit.pk}" if isinstance(unit, Organization) else f"region:{unit.pk}"
    period = (
        ReportPeriod.objects.filter(
            year=period_info.get("year"),
            form__name=form.get("name"),
            submissions__unit_key=key_name,
            submissions__is_current=True,
        )
        .order_by("-pk")
        .first()
    )
    if period is None:
        raise Refused(
            f"本系统没有“{unit}”{period_info.get('year')}年度“{form.get('name')}”的报送任务，已拒收。"
        )
    signature = content.get("signature") or {}
    signed_at = _moment(signature.get("signed_at")) or _moment(package.get("created_at"))
    submission = reporting.do_receive_external(
        period=period,
        unit=unit,
        content=content,
        signer=signature.get("signer") or key.peer.name,
        signed_at=signed_at or clock.now(),
        actor=actor,
    )
    stored = _record(
        actor=actor,
        direction=PackageDirection.IN,
        kind=PackageKind.SUBMISSION,
        region=region,
        data=data,
        peer=key.peer,
        submission=submission,
        unit_name=str(unit),
        fingerprint=key.fingerprint,
        verified=True,
        accepted=True,
        result=f"验签通过（{crypto.algorithm_label(key.algorithm)}），已导入为“{submission.unit_name}”的报送。",
    )
    record_event(
        actor=actor,
        event="exchange.receive",
        obj=stored,
        data={"sha256": stored.sha256, "peer": key.peer.name, "submission": submission.pk},
    )
    return stored


def _import_return(package: dict, key: PeerKey, data: bytes, actor, region) -> Package:
    content = package.get("content") or {}
    answered = Package.objects.filter(
        direction=PackageDirection.OUT,
        kind=PackageKind.SUBMISSION,
        sha256=content.get("package_sha256") or "",
    ).first()
    if answered is None:
        raise Refused("退回包所指的报送包不是本系统发出的，已拒收。")
    reasons = str(content.get("reasons") or "")
    local = "本系统报送已改为已退回。"
    if answered.submission is None:
        local = "本系统已无对应报送，状态未改变。"
    else:
        try:
            with transaction.atomic():
                reporting.do_receive_return(
                    submission=answered.submission, reasons=reasons or "（未说明原因）", actor=actor
                )
        except (ValidationError, PermissionDenied) as exc:
            local = f"本系统报送状态未改变：{'；'.join(_messages(exc))}"
    stored = _record(
        actor=actor,
        direction=PackageDirection.IN,
        kind=PackageKind.RETURN,
        region=region,
        data=data,
        peer=key.peer,
        submission=answered.submission,
        unit_name=answered.unit_name,
        fingerprint=key.fingerprint,
        verified=True,
        accepted=True,
        result=f"验签通过，上级已退回：{reasons.rstrip('。')}。{local}"[:500],
    )
    record_event(
        actor=actor,
        event="exchange.return_received",
        obj=stored,
        data={"answers": answered.sha256, "reasons": reasons[:300]},
    )
    return stored


# Sending ----------------------------------------------------------------------------------------
def send_submission(*, submission: Submission, actor, scan: tuple[str, bytes] | None = None):
    """Our own signed submission as a package for the instance above (to download or post)."""
    if not reporting.may_fill(actor, submission):
        raise PermissionDenied("只有填报单位本身可以制作报送包。")
    if submission.state not in (SubmissionState.SIGNED, SubmissionState.SUBMITTED):
        raise ValidationError("报送须先签批，才能制作报送包。")
    unit = submission.organization or submission.region
    data = make_package(
        kind=PackageKind.SUBMISSION,
        sender=_sender_of(unit),
        content=reporting.submission_content(submission),
        scan=scan,
    )
    with transaction.atomic():
        package = _record(
            actor=actor,
            direction=PackageDirection.OUT,
            kind=PackageKind.SUBMISSION,
            region=submission.region,
            data=data,
            submission=submission,
            unit_name=submission.unit_name,
            fingerprint=own_identity()["fingerprint"],
            verified=True,
            result="已签名，待上级系统接收。",
        )
        record_event(
            actor=actor, event="exchange.send", obj=package, data={"sha256": package.sha256}
        )
    return package


def send_return(*, received: Package, reasons: str, actor) -> Package:
    """Return an imported submission to the instance below: R2's return, then a signed return
    package naming the package it answers."""
    if received.direction != PackageDirection.IN or not received.accepted:
        raise ValidationError("只能退回已导入的报送包。")
    if received.kind != PackageKind.SUBMISSION or received.submission is None:
        raise ValidationError("只能退回报送包。")
    with transaction.atomic():
        submission = reporting.do_return_external(
            submission=received.submission, reasons=reasons, actor=actor
        )
        content = {
            "package_sha256": received.sha256,
            "unit": received.unit_name,
            "period": {"year": submission.period.year, "form": submission.period.form.name},
            "reasons": submission.return_reasons,
            "returned_at": clock.now().isoformat(),
        }
        region = getattr(actor, "scope_region", None) or received.region
        data = make_package(kind=PackageKind.RETURN, sender=_sender_of(region), content=content)
        package = _record(
            actor=actor,
            direction=PackageDirection.OUT,
            kind=PackageKind.RETURN,
            region=received.region,
            data=data,
            peer=received.peer,
            submission=submission,
            unit_name=received.unit_name,
            fingerprint=own_identity()["fingerprint"],
            verified=True,
            result=f"已退回并签名，待下级系统接收：{submission.return_reasons}"[:500],
        )
        record_event(
            actor=actor, event="exchange.return", obj=package, data={"sha256": package.sha256}
        )
    return package


def register_peer(
    *, name: str, direction: str, region, organization=None, contact: str = "", actor
) -> Peer:
    """A system we trade packages with; its keys are registered next."""
    if not actor.has_model_perm(Peer, "add"):
        raise PermissionDenied("只有机关事务管理部门的账号可以登记交换系统。")
    if not (name or "").strip():
        raise ValidationError({"name": "请填写系统名称。"})
    if direction not in Direction.values:
        raise ValidationError({"direction": "请选择方向。"})
    with transaction.atomic():
        peer = Peer.objects.create(
            name=name.strip()[:100],
            direction=direction,
            region=region,
            organization=organization,
            contact=(contact or "")[:100],
        )
        record_change(actor=actor, instance=peer, action=ObjectChange.Action.CREATE, before=None)
    return peer


def summary(package: Package) -> dict:
    """What a reader checks on a package's page: sender, time, unit, period, figures, scan."""
    try:
        body = json.loads(package.data)
    except json.JSONDecodeError:
        return {"readable": False}
    if not isinstance(body, dict):
        return {"readable": False}
    content = body.get("content") if isinstance(body.get("content"), dict) else {}
    sender = body.get("sender") if isinstance(body.get("sender"), dict) else {}
    created = _moment(body.get("created_at"))
    attachment = body.get("attachment") if isinstance(body.get("attachment"), dict) else None
    signature = body.get("signature") if isinstance(body.get("signature"), dict) else {}
    period = content.get("period") if isinstance(content.get("period"), dict) else {}
    form = content.get("form") if isinstance(content.get("form"), dict) else {}
    values = content.get("values") if isinstance(content.get("values"), dict) else {}
    return {
        "readable": True,
        "sender": str(sender.get("name") or ""),
        "sender_region": str(sender.get("region") or ""),
        "created_at": timezone.localtime(created) if created else None,
        "year": period.get("year"),
        "form": form.get("name") or period.get("form") or "",
        "values": sorted(values.items())[:200],
        "value_count": len(values),
        "reasons": content.get("reasons") or "",
        "signer": (content.get("signature") or {}).get("signer", "")
        if isinstance(content.get("signature"), dict)
        else "",
        "attachment": attachment.get("name") if attachment else "",
        "algorithm": crypto.algorithm_label(str(signature.get("algorithm") or "")),
        "fingerprint": fingerprint(
            str(signature.get("algorithm") or ""), str(signature.get("public_key") or "")
        )
        if signature
        else "",
    }
