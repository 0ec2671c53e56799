"""manage.py backup [--dir DIR]: the database, the uploaded files and a manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from sanhao.backups.services import BackupError, create_backup


class Command(BaseCommand):
    help = "Back up the database and the uploaded files into a new folder under BACKUP_DIR, then keep the newest BACKUP_KEEP."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", help="the folder of the backups; BACKUP_DIR by default")

    def handle(self, *args: Any, **options: Any) -> None:
        translation.activate(settings.LANGUAGE_CODE)  # a command has no request to choose it
        directory = Path(options["dir"]) if options["dir"] else None
        try:
            result = create_backup(directory)
        except BackupError as error:
            raise CommandError(_("Backup failed: %(reason)s") % {"reason": error.message}) from None
        backup, manifest = result.backup, result.manifest
        self.stdout.write(
            _("Backup written: %(path)s (%(size)s bytes).") % {"path": backup.path, "size": backup.size_bytes}
        )  # fmt: skip
        self.stdout.write(
            _("Database %(vendor)s: %(tables)s tables, %(rows)s rows; %(files)s uploaded files; audit chain head #%(seq)s %(hash)s.")
            % {"vendor": backup.get_vendor_display(), "tables": len(manifest["tables"]),
               "rows": backup.rows, "files": backup.files, "seq": backup.head_seq,
               "hash": backup.head_hash[:16]}
        )  # fmt: skip
        for path in result.pruned:
            self.stdout.write(_("Removed the old backup %(path)s.") % {"path": path})
