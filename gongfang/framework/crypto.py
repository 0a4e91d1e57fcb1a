"""One small interface for the system's cryptography: digests, keyed digests (MACs) and
signatures.

Everything that hashes or signs for the record — the audit trail's chain and checkpoints, the
content hash and signatures of cases and reports, exchange packages — goes through here, so a
deployment switches algorithms by one setting, ``CRYPTO_SUITE``:

- ``standard`` (the default): SHA-256, HMAC-SHA256, Ed25519 (RFC 8032);
- ``sm`` (商用密码, for 密评): SM3 (GB/T 32905), HMAC-SM3, SM2 signatures with SM3 (GB/T 32918),
  through gmssl.

What was written records its algorithm's name (``sha256``, ``hmac-sm3``, ``sm2``…), and
verification takes the name recorded, so records made before a switch still verify after it.
Keys are bytes; a signing key pair is derived from a secret (never stored in the database,
see ``framework.keyring``), its public key exported as hex.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

STANDARD = "standard"
SM = "sm"


@dataclass(frozen=True)
class Suite:
    digest: str
    mac: str
    signature: str
    label: str


SUITES: dict[str, Suite] = {
    STANDARD: Suite(
        "sha256", "hmac-sha256", "ed25519", "国际通用算法（SHA-256、HMAC-SHA256、Ed25519）"
    ),
    SM: Suite("sm3", "hmac-sm3", "sm2", "商用密码算法（SM3、HMAC-SM3、SM2）"),
}

# What an algorithm's name reads as on a page.
ALGORITHM_LABELS = {
    "sha256": "SHA-256",
    "sm3": "SM3",
    "hmac-sha256": "HMAC-SHA256",
    "hmac-sm3": "HMAC-SM3",
    "ed25519": "Ed25519",
    "sm2": "SM2",
}


def suite() -> Suite:
    """The configured suite (``CRYPTO_SUITE``)."""
    name = getattr(settings, "CRYPTO_SUITE", STANDARD) or STANDARD
    try:
        return SUITES[name]
    except KeyError:
        raise ImproperlyConfigured(
            f"CRYPTO_SUITE 取值无效：{name!r}（可选 {', '.join(SUITES)}）。"
        ) from None


def _bytes(data: bytes | str) -> bytes:
    return data.encode("utf-8") if isinstance(data, str) else data


# Digests -------------------------------------------------------------------------------------
def sm3_digest(data: bytes) -> bytes:
    from gmssl import sm3

    return bytes.fromhex(sm3.sm3_hash(list(data)))


def _raw_digest(algorithm: str, data: bytes) -> bytes:
    if algorithm == "sha256":
        return hashlib.sha256(data).digest()
    if algorithm == "sm3":
        return sm3_digest(data)
    raise ValueError(f"unknown digest algorithm {algorithm!r}")


def digest(data: bytes | str, *, algorithm: str | None = None) -> str:
    """The digest (hex) of ``data`` with ``algorithm`` (default: the suite's)."""
    return _raw_digest(algorithm or suite().digest, _bytes(data)).hex()


def digest_algorithm() -> str:
    return suite().digest


# Keyed digests (HMAC, RFC 2104) ----------------------------------------------------------------
_BLOCK = 64  # SHA-256 and SM3 both work on 64-byte blocks


class Mac:
    """A MAC with one key, ready for many messages (the key's pads are worked out once)."""

    def __init__(self, key: bytes, algorithm: str | None = None):
        self.algorithm = algorithm or suite().mac
        if self.algorithm == "hmac-sha256":
            self._hmac = hmac.new(key, digestmod=hashlib.sha256)
        elif self.algorithm == "hmac-sm3":
            if len(key) > _BLOCK:
                key = sm3_digest(key)
            key = key.ljust(_BLOCK, b"\0")
            self._inner = bytes(b ^ 0x36 for b in key)
            self._outer = bytes(b ^ 0x5C for b in key)
        else:
            raise ValueError(f"unknown MAC algorithm {self.algorithm!r}")

    def hexdigest(self, data: bytes | str) -> str:
        data = _bytes(data)
        if self.algorithm == "hmac-sha256":
            mac = self._hmac.copy()
            mac.update(data)
            return mac.hexdigest()
        return sm3_digest(self._outer + sm3_digest(self._inner + data)).hex()


def mac(key: bytes, data: bytes | str, *, algorithm: str | None = None) -> str:
    """The keyed digest (hex) of ``data`` under ``key`` with ``algorithm`` (default: the
    suite's)."""
    return Mac(key, algorithm).hexdigest(data)


def mac_algorithm() -> str:
    return suite().mac


def derive_key(secret: bytes, purpose: str) -> bytes:
    """A key for one purpose ("audit-chain", "checkpoint-signing"…) from a secret: HMAC-SHA256
    of the purpose, so that one secret never serves two uses directly."""
    return hmac.new(secret, purpose.encode("utf-8"), hashlib.sha256).digest()


# Signatures ------------------------------------------------------------------------------------
# SM2's group order (GB/T 32918.5).
_SM2_N = int("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123", 16)


def _sm2(private_hex: str = "", public_hex: str = ""):
    from gmssl import sm2

    return sm2.CryptSM2(private_key=private_hex, public_key=public_hex)


def _sm2_private(seed: bytes) -> str:
    # A scalar in [1, n-2] (SM2 excludes n-1), derived from the 32-byte seed.
    return f"{int.from_bytes(seed, 'big') % (_SM2_N - 2) + 1:064x}"


class SigningKey:
    """A signing key pair derived from a 32-byte ``seed`` for ``algorithm`` (default: the
    suite's). The seed comes from a secret kept outside the database."""

    def __init__(self, seed: bytes, algorithm: str | None = None):
        self.algorithm = algorithm or suite().signature
        if len(seed) != 32:
            raise ValueError("a signing seed is 32 bytes")
        if self.algorithm == "ed25519":
            from Cryptodome.PublicKey import ECC

            self._key = ECC.construct(curve="Ed25519", seed=seed)
            self.public_key = self._key.public_key().export_key(format="raw").hex()
        elif self.algorithm == "sm2":
            from gmssl import sm2

            self._private = _sm2_private(seed)
            point = _sm2(self._private)._kg(int(self._private, 16), sm2.default_ecc_table["g"])
            self.public_key = point
        else:
            raise ValueError(f"unknown signature algorithm {self.algorithm!r}")

    def sign(self, data: bytes | str) -> str:
        """The signature (hex) of ``data``."""
        data = _bytes(data)
        if self.algorithm == "ed25519":
            from Cryptodome.Signature import eddsa

            return eddsa.new(self._key, "rfc8032").sign(data).hex()
        signer = _sm2(self._private, self.public_key)
        while True:
            # gmssl's own nonce comes from ``random``: a predictable nonce gives the key away.
            nonce = secrets.randbelow(_SM2_N - 1) + 1
            signature = signer.sign_with_sm3(data, f"{nonce:064x}")
            if signature:
                return signature


def verify_signature(*, public_key: str, data: bytes | str, signature: str, algorithm: str) -> bool:
    """Whether ``signature`` (hex) is ``public_key``'s signature of ``data``."""
    data = _bytes(data)
    try:
        if algorithm == "ed25519":
            from Cryptodome.Signature import eddsa

            key = eddsa.import_public_key(bytes.fromhex(public_key))
            eddsa.new(key, "rfc8032").verify(data, bytes.fromhex(signature))
            return True
        if algorithm == "sm2":
            if len(signature) != 128 or len(public_key) != 128:
                return False
            bytes.fromhex(signature)
            return bool(_sm2("", public_key).verify_with_sm3(signature, data))
    except (ValueError, TypeError):
        return False
    raise ValueError(f"unknown signature algorithm {algorithm!r}")


def signature_algorithm() -> str:
    return suite().signature


def algorithm_label(name: str) -> str:
    return ALGORITHM_LABELS.get(name, name)
