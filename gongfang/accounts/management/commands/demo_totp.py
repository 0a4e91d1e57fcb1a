"""``manage.py demo_totp <username> [--qr]``: the second factor of a demo account.

Prints the current six-digit code (to type in at login) and the otpauth:// URI of the account's
authenticator (to add it to an authenticator app; ``--qr`` draws it as a QR code in the
terminal). Only for the demo accounts of ``load_demo``: a real account's key never leaves its
enrolment page.
"""

from __future__ import annotations

import io
import time

import segno
from django.core.management.base import BaseCommand, CommandError

from ...models import User
from ...otp import current_code, totp_device


class Command(BaseCommand):
    help = "显示演示账号的当前动态口令和身份验证器绑定地址（otpauth://）。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("username", help="演示账号，如 zz_bureau")
        parser.add_argument("--qr", action="store_true", help="同时在终端中显示二维码，供手机扫描")

    def handle(self, *args, username: str, qr: bool, **options) -> None:
        from ....registry.demo.accounts import DEMO_PASSWORD, demo_accounts

        listed = username in {a.username for a in demo_accounts("province")}
        user = User.objects.filter(username=username).first()
        if user is None and listed:
            raise CommandError(f"账号 {username} 不存在，请先运行 manage.py load_demo。")
        # Demo parts add accounts of their own (reporting's jh_unit): the public demo password
        # marks them; an account with any other password is not a demo account.
        if user is None or not (listed or user.check_password(DEMO_PASSWORD)):
            raise CommandError(f"{username} 不是演示账号；本命令只用于演示账号。")
        device = totp_device(user)
        if device is None:
            raise CommandError(f"账号 {username} 未绑定身份验证器（其角色不要求双因素认证）。")
        now = time.time()
        remaining = device.step - int(now - device.t0) % device.step
        if device.last_t >= int(now - device.t0) // device.step:
            # This half-minute's code was just used (the demo's build signs with it): the next
            # one is accepted already (the authenticator's tolerance of one step) and unused.
            code = current_code(device, at=now + device.step)
            remaining += device.step
        else:
            code = current_code(device, at=now)
        self.stdout.write(f"当前动态口令：{code}（{remaining} 秒内有效）")
        self.stdout.write(f"身份验证器绑定地址：{device.config_url}")
        if qr:
            drawing = io.StringIO()
            segno.make(device.config_url, error="m").terminal(out=drawing, compact=True)
            self.stdout.write(drawing.getvalue(), ending="")
