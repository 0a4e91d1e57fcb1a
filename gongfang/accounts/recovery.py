"""Recovery codes as salted hashes: made, hashed and checked here (the device model calls in).

Codes are 10 base32 characters (50 bits), shown once as ``xxxxx-xxxxx``; only a PBKDF2-SHA256
hash with its own salt is stored (Django's hasher). The iteration count is lower than for
passwords — a code has far more entropy than a password and an account has ten of them to check
— yet guessing one from a stolen database takes 2^50 × 60,000 hash rounds.
"""

from __future__ import annotations

import re
import secrets
from base64 import b32encode

from django.contrib.auth.hashers import PBKDF2PasswordHasher

CODE_LENGTH = 10


class RecoveryCodeHasher(PBKDF2PasswordHasher):
    iterations = 60_000


HASHER = RecoveryCodeHasher()


def normalize(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()


def new_code() -> str:
    while True:
        code = b32encode(secrets.token_bytes(10)).decode()[:CODE_LENGTH].lower()
        if not code.isdigit():  # all digits would read as an authenticator's code
            return code


def shown(code: str) -> str:
    """A code as the page shows it, in two groups."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def hash_code(code: str) -> str:
    return HASHER.encode(normalize(code), HASHER.salt())


def matching_code(device, token: str):
    """The unused code of ``device`` that ``token`` is, or None (every code is checked, so the
    time taken does not tell which one matched)."""
    token = normalize(token)
    found = None
    if not token or not re.fullmatch(r"[a-z2-7]{8,16}", token):
        return None
    for code in device.codes.all():
        if HASHER.verify(token, code.code_hash) and found is None:
            found = code
    return found
