"""Raising deviations and tracking them to closure: the rules and the transitions."""

import datetime as dt

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from sanhao.audit.models import AuditEntry
from sanhao.campaigns.models import Phase
from sanhao.campaigns.services import advance_phase
from sanhao.deviations import services
from sanhao.deviations.models import Deviation, DeviationUpdate
from sanhao.deviations.tests.helpers import FOUND, deviation, pdf
from sanhao.lib.errors import DomainError
from sanhao.records.tests.helpers import add


def test_it_raises_a_deviation_with_its_audit_entry(world):
    found = deviation(world)
    assert services.status_of(found) == "open"
    entry = AuditEntry.objects.get(action="deviations.deviation.raise")
    assert entry.data["unit"] == "town-a" and entry.data["deadline"] == "2026-07-10"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"problem": "  "}, "请填写存在问题"),
        ({"correction": ""}, "请填写纠偏要求"),
        ({"deadline": dt.date(2026, 6, 1)}, "整改期限不能早于发现日期"),
        ({"found_on": dt.date(2025, 12, 1), "deadline": dt.date(2026, 1, 1)}, "2026 年内"),
        ({"found_on": dt.date(2026, 12, 31), "deadline": dt.date(2026, 12, 31)}, "不能晚于今天"),
    ],
)
def test_it_refuses_a_deviation_that_breaks_a_rule(world, change, message, freezer_today):
    with pytest.raises(DomainError, match=message):
        deviation(world, **change)
    assert not Deviation.objects.exists()


@pytest.fixture
def freezer_today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a: dt.date(2026, 11, 30))


def test_only_the_office_raises_a_deviation(world):
    for actor in (world.liaison_a, world.viewer, world.judge, None):
        with pytest.raises(DomainError, match="工作专班"):
            deviation(world, actor=actor)


def test_it_links_only_a_supervision_record_of_the_same_unit(world):
    own = add(world, type="supervision", period=6, day=FOUND)
    study = add(world, type="study", period=6, day=FOUND)
    other = add(world, world.b, type="supervision", period=6, day=FOUND)
    assert deviation(world, record_of=own).record == own
    with pytest.raises(DomainError, match="只有党委会月督记录"):
        deviation(world, record_of=study)
    with pytest.raises(DomainError, match="必须属于本镇街"):
        deviation(world, record_of=other)


def test_the_liaison_notes_and_closes_with_evidence_the_office_drops_and_reopens(world):
    found = deviation(world)
    liaison, office = world.liaison_a, world.office
    assert services.allowed_statuses(liaison, found) == ["open", "closed"]
    assert services.allowed_statuses(office, found) == ["open", "closed", "dropped"]
    assert services.allowed_statuses(world.liaison_b, found) == []
    services.update_deviation(found, status="open", note="正在整改", actor=liaison)
    with pytest.raises(DomainError, match="需要填写佐证"):
        services.update_deviation(found, status="closed", note=" ", actor=liaison)
    with pytest.raises(DomainError, match="工作专班"):
        services.update_deviation(found, status="dropped", note="不需要", actor=liaison)
    services.update_deviation(found, status="closed", note="已整改到位", actor=liaison)
    assert services.status_of(found) == "closed"
    assert services.allowed_statuses(liaison, found) == []
    with pytest.raises(DomainError, match="工作专班"):
        services.update_deviation(found, status="open", note="重开", actor=liaison)
    with pytest.raises(DomainError, match="不能改为"):
        services.update_deviation(found, status="dropped", note="撤销", actor=office)
    services.update_deviation(found, status="open", note="佐证不足，重新整改", actor=office)
    services.update_deviation(found, status="dropped", note="重复提出", actor=office)
    assert services.status_of(found) == "dropped"
    with pytest.raises(DomainError, match="不能改为"):
        services.update_deviation(found, status="open", note="再开", actor=office)
    statuses = list(
        DeviationUpdate.objects.filter(deviation=found).values_list("status", flat=True)
    )
    assert statuses == ["open", "closed", "open", "dropped"]
    assert AuditEntry.objects.filter(action="deviations.deviation.update").count() == 4


def test_another_units_liaison_cannot_update(world):
    with pytest.raises(DomainError, match="本镇街"):
        services.update_deviation(deviation(world), status="open", note="x", actor=world.liaison_b)


def test_the_liaison_stops_at_the_evaluation(world):
    found = deviation(world)
    advance_phase(world.campaign, to=Phase.PROCESS, actor=world.office)
    advance_phase(world.campaign, to=Phase.EVALUATION, actor=world.office)
    found = Deviation.objects.get(pk=found.pk)
    assert services.allowed_statuses(world.liaison_a, found) == []
    with pytest.raises(DomainError, match="考评阶段"):
        services.update_deviation(found, status="open", note="进展", actor=world.liaison_a)
    services.update_deviation(found, status="closed", note="专班确认", actor=world.office)


def test_it_keeps_an_evidence_file_checked_by_its_content(world):
    found = deviation(world)
    update = services.update_deviation(found, status="closed", note="见报告", file=pdf(),
                                       actor=world.liaison_a)  # fmt: skip
    assert update.file_kind == "pdf" and update.file_name == "整改报告.pdf"
    assert default_storage.open(update.stored_name).read().startswith(b"%PDF-")
    entry = AuditEntry.objects.filter(action="deviations.deviation.update").get()
    assert entry.data["file"]["file_name"] == "整改报告.pdf"


def test_it_refuses_a_file_that_is_not_a_document_and_saves_nothing(world):
    found = deviation(world)
    fake = SimpleUploadedFile("报告.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(DomainError, match="PDF"):
        services.update_deviation(found, status="closed", note="见报告", file=fake,
                                  actor=world.liaison_a)  # fmt: skip
    assert not DeviationUpdate.objects.exists()
    assert services.status_of(found) == "open"


def test_overdue_is_open_after_the_deadline(world):
    late = deviation(world, deadline=dt.date(2026, 7, 1))
    closed = deviation(world, deadline=dt.date(2026, 7, 1))
    deviation(world, world.b, deadline=dt.date(2026, 12, 31))
    services.update_deviation(closed, status="closed", note="已整改", actor=world.office)
    day = dt.date(2026, 7, 2)
    assert [d.pk for d in services.overdue_deviations([world.campaign], today=day)] == [late.pk]
    assert services.overdue_deviations([world.campaign], today=dt.date(2026, 7, 1)) == []
