from django.core.management import call_command
from django.core.management.base import BaseCommand

from skillbridge.demo import DEMO_PASSWORD, load_full_demo


class Command(BaseCommand):
    help = "迁移数据库并载入演示数据（可重复执行），打印演示账号"

    def handle(self, *args, **options):
        call_command("migrate", interactive=False, verbosity=0)
        accounts = load_full_demo()
        self.stdout.write(f"演示数据已就绪。演示账号（密码均为 {DEMO_PASSWORD}）：")
        width = max(len(u) for u, _, _ in accounts)
        for username, org, roles in accounts:
            self.stdout.write(f"  {username.ljust(width)}  {org}  {roles}")
