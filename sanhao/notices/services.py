"""Raising the day's reminders as notices, e-mailing them, marking them read.

`send_reminders(day)` inserts the day's new notices and its one audit entry (counts, never
contents) in one transaction; the database's unique constraint (recipient, kind, key, day)
makes a second run the same day, or two runs at once, raise nothing twice: rows already
there are skipped by the insert itself, and the notices this run raised are those with
its own creation time. E-mail goes out afterwards, outside the transaction and only where
`EMAIL_HOST` is set: each run claims the notices not yet e-mailed (a conditional update,
so two runs never claim the same notice), sends one message per person, and gives the
claim back for a message that failed, to be tried again by the next run.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sanhao.audit.services import record
from sanhao.notices.models import Notice
from sanhao.notices.reminders import Reminder, compute_reminders

logger = logging.getLogger(__name__)
EMAIL_RETRY_DAYS = 7  # a notice not e-mailed is tried again for a week, then left on the page


@dataclass
class RunResult:
    day: dt.date
    dry_run: bool
    due: int = 0  # reminders due today, new or not
    raised: Counter[str] = field(default_factory=Counter)  # new notices by kind
    already: int = 0  # raised by an earlier run today
    emailing: bool = False
    emails_sent: int = 0
    emails_failed: int = 0

    @property
    def raised_total(self) -> int:
        return sum(self.raised.values())


def email_configured() -> bool:
    return bool(getattr(settings, "EMAIL_HOST", ""))


def _key(item: Reminder | Notice) -> tuple[int, str, str]:
    return (item.recipient_id, str(item.kind), item.key)


def send_reminders(day: dt.date, *, dry_run: bool = False) -> RunResult:
    """Raise the notices due on `day`, then e-mail them where configured."""
    result = RunResult(day=day, dry_run=dry_run, emailing=email_configured() and not dry_run)
    due = compute_reminders(day)
    result.due = len(due)
    existing = set(Notice.objects.filter(for_date=day).values_list("recipient_id", "kind", "key"))
    new = [r for r in due if _key(r) not in existing]
    if dry_run:
        result.raised.update(r.kind for r in new)
        result.already = len(due) - len(new)
        return result
    _raise(day, new, result)
    result.already = len(due) - result.raised_total
    if result.emailing:
        deliver_emails(day, result)
    return result


@transaction.atomic
def _raise(day: dt.date, new: list[Reminder], result: RunResult) -> None:
    now = timezone.now()
    Notice.objects.bulk_create(
        [Notice(recipient_id=r.recipient_id, unit_id=r.unit_id, kind=r.kind, key=r.key,
                subject=r.subject[:300], link=r.link, for_date=day, created=now)
         for r in new],
        ignore_conflicts=True,  # raised by a run at the same time: the constraint skips it
    )  # fmt: skip
    mine = Notice.objects.filter(created=now, for_date=day).values("kind").annotate(n=Count("id"))
    result.raised.update({row["kind"]: row["n"] for row in mine})
    record("notices.reminders.send", actor=None,
           data={"day": day, "due": result.due, "raised": dict(sorted(result.raised.items())),
                 "already": result.due - result.raised_total,
                 "email": result.emailing})  # fmt: skip


def _absolute(link: str) -> str:
    base = str(getattr(settings, "SITE_URL", "") or "").rstrip("/")
    return f"{base}{link}" if base and link.startswith("/") else link


def _message(recipient: Any, notices: list[Notice], connection: Any) -> EmailMessage:
    n = len(notices)
    subject = ngettext("%(site)s: %(n)s new reminder", "%(site)s: %(n)s new reminders", n) % {
        "site": settings.SITE_NAME, "n": n}  # fmt: skip
    lines = [_("Hello %(name)s,") % {"name": str(recipient)}, ""]
    for notice in notices:
        lines.append(f"- {notice.subject}")
        if notice.link:
            lines.append(f"  {_absolute(notice.link)}")
    lines += ["", _("Every reminder is also on the page “My reminders” of %(site)s.")
              % {"site": settings.SITE_NAME}]  # fmt: skip
    return EmailMessage(subject, "\n".join(lines), to=[recipient.email], connection=connection)


def deliver_emails(day: dt.date, result: RunResult) -> None:
    """E-mail every notice of the last week not yet e-mailed, one message per person.
    A failure is logged and its notices are tried again by the next run; it never stops
    the run. Four queries whatever the number of notices."""
    stamp = timezone.now()
    since = day - dt.timedelta(days=EMAIL_RETRY_DAYS)
    Notice.objects.filter(
        email_sent_at__isnull=True, for_date__gte=since, for_date__lte=day,
        recipient__is_active=True, recipient__email__gt="",
    ).update(email_sent_at=stamp)  # fmt: skip
    claimed: dict[int, list[Notice]] = defaultdict(list)
    recipients: dict[int, Any] = {}
    for notice in (
        Notice.objects.filter(email_sent_at=stamp).select_related("recipient")
        .order_by("recipient_id", "-for_date", "kind", "id")
    ):  # fmt: skip
        claimed[notice.recipient_id].append(notice)
        recipients[notice.recipient_id] = notice.recipient
    if not claimed:
        return
    failed: list[int] = []
    with translation.override(settings.LANGUAGE_CODE):
        try:
            connection = get_connection(fail_silently=False)
        except Exception:
            logger.exception("reminders: the e-mail backend could not be set up")
            connection = None
        for recipient_id, notices in claimed.items():
            recipient = recipients[recipient_id]
            try:
                if connection is None:
                    raise RuntimeError("no e-mail connection")
                _message(recipient, notices, connection).send()
            except Exception as error:  # an SMTP refusal, a timeout, a bad address …
                # The account's id, not its name or address: no personal data in logs.
                logger.warning("reminders: e-mail to account %s failed (%s), tried again "
                               "next run", recipient_id, type(error).__name__)  # fmt: skip
                failed.append(recipient_id)
                result.emails_failed += 1
            else:
                result.emails_sent += 1
        if connection is not None:
            try:
                connection.close()
            except Exception:
                logger.warning("reminders: closing the e-mail connection failed")
    if failed:
        Notice.objects.filter(email_sent_at=stamp, recipient_id__in=failed).update(
            email_sent_at=None
        )


@transaction.atomic
def mark_read(user: Any, notices: Iterable[Notice] | None = None) -> int:
    """Mark the user's notices read: those given, or all of them; one audit entry."""
    rows = Notice.objects.filter(recipient=user, read_at__isnull=True)
    if notices is not None:
        rows = rows.filter(pk__in=[n.pk for n in notices if n.recipient_id == user.pk])
    count = rows.update(read_at=timezone.now())
    if count:
        record("notices.notice.read", actor=user, data={"count": count})
    return count


def unread_count(user: Any) -> int:
    return Notice.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
