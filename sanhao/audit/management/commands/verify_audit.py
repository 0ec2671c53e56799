import re

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sanhao.audit import guards
from sanhao.audit.services import verify_chain

PROBLEMS = {
    "missing": gettext_noop("Entry #%(seq)s is missing (removed)."),
    "broken link": gettext_noop(
        "Entry #%(seq)s does not follow the entry before it (an earlier entry was removed "
        "or altered)."
    ),
    "altered": gettext_noop("Entry #%(seq)s was altered: its content no longer matches its hash."),
    "not as written down": gettext_noop(
        "Entry #%(seq)s differs from the chain head written down earlier."
    ),
}
HEAD = re.compile(r"^#?(\d+):([0-9a-fA-F]{16,64})$")


class Command(BaseCommand):
    help = "Checks the hash chain of the audit log and reports the first entry altered or removed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--head",
            help="A chain head written down earlier, as SEQ:HASH (at least 16 characters of "
            "the hash): the chain must still hold that entry.",
        )

    def handle(self, *args: object, **options: object) -> None:
        translation.activate(settings.LANGUAGE_CODE)  # a command has no request to choose it
        expect = None
        if options.get("head"):
            match = HEAD.match(str(options["head"]).strip())
            if match is None:
                raise CommandError(
                    _("--head must be SEQ:HASH, e.g. 120:3f9a0c1d2e4b5a69 (16 to 64 hex digits).")
                )
            expect = (int(match.group(1)), match.group(2))
        report = verify_chain(expect=expect)
        if not report.ok:
            message = _(PROBLEMS[report.problem]) % {"seq": report.first_bad_seq}
            raise CommandError(
                _("Audit log check failed after %(n)s good entries. %(message)s")
                % {"n": report.checked, "message": message}
            )
        missing = guards.expected(connection) - guards.installed(connection)
        if missing:
            raise CommandError(
                _(
                    "The audit log's %(n)s entries are intact, but the database no longer "
                    "guards them: missing or disabled triggers %(names)s. Run migrate to put "
                    "them back, and find out who removed them."
                )
                % {"n": report.checked, "names": ", ".join(sorted(missing))}
            )
        self.stdout.write(_("Audit log intact: %(n)s entries checked.") % {"n": report.checked})
