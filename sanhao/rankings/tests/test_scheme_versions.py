"""The year's scheme in versions: the default first, then checked, append-only changes."""

from __future__ import annotations

import tomllib

import pytest

from sanhao.audit.models import AuditEntry
from sanhao.campaigns.models import PHASE_ORDER, CampaignYear, Phase
from sanhao.campaigns.services import advance_phase, open_campaign_year
from sanhao.lib.append_only import AppendOnlyError
from sanhao.lib.errors import DomainError
from sanhao.rankings.models import SchemeVersion
from sanhao.rankings.services import (
    SchemeProblems,
    current_scheme,
    save_scheme_version,
    start_scheme,
)
from sanhao.rankings.tests.conftest import BROKEN, more_deputies
from sanhao.scoring import DEFAULT_SCHEME, load_scheme, loads_scheme


def test_it_gives_a_new_year_the_engine_default_set_to_the_year(world):
    year = open_campaign_year(world.district, 2027, actor=world.office)
    versions = list(SchemeVersion.objects.filter(year=year))
    assert [(v.number, v.created_by, v.reason) for v in versions] == [(1, world.office, "")]
    first = versions[0]
    data = tomllib.loads(first.source)
    assert data["version"] == "2027.1"
    assert data["title"] == "2027 年度三好创争方案"
    default = tomllib.loads(DEFAULT_SCHEME.read_text(encoding="utf-8"))
    assert {**data, "version": "", "title": ""} == {**default, "version": "", "title": ""}
    assert "# The default 三好 scheme" in first.source  # the comments are kept
    assert first.scheme_hash == loads_scheme(first.source).source_hash
    assert first.scheme_hash != load_scheme().source_hash  # the version and title differ
    entry = AuditEntry.objects.get(action="rankings.scheme.start", object_id=str(first.pk))
    assert entry.data == {"year": 2027, "number": 1, "hash": first.scheme_hash,
                          "from": "default"}  # fmt: skip
    assert entry.actor == world.office


def test_it_gives_a_year_opened_before_its_default_on_first_reading(world):
    old = CampaignYear.objects.create(district=world.district, year=2025, phase=Phase.PROCESS)
    assert not SchemeVersion.objects.filter(year=old).exists()
    first = current_scheme(old)
    assert first.number == 1 and first.created_by is None
    assert current_scheme(old) == first
    assert start_scheme(old, actor=world.office) == first  # never a second default
    entry = AuditEntry.objects.get(action="rankings.scheme.start", object_id=str(first.pk))
    assert entry.actor_name == "system"


def test_it_saves_a_changed_scheme_as_the_next_version(world, source):
    version = save_scheme_version(world.campaign, more_deputies(source), reason="",
                                  actor=world.office)  # fmt: skip
    assert version.number == 2
    assert current_scheme(world.campaign) == version
    assert loads_scheme(version.source).categories["deputy"].quota == 20
    assert version.scheme_hash == loads_scheme(version.source).source_hash
    entry = AuditEntry.objects.get(action="rankings.scheme.save")
    assert entry.data == {"year": 2026, "number": 2, "hash": version.scheme_hash,
                          "version": "2026.1", "reason": "", "via": "file"}  # fmt: skip
    assert entry.actor == world.office and entry.object_id == str(version.pk)


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_it_refuses_an_invalid_scheme_with_the_engine_located_messages(world, source, case):
    breaks, location, message = BROKEN[case]
    with pytest.raises(SchemeProblems) as caught:
        save_scheme_version(world.campaign, breaks(source), reason="x", actor=world.office)
    assert [(p.location, message in p.message) for p in caught.value.problems] == [(location, True)]
    assert "没有保存" in caught.value.message
    assert SchemeVersion.objects.filter(year=world.campaign).count() == 1
    assert not AuditEntry.objects.filter(action="rankings.scheme.save").exists()


def test_it_refuses_an_unchanged_scheme(world, source):
    # Same rules, other spelling: comments gone, other spaces, keys in another order.
    same = source.replace("# The default 三好 scheme", "#").replace("quota = 18", "quota  =  18")
    same = same.replace('format = 1\nversion = "2026.1"', 'version = "2026.1"\nformat = 1')
    assert same.count("format = 1") == 1 and same != source
    with pytest.raises(DomainError, match=r"没有变化.*第 1 版"):
        save_scheme_version(world.campaign, same, reason="", actor=world.office)
    assert SchemeVersion.objects.filter(year=world.campaign).count() == 1


@pytest.mark.parametrize("phase", PHASE_ORDER)
def test_it_asks_a_reason_from_the_evaluation_on(world, source, phase):
    year = world.campaign
    for to in PHASE_ORDER[1 : PHASE_ORDER.index(phase) + 1]:
        year = advance_phase(year, to=to, actor=world.office)
    locked = PHASE_ORDER.index(phase) >= PHASE_ORDER.index(Phase.EVALUATION)
    if locked:
        with pytest.raises(DomainError, match="需要说明理由"):
            save_scheme_version(year, more_deputies(source), reason="  ", actor=world.office)
        assert SchemeVersion.objects.filter(year=year).count() == 1
    version = save_scheme_version(year, more_deputies(source), reason="区委常委会决定增加名额",
                                  actor=world.office)  # fmt: skip
    assert version.number == 2 and version.reason == "区委常委会决定增加名额"


@pytest.mark.parametrize("role", ["liaison_a", "judge", "viewer"])
def test_it_lets_only_the_office_save_a_version(world, source, role):
    with pytest.raises(DomainError, match="只有组织部工作专班"):
        save_scheme_version(world.campaign, more_deputies(source), reason="",
                            actor=getattr(world, role))  # fmt: skip
    assert SchemeVersion.objects.filter(year=world.campaign).count() == 1


def test_it_never_changes_or_removes_a_version(world, source):
    first = current_scheme(world.campaign)
    first.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        first.save()
    with pytest.raises(AppendOnlyError):
        first.delete()
    with pytest.raises(AppendOnlyError):
        SchemeVersion.objects.filter(pk=first.pk).update(reason="rewritten")
    with pytest.raises(AppendOnlyError):
        SchemeVersion.objects.filter(pk=first.pk).delete()
    assert SchemeVersion.objects.get(pk=first.pk).reason == ""
