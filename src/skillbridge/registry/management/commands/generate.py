"""`skillbridge generate --people N --seed S [--units 名称 …] [--today YYYY-MM-DD] [--xlsx PATH]`."""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from skillbridge.accounts.models import Organisation
from skillbridge.registry import generator


class Command(BaseCommand):
    help = "生成确定性的模拟人员及羁押记录（写入数据库，或用 --xlsx 写成导入模板格式的名单文件）"

    def add_arguments(self, parser):
        parser.add_argument("--people", type=int, required=True, help="人数")
        parser.add_argument("--seed", type=int, default=1, help="随机种子（相同种子生成相同数据）")
        parser.add_argument(
            "--units", nargs="+", default=None, help="单位名称（默认全部监狱、戒毒所、社区矫正机构）"
        )
        parser.add_argument("--today", type=date.fromisoformat, default=None, help="基准日期（默认今天）")
        parser.add_argument(
            "--xlsx", default=None, help="只写名单文件（registry.people 模板格式），不写数据库"
        )

    def handle(self, *args, people, seed, units, today, xlsx, **options):
        if people <= 0:
            raise CommandError("--people 须为正整数")
        chosen = generator.default_units()
        if units:
            found = {o.name: o for o in Organisation.objects.filter(name__in=units)}
            missing = [u for u in units if u not in found]
            if missing:
                raise CommandError(f"单位不存在：{'、'.join(missing)}")
            chosen = [found[u] for u in units]
        if not chosen:
            raise CommandError("没有可用的单位：请先创建监狱、戒毒所或社区矫正机构（如 skillbridge demo）")
        today = today or timezone.localdate()
        records = generator.generate(chosen, people, seed, today)
        start = time.perf_counter()
        if xlsx:
            count = generator.write_roster(xlsx, records)
            self.stdout.write(f"已写入 {xlsx}：{count} 行（{time.perf_counter() - start:.1f} 秒）")
            return
        counts = generator.insert(records)
        self.stdout.write(
            f"已生成 人员 {counts['people']}、羁押记录 {counts['episodes']}、减刑记录 {counts['release_changes']}，"
            f"跳过已存在 {counts['skipped']}（{time.perf_counter() - start:.1f} 秒）"
        )
