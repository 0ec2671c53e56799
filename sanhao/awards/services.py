"""The end of the year (docs/awards.md): freeze a score run, deliberate on it, publish
the notice, issue the decision, record the awardees' later career.

Each step refuses what the campaign's rules do not allow, in Chinese, and writes its rows
and its audit entry in one transaction. The year's phase follows the steps: the first
deliberation moves an evaluated year to 研究论证, the notice to 公示, the decision to 已表彰.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanhao.accounts.roles import require_office_actor
from sanhao.audit.services import chain_head, record
from sanhao.awards.models import (
    CATEGORY_ORDER,
    Action,
    Award,
    CareerEvent,
    Decision,
    Deliberation,
    EventKind,
    Item,
    Notice,
    Snapshot,
    Step,
)
from sanhao.campaigns.models import PHASE_ORDER, CampaignYear, Phase
from sanhao.campaigns.services import advance_phase
from sanhao.lib.errors import DomainError
from sanhao.orgs.models import Person, Post, Role, Unit
from sanhao.rankings.models import ScoreRun
from sanhao.rankings.runs import statistics_document
from sanhao.scoring import loads_scheme, score
from sanhao.scoring.report import to_document, to_json

NOTICE_WORKING_DAYS = 5
REASON_MAX = 1000


class AwardsError(DomainError):
    pass


def _before(year: CampaignYear, phase: str) -> bool:
    return PHASE_ORDER.index(year.phase) < PHASE_ORDER.index(phase)


def _move_to(year: CampaignYear, phase: str, actor: Any) -> None:
    """Advance the year step by step up to `phase` (never back)."""
    while _before(year, phase):
        nxt = PHASE_ORDER[PHASE_ORDER.index(year.phase) + 1]
        year = advance_phase(year, to=nxt, actor=actor)


# ---- the snapshot ---------------------------------------------------------------------


def _canonical(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"


def _content(run: ScoreRun, *, result: str, stats: str) -> str:
    return _canonical(
        {
            "kind": "sanhao.snapshot",
            "year": run.year.year,
            "run": run.pk,
            "engine_version": run.engine_version,
            "scheme_version": run.scheme_version.number,
            "scheme_hash": run.scheme_hash,
            "input_hash": run.input_hash,
            "scheme": run.scheme_version.source,
            "facts": json.loads(run.facts),
            "result": json.loads(result),
            "statistics": json.loads(stats),
        }
    )


def _recomputed(run: ScoreRun, scheme_source: str, facts: Any) -> tuple[str, str]:
    result = score(loads_scheme(scheme_source), facts)
    return to_json(to_document(result)), to_json(statistics_document(result))


@transaction.atomic
def freeze(run: ScoreRun, *, actor: Any) -> Snapshot:
    """Freeze the year's newest score run: scheme, facts, result and statistics in one
    document with its SHA-256 and the audit chain head."""
    require_office_actor(actor)
    year = CampaignYear.objects.select_for_update().get(pk=run.year_id)
    newest = ScoreRun.objects.filter(year=year).order_by("-id").values_list("id", flat=True)[:1]
    if run.pk != next(iter(newest), None):
        raise AwardsError(_("Only the year's newest score run can be frozen."))
    if Snapshot.objects.filter(run=run).exists():
        raise AwardsError(_("This score run is frozen already."))
    if _before(year, Phase.EVALUATION):
        raise AwardsError(_("A score run can be frozen from the evaluation on."))
    if not _before(year, Phase.NOTICE):
        raise AwardsError(_("The notice is published: the year's snapshot can no longer change."))
    result, stats = _recomputed(run, run.scheme_version.source, json.loads(run.facts))
    if result != run.result:
        raise AwardsError(
            _("The score run does not recompute to its stored result; compute again.")
        )
    content = _content(run, result=result, stats=stats)
    seq, head = chain_head()
    snapshot = Snapshot.objects.create(
        year=year,
        run=run,
        content=content,
        content_hash=hashlib.sha256(content.encode()).hexdigest(),
        chain_head=f"{seq}:{head}",
        created=timezone.now(),
        created_by=actor,
    )
    record(
        "awards.snapshot.freeze",
        actor=actor,
        obj=year,
        data={"snapshot": snapshot.pk, "run": run.pk, "hash": snapshot.content_hash,
              "chain_head": snapshot.chain_head},
    )  # fmt: skip
    return snapshot


def verify(snapshot: Snapshot) -> list[str]:
    """What does not match when the snapshot is recomputed from its own content: the
    result and the statistics from its scheme and facts, the document's bytes, its hash,
    and the run it froze. Empty: it holds."""
    problems: list[str] = []
    if hashlib.sha256(snapshot.content.encode()).hexdigest() != snapshot.content_hash:
        problems.append(_("the hash of the document differs from the stored hash"))
    content = json.loads(snapshot.content)
    result, stats = _recomputed(snapshot.run, content["scheme"], content["facts"])
    again = _canonical({**content, "result": json.loads(result), "statistics": json.loads(stats)})
    if again != snapshot.content:
        if json.loads(result) != content["result"]:
            problems.append(_("the result recomputed from the scheme and the facts differs"))
        if json.loads(stats) != content["statistics"]:
            problems.append(_("the statistics recomputed differ"))
        if not problems:
            problems.append(_("the recomputed document differs in its bytes"))
    if snapshot.run.result != to_json(content["result"]):
        problems.append(_("the score run's stored result differs from the snapshot's"))
    return problems


def snapshot_result(snapshot: Snapshot) -> dict[str, Any]:
    return json.loads(snapshot.content)["result"]


# ---- the deliberation -----------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    action: str  # agree, remove or add
    reason: str = ""


_NAME = re.compile(r"^(?P<name>.+?)（(?P<post>.+)）$")


def _name_and_post(row: dict[str, Any]) -> tuple[str, str]:
    match = _NAME.match(row.get("name", ""))
    if row.get("id", "").startswith("T-") or match is None:
        return row.get("name", ""), ""
    return match["name"], match["post"]


def _person(row: dict[str, Any], unit: Unit, category: str, name: str) -> Person | None:
    if category == "deputy":
        code = row["id"].rsplit("-", 1)[-1]
        return Person.objects.filter(code=code).first()
    if category == "leader":
        post = (
            Post.objects.filter(unit=unit, role=Role.LEADER, person__name=name)
            .select_related("person")
            .order_by("-start")
            .first()
        )
        return post.person if post else None
    return None


def _scores(row: dict[str, Any]) -> dict[str, str]:
    return {key: str(row[key]) for key in ("K", "P", "M", "B", "D", "S") if key in row}


def _at_least(s: str, threshold: str | None) -> bool:
    if threshold is None:
        return True
    try:
        return Decimal(s) >= Decimal(threshold)
    except (InvalidOperation, TypeError):
        return False


def proposal(snapshot: Snapshot) -> dict[str, dict[str, Any]]:
    """Per category the engine's proposal from the snapshot: its rows in rank order, the
    quota, the unit cap, the threshold and the seats left to the deliberation."""
    result = snapshot_result(snapshot)
    out = {}
    for key in CATEGORY_ORDER:
        part = result["categories"].get(key)
        if part is not None:
            out[key] = part
    return out


@transaction.atomic
def deliberate(
    snapshot: Snapshot,
    *,
    held_on: dt.date,
    attendees: str,
    agenda: str,
    choices: dict[str, Choice],
    actor: Any,
) -> Deliberation:
    """Record a meeting of the deliberation and the list it proposes. `choices` names a
    candidate's decision where it is not the engine's: remove one the engine awarded, add
    one it did not; each with a reason. Refused unless the list keeps to the quotas, the
    per-unit cap, the threshold and the vetoes."""
    require_office_actor(actor)
    year = CampaignYear.objects.select_for_update().get(pk=snapshot.year_id)
    if not _before(year, Phase.NOTICE):
        raise AwardsError(_("The notice is published: the deliberation's list cannot change."))
    if (
        Snapshot.objects.filter(year=year).order_by("-id").values_list("id", flat=True)[0]
        != snapshot.pk
    ):
        raise AwardsError(_("A newer snapshot exists: deliberate on that one."))
    if held_on > timezone.localdate():
        raise AwardsError(_("The date of the meeting lies in the future."))
    attendees, agenda = attendees.strip(), agenda.strip()
    if not attendees:
        raise AwardsError(_("Name the attendees of the meeting."))
    if not agenda:
        raise AwardsError(_("Write the agenda of the meeting."))
    parts = proposal(snapshot)
    rows = {row["id"]: (key, row) for key, part in parts.items() for row in part["candidates"]}
    for candidate in choices:
        if candidate not in rows:
            raise AwardsError(_("%(id)s is not a candidate of this snapshot.") % {"id": candidate})
    units = {u.code: u for u in Unit.objects.filter(district_id=year.district_id)}
    items: list[Item] = []
    order = 0
    for key, part in parts.items():
        chosen: list[dict[str, Any]] = []
        for row in part["candidates"]:
            awarded = row["status"] == "awarded"
            choice = choices.get(row["id"])
            action = Action.AGREE if awarded else None
            reason = ""
            if choice is not None:
                reason = choice.reason.strip()
                if choice.action == Action.AGREE:
                    if not awarded:
                        raise AwardsError(
                            _("%(name)s was not proposed by the ranking: add them with a reason.")
                            % {"name": row["name"]}
                        )
                elif choice.action == Action.REMOVE:
                    if not awarded:
                        raise AwardsError(
                            _("%(name)s is not on the proposed list; there is nothing to remove.")
                            % {"name": row["name"]}
                        )
                    action = Action.REMOVE
                elif choice.action == Action.ADD:
                    if awarded:
                        raise AwardsError(
                            _("%(name)s is on the proposed list already.") % {"name": row["name"]}
                        )
                    if not row["eligible"]:
                        raise AwardsError(
                            _("%(name)s is not eligible (%(why)s) and cannot be added.")
                            % {"name": row["name"], "why": "；".join(r.get("text", "") for r in row.get("reasons") or [])
                               or row.get("status_text", "")}
                        )  # fmt: skip
                    if not _at_least(row["S"], part.get("threshold")):
                        raise AwardsError(
                            _("%(name)s's S %(s)s is below the threshold %(t)s.")
                            % {"name": row["name"], "s": row["S"], "t": part["threshold"]}
                        )
                    action = Action.ADD
                else:
                    raise AwardsError(
                        _("Unknown decision: %(action)s.") % {"action": choice.action}
                    )
                if action != Action.AGREE and not reason:
                    raise AwardsError(
                        _("Give the reason for the change of %(name)s.") % {"name": row["name"]}
                    )
                if len(reason) > REASON_MAX:
                    raise AwardsError(
                        _("The reason for %(name)s is longer than %(n)s characters.")
                        % {"name": row["name"], "n": REASON_MAX}
                    )
            if action is None:
                continue
            unit = units.get(row["unit"])
            if unit is None:
                raise AwardsError(_("Unit %(code)s is unknown.") % {"code": row["unit"]})
            name, post = _name_and_post(row)
            order += 1
            item = Item(
                category=key, candidate=row["id"], unit=unit,
                person=_person(row, unit, key, name), name=name, post=post,
                rank=row.get("rank"), scores=_scores(row), action=action,
                reason=reason, order=order,
            )  # fmt: skip
            items.append(item)
            if action != Action.REMOVE:
                chosen.append(row)
        _check_list(part, chosen)
    deliberation = Deliberation.objects.create(
        snapshot=snapshot, held_on=held_on, attendees=attendees, agenda=agenda,
        created=timezone.now(), created_by=actor,
    )  # fmt: skip
    for item in items:
        item.deliberation = deliberation
    Item.objects.bulk_create(items)
    _move_to(year, Phase.DELIBERATION, actor)
    record(
        "awards.deliberation.record",
        actor=actor,
        obj=year,
        data={"deliberation": deliberation.pk, "snapshot": snapshot.content_hash,
              "changes": [[i.candidate, i.action] for i in items if i.action != Action.AGREE],
              "proposed": [i.candidate for i in items if i.action != Action.REMOVE]},
    )  # fmt: skip
    return deliberation


def _check_list(part: dict[str, Any], chosen: list[dict[str, Any]]) -> None:
    if len(chosen) > part["quota"]:
        raise AwardsError(
            _("%(category)s: %(n)s proposed for %(q)s places; the quota cannot be exceeded.")
            % {"category": part["name"], "n": len(chosen), "q": part["quota"]}
        )
    cap = part.get("unit_cap")
    if cap:
        per_unit: dict[str, int] = {}
        for row in chosen:
            per_unit[row["unit"]] = per_unit.get(row["unit"], 0) + 1
            if per_unit[row["unit"]] > cap:
                raise AwardsError(
                    _("%(category)s: more than %(cap)s of one unit (%(unit)s) proposed.")
                    % {"category": part["name"], "cap": cap, "unit": row["unit"]}
                )


def latest_deliberation(year: CampaignYear) -> Deliberation | None:
    return (
        Deliberation.objects.filter(snapshot__year=year)
        .select_related("snapshot")
        .order_by("-id")
        .first()
    )


def proposed_items(deliberation: Deliberation) -> list[Item]:
    return [i for i in deliberation.items.select_related("unit") if i.action != Action.REMOVE]


# ---- the notice -----------------------------------------------------------------------


def nominees(notice: Notice) -> list[Item]:
    """The notice's list as it stands: the proposed, less those removed during it."""
    return list(
        notice.deliberation.items.exclude(action=Action.REMOVE)
        .filter(removal__isnull=True)
        .select_related("unit", "person")
        .order_by("order")
    )


def by_category(items: list[Any]) -> list[tuple[str, str, list[Any]]]:
    """Items (or awards) grouped as (category, its name, items), in the campaign's order."""
    from sanhao.awards.models import Category

    out = []
    for key in CATEGORY_ORDER:
        members = [i for i in items if i.category == key]
        if members:
            out.append((key, str(Category(key).label), members))
    return out


def notice_state(notice: Notice, today: dt.date | None = None) -> str:
    """'before', 'open' or 'ended'."""
    today = today or timezone.localdate()
    if today < notice.starts:
        return "before"
    return "open" if today <= notice.ends else "ended"


@transaction.atomic
def publish_notice(
    deliberation: Deliberation,
    *,
    title: str,
    issuer: str,
    body: str,
    how_to_object: str,
    contact: str,
    first_day: dt.date,
    show_scores: bool,
    actor: Any,
    today: dt.date | None = None,
) -> Notice:
    """Publish the deliberation's list for 5 working days from `first_day` (or the next
    working day), by the official calendar. Refused for a year the calendar does not know,
    and for a first day before today: the public gets its whole period."""
    from sanhao.workdays.services import notice_period

    require_office_actor(actor)
    today = today or timezone.localdate()
    if first_day < today:
        raise AwardsError(
            _("The notice cannot start before today (%(today)s): the public must have its "
              "whole period.") % {"today": today.isoformat()}
        )  # fmt: skip
    year = CampaignYear.objects.select_for_update().get(pk=deliberation.snapshot.year_id)
    if latest_deliberation(year) != deliberation:
        raise AwardsError(_("A later deliberation exists: publish that one's list."))
    if Notice.objects.filter(deliberation__snapshot__year=year).exists():
        raise AwardsError(_("The year's notice is published already."))
    if not proposed_items(deliberation):
        raise AwardsError(_("The deliberation proposed no one: there is nothing to publish."))
    fields = {"title": title, "issuer": issuer, "body": body, "how_to_object": how_to_object,
              "contact": contact}  # fmt: skip
    for name, value in fields.items():
        if not value.strip():
            raise AwardsError(
                _("The notice needs its %(field)s.")
                % {"field": getattr(Notice._meta.get_field(name), "verbose_name", name)}
            )
    starts, ends = notice_period(first_day, NOTICE_WORKING_DAYS)
    notice = Notice.objects.create(
        deliberation=deliberation, **{k: v.strip() for k, v in fields.items()},
        starts=starts, ends=ends, working_days=NOTICE_WORKING_DAYS, show_scores=show_scores,
        published=timezone.now(), published_by=actor,
    )  # fmt: skip
    _move_to(year, Phase.NOTICE, actor)
    record(
        "awards.notice.publish",
        actor=actor,
        obj=year,
        data={"notice": notice.pk, "deliberation": deliberation.pk,
              "snapshot": deliberation.snapshot.content_hash, "starts": str(starts),
              "ends": str(ends), "show_scores": show_scores},
    )  # fmt: skip
    return notice


def open_objections(notice: Notice) -> int:
    """Objections with a name and a phone that the office has not concluded."""
    return (
        notice.objections.filter(anonymous=False)
        .exclude(steps__step__in=[Step.UPHELD, Step.NOT_UPHELD])
        .count()
    )


# ---- the decision ---------------------------------------------------------------------


@transaction.atomic
def issue_decision(
    notice: Notice,
    *,
    number: str,
    title: str,
    issuer: str,
    body: str,
    issued_on: dt.date,
    actor: Any,
    today: dt.date | None = None,
) -> Decision:
    """Issue the award decision on the notice's list once the notice has ended and every
    objection is concluded; the awards attach to their units and people."""
    require_office_actor(actor)
    year = CampaignYear.objects.select_for_update().get(pk=notice.deliberation.snapshot.year_id)
    today = today or timezone.localdate()
    if Decision.objects.filter(notice=notice).exists():
        raise AwardsError(_("The decision on this notice is issued already."))
    if today <= notice.ends:
        raise AwardsError(
            _("The notice runs until %(ends)s; the decision can be issued after it.")
            % {"ends": notice.ends.isoformat()}
        )
    if issued_on <= notice.ends:
        raise AwardsError(_("The date of issue must come after the notice's last day."))
    if issued_on > today:
        raise AwardsError(_("The date of issue lies in the future."))
    waiting = open_objections(notice)
    if waiting:
        raise AwardsError(
            _("%(n)s objections are not concluded yet: conclude them first.") % {"n": waiting}
        )
    number, title, issuer, body = number.strip(), title.strip(), issuer.strip(), body.strip()
    if not number:
        raise AwardsError(_("Give the decision's document number (发文字号)."))
    if not title or not issuer or not body:
        raise AwardsError(_("The decision needs its title, issuing office and text."))
    if Decision.objects.filter(number=number).exists():
        raise AwardsError(_("Document number %(n)s is used already.") % {"n": number})
    decision = Decision.objects.create(
        notice=notice, number=number, title=title, issuer=issuer, body=body,
        issued_on=issued_on, created=timezone.now(), created_by=actor,
    )  # fmt: skip
    listed = nominees(notice)
    Award.objects.bulk_create(
        [
            Award(decision=decision, year=year, category=i.category, candidate=i.candidate,
                  unit=i.unit, person=i.person, name=i.name, post=i.post, order=n)
            for n, i in enumerate(listed, start=1)
        ]
    )  # fmt: skip
    _move_to(year, Phase.DECIDED, actor)
    record(
        "awards.decision.issue",
        actor=actor,
        obj=year,
        data={"decision": decision.pk, "number": number, "notice": notice.pk,
              "snapshot": notice.deliberation.snapshot.content_hash,
              "awards": [i.candidate for i in listed]},
    )  # fmt: skip
    return decision


# ---- incentives -----------------------------------------------------------------------


@transaction.atomic
def record_career_event(
    award: Award, *, kind: str, happened_on: dt.date, new_post: str, note: str, actor: Any
) -> CareerEvent:
    require_office_actor(actor)
    if kind not in EventKind.values:
        raise AwardsError(_("Choose the kind of the career event."))
    if award.person_id is None:
        raise AwardsError(_("A team award has no person; record the event on the person's award."))
    if happened_on < award.decision.issued_on:
        raise AwardsError(
            _("The event must come after the award decision of %(day)s.")
            % {"day": award.decision.issued_on.isoformat()}
        )
    if happened_on > timezone.localdate():
        raise AwardsError(_("The date of the event lies in the future."))
    event = CareerEvent.objects.create(
        award=award, kind=kind, happened_on=happened_on, new_post=new_post.strip(),
        note=note.strip(), created=timezone.now(), created_by=actor,
    )  # fmt: skip
    record(
        "awards.career.record",
        actor=actor,
        obj=award.unit,
        data={"event": event.pk, "award": award.pk, "kind": kind, "on": str(happened_on)},
    )
    return event


@transaction.atomic
def withdraw_career_event(event: CareerEvent, *, reason: str, actor: Any) -> CareerEvent:
    """A wrong entry is withdrawn by a new row naming it, with the reason."""
    require_office_actor(actor)
    reason = reason.strip()
    if not reason:
        raise AwardsError(_("Give the reason for withdrawing the entry."))
    if event.withdraws_id is not None:
        raise AwardsError(_("This entry is itself a withdrawal."))
    if CareerEvent.objects.filter(withdraws=event).exists():
        raise AwardsError(_("This entry is withdrawn already."))
    withdrawal = CareerEvent.objects.create(
        award=event.award, kind=event.kind, happened_on=event.happened_on,
        new_post=event.new_post, note=reason, withdraws=event, created=timezone.now(),
        created_by=actor,
    )  # fmt: skip
    record(
        "awards.career.withdraw",
        actor=actor,
        obj=event.award.unit,
        data={"event": event.pk, "withdrawal": withdrawal.pk},
    )
    return withdrawal


def standing_events(awards: Any) -> list[CareerEvent]:
    """The career events of the awards that stand: neither withdrawn nor a withdrawal."""
    return list(
        CareerEvent.objects.filter(
            award__in=awards, withdraws__isnull=True, withdrawn_by__isnull=True
        )
        .select_related("award")
        .order_by("happened_on", "id")
    )


def incentive_counts(district_id: int) -> list[dict[str, Any]]:
    """Per campaign year of the district: awards, and the awardees selected for heavier
    posts, promoted in rank, reassigned (people counted once per kind)."""
    years = CampaignYear.objects.filter(district_id=district_id).order_by("-year")
    awards = Award.objects.filter(year__district_id=district_id)
    events = CareerEvent.objects.filter(
        award__year__district_id=district_id, withdraws__isnull=True, withdrawn_by__isnull=True
    ).values_list("award__year_id", "kind", "award_id")
    counted: dict[tuple[int, str], set[int]] = {}
    for year_id, kind, award_id in events:
        counted.setdefault((year_id, kind), set()).add(award_id)
    totals: dict[int, int] = {}
    for year_id in awards.values_list("year_id", flat=True):
        totals[year_id] = totals.get(year_id, 0) + 1
    return [
        {"year": y, "awards": totals.get(y.pk, 0),
         **{kind: len(counted.get((y.pk, kind), ())) for kind in EventKind.values}}
        for y in years
    ]  # fmt: skip
