"""``manage.py audit_key``: the audit keys (kept outside the database).

    audit_key show      the keys' ids, the current one, and the checkpoint verification keys
    audit_key rotate    a new current key, appended to the key file (the old ones stay for
                        verifying what they sealed); with AUDIT_KEYS set, printed for the
                        operator to append there

The secret of a key is never printed, except the new one for AUDIT_KEYS.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from ... import crypto, keyring
from ...checkpoints import PURPOSE


class Command(BaseCommand):
    help = "查看或轮换审计密钥（密钥保存在数据库以外：环境变量 AUDIT_KEYS 或密钥文件）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["show", "rotate"], help="show：查看；rotate：轮换")

    def handle(self, *args, action: str, **options) -> None:
        from django.conf import settings

        try:
            if action == "rotate":
                key = keyring.rotate()
                if (settings.AUDIT_KEYS or "").strip():
                    self.stdout.write(
                        "已生成新密钥。请把下面一项追加到环境变量 AUDIT_KEYS 的末尾"
                        "（逗号分隔，保留原有各项），然后重启服务：\n"
                        f"{key.id}:{key.secret.hex()}"
                    )
                else:
                    self.stdout.write(
                        self.style.SUCCESS(
                            f"已生成新密钥 {key.id} 并追加到 {keyring.key_file()}，"
                            "此后的审计记录以它封存；原有密钥保留用于校验。"
                        )
                    )
                return
            keys = keyring.keys()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        source = (
            "环境变量 AUDIT_KEYS"
            if (settings.AUDIT_KEYS or "").strip()
            else str(keyring.key_file())
        )
        self.stdout.write(f"密钥来源：{source}；密码算法：{crypto.suite().label}")
        for key in keys:
            current = "（当前）" if key is keys[-1] else ""
            signing = key.signing_key(PURPOSE)
            self.stdout.write(
                f"{key.id}{current}  检查点验签公钥（{crypto.algorithm_label(signing.algorithm)}）："
                f"{signing.public_key}"
            )
