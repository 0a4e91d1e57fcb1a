"""The one interface for hashing and signing (issue 19, 商用密码): the standard suite and SM3/SM2,
each checked against published vectors where there are some, and the setting that switches."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from .. import crypto, keyring


def _reference_hmac(digest, key: bytes, message: bytes) -> bytes:
    """RFC 2104 written out, for any 64-byte-block digest."""
    if len(key) > 64:
        key = digest(key)
    key = key.ljust(64, b"\0")
    inner = digest(bytes(b ^ 0x36 for b in key) + message)
    return digest(bytes(b ^ 0x5C for b in key) + inner)


def test_digests_match_published_vectors():
    assert crypto.digest(b"abc", algorithm="sha256") == hashlib.sha256(b"abc").hexdigest()
    # GB/T 32905-2016, example 1 and 2.
    assert crypto.digest(b"abc", algorithm="sm3") == (
        "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    )
    assert crypto.digest(b"abcd" * 16, algorithm="sm3") == (
        "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    )


def test_macs():
    # RFC 4231, test case 2.
    assert crypto.mac(b"Jefe", "what do ya want for nothing?", algorithm="hmac-sha256") == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )
    # The written-out RFC 2104 agrees with Python's hmac for SHA-256, so it is a fair reference
    # for HMAC-SM3, short and long keys alike.
    for key in (b"k" * 16, b"K" * 100):
        assert (
            _reference_hmac(lambda d: hashlib.sha256(d).digest(), key, b"message")
            == hmac.new(key, b"message", hashlib.sha256).digest()
        )
        assert crypto.mac(key, b"message", algorithm="hmac-sm3") == (
            _reference_hmac(crypto.sm3_digest, key, b"message").hex()
        )
    assert crypto.mac(b"a" * 32, "x", algorithm="hmac-sm3") != crypto.mac(
        b"b" * 32, "x", algorithm="hmac-sm3"
    )


@pytest.mark.parametrize("algorithm", ["ed25519", "sm2"])
def test_signatures(algorithm):
    key = crypto.SigningKey(b"\x01" * 32, algorithm)
    signature = key.sign("审计检查点")
    assert key.public_key == crypto.SigningKey(b"\x01" * 32, algorithm).public_key
    assert crypto.verify_signature(
        public_key=key.public_key, data="审计检查点", signature=signature, algorithm=algorithm
    )
    assert not crypto.verify_signature(
        public_key=key.public_key, data="审计检查点!", signature=signature, algorithm=algorithm
    )
    other = crypto.SigningKey(b"\x02" * 32, algorithm)
    assert not crypto.verify_signature(
        public_key=other.public_key, data="审计检查点", signature=signature, algorithm=algorithm
    )
    assert not crypto.verify_signature(
        public_key=key.public_key, data="审计检查点", signature="00", algorithm=algorithm
    )


def test_sm2_nonce_is_fresh():
    # gmssl's own nonce comes from ``random``; ours from ``secrets``: two signatures differ.
    key = crypto.SigningKey(b"\x03" * 32, "sm2")
    assert key.sign("x") != key.sign("x")


def test_the_setting_switches_the_suite():
    assert crypto.suite().digest == "sha256"
    assert crypto.digest("abc") == hashlib.sha256(b"abc").hexdigest()
    standard_seal = keyring.seal("报告")
    assert standard_seal.algorithm == "ed25519"
    with override_settings(CRYPTO_SUITE="sm"):
        assert crypto.digest("abc") == crypto.digest("abc", algorithm="sm3")
        assert crypto.mac_algorithm() == "hmac-sm3"
        sm_seal = keyring.seal("报告")
        assert sm_seal.algorithm == "sm2"
        assert keyring.verify_seal("报告", sm_seal)
        # What was sealed before the switch still verifies: the algorithm is recorded.
        assert keyring.verify_seal("报告", standard_seal)
    assert keyring.verify_seal("报告", sm_seal.as_dict())
    assert not keyring.verify_seal("报告!", sm_seal)
    with override_settings(CRYPTO_SUITE="md5"), pytest.raises(ImproperlyConfigured):
        crypto.suite()


def test_a_seal_of_a_foreign_key_is_refused():
    seal = keyring.seal("包")
    foreign = crypto.SigningKey(b"\x09" * 32, seal.algorithm)
    forged = keyring.Seal(seal.algorithm, seal.key_id, foreign.public_key, foreign.sign("包"))
    assert not keyring.verify_seal("包", forged)
    assert not keyring.verify_seal("包", keyring.Seal(seal.algorithm, "nope", "", ""))
