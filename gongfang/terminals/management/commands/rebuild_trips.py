"""``manage.py rebuild_trips``: rebuild a vehicle's trips of a day from its stored positions."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from ....framework.text import is_number
from ....vehicles.models import Vehicle
from ...trips import rebuild_day


class Command(BaseCommand):
    help = "根据已存定位数据重建某车某日的行程。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("vehicle", help="车辆号牌或 ID")
        parser.add_argument("day", help="日期 YYYY-MM-DD")

    def handle(self, *args, **options) -> None:
        key = options["vehicle"]
        vehicle = (
            Vehicle.objects.filter(pk=int(key)).first() if is_number(key) else None
        ) or Vehicle.objects.filter(plate=key).first()
        if vehicle is None:
            raise CommandError(f"车辆“{key}”不存在。")
        try:
            day = datetime.date.fromisoformat(options["day"])
        except ValueError:
            raise CommandError(f"日期“{options['day']}”无效，应为 YYYY-MM-DD。") from None
        removed, trips = rebuild_day(vehicle, day)
        self.stdout.write(
            f"{vehicle.plate} {day:%Y-%m-%d}：删除原行程 {removed} 条，重建 {len(trips)} 条，"
            f"共 {sum(t.distance_km for t in trips):.1f} 公里"
        )
