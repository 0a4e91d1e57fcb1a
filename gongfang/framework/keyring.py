"""The system's secret keys, kept outside the database: the audit chain's MAC and the signatures
of checkpoints and documents are made with them.

Keys come from the environment variable ``AUDIT_KEYS`` (``id:hex,id:hex``) when it is set, else
from the key file ``AUDIT_KEY_FILE`` (one ``id hex`` per line; ``#`` starts a comment). The last
key listed is the current one (new entries are sealed with it); the earlier ones stay for
verifying what they sealed — rotation appends a key (``manage.py audit_key rotate``), it never
removes one. Each sealed record names its key's id.

When neither is set and ``AUDIT_KEY_GENERATE`` is on (development, tests, the demo), the key
file is created with one random key on first use; in production (``settings_production``) the
operator provides the key and a missing one is an error.
"""

from __future__ import annotations

import functools
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from . import crypto

KEY_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
MIN_SECRET_BYTES = 32


@dataclass(frozen=True)
class Key:
    id: str
    secret: bytes = b""

    def __repr__(self) -> str:  # never the secret in a traceback or log
        return f"Key({self.id!r})"

    def derive(self, purpose: str) -> bytes:
        return crypto.derive_key(self.secret, purpose)

    def signing_key(self, purpose: str, algorithm: str | None = None) -> crypto.SigningKey:
        return _signing_key(
            self.id, self.secret, purpose, algorithm or crypto.signature_algorithm()
        )


@functools.lru_cache(maxsize=64)
def _signing_key(key_id: str, secret: bytes, purpose: str, algorithm: str) -> crypto.SigningKey:
    return crypto.SigningKey(crypto.derive_key(secret, purpose), algorithm)


def _parse(entries: list[tuple[str, str]], where: str) -> tuple[Key, ...]:
    keys: dict[str, Key] = {}
    for key_id, value in entries:
        if not KEY_ID.match(key_id):
            raise ImproperlyConfigured(
                f"{where}：密钥编号“{key_id}”无效（字母、数字、._-，至多 32 位）。"
            )
        try:
            secret = bytes.fromhex(value)
        except ValueError:
            raise ImproperlyConfigured(f"{where}：密钥“{key_id}”不是十六进制文本。") from None
        if len(secret) < MIN_SECRET_BYTES:
            raise ImproperlyConfigured(
                f"{where}：密钥“{key_id}”过短（至少 {MIN_SECRET_BYTES} 字节，即 64 位十六进制）。"
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"{where}：密钥编号“{key_id}”重复。")
        keys[key_id] = Key(key_id, secret)
    if not keys:
        raise ImproperlyConfigured(f"{where}：没有密钥。")
    return tuple(keys.values())


def _from_text(text: str) -> list[tuple[str, str]]:
    entries = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            parts = line.split()
            if len(parts) != 2:
                raise ImproperlyConfigured(
                    f"审计密钥文件格式错误：每行应为“编号 十六进制密钥”（{parts[0]}）。"
                )
            entries.append((parts[0], parts[1]))
    return entries


@functools.lru_cache(maxsize=8)
def _from_env(value: str) -> tuple[Key, ...]:
    entries = []
    for item in value.split(","):
        if item.strip():
            key_id, _, secret = item.strip().partition(":")
            entries.append((key_id.strip(), secret.strip()))
    return _parse(entries, "环境变量 AUDIT_KEYS")


@functools.lru_cache(maxsize=8)
def _from_file(path: str, mtime_ns: int, size: int) -> tuple[Key, ...]:
    return _parse(_from_text(Path(path).read_text(encoding="utf-8")), f"审计密钥文件 {path}")


def key_file() -> Path:
    return Path(settings.AUDIT_KEY_FILE)


def new_key_line(key_id: str | None = None) -> tuple[str, str]:
    """A new key: (id, hex secret). The id is the date and a random suffix."""
    key_id = key_id or f"k{timezone.localdate():%Y%m%d}-{secrets.token_hex(2)}"
    return key_id, secrets.token_hex(MIN_SECRET_BYTES)


def _generate(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    key_id, secret = new_key_line()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return  # another process made it first
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(
            "# 公房管理系统审计密钥（勿入库、勿提交）：每行“编号 十六进制密钥”，最后一行为当前密钥。\n"
            f"{key_id} {secret}\n"
        )


def keys() -> tuple[Key, ...]:
    """Every key, the current one last."""
    value = (getattr(settings, "AUDIT_KEYS", "") or "").strip()
    if value:
        return _from_env(value)
    path = key_file()
    if not path.exists():
        if not getattr(settings, "AUDIT_KEY_GENERATE", False):
            raise ImproperlyConfigured(
                f"没有审计密钥：请设置环境变量 AUDIT_KEYS，或提供密钥文件 {path}"
                "（manage.py audit_key rotate 可生成）。"
            )
        _generate(path)
    stat = path.stat()
    return _from_file(str(path), stat.st_mtime_ns, stat.st_size)


def current() -> Key:
    return keys()[-1]


def get(key_id: str) -> Key | None:
    for key in keys():
        if key.id == key_id:
            return key
    return None


def rotate() -> Key:
    """Append a new key to the key file (it becomes the current one); the old ones stay.

    With ``AUDIT_KEYS`` set the environment is the operator's: the new key is returned for them
    to append there, and nothing is written.
    """
    key_id, secret = new_key_line()
    if (getattr(settings, "AUDIT_KEYS", "") or "").strip():
        return Key(key_id, bytes.fromhex(secret))
    path = key_file()
    if path.exists():
        existing = {key.id for key in keys()}
        while key_id in existing:
            key_id, secret = new_key_line()
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"{key_id} {secret}\n")
            handle.flush()
            os.fsync(handle.fileno())
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(f"{key_id} {secret}\n")
    return Key(key_id, bytes.fromhex(secret))


# Documents: signatures by the system (cases, reports, exchange packages) --------------------------
DOCUMENT_PURPOSE = "document-signing"


@dataclass(frozen=True)
class Seal:
    """A signature made by the system's current key: what a verifier needs besides the data."""

    algorithm: str
    key_id: str
    public_key: str
    signature: str

    def as_dict(self) -> dict[str, str]:
        return {
            "algorithm": self.algorithm,
            "key_id": self.key_id,
            "public_key": self.public_key,
            "signature": self.signature,
        }


def seal(data: bytes | str, *, purpose: str = DOCUMENT_PURPOSE) -> Seal:
    """Sign ``data`` with the current key (the algorithm of ``CRYPTO_SUITE``)."""
    key = current()
    signing = key.signing_key(purpose)
    return Seal(signing.algorithm, key.id, signing.public_key, signing.sign(data))


def verify_seal(data: bytes | str, seal: Seal | dict, *, purpose: str = DOCUMENT_PURPOSE) -> bool:
    """Whether ``seal`` is the system's signature of ``data``: its key must be one of ours (the
    public key it names is checked against the key's own), and the signature must hold."""
    if isinstance(seal, dict):
        try:
            seal = Seal(**{k: seal[k] for k in ("algorithm", "key_id", "public_key", "signature")})
        except KeyError:
            return False
    key = get(seal.key_id)
    if key is None:
        return False
    try:
        expected = key.signing_key(purpose, seal.algorithm).public_key
    except ValueError:
        return False
    if expected != seal.public_key:
        return False
    return crypto.verify_signature(
        public_key=seal.public_key, data=data, signature=seal.signature, algorithm=seal.algorithm
    )
