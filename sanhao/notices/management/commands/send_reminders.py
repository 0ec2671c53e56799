"""manage.py send_reminders [--date YYYY-MM-DD] [--dry-run]: the daily reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from sanhao.notices.models import NoticeKind
from sanhao.notices.services import send_reminders


class Command(BaseCommand):
    help = "Raise the day's reminders as notices to the units' liaisons, and e-mail them where configured. Idempotent within a day."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the day to remind for (YYYY-MM-DD); today by default")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="show what would be raised; write and send nothing",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = timezone.localdate()
        if options["date"]:
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(
                    _("--date must be a day written YYYY-MM-DD, e.g. 2026-11-30.")
                ) from None
        result = send_reminders(day, dry_run=options["dry_run"])
        kinds = "，".join(f"{NoticeKind(k).label} {n}" for k, n in sorted(result.raised.items()))
        values = {"day": day.isoformat(), "n": result.raised_total, "kinds": kinds or "—",
                  "already": result.already}  # fmt: skip
        if result.dry_run:
            self.stdout.write(_("%(day)s (dry run): %(n)s new reminders would be raised (%(kinds)s); %(already)s already raised today.") % values)  # fmt: skip
            return
        self.stdout.write(_("%(day)s: %(n)s new reminders raised (%(kinds)s); %(already)s already raised today.") % values)  # fmt: skip
        if result.emailing:
            self.stdout.write(_("E-mails: %(sent)s sent, %(failed)s failed (tried again next run).")
                              % {"sent": result.emails_sent, "failed": result.emails_failed})  # fmt: skip
        else:
            self.stdout.write(_("E-mail is not configured (EMAIL_HOST): notices only."))
