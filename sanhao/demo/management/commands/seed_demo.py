from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sanhao.ballots.codes import shown
from sanhao.ballots.demo import demo_code
from sanhao.demo import world
from sanhao.demo.world import DEMO_PASSWORD, demo_loaded, demo_logins, seed_demo


class Command(BaseCommand):
    help = "Loads the demo district (13 units, fictional teams, one account per role)."

    def handle(self, *args: object, **options: object) -> None:
        if not settings.DEBUG:
            raise CommandError("The demo world is for development only: DEBUG is off.")
        if demo_loaded():
            self.stdout.write("演示数据已存在，直接使用。")
            code = demo_code()
        else:
            seed_demo()
            self.stdout.write("演示数据已载入：姜堰区 13 个镇街。")
            code = world.VOTER_CODE
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for login in demo_logins():
            self.stdout.write(f"  {login.username:<22} {login.role:<8} {login.unit}")
        if code:
            self.stdout.write(
                f"民主测评投票（无需登录）：打开 /vote/ ，输入投票码 {shown(code)}（每码只能投一次）"
            )
