from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sanhao.audit.services import verify_chain

PROBLEMS = {
    "missing": gettext_noop("Entry #%(seq)s is missing (removed)."),
    "broken link": gettext_noop(
        "Entry #%(seq)s does not follow the entry before it (an earlier entry was removed "
        "or altered)."
    ),
    "altered": gettext_noop("Entry #%(seq)s was altered: its content no longer matches its hash."),
}


class Command(BaseCommand):
    help = "Checks the hash chain of the audit log and reports the first entry altered or removed."

    def handle(self, *args: object, **options: object) -> None:
        translation.activate(settings.LANGUAGE_CODE)  # a command has no request to choose it
        report = verify_chain()
        if not report.ok:
            message = _(PROBLEMS[report.problem]) % {"seq": report.first_bad_seq}
            raise CommandError(
                _("Audit log check failed after %(n)s good entries. %(message)s")
                % {"n": report.checked, "message": message}
            )
        self.stdout.write(_("Audit log intact: %(n)s entries checked.") % {"n": report.checked})
