from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sanhao.demo.world import DEMO_PASSWORD, demo_loaded, demo_logins, seed_demo


class Command(BaseCommand):
    help = "Loads the demo district (13 units, fictional teams, one account per role)."

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError("The demo world is for development only: DEBUG is off.")
        if demo_loaded():
            self.stdout.write("演示数据已存在，直接使用。")
        else:
            seed_demo()
            self.stdout.write("演示数据已载入：姜堰区 13 个镇街。")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for login in demo_logins():
            self.stdout.write(f"  {login.username:<22} {login.role:<8} {login.unit}")
