"""``manage.py rebuild_search_index``: index every current document's title and text again
(after restoring a database, or when the segmentation changes)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from ...search import rebuild_index


class Command(BaseCommand):
    help = "重建档案资料全文检索索引（全部现行版本）"

    def add_arguments(self, parser) -> None:
        parser.add_argument("--batch", type=int, default=500, help="每批索引的资料份数")

    def handle(self, *args, batch: int, **options) -> None:
        started = time.monotonic()
        count = rebuild_index(batch=max(1, batch))
        self.stdout.write(
            f"已重建全文检索索引：{count} 份资料，用时 {time.monotonic() - started:.1f} 秒。"
        )
