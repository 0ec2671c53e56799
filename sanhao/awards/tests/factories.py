"""Rows of the awards built directly, for the tests of the notice and its objections: a
score run of the test world frozen into a snapshot, a deliberation that agrees with every
candidate, and its notice. (The lead's services build them in the application; these
tests need only the rows.)"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from django.utils import timezone

from sanhao.awards.models import CATEGORY_ORDER, Action, Deliberation, Item, Notice, Snapshot
from sanhao.orgs.models import Person, Post, Role, Unit
from sanhao.rankings.runs import compute_scores
from sanhao.rankings.tests.test_runs import TODAY, fill


def make_snapshot(world: Any) -> Snapshot:
    """The year's snapshot (made once: a second run of the same facts has the same hash)."""
    kept = Snapshot.objects.filter(year=world.campaign).first()
    if kept:
        return kept
    fill(world)
    run = compute_scores(world.campaign, actor=world.office, today=TODAY)
    content = json.dumps(
        {"scheme": run.scheme_version.source, "facts": json.loads(run.facts),
         "result": json.loads(run.result), "statistics": {}},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )  # fmt: skip
    return Snapshot.objects.create(
        year=world.campaign, run=run, content=content,
        content_hash=hashlib.sha256(content.encode()).hexdigest(), chain_head="1:" + "0" * 64,
        created=timezone.now(), created_by=world.office,
    )  # fmt: skip


def _person_and_post(unit: Unit, candidate: str) -> tuple[Person | None, str]:
    if candidate.startswith("T-"):
        return None, ""
    posts = Post.objects.current().filter(unit=unit).select_related("person")
    if candidate.startswith("L-"):
        post = posts.get(role=Role.LEADER)
    else:
        post = posts.get(person__code=candidate.rsplit("-", 1)[1])
    return post.person, post.title


def make_deliberation(world: Any, snapshot: Snapshot | None = None) -> Deliberation:
    """Every candidate of the run agreed, in the order of their rank."""
    snapshot = snapshot or make_snapshot(world)
    deliberation = Deliberation.objects.create(
        snapshot=snapshot, held_on=dt.date(2026, 12, 20), attendees="区委组织部", agenda="研究",
        created=timezone.now(), created_by=world.office,
    )  # fmt: skip
    result = json.loads(snapshot.content)["result"]
    units = {u.code: u for u in Unit.objects.all()}
    order = 0
    for category in CATEGORY_ORDER:
        rows = sorted(result["categories"][category]["candidates"], key=lambda r: r["id"])
        for row in rows:
            order += 1
            unit = units[row["unit"]]
            person, post = _person_and_post(unit, row["id"])
            Item.objects.create(
                deliberation=deliberation, category=category, candidate=row["id"], unit=unit,
                person=person, name=person.name if person else unit.name, post=post,
                rank=row["rank"], scores={k: row[k] for k in "KPMBDS"}, action=Action.AGREE,
                order=order,
            )  # fmt: skip
    return deliberation


def make_notice(
    world: Any,
    *,
    starts: dt.date | None = None,
    ends: dt.date | None = None,
    show_scores: bool = False,
    deliberation: Deliberation | None = None,
) -> Notice:
    """A notice open today (in the project's timezone) unless told otherwise."""
    today = timezone.localdate()
    starts = starts or today - dt.timedelta(days=1)
    ends = ends or max(starts, today) + dt.timedelta(days=6)
    return Notice.objects.create(
        deliberation=deliberation or make_deliberation(world),
        title="关于2026年度“三好”拟表彰对象的公示",
        issuer="中共测试区委组织部",
        body="经民主推荐、综合评价、研究论证，现将拟表彰对象予以公示。",
        how_to_object="对公示对象有异议的，请于公示期内以实名方式反映。",
        contact="区委组织部干部科，电话 0523-86812345",
        starts=starts, ends=ends, working_days=5, show_scores=show_scores,
        published=timezone.now(), published_by=world.office,
    )  # fmt: skip
