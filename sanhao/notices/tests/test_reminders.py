"""The daily reminders: what is due on a day, once a day, the command, the e-mail."""

import datetime as dt
import io
import smtplib
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from sanhao.audit.models import AuditEntry
from sanhao.campaigns.models import Phase
from sanhao.campaigns.services import advance_phase
from sanhao.checks.services import update_remedy
from sanhao.deviations.services import update_deviation
from sanhao.notices import services
from sanhao.notices.models import Notice
from sanhao.notices.reminders import compute_reminders, months_to_remind
from sanhao.notices.tests.helpers import (
    JUNE_END,
    a_year_of_things,
    liaisons_everywhere,
    remedies_and_deviations_everywhere,
    with_email,
)
from sanhao.orgs.tests.test_query_counts import grow


def due(world, day):
    return sorted((r.recipient_id, r.kind, r.key) for r in compute_reminders(day))


@pytest.mark.parametrize(
    ("day", "months"),
    [
        (dt.date(2026, 6, 25), [(2026, 6)]),
        (dt.date(2026, 6, 24), []),
        (dt.date(2026, 6, 30), [(2026, 6)]),
        (dt.date(2026, 7, 1), [(2026, 6)]),
        (dt.date(2026, 7, 5), [(2026, 6)]),
        (dt.date(2026, 7, 6), []),
        (dt.date(2026, 1, 3), [(2025, 12)]),
        (dt.date(2026, 2, 26), [(2026, 2)]),
    ],
)
def test_it_reminds_of_a_months_records_from_5_days_before_its_end_to_5_days_after(day, months):
    assert months_to_remind(day, 5) == months


def test_it_finds_what_is_due_at_the_end_of_june(world):
    things = a_year_of_things(world)
    a, b = world.liaison_a.pk, world.liaison_b.pk
    year = world.campaign.pk
    assert due(world, JUNE_END) == sorted([
        (a, "record_missing", f"record:{year}:{world.a.pk}:supervision:6"),
        (b, "record_missing", f"record:{year}:{world.b.pk}:study:6"),
        (b, "record_missing", f"record:{year}:{world.b.pk}:supervision:6"),
        (a, "remedy_due", f"remedy:{things['remedy'].pk}"),
    ])  # fmt: skip
    subjects = {r.key: r.subject for r in compute_reminders(JUNE_END)}
    assert subjects[f"record:{year}:{world.a.pk}:supervision:6"] == (
        "甲镇：6月党委会月督尚未录入，本月于 2026-06-30 结束。"
    )
    assert subjects[f"remedy:{things['remedy'].pk}"] == (
        "甲镇：甲镇长的补短举措“倒排节点”将于 2026-06-30 到期。"
    )


def test_it_finds_overdue_remedies_and_deviations_and_forgets_them_once_done(world):
    things = a_year_of_things(world)
    a, b = world.liaison_a.pk, world.liaison_b.pk
    day = dt.date(2026, 7, 11)
    assert due(world, day) == sorted([
        (a, "remedy_overdue", f"remedy:{things['remedy'].pk}"),
        (b, "deviation_overdue", f"deviation:{things['deviation'].pk}"),
    ])  # fmt: skip
    subject = next(r.subject for r in compute_reminders(day) if r.kind == "deviation_overdue")
    assert (
        subject
        == "乙街道：纠偏事项“乙街道督办事项未落实”应于 2026-07-10 前整改到位，目前仍未销号。"
    )
    update_remedy(things["remedy"], status="done", note="已完成", actor=world.liaison_a)
    update_deviation(things["deviation"], status="closed", note="已整改", actor=world.liaison_b)
    assert due(world, day) == []


def test_it_reminds_nobody_of_a_year_past_the_process_phase(world):
    a_year_of_things(world)
    assert due(world, JUNE_END)
    for phase in (Phase.PROCESS, Phase.EVALUATION):
        advance_phase(world.campaign, to=phase, actor=world.office)
    assert due(world, JUNE_END) == []


def test_a_second_run_the_same_day_raises_nothing_new(world):
    a_year_of_things(world)
    first = services.send_reminders(JUNE_END)
    assert first.raised == {"record_missing": 3, "remedy_due": 1} and first.already == 0
    second = services.send_reminders(JUNE_END)
    assert second.raised_total == 0 and second.already == 4
    assert Notice.objects.count() == 4
    entries = list(AuditEntry.objects.filter(action="notices.reminders.send").order_by("seq"))
    assert [e.data["raised"] for e in entries] == [{"record_missing": 3, "remedy_due": 1}, {}]
    assert entries[1].data["already"] == 4 and "subject" not in str(entries[0].data)
    # The next day is another day: still missing, reminded again.
    assert services.send_reminders(JUNE_END + dt.timedelta(days=1)).raised_total == 4


def test_two_runs_that_both_read_before_either_wrote_raise_each_notice_once(world):
    """The race: both runs computed the same new notices; the constraint keeps one."""
    a_year_of_things(world)
    new = compute_reminders(JUNE_END)
    one = services.RunResult(day=JUNE_END, dry_run=False, due=len(new))
    other = services.RunResult(day=JUNE_END, dry_run=False, due=len(new))
    services._raise(JUNE_END, new, one)
    services._raise(JUNE_END, new, other)
    assert one.raised_total == 4 and other.raised_total == 0
    assert Notice.objects.count() == 4


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers: no race to lose"
)
@pytest.mark.django_db(transaction=True)
def test_eight_simultaneous_runs_raise_each_notice_once(world):
    a_year_of_things(world)
    barrier = threading.Barrier(8)
    results: list[services.RunResult] = []

    def run() -> None:
        try:
            barrier.wait()
            results.append(services.send_reminders(JUNE_END))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8
    assert Notice.objects.count() == 4
    assert sum(r.raised_total for r in results) == 4


def test_the_command_reminds_for_the_day_given_and_prints_a_summary(world):
    a_year_of_things(world)
    out = io.StringIO()
    call_command("send_reminders", "--date", "2026-06-28", "--dry-run", stdout=out)
    assert "试运行" in out.getvalue() and "将新发 4 条提醒" in out.getvalue()
    assert not Notice.objects.exists()
    assert not AuditEntry.objects.filter(action="notices.reminders.send").exists()
    out = io.StringIO()
    call_command("send_reminders", "--date", "2026-06-28", stdout=out)
    text = out.getvalue()
    assert "2026-06-28：新发 4 条提醒（过程记录缺失 3，补短举措即将到期 1）" in text
    assert "未配置邮件" in text
    assert set(Notice.objects.values_list("for_date", flat=True)) == {JUNE_END}
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--date", "28/06/2026")


def test_it_reminds_for_today_without_a_date(world, monkeypatch):
    from django.utils import timezone

    a_year_of_things(world)
    monkeypatch.setattr(timezone, "localdate", lambda *a: JUNE_END)
    call_command("send_reminders", stdout=io.StringIO())
    assert Notice.objects.count() == 4


def test_it_sends_no_email_when_email_is_not_configured(world, settings):
    settings.EMAIL_HOST = ""
    a_year_of_things(world)
    with_email(world.liaison_a, world.liaison_b)
    services.send_reminders(JUNE_END)
    assert mail.outbox == []
    assert not Notice.objects.filter(email_sent_at__isnull=False).exists()


def test_it_emails_each_person_once_a_day_where_configured(world, settings):
    settings.EMAIL_HOST = "smtp.example.gov.cn"
    settings.SITE_URL = "https://sanhao.example.gov.cn"
    a_year_of_things(world)
    with_email(world.liaison_a)  # B's liaison has no address: the page only
    result = services.send_reminders(JUNE_END)
    assert (result.emails_sent, result.emails_failed) == (1, 0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["liaison-a@example.gov.cn"] and "2 条新提醒" in message.subject
    assert "甲镇：6月党委会月督尚未录入" in message.body
    assert "https://sanhao.example.gov.cn/years/" in message.body
    assert Notice.objects.filter(recipient=world.liaison_a, email_sent_at__isnull=True).count() == 0
    assert Notice.objects.filter(recipient=world.liaison_b, email_sent_at__isnull=True).count() == 2
    services.send_reminders(JUNE_END)
    assert len(mail.outbox) == 1


def test_a_failed_email_is_logged_never_stops_the_run_and_goes_out_next_run(
    world, settings, monkeypatch, caplog
):
    settings.EMAIL_HOST = "smtp.example.gov.cn"
    a_year_of_things(world)
    with_email(world.liaison_a, world.liaison_b)
    sent_to = []
    real_send = services.EmailMessage.send

    def flaky(message, *args, **kwargs):
        if message.to == ["liaison-b@example.gov.cn"]:
            raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"mailbox full")})
        sent_to.append(message.to[0])
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(services.EmailMessage, "send", flaky)
    result = services.send_reminders(JUNE_END)
    assert (result.emails_sent, result.emails_failed) == (1, 1)
    assert f"account {world.liaison_b.pk} failed" in caplog.text
    assert "tried again next run" in caplog.text and "liaison-b" not in caplog.text
    assert Notice.objects.filter(recipient=world.liaison_b, email_sent_at__isnull=True).count() == 2
    monkeypatch.setattr(services.EmailMessage, "send", real_send)
    again = services.send_reminders(JUNE_END)
    assert (again.raised_total, again.emails_sent, again.emails_failed) == (0, 1, 0)
    assert [m.to for m in mail.outbox] == [
        ["liaison-a@example.gov.cn"],
        ["liaison-b@example.gov.cn"],
    ]
    assert not Notice.objects.filter(email_sent_at__isnull=True).exists()


def _count(run) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as context:
        run()
    inserts = [q for q in context.captured_queries  # a batch of rows each, fewer on SQLite
               if q["sql"].lstrip().upper().startswith("INSERT")
               and '"notices_notice"' in q["sql"].split("(")[0]]  # fmt: skip
    return len(context.captured_queries) - len(inserts), len(inserts)


def test_the_command_reads_in_the_same_number_of_queries_for_13_and_130_units(world, settings):
    settings.EMAIL_HOST = "smtp.example.gov.cn"
    counts = []
    for size, day in ((13, JUNE_END), (130, JUNE_END + dt.timedelta(days=1))):
        grow(world, size, 3)
        liaisons_everywhere(world)
        remedies_and_deviations_everywhere(world)
        dry = _count(lambda d=day: services.send_reminders(d, dry_run=True))
        full = _count(lambda d=day: services.send_reminders(d))
        assert (
            Notice.objects.filter(for_date=day).count() == size * 4
        )  # 2 records, remedy, deviation
        counts.append((dry, full[0]))
        if connection.vendor == "postgresql":
            assert full[1] == 1
    assert counts[0] == counts[1]
