"""manage.py restore PATH [--yes]: a backup back into the database and MEDIA_ROOT."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from sanhao.audit.management.commands.verify_audit import PROBLEMS
from sanhao.backups.services import BackupError, restore_backup


class Command(BaseCommand):
    # The target is often an empty database, which the system checks have no business
    # with; the restore checks what it restored itself.
    requires_system_checks: list[str] = []
    help = "Restore a backup folder into the database the settings point at and into MEDIA_ROOT, then check it against its manifest and verify the audit chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the backup folder (sanhao-YYYYMMDD-HHMMSS)")
        parser.add_argument(
            "--yes",
            action="store_true",
            help="replace what a database or uploads folder that is not empty holds",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate(settings.LANGUAGE_CODE)
        try:
            report = restore_backup(Path(options["path"]), overwrite=options["yes"])
        except BackupError as error:
            raise CommandError(error.message) from None
        manifest = report.manifest
        head = manifest["audit_head"]
        self.stdout.write(
            _("Restored the backup of %(created)s: %(tables)s tables, %(files)s uploaded files.")
            % {"created": manifest["created"], "tables": len(manifest["tables"]), "files": report.files}
        )  # fmt: skip
        for difference in report.differences:
            self.stderr.write(_("Differs from the backup: %(difference)s.") % {"difference": difference})  # fmt: skip
        if not report.differences:
            self.stdout.write(
                _("Row counts of every table and the audit chain head #%(seq)s %(hash)s equal the backup's.")
                % {"seq": head["seq"], "hash": head["hash"][:16]}
            )  # fmt: skip
        chain = report.chain
        if chain.ok:
            self.stdout.write(_("Audit log intact: %(n)s entries checked.") % {"n": chain.checked})
        else:
            self.stderr.write(
                _("Audit log check failed after %(n)s good entries. %(message)s")
                % {"n": chain.checked, "message": _(PROBLEMS[chain.problem]) % {"seq": chain.first_bad_seq}}
            )  # fmt: skip
        if report.missing_guards:
            self.stderr.write(
                _("The audit guards are missing: %(names)s. Run migrate to put them back.")
                % {"names": ", ".join(report.missing_guards)}
            )
        if not report.ok:
            raise CommandError(_("The restored database does not match the backup."))
