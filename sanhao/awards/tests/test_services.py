"""The awards' services: freeze, deliberate, publish, decide, and the career events."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from sanhao.audit.models import AuditEntry
from sanhao.awards import services
from sanhao.awards.models import Action, Item, Snapshot
from sanhao.awards.services import AwardsError, Choice
from sanhao.awards.tests.world import evaluated_run
from sanhao.campaigns.models import Phase
from sanhao.lib.append_only import AppendOnlyError
from sanhao.rankings.runs import compute_scores
from sanhao.rankings.tests.test_runs import TODAY, fill

MEETING: dict[str, Any] = {
    "held_on": dt.date(2025, 9, 20),
    "attendees": "部长、副部长、干部科",
    "agenda": "研究拟表彰名单",
}


def meet(snapshot: Snapshot, world: Any, **choices: Choice) -> Any:
    return services.deliberate(snapshot, **MEETING, choices=choices, actor=world.office)


@pytest.fixture
def frozen(world: Any, monkeypatch: Any) -> Snapshot:
    return services.freeze(evaluated_run(world, monkeypatch), actor=world.office)


def test_freezing_keeps_scheme_facts_result_and_statistics_with_their_hash(world, frozen):
    content = json.loads(frozen.content)
    assert content["scheme"] == frozen.run.scheme_version.source
    assert content["facts"] == json.loads(frozen.run.facts)
    assert content["result"] == json.loads(frozen.run.result)
    assert set(content["statistics"]["categories"]) == {"team", "leader", "deputy"}
    assert len(frozen.content_hash) == 64 and ":" in frozen.chain_head
    entry = AuditEntry.objects.filter(action="awards.snapshot.freeze").get()
    assert entry.data["hash"] == frozen.content_hash
    assert services.verify(frozen) == []
    call_command("verify_snapshot", frozen.content_hash[:12])


def test_a_run_is_frozen_once_and_only_the_newest(world, frozen):
    with pytest.raises(AwardsError, match="已冻结"):
        services.freeze(frozen.run, actor=world.office)
    newer = compute_scores(world.campaign, actor=world.office, today=TODAY)
    with pytest.raises(AwardsError, match="最新"):
        services.freeze(frozen.run, actor=world.office)
    assert services.freeze(newer, actor=world.office).run == newer


def test_later_edits_of_the_inputs_do_not_change_the_snapshot(world, frozen):
    before = frozen.content
    fill(world, month=9)  # new actuals after the freeze
    compute_scores(world.campaign, actor=world.office, today=TODAY)
    frozen.refresh_from_db()
    assert frozen.content == before and services.verify(frozen) == []


def test_verify_snapshot_finds_a_changed_number(world, frozen):
    with pytest.raises(AppendOnlyError):
        Snapshot.objects.filter(pk=frozen.pk).update(content="{}")
    altered = frozen.content.replace('"S":"75.53"', '"S":"95.53"', 1)
    assert altered != frozen.content
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE awards_snapshot SET content = %s WHERE id = %s", [altered, frozen.pk]
        )
    frozen.refresh_from_db()
    problems = services.verify(frozen)
    assert any("哈希" in p for p in problems) and any("结果" in p for p in problems)
    with pytest.raises(CommandError):
        call_command("verify_snapshot", str(frozen.pk))


def test_the_deliberation_agrees_removes_and_adds_with_reasons(world, frozen):
    with pytest.raises(AwardsError, match="理由"):
        meet(frozen, world, **{"T-town-b": Choice("remove")})
    with pytest.raises(AwardsError, match="1000"):
        meet(frozen, world, **{"T-town-b": Choice("remove", "长" * 1001)})
    with pytest.raises(AwardsError, match="名额"):
        meet(frozen, world, **{"T-town-a": Choice("add", "实绩突出")})
    deliberation = meet(
        frozen, world,
        **{"T-town-b": Choice("remove", "公示前核查发现问题"), "T-town-a": Choice("add", "递补")},
    )  # fmt: skip
    items = {i.candidate: i for i in deliberation.items.all()}
    assert items["T-town-b"].action == Action.REMOVE
    assert items["T-town-a"].action == Action.ADD and items["T-town-a"].reason == "递补"
    assert items["L-town-b"].action == Action.AGREE and items["L-town-b"].person == world.person(
        "B0"
    )
    assert items["D-town-b-B002"].person == world.person("B1") and items["D-town-b-B002"].post
    assert [i.candidate for i in services.proposed_items(deliberation)] == [
        "T-town-a", "L-town-b", "D-town-b-B002"]  # fmt: skip
    world.campaign.refresh_from_db()
    assert world.campaign.phase == Phase.DELIBERATION


def test_a_meeting_in_the_future_and_a_notice_in_the_past_are_refused(world, frozen):
    with pytest.raises(AwardsError, match="晚于今天"):
        services.deliberate(frozen, **{**MEETING, "held_on": dt.date(9999, 12, 31)}, choices={},
                            actor=world.office)  # fmt: skip
    deliberation = meet(frozen, world)
    notice = {"title": "公示", "issuer": "组织部", "body": "现予公示", "how_to_object": "来电",
              "contact": "0523", "show_scores": False, "actor": world.office}  # fmt: skip
    with pytest.raises(AwardsError, match="不能早于今天"):
        services.publish_notice(deliberation, first_day=dt.date(2025, 9, 28), **notice)
    published = services.publish_notice(deliberation, first_day=dt.date(2025, 9, 28), **notice,
                                        today=dt.date(2025, 9, 28))  # fmt: skip
    assert published.ends == dt.date(2025, 10, 10)
    with pytest.raises(AwardsError, match="晚于今天"):
        services.issue_decision(published, number="1号", title="决定", issuer="组织部", body="表彰",
                                issued_on=dt.date(9999, 12, 31), actor=world.office)  # fmt: skip


def test_the_deliberation_keeps_to_the_unit_cap(world, monkeypatch):
    run = evaluated_run(world, monkeypatch, quotas={"team": 1, "leader": 1, "deputy": 3},
                        unit_caps={"deputy": 1})  # fmt: skip
    snapshot = services.freeze(run, actor=world.office)
    proposed = services.proposal(snapshot)["deputy"]
    assert proposed["awarded"] == ["D-town-b-B002", "D-town-a-A002"]  # one per unit
    with pytest.raises(AwardsError, match="同一单位"):
        meet(snapshot, world, **{"D-town-b-B003": Choice("add", "表现突出")})
    assert not Item.objects.exists()


def test_a_vetoed_candidate_cannot_be_added(world, monkeypatch):
    run = evaluated_run(world, monkeypatch,
                        vetoes=[{"candidate": "L-town-a", "kind": "admonition", "note": "诫勉"}])  # fmt: skip
    snapshot = services.freeze(run, actor=world.office)
    with pytest.raises(AwardsError, match="不符合"):
        meet(snapshot, world, **{"L-town-b": Choice("remove", "x"), "L-town-a": Choice("add", "y")})
    assert not Item.objects.exists()


def test_a_newer_snapshot_supersedes_for_the_deliberation(world, frozen):
    newer = services.freeze(
        compute_scores(world.campaign, actor=world.office, today=TODAY), actor=world.office
    )
    with pytest.raises(AwardsError, match="更新的快照"):
        meet(frozen, world)
    assert meet(newer, world).snapshot == newer
