"""`skillbridge reporting_refresh [--unit ID …] [--month 2026-07 …]`: rebuild the dashboards' rollup now."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from skillbridge.reporting.services import rollup_refresh


class Command(BaseCommand):
    help = "重新计算统计看板的汇总数据（默认全部单位、全部月份）"

    def add_arguments(self, parser):
        parser.add_argument("--unit", type=int, action="append", default=[], help="单位 ID（可重复）")
        parser.add_argument("--month", action="append", default=[], help="月份，如 2026-07（可重复）")

    def handle(self, *args, unit, month, **options):
        try:
            months = [dt.date(int(m[:4]), int(m[5:7]), 1) for m in month]
        except (ValueError, IndexError) as exc:
            raise CommandError("月份格式应为 2026-07") from exc
        run = rollup_refresh(actor=None, units=unit or None, months=months or None)
        self.stdout.write(f"汇总数据已更新（所涉单位现有 {run.cells} 行），用时 {run.seconds:.1f} 秒")
