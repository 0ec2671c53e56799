import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sanhao.accounts.models import AccountRole
from sanhao.accounts.services import create_account
from sanhao.lib.errors import DomainError
from sanhao.orgs.models import Unit


class Command(BaseCommand):
    help = (
        "Creates an account with a role. The password is asked for, or read from "
        "SANHAO_PASSWORD when there is no terminal."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--role", choices=AccountRole.values, required=True)
        parser.add_argument("--unit", help="the unit code of a liaison account")
        parser.add_argument("--name", default="", help="the person's or office's name")

    def handle(self, *args: object, **options: str) -> None:
        unit = None
        if options["unit"]:
            unit = Unit.objects.filter(code=options["unit"]).first()
            if unit is None:
                raise CommandError(f"没有代码为 {options['unit']} 的镇街。")
        password = os.environ.get("SANHAO_PASSWORD") or getpass.getpass("密码：")
        try:
            validate_password(password)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        try:
            user = create_account(
                username=options["username"], password=password, role=options["role"],
                unit=unit, full_name=options["name"], actor=None,
            )  # fmt: skip
        except DomainError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"已创建账号 {user.username}（{user.get_role_display()}）。")
