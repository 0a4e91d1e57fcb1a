"""``manage.py renumber_region <old> <new> --by <username>``: a region's new GB/T 2260 code.

Codes of regions in use are not editable on the pages or through the API (a mistyped code would
rewrite the paths of a whole subtree); when the state changes a code, this command applies it
with the paths of every region below, in one transaction, recorded in the change log as the
account named by ``--by`` (which must be allowed to change the region).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from ....accounts.models import User
from ...models import Region
from ...services import renumber_region


class Command(BaseCommand):
    help = "变更行政区划代码（国家调整区划代码时使用）：同时改写其下级区划的路径，记入变更日志。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("old", help="现区划代码，如 370481")
        parser.add_argument("new", help="新区划代码，如 370485")
        parser.add_argument("--by", required=True, help="执行变更的账号（须有修改该区划的权限）")

    def handle(self, *args, old: str, new: str, by: str, **options) -> None:
        actor = User.objects.filter(username=by, is_active=True).first()
        if actor is None:
            raise CommandError(f"账号 {by} 不存在或已停用。")
        region = Region.objects.filter(code=old).first()
        if region is None:
            raise CommandError(f"区划代码 {old} 不存在。")
        try:
            renumber_region(actor=actor, region=region, code=new)
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        below = Region.objects.filter(path__startswith=region.path).count() - 1
        self.stdout.write(
            self.style.SUCCESS(
                f"区划“{region.name}”的代码已由 {old} 改为 {new}，下级区划 {below} 个的路径已改写。"
            )
        )
