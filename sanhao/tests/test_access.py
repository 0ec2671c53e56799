"""Who may open which page: every view, every role, and a walk over every URL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from sanhao.orgs import services
from sanhao.orgs.models import Person, Post, Role, RosterProblems

ROLES = ["office", "liaison_a", "judge", "viewer"]
READERS = {"office", "liaison_a", "viewer"}
OFFICE = {"office"}
SCHEME_READERS = {"office", "viewer"}
JUDGES = {"judge"}

# view name → (HTTP method, roles allowed, kwargs built from the world's town A)
VIEWS = {
    "home": ("get", set(ROLES), {}),
    "orgs:unit_list": ("get", READERS, {}),
    "orgs:unit_detail": ("get", READERS, {"code": "A"}),
    "orgs:unit_create": ("get", OFFICE, {}),
    "orgs:unit_edit": ("get", OFFICE, {"code": "A"}),
    "orgs:post_create": ("get", OFFICE, {"code": "A"}),
    "orgs:person_list": ("get", READERS, {}),
    "orgs:person_create": ("get", OFFICE, {}),
    "orgs:person_detail": ("get", READERS, {"person_pk": "A"}),
    "orgs:person_edit": ("get", OFFICE, {"person_pk": "A"}),
    "orgs:post_edit": ("get", OFFICE, {"post_pk": "A"}),
    "orgs:post_end": ("get", OFFICE, {"post_pk": "A"}),
    "orgs:roster_import": ("get", OFFICE, {}),
    "orgs:roster_template": ("get", OFFICE, {}),
    "orgs:roster_problems": ("get", OFFICE, {"problems_pk": "A"}),
    "campaigns:advance": ("post", OFFICE, {"pk": "campaign"}),
    "campaigns:open_year": ("get", OFFICE, {}),
    "rankings:scheme": ("get", SCHEME_READERS, {"pk": "campaign"}),
    "rankings:scheme_download": ("get", SCHEME_READERS, {"pk": "campaign"}),
    "rankings:scheme_version_download": ("get", SCHEME_READERS, {"pk": "campaign", "number": "1"}),
    "rankings:scheme_edit": ("get", OFFICE, {"pk": "campaign"}),
    "rankings:scheme_section": ("get", OFFICE, {"pk": "campaign", "section": "guidance"}),
    "rankings:scores": ("get", SCHEME_READERS, {"pk": "campaign"}),
    "rankings:compute": ("post", OFFICE, {"pk": "campaign"}),
    "rankings:ranking": ("get", SCHEME_READERS, {"pk": "campaign", "category": "team"}),
    "rankings:candidate": (
        "get",
        SCHEME_READERS,
        {"pk": "campaign", "category": "team", "candidate": "A"},
    ),
    "rankings:whatif": ("post", OFFICE, {"pk": "campaign", "category": "team"}),
    "events:list": ("get", READERS, {"pk": "campaign"}),
    "events:withdraw": ("post", OFFICE, {"pk": "campaign", "event_pk": "A"}),
    "targets:unit_figures": ("get", READERS, {"pk": "campaign", "code": "A"}),
    "targets:district_figures": ("get", SCHEME_READERS, {"pk": "campaign"}),
    "targets:lock_month": ("post", OFFICE, {"pk": "campaign"}),
    "targets:pledges": ("get", READERS, {"pk": "campaign", "code": "A"}),
    "targets:change_pledge": (
        "post",
        {"office", "liaison_a"},
        {"pk": "campaign", "code": "A", "pledge_pk": "A"},
    ),
    "targets:oversight": ("post", OFFICE, {"pk": "campaign", "post_pk": "A"}),
    "records:unit_records": ("get", READERS, {"pk": "campaign", "code": "A"}),
    "records:attach": ("post", {"office", "liaison_a"}, {"pk": "campaign", "code": "A"}),
    "records:download": ("get", READERS, {"pk": "campaign", "code": "A", "file_pk": "A"}),
    "records:grid": ("get", SCHEME_READERS, {"pk": "campaign"}),
    "checks:list": ("get", READERS, {"pk": "campaign"}),
    "checks:add_shortfall": ("post", OFFICE, {"pk": "campaign", "check_pk": "A"}),
    "checks:correct": ("get", OFFICE, {"pk": "campaign", "check_pk": "A"}),
    "checks:overdue": ("get", READERS, {"pk": "campaign"}),
    "checks:update_remedy": ("post", {"office", "liaison_a"}, {"pk": "campaign", "remedy_pk": "A"}),
    "deviations:list": ("get", READERS, {"pk": "campaign"}),
    "deviations:raise": ("get", OFFICE, {"pk": "campaign"}),
    "deviations:detail": ("get", READERS, {"pk": "campaign", "deviation_pk": "A"}),
    "deviations:update": ("post", {"office", "liaison_a"}, {"pk": "campaign", "deviation_pk": "A"}),
    "deviations:download": (
        "get",
        READERS,
        {"pk": "campaign", "deviation_pk": "A", "update_pk": "A"},
    ),
    "notices:list": ("get", set(ROLES), {}),
    "notices:read": ("post", set(ROLES), {}),
    "notices:sent": ("get", OFFICE, {}),
    "projects:year_list": ("get", READERS, {"pk": "campaign"}),
    "projects:ranking": ("get", SCHEME_READERS, {"pk": "campaign"}),
    "projects:unit_projects": ("get", READERS, {"pk": "campaign", "code": "A"}),
    "projects:detail": ("get", READERS, {"pk": "campaign", "project_pk": "A"}),
    "projects:revise": ("post", {"office", "liaison_a"}, {"pk": "campaign", "project_pk": "A"}),
    "projects:drop": ("post", {"office", "liaison_a"}, {"pk": "campaign", "project_pk": "A"}),
    "projects:reinstate": ("post", OFFICE, {"pk": "campaign", "project_pk": "A"}),
    "projects:add_milestone": (
        "post",
        {"office", "liaison_a"},
        {"pk": "campaign", "project_pk": "A"},
    ),
    "projects:update_milestone": (
        "post",
        {"office", "liaison_a"},
        {"pk": "campaign", "milestone_pk": "A"},
    ),
    "projects:grade": ("post", OFFICE, {"pk": "campaign", "project_pk": "A"}),
    "projects:download": ("get", READERS, {"pk": "campaign", "evidence_pk": "A"}),
    # Excel: templates, imports and exports (sanhao/lib/xlsx*.py)
    "orgs:unit_list_export": ("get", READERS, {}),
    "orgs:person_list_export": ("get", READERS, {}),
    "targets:actuals_template": ("get", {"office", "liaison_a"}, {"pk": "campaign"}),
    "targets:actuals_import": ("get", {"office", "liaison_a"}, {"pk": "campaign"}),
    "targets:district_figures_export": ("get", SCHEME_READERS, {"pk": "campaign"}),
    "targets:unit_figures_export": ("get", READERS, {"pk": "campaign", "code": "A"}),
    "records:records_template": ("get", {"office", "liaison_a"}, {"pk": "campaign"}),
    "records:records_import": ("get", {"office", "liaison_a"}, {"pk": "campaign"}),
    "records:grid_export": ("get", SCHEME_READERS, {"pk": "campaign"}),
    "records:unit_records_export": ("get", READERS, {"pk": "campaign", "code": "A"}),
    "checks:list_export": ("get", READERS, {"pk": "campaign"}),
    "checks:overdue_export": ("get", READERS, {"pk": "campaign"}),
    "events:list_export": ("get", READERS, {"pk": "campaign"}),
    "rankings:scores_export": ("get", SCHEME_READERS, {"pk": "campaign"}),
    # Democratic ballots: the office's pages (the voters' are PUBLIC below)
    "ballots:list": ("get", SCHEME_READERS, {"pk": "campaign"}),
    "ballots:create": ("get", OFFICE, {"pk": "campaign"}),
    "ballots:detail": ("get", SCHEME_READERS, {"pk": "campaign", "session_pk": "A"}),
    "ballots:issue": ("post", OFFICE, {"pk": "campaign", "session_pk": "A"}),
    "ballots:slips": ("post", OFFICE, {"pk": "campaign", "session_pk": "A", "batch_pk": "A"}),
    "ballots:withdraw": ("post", OFFICE, {"pk": "campaign", "session_pk": "A", "batch_pk": "A"}),
    "ballots:open": ("post", OFFICE, {"pk": "campaign", "session_pk": "A"}),
    "ballots:close": ("post", OFFICE, {"pk": "campaign", "session_pk": "A"}),
    "ballots:turnout": ("get", SCHEME_READERS, {"pk": "campaign", "session_pk": "A"}),
    # Paper ballots (sanhao/ballots/views_paper.py)
    "ballots:paper_print": ("post", OFFICE, {"pk": "campaign", "session_pk": "A"}),
    "ballots:paper_reprint": (
        "post",
        OFFICE,
        {"pk": "campaign", "session_pk": "A", "run_pk": "A"},
    ),
    "ballots:paper_entry": ("get", OFFICE, {"pk": "campaign", "session_pk": "A"}),
    "ballots:paper_reconcile": ("get", SCHEME_READERS, {"pk": "campaign", "session_pk": "A"}),
    # Panel scoring: the office sets up and closes; a judge of the session scores it.
    "panels:list": ("get", OFFICE, {"pk": "campaign"}),
    "panels:create": ("get", OFFICE, {"pk": "campaign"}),
    "panels:session": ("get", OFFICE, {"session_pk": "A"}),
    "panels:edit": ("get", OFFICE, {"session_pk": "A"}),
    "panels:progress": ("get", OFFICE, {"session_pk": "A"}),
    "panels:reorder": ("post", OFFICE, {"session_pk": "A"}),
    "panels:open": ("post", OFFICE, {"session_pk": "A"}),
    "panels:reporting": ("post", OFFICE, {"session_pk": "A"}),
    "panels:decide": ("post", OFFICE, {"session_pk": "A", "version_pk": "A"}),
    "panels:close": ("post", OFFICE, {"session_pk": "A"}),
    "panels:results": ("get", OFFICE, {"session_pk": "A"}),
    "panels:mine": ("get", JUDGES, {}),
    "panels:sheet": ("get", JUDGES, {"session_pk": "A"}),
    "panels:review": ("get", JUDGES, {"session_pk": "A"}),
    "panels:submit": ("post", JUDGES, {"session_pk": "A"}),
    "panels:correct": ("post", JUDGES, {"session_pk": "A"}),
    # From scores to awards (sanhao/awards): the office acts, a viewer reads.
    "awards:year": ("get", SCHEME_READERS, {"pk": "campaign"}),
    "awards:freeze": ("post", OFFICE, {"pk": "campaign"}),
    "awards:snapshot": ("get", SCHEME_READERS, {"pk": "campaign", "snapshot_pk": "A"}),
    "awards:verify": ("post", OFFICE, {"pk": "campaign", "snapshot_pk": "A"}),
    "awards:snapshot_download": ("get", SCHEME_READERS, {"pk": "campaign", "snapshot_pk": "A"}),
    "awards:deliberate": ("get", OFFICE, {"pk": "campaign", "snapshot_pk": "A"}),
    "awards:deliberation": ("get", SCHEME_READERS, {"pk": "campaign", "deliberation_pk": "A"}),
    "awards:publish": ("get", OFFICE, {"pk": "campaign", "deliberation_pk": "A"}),
    "awards:notice": ("get", SCHEME_READERS, {"pk": "campaign", "notice_pk": "A"}),
    "awards:notice_docx": ("get", SCHEME_READERS, {"pk": "campaign", "notice_pk": "A"}),
    "awards:decide": ("get", OFFICE, {"pk": "campaign", "notice_pk": "A"}),
    "awards:decision": ("get", SCHEME_READERS, {"pk": "campaign", "decision_pk": "A"}),
    "awards:decision_file": (
        "get",
        SCHEME_READERS,
        {"pk": "campaign", "decision_pk": "A", "fmt": "xlsx"},
    ),
    "awards:incentives": ("get", SCHEME_READERS, {"pk": "campaign"}),
    "awards:add_event": ("post", OFFICE, {"pk": "campaign", "award_pk": "A"}),
    "awards:withdraw_event": ("post", OFFICE, {"pk": "campaign", "career_pk": "A"}),
    # The public notice's objections: the office handles them (the notice itself is public).
    "notice:objections": ("get", OFFICE, {"pk": "campaign", "notice_pk": "A"}),
    "notice:objection": ("get", OFFICE, {"pk": "campaign", "notice_pk": "A", "objection_pk": "A"}),
    "notice:remove": ("post", OFFICE, {"pk": "campaign", "notice_pk": "A"}),
    # The leaderboard (擂台) and the year reports; its big screen is PUBLIC_SCREENS below.
    "leaderboard:board": ("get", SCHEME_READERS, {"pk": "campaign"}),
    "leaderboard:unit_report": ("get", READERS, {"pk": "campaign", "code": "A", "fmt": "xlsx"}),
    "leaderboard:district_report": ("get", SCHEME_READERS, {"pk": "campaign", "fmt": "docx"}),
    "jobs:status": ("get", OFFICE, {}),
    "jobs:selfcheck": ("post", OFFICE, {}),
    "jobs:detail": ("get", OFFICE, {"job_id": "A"}),
    "jobs:progress": ("get", OFFICE, {"job_id": "A"}),
    "jobs:download": ("get", OFFICE, {"job_id": "A"}),
    "jobs:district_report": ("post", SCHEME_READERS, {"pk": "campaign", "fmt": "docx"}),
    # The working-day calendar (sanhao/workdays): the office only.
    "workdays:index": ("get", OFFICE, {}),
    "workdays:year": ("get", OFFICE, {"year": "2027"}),
    # Accounts (sanhao/accounts): one's own password for everyone; the office manages accounts.
    "accounts:password_change": ("get", set(ROLES), {}),
    "accounts:two_factor": ("get", OFFICE, {}),
    "accounts:user_list": ("get", OFFICE, {}),
    "accounts:user_create": ("get", OFFICE, {}),
    "accounts:user_detail": ("get", OFFICE, {"user_pk": "A"}),
    "accounts:user_reset": ("post", OFFICE, {"user_pk": "A"}),
    "accounts:user_deactivate": ("post", OFFICE, {"user_pk": "A"}),
    "accounts:user_reactivate": ("post", OFFICE, {"user_pk": "A"}),
    "accounts:user_two_factor_off": ("post", OFFICE, {"user_pk": "A"}),
    # The office's status page and its audit check (sanhao/ops); /healthz is PUBLIC below.
    "ops:status": ("get", OFFICE, {}),
    "ops:verify_audit": ("post", OFFICE, {}),
}
# The voters' pages take a code, never an account: anyone may open them (test below).
# /healthz, for the load balancer and monitoring, needs no account either and sets no cookie.
PUBLIC = {
    "ballots:vote",
    "ballots:vote_session",
    "ballots:submit",
    "ballots:receipt",
    "ops:healthz",
}
# The public notice (公示) and its objection form: anyone, with no account (test below).
NOTICE_PUBLIC = {"notice:index", "notice:detail", "notice:object"}
# Screens for a public hall: no account, every unit's name, nobody's personal data.
PUBLIC_SCREENS = {"leaderboard:screen"}
NOT_WALKED = (
    {"accounts:login", "accounts:login_verify", "accounts:logout", "set_language"}
    | PUBLIC
    | NOTICE_PUBLIC
    | PUBLIC_SCREENS
)


@pytest.fixture
def transferred(world) -> Post:
    """A deputy who left town A for town B: A's liaison may see the person, never B."""
    person = services.create_person(code="T001", name="调任者", gender=Person.Gender.FEMALE,
                                    actor=world.office)  # fmt: skip
    old = services.start_post(person, world.a, role=Role.DEPUTY, title="副镇长",
                              start=dt.date(2018, 1, 1), actor=world.office)  # fmt: skip
    services.end_post(old, dt.date(2023, 1, 1), actor=world.office)
    return services.start_post(person, world.b, role=Role.DEPUTY, title="调任副主任",
                               start=dt.date(2023, 1, 1), order=9, actor=world.office)  # fmt: skip


def _problems(world) -> RosterProblems:
    """The problems of an import the office tried."""
    kept = RosterProblems.objects.filter(actor=world.office).first()
    return kept or services.keep_roster_problems(
        [["人员", 2, "B（姓名）", "不能为空"]], actor=world.office
    )


def _event(world, team):
    """A score event of the unit, entered by the office."""
    import datetime

    from sanhao.events.models import ScoreEvent
    from sanhao.events.services import add_event

    found = ScoreEvent.objects.filter(unit=team).first()
    return found or add_event(world.campaign, team, kind="bonus", item="honour",
                              happened_on=datetime.date(2026, 3, 1), note=f"{team.name}获表彰",
                              actor=world.office)  # fmt: skip


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _attachment(world, unit) -> int:
    """An attachment of a process record of the unit (made once per unit)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sanhao.records.models import RecordAttachment
    from sanhao.records.services import add_record, attach_file, team_of

    kept = RecordAttachment.objects.filter(record__unit=unit).first()
    if kept:
        return kept.pk
    rec = add_record(world.campaign, unit, type="study", period=1, held_on=dt.date(2026, 1, 9),
                     topic="学习", text="", actor=world.office,
                     attendance=[{"number": p.person.code, "present": True}
                                 for p in team_of(unit)])  # fmt: skip
    upload = SimpleUploadedFile("纪要.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    return attach_file(rec, upload, actor=world.office).pk


def _remedy(world, unit):
    """A remedy of a shortfall of the unit found at a spot check (made once per unit)."""
    from sanhao.checks.models import Remedy
    from sanhao.checks.services import add_shortfall, add_spot_check

    kept = Remedy.objects.filter(shortfall__unit=unit).first()
    if kept:
        return kept
    check = add_spot_check(world.campaign, held_on=dt.date(2026, 5, 20), title="点调会",
                           indicators=[], units=[unit], actor=world.office)  # fmt: skip
    post = Post.objects.current().filter(unit=unit).order_by("order", "pk")[0]
    return add_shortfall(check, post, text="短板", measure="举措", due_on=dt.date(2026, 6, 30),
                         actor=world.office).remedy  # fmt: skip


def _pledge(world, unit) -> int:
    """A pledge of the unit's team (made once per unit)."""
    from sanhao.targets.models import Pledge
    from sanhao.targets.pledges import add_pledge

    kept = Pledge.objects.filter(unit=unit).first()
    return (kept or add_pledge(world.campaign, unit, post=None, text=f"{unit.name}的承诺",
                               actor=world.office)).pk  # fmt: skip


def _deviation(world, unit):
    """A deviation of the unit with an update carrying an evidence file (made once per unit)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sanhao.deviations.models import DeviationUpdate
    from sanhao.deviations.services import raise_deviation, update_deviation

    kept = DeviationUpdate.objects.filter(deviation__unit=unit).exclude(stored_name="").first()
    if kept:
        return kept
    deviation = raise_deviation(world.campaign, unit, found_on=dt.date(2026, 6, 10),
                                problem="督办事项未落实", correction="限期整改",
                                deadline=dt.date(2026, 7, 10), actor=world.office)  # fmt: skip
    upload = SimpleUploadedFile("整改.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    return update_deviation(deviation, status="open", note="正在整改", file=upload,
                            actor=world.office)  # fmt: skip


def _project(world, unit):
    """A project of the unit with a milestone done, its evidence a file (made once per unit)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from sanhao.projects.models import Evidence
    from sanhao.projects.services import add_milestone, register_project, update_milestone

    kept = Evidence.objects.filter(update__milestone__project__unit=unit).first()
    if kept:
        return kept
    leader = Post.objects.current().filter(unit=unit, role=Role.LEADER).get()
    project = register_project(world.campaign, unit, kind="secretary", owner=leader,
                               title="党建+基层治理", goal="建成片区服务中心", actor=world.office)  # fmt: skip
    milestone = add_milestone(
        project, title="选址", due_on=dt.date(2026, 3, 31), actor=world.office
    )
    upload = SimpleUploadedFile("选址.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    update_milestone(milestone, action="done", text="已选址", on=dt.date(2026, 3, 20), file=upload,
                     actor=world.office)  # fmt: skip
    return Evidence.objects.get(update__milestone=milestone)


def _ballot_session(world, unit):
    """A ballot session of the unit's candidates with a batch of codes and a run of paper
    forms (made once per unit)."""
    from django.utils import timezone

    from sanhao.ballots import paper
    from sanhao.ballots import services as ballots
    from sanhao.ballots.models import BallotSession

    kept = BallotSession.objects.filter(unit=unit).first()
    if kept:
        return kept
    now = timezone.now()
    session = ballots.create_session(world.campaign, title=f"{unit.name}测评", unit=unit,
                                     category="", opens_at=now, closes_at=now + dt.timedelta(hours=2),
                                     groups=[ballots.GroupPlan("unit_cadres", 5)],
                                     actor=world.office)  # fmt: skip
    group = session.groups.get()
    ballots.issue_codes(session, group, 2, actor=world.office, vote_url="http://testserver/vote/")
    paper.issue_forms(session, group, 2, actor=world.office)
    return session


def _panel(world):
    """An open panel session of the teams with the world's judge, whose sheet is submitted
    and whose correction waits for the office (made once)."""
    from django.utils import timezone

    from sanhao.panels import services as panels
    from sanhao.panels.models import PanelSession, SheetVersion

    kept = SheetVersion.objects.filter(number=2).select_related("session").first()
    if kept:
        return kept
    now = timezone.now()
    session = panels.create_session(world.campaign, category="team", title="好班子述职评分",
                                    opens=now - dt.timedelta(hours=1),
                                    closes=now + dt.timedelta(hours=8), mode="score",
                                    judges=[(world.judge, [])], actor=world.office)  # fmt: skip
    panels.open_session(session, actor=world.office)
    cells = {c: ["20", "21", "22", "23"] for c in ("T-town-a", "T-town-b")}
    panels.save_draft(session, cells, actor=world.judge)
    panels.submit_sheet(session, actor=world.judge)
    panels.start_correction(session, actor=world.judge)
    panels.save_draft(session, {"T-town-a": ["25", "21", "22", "23"]}, actor=world.judge)
    assert isinstance(session, PanelSession)
    return panels.submit_sheet(session, reason="误录", actor=world.judge)


def _awards(world):
    """The year's chain from a frozen run to a career event (built once, then reused)."""
    from sanhao.awards import objections
    from sanhao.awards import services as awards
    from sanhao.awards.models import CareerEvent
    from sanhao.awards.tests.world import evaluated_run

    found = (
        CareerEvent.objects.filter(award__year=world.campaign)
        .select_related("award__decision__notice__deliberation__snapshot")
        .first()
    )
    if found is not None:
        return found
    with pytest.MonkeyPatch.context() as patch:
        snapshot = awards.freeze(evaluated_run(world, patch), actor=world.office)
    deliberation = awards.deliberate(snapshot, held_on=dt.date(2025, 9, 20), attendees="部务会",
                                     agenda="名单", choices={}, actor=world.office)  # fmt: skip
    notice = awards.publish_notice(
        deliberation, title="公示", issuer="组织部", body="现予公示", how_to_object="来电",
        contact="0523", first_day=dt.date(2025, 9, 28), show_scores=False, actor=world.office,
        today=dt.date(2025, 9, 28),
    )  # fmt: skip
    objection = objections.submit_objection(notice, item=None, real_name="王实名",
                                            phone="13912345678", content="反映",
                                            today=notice.starts)  # fmt: skip
    objections.start_verifying(objection, note="核实", actor=world.office)
    objections.conclude(objection, upheld=False, note="不属实", actor=world.office)
    decision = awards.issue_decision(notice, number="测〔2025〕1号", title="决定", issuer="组织部",
                                     body="表彰", issued_on=dt.date(2025, 10, 15),
                                     actor=world.office, today=dt.date(2025, 10, 15))  # fmt: skip
    award = decision.awards.exclude(person=None).first()
    return awards.record_career_event(award, kind="promoted", happened_on=dt.date(2026, 1, 5),
                                      new_post="", note="", actor=world.office)  # fmt: skip


def _scored_team(world, unit) -> str:
    """The id of the unit's team in the year's score run, computed once."""
    from sanhao.rankings.models import ScoreRun
    from sanhao.rankings.runs import compute_scores
    from sanhao.rankings.tests.test_runs import TODAY, fill

    if not ScoreRun.objects.filter(year=world.campaign).exists():
        fill(world)
        compute_scores(world.campaign, actor=world.office, today=TODAY)
    return f"T-{unit.code}"


def _job(world, team) -> str:
    """A finished job with a file: the office's for town A, town B's liaison's for B."""
    from sanhao.jobs import services as jobs
    from sanhao.jobs.models import Job

    owner = world.office if team == world.a else world.liaison_b
    found = Job.objects.filter(created_by=owner).first()
    if found is None:
        found = jobs.start("district_report", actor=owner, campaign=world.campaign,
                           label=f"{team.name} report", params={"fmt": "xlsx"})  # fmt: skip
    return str(found.pk)


def _kwargs(world, spec: dict[str, str], unit: str | Post) -> dict[str, object]:
    """URL parameters from town A's or B's objects, or from one post and its unit."""
    if isinstance(unit, Post):
        team, post = unit.unit, unit
    else:
        team, post = (world.a if unit == "A" else world.b), world.posts[f"{unit}1"]
    values = {
        "code": team.code,
        "person_pk": post.person.pk,
        "post_pk": post.pk,
        "pk": world.campaign.pk,
        "problems_pk": _problems(world).pk,
        "number": 1,  # the year's first scheme version
        "section": "guidance",  # a section of the scheme editor
        "event_pk": _event(world, team).pk,
        "fmt": spec.get("fmt") or "xlsx",  # a report's format
        "year": 2027,  # a year of the working-day calendar
        "user_pk": (world.liaison_a if team == world.a else world.liaison_b).pk,  # its liaison
    }
    if "category" in spec:
        values["category"] = "team"
    if "candidate" in spec:
        values["candidate"] = _scored_team(world, team)
    if "file_pk" in spec:
        values["file_pk"] = _attachment(world, team)
    if "job_id" in spec:
        values["job_id"] = _job(world, team)
    if "pledge_pk" in spec:
        values["pledge_pk"] = _pledge(world, team)
    if "check_pk" in spec or "remedy_pk" in spec:
        remedy = _remedy(world, team)
        values["remedy_pk"], values["check_pk"] = remedy.pk, remedy.shortfall.spot_check_id
    if "deviation_pk" in spec or "update_pk" in spec:
        update = _deviation(world, team)
        values["deviation_pk"], values["update_pk"] = update.deviation_id, update.pk
    if {"project_pk", "milestone_pk", "evidence_pk"} & set(spec):
        evidence = _project(world, team)
        milestone = evidence.update.milestone
        values |= {"evidence_pk": evidence.pk, "milestone_pk": milestone.pk,
                   "project_pk": milestone.project_id}  # fmt: skip
    # Ballot sessions live under a year's URL (pk), panel sessions under their own.
    if "pk" in spec and {"session_pk", "batch_pk", "run_pk"} & set(spec):
        session = _ballot_session(world, team)
        values |= {"session_pk": session.pk, "batch_pk": session.batches.first().pk,
                   "run_pk": session.paper_runs.first().pk}  # fmt: skip
    elif {"session_pk", "version_pk"} & set(spec):
        version = _panel(world)
        values |= {"session_pk": version.session_id, "version_pk": version.pk}
    # The awards are the district's, not a unit's: the same chain for town A and town B.
    if {"snapshot_pk", "deliberation_pk", "notice_pk", "decision_pk", "award_pk",
        "career_pk", "objection_pk"} & set(spec):  # fmt: skip
        event = _awards(world)
        decision = event.award.decision
        values |= {"career_pk": event.pk, "award_pk": event.award_id,
                   "decision_pk": decision.pk, "notice_pk": decision.notice_id,
                   "deliberation_pk": decision.notice.deliberation_id,
                   "snapshot_pk": decision.notice.deliberation.snapshot_id,
                   "objection_pk": decision.notice.objections.first().pk}  # fmt: skip
    return {name: values[name] for name in spec}


def _text_of(response) -> str:
    """What a response shows: a page's text, or the text of a workbook's cells."""
    from sanhao.lib.xlsx import Workbook
    from sanhao.lib.xlsx_export import CONTENT_TYPE

    if response.get("Content-Type", "").endswith("wordprocessingml.document"):
        import io

        from docx import Document

        document = Document(io.BytesIO(response.content))
        cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
        return " ".join([p.text for p in document.paragraphs] + cells)
    if response.get("Content-Type") == CONTENT_TYPE:
        book = Workbook(response.content)
        return " ".join(
            str(v)
            for sheet in book.sheet_names
            for _n, row in book.rows(sheet)
            for v in row.values()
        )
    return response.content.decode()


def _names(resolver: URLResolver, prefix: str = "") -> dict[str, URLPattern]:
    found: dict[str, URLPattern] = {}
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue
            space = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            found |= _names(entry, space)
        elif entry.name:
            found[f"{prefix}{entry.name}"] = entry
    return found


def test_it_has_an_access_rule_for_every_view():
    assert set(_names(get_resolver())) - NOT_WALKED == set(VIEWS)


@pytest.mark.parametrize("name", sorted(VIEWS))
@pytest.mark.parametrize("role", ROLES)
def test_it_lets_in_only_the_roles_of_each_view(world, name, role):
    method, allowed, spec = VIEWS[name]
    url = reverse(name, kwargs=_kwargs(world, spec, "A"))
    response = getattr(world.client_for(getattr(world, role)), method)(url)
    if role in allowed:
        assert response.status_code in (200, 302), (name, role, response.status_code)
        if response.status_code == 302:
            assert "/login/" not in response["Location"]
    else:
        assert response.status_code in (403, 404), (name, role, response.status_code)


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_it_sends_anonymous_visitors_to_the_login(db, world, name):
    method, _allowed, spec = VIEWS[name]
    response = getattr(Client(), method)(reverse(name, kwargs=_kwargs(world, spec, "A")))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_never_shows_another_unit_to_a_liaison_on_any_url(world, transferred):
    """Every URL pattern, filled with town B's objects, then with those of a person who
    moved from A to B, as the liaison of town A: nothing of B may show, not the unit,
    not its people, not the transferred person's post there."""
    client = world.client_for(world.liaison_a)
    secrets = [
        world.b.name,
        transferred.title,
        *(p.person.name for k, p in world.posts.items() if k[0] == "B"),
    ]
    walked = 0
    for name, pattern in _names(get_resolver()).items():
        if name in NOT_WALKED:
            continue
        names = list(pattern.pattern.converters)
        unknown = set(names) - {
            "code",
            "person_pk",
            "post_pk",
            "pk",
            "problems_pk",
            "number",
            "event_pk",
            "file_pk",
            "check_pk",
            "remedy_pk",
            "pledge_pk",
            "deviation_pk",
            "update_pk",
            "section",
            "project_pk",
            "milestone_pk",
            "evidence_pk",
            "session_pk",
            "batch_pk",
            "run_pk",
            "version_pk",
            "snapshot_pk",
            "deliberation_pk",
            "notice_pk",
            "decision_pk",
            "award_pk",
            "career_pk",
            "fmt",
            "objection_pk",
            "year",
            "category",
            "candidate",
            "job_id",
            "user_pk",
        }
        assert not unknown, f"teach this test the URL parameter(s) {unknown} of {name}"
        for objects in ("B", transferred):
            url = reverse(name, kwargs=_kwargs(world, dict.fromkeys(names, ""), objects))
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                walked += 1
                if response.status_code in (403, 404, 405):
                    continue
                assert response.status_code in (200, 302), (method, url, response.status_code)
                body = _text_of(response)
                leaked = [s for s in secrets if s in body]
                assert not leaked, f"{method.upper()} {url} shows {leaked} to the liaison of A"
    assert walked >= 4 * len(VIEWS)


def test_it_shows_a_liaison_the_transferred_person_with_their_past_post_only(world, transferred):
    client = world.client_for(world.liaison_a)
    person = transferred.person
    listed = client.get(reverse("orgs:person_list")).content.decode()
    assert person.name in listed and "乙街道" not in listed
    found = client.get(reverse("orgs:person_list"), {"q": "调任"}).content.decode()
    assert person.name in found and "乙街道" not in found and "调任副主任" not in found
    page = client.get(reverse("orgs:person_detail", kwargs={"person_pk": person.pk}))
    body = page.content.decode()
    assert "甲镇" in body and "副镇长" in body and "乙街道" not in body
    assert "调任副主任" not in body
    # The office sees both posts.
    office = world.client_for(world.office).get(reverse("orgs:person_list")).content.decode()
    assert "乙街道调任副主任" in office


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_the_voters_pages_need_no_account_and_show_no_candidate_without_a_code(world, name):
    session = _ballot_session(world, world.a)
    kwargs = {"session_pk": session.pk} if name == "ballots:vote_session" else {}
    for method in ("get", "post"):
        response = getattr(Client(), method)(reverse(name, kwargs=kwargs))
        assert response.status_code in (200, 400, 403, 405), (name, method, response.status_code)
        body = response.content.decode()
        assert "/login/" not in response.get("Location", "")
        assert world.person("A0").name not in body and world.b.name not in body
        if response.status_code != 405:
            assert (
                response["Cache-Control"].startswith("no-store")
                or "no-store" in response["Cache-Control"]
            )
            assert not response.cookies, (name, method, list(response.cookies))


@pytest.mark.parametrize("name", sorted(NOTICE_PUBLIC))
def test_the_public_notice_needs_no_account_and_shows_no_objector(world, name):
    objection = _awards(world).award.decision.notice.objections.get()
    kwargs = {} if name == "notice:index" else {"pk": objection.notice_id}
    response = Client().get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200, (name, response.status_code)
    body = response.content.decode()
    assert "/login/" not in response.get("Location", "")
    assert objection.notice.title in body
    assert "王实名" not in body and "13912345678" not in body
    assert not response.cookies, (name, list(response.cookies))


@pytest.mark.parametrize("name", sorted(PUBLIC_SCREENS))
def test_the_public_screens_need_no_account_set_no_cookie_and_name_nobody(world, name):
    response = Client().get(reverse(name, kwargs={"pk": world.campaign.pk}))
    assert response.status_code == 200 and not response.cookies
    body = response.content.decode()
    assert world.a.name in body and "/login/" not in response.get("Location", "")
    assert not [p.person.name for p in world.posts.values() if p.person.name in body]
    assert Client().post(reverse(name, kwargs={"pk": world.campaign.pk})).status_code == 405


def test_it_refuses_the_admin_to_everyone_but_the_office(world):
    for role in ("liaison_a", "judge", "viewer"):
        response = world.client_for(getattr(world, role)).get("/admin/orgs/unit/")
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert world.client_for(world.office).get("/admin/orgs/unit/").status_code == 200


def test_it_sends_anyone_asking_for_favicon_ico_to_the_icon(db):
    response = Client().get("/favicon.ico")
    assert response.status_code == 301 and response["Location"] == "/static/sanhao/favicon.svg"
