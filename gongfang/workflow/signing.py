"""E-signatures (签批): the signer confirms identity again, and the content signed is hashed.

Confirming takes the account's password and a code of its authenticator (TOTP); nothing logs
anyone in, and a wrong code or password counts against the authenticator's throttle (an
exponential wait, as at login). The content
hash covers what the approvers saw: the kind, the applicant and counterparty, the payload and the
subjects, as canonical JSON (sorted keys, no spaces). It uses ``framework.crypto.digest`` when the
project provides it (SM3 by setting), else SHA-256.
"""

from __future__ import annotations

import hashlib
import json

from django.core.exceptions import ValidationError

from ..accounts.otp import normalize_code, totp_device
from ..framework.changelog import record_event
from ..framework.models import ObjectChange
from ..framework.text import is_number

METHOD = "password+totp"


def confirm_identity(*, user, password: str, otp: str, case=None) -> str:
    """Check ``user``'s password and authenticator code; the confirmation method, or a
    ValidationError naming the field. Call it outside the decision's transaction, so a failed
    attempt (the throttle, the audit entry) is kept when the decision is refused."""
    errors: dict[str, str] = {}
    if not password:
        errors["password"] = "电子签批须输入登录密码。"
    if not (otp or "").strip():
        errors["otp"] = "电子签批须输入动态口令。"
    if errors:
        raise ValidationError(errors)
    device = totp_device(user)
    if device is None:
        raise ValidationError(
            {"otp": "您的账号尚未绑定身份验证器，不能电子签批；请先在“账号安全”中绑定。"}
        )
    # Wrong passwords count against the authenticator's back-off like wrong codes: the dialog
    # is no way to guess either.
    if not device.verify_is_allowed()[0]:
        _failed(user, case, "throttled")
        raise ValidationError({"otp": "尝试次数过多，请稍候再试。"})
    if not user.check_password(password):
        device.throttle_increment()
        _failed(user, case, "wrong_password")
        raise ValidationError({"password": "登录密码不正确，未签批。"})
    code = normalize_code(otp)
    if not is_number(code) or not device.verify_token(code):
        _failed(user, case, "wrong_code")
        raise ValidationError({"otp": "动态口令不正确或已使用，未签批。"})
    return METHOD


def _failed(user, case, reason: str) -> None:
    record_event(
        actor=user,
        event="case.sign_failed",
        obj=case,
        result=ObjectChange.Result.FAILURE,
        data={"reason": reason},
    )


def canonical_content(case) -> bytes:
    """What a signature covers, as canonical JSON bytes."""
    subjects = sorted(
        [name, getattr(subject, f"{name}_id")]
        for subject in case.subjects.all()
        for name in subject.SUBJECT_FIELDS
        if getattr(subject, f"{name}_id")
    )
    content = {
        "kind": case.kind,
        "applicant": case.applicant_id,
        "counterparty": case.counterparty_id,
        "payload": case.payload,
        "subjects": subjects,
    }
    text = json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    )
    return text.encode()


def digest(data: bytes) -> tuple[str, str]:
    """(algorithm, hex digest) of ``data`` by the project's configured algorithm."""
    try:
        from ..framework import crypto
    except ImportError:
        return "sha256", hashlib.sha256(data).hexdigest()
    value = crypto.digest(data)
    if isinstance(value, tuple):  # (algorithm, hex)
        return value
    algorithm = getattr(crypto, "digest_algorithm", lambda: "sha256")()
    return str(algorithm), value


def content_hash(case) -> tuple[str, str]:
    return digest(canonical_content(case))
