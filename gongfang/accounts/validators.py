"""Password rules of DESIGN §6 (Django password validators, Chinese messages) and upload limits.

Limits are read from settings when a password is checked, so a changed setting applies at once
and tests can override them.
"""

from __future__ import annotations

import string

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

# The character classes counted by the policy, with the names a user reads.
CHARACTER_CLASSES: list[tuple[str, str]] = [
    ("大写字母", string.ascii_uppercase),
    ("小写字母", string.ascii_lowercase),
    ("数字", string.digits),
]
SYMBOL_CLASS = "符号"


def character_classes(password: str) -> set[str]:
    """The classes ``password`` uses; anything not a letter or digit counts as a symbol."""
    found = set()
    for char in password:
        for name, chars in CHARACTER_CLASSES:
            if char in chars:
                found.add(name)
                break
        else:
            found.add(SYMBOL_CLASS)
    return found


class MinimumLengthValidator:
    def __init__(self, min_length: int | None = None) -> None:
        self._min_length = min_length

    @property
    def min_length(self) -> int:
        return self._min_length or settings.PASSWORD_MIN_LENGTH

    def validate(self, password: str, user=None) -> None:
        if len(password) < self.min_length:
            raise ValidationError(
                f"密码太短，至少需要 {self.min_length} 个字符。", code="password_too_short"
            )

    def get_help_text(self) -> str:
        return f"至少 {self.min_length} 个字符。"


class CharacterClassesValidator:
    def __init__(self, min_classes: int | None = None) -> None:
        self._min_classes = min_classes

    @property
    def min_classes(self) -> int:
        return self._min_classes or settings.PASSWORD_MIN_CLASSES

    def validate(self, password: str, user=None) -> None:
        used = character_classes(password)
        if len(used) < self.min_classes:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类"
                f"（当前 {len(used)} 类）。",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类。"


class UsernameValidator:
    """The password must not contain the account name (in any letter case)."""

    def validate(self, password: str, user=None) -> None:
        username = getattr(user, "username", "") or ""
        if username and username.lower() in password.lower():
            raise ValidationError("密码不能包含账号名。", code="password_contains_username")

    def get_help_text(self) -> str:
        return "不能包含账号名。"


class PasswordHistoryValidator:
    """The password must be none of the account's last few (the current one included)."""

    def __init__(self, count: int | None = None) -> None:
        self._count = count

    @property
    def count(self) -> int:
        return self._count or settings.PASSWORD_HISTORY_COUNT

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        if self.count <= 0:
            return
        # The current password counts as the first of the last ``count``.
        current = [user.password] if user.password and user.has_usable_password() else []
        earlier = user.password_history.order_by("-created_at", "-pk").values_list(
            "password", flat=True
        )[: self.count - len(current)]
        hashes = current + list(earlier)
        if any(check_password(password, encoded) for encoded in dict.fromkeys(hashes)):
            raise ValidationError(
                f"新密码不能与最近 {self.count} 次使用过的密码相同。", code="password_reused"
            )

    def get_help_text(self) -> str:
        return f"不能与最近 {self.count} 次使用过的密码相同。"


# Uploads -------------------------------------------------------------------------------------
# What a file's first bytes are for the types the system accepts (the extension alone can lie).
FILE_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
}


def _is_stored(value) -> bool:
    """A file already in storage (a model re-validated on edit) was checked when uploaded."""
    return getattr(value, "_committed", False) is True


def _size_label(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):g} MB"
    return f"{size / 1024:g} KB"


@deconstructible
class MaxUploadSizeValidator:
    """A file field's size limit, from ``settings.UPLOAD_MAX_SIZE`` unless given."""

    def __init__(self, max_size: int | None = None) -> None:
        self.max_size = max_size

    def __call__(self, value) -> None:
        if _is_stored(value):
            return
        limit = self.max_size or settings.UPLOAD_MAX_SIZE
        size = getattr(value, "size", None)
        if size is not None and size > limit:
            raise ValidationError(
                f"文件过大（{_size_label(size)}），不能超过 {_size_label(limit)}。",
                code="file_too_large",
            )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MaxUploadSizeValidator) and self.max_size == other.max_size


validate_upload_size = MaxUploadSizeValidator()


def validate_upload_content(value) -> None:
    """The file's content must be what its extension says (PDF, PNG, JPEG)."""
    if _is_stored(value):
        return
    name = getattr(value, "name", "") or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    signatures = FILE_SIGNATURES.get(extension)
    if not signatures:
        return
    position = value.tell() if hasattr(value, "tell") else None
    try:
        value.seek(0)
        head = value.read(16)
    finally:
        if position is not None:
            value.seek(position)
    if not any(head.startswith(sig) for sig in signatures):
        raise ValidationError(
            f"文件内容与扩展名 .{extension} 不符，请上传真实的 {extension.upper()} 文件。",
            code="file_content_mismatch",
        )
