from django.core.management.base import BaseCommand, CommandError

from skillbridge.audit.services import audit_verify


class Command(BaseCommand):
    help = "校验审计日志哈希链，报告第一个断开的环节"

    def handle(self, *args, **options):
        report = audit_verify()
        if not report.ok:
            raise CommandError(
                f"审计链在事件 #{report.broken_id} 处断开：{report.problem}（已校验 {report.checked} 条）"
            )
        self.stdout.write(f"审计链完整：共校验 {report.checked} 条事件。")
