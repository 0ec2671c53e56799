"""The year reports (年度报告): one unit's, or the district's, as .xlsx and as .docx.

One generator feeds both formats (pretix's exporters): `unit_report` and
`district_report` build a `Report`, a title and a list of `Table`s — the targets and
actuals, the monthly figures, the process records, the spot checks' shortfalls and
remedies, the projects, the scores of the newest run with their breakdown, the awards —
from the leaderboard's data (`board.load`) and a few more queries, never one per unit.
`to_xlsx` writes each table as a sheet (sanhao/lib/xlsx_export.py); `to_docx` writes a
plain report with python-docx: a title, a heading per table, the tables, the body in
仿宋 and the tables in 宋体 (set for East Asian text through w:eastAsia).

A liaison's report of their own unit shows the scores as the unit page does — K and its
breakdown — until the award decision; P, M, B, D, S, the rank and the status follow
once the decision is issued. The office and the viewer always read them all.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _

from sanhao.awards.models import Category
from sanhao.campaigns.models import CampaignYear
from sanhao.checks.models import Remedy, RemedyStatus
from sanhao.checks.services import current_spot_checks, with_status
from sanhao.leaderboard.board import Board, load
from sanhao.lib import xlsx_export
from sanhao.orgs.models import Unit
from sanhao.projects.models import Kind, Medal
from sanhao.rankings.models import ScoreLine
from sanhao.rankings.selectors import unit_breakdown
from sanhao.rankings.services import check_scheme, current_scheme
from sanhao.records.models import ProcessRecord
from sanhao.records.periods import is_on_time

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BODY_FONT = "仿宋"
TABLE_FONT = "宋体"
SCORES = ("K", "P", "M", "B", "D", "S")


@dataclass
class Table:
    title: str
    header: Sequence[str]
    rows: Sequence[Sequence[Any]]
    note: str = ""


@dataclass
class Report:
    title: str
    subtitle: str
    tables: list[Table] = field(default_factory=list)

    @property
    def filename(self) -> str:
        return self.title


def _unit_columns(many: bool, unit: Unit) -> list[str]:
    return [unit.name] if many else []


def _targets(board: Board, units: list[Unit], many: bool) -> list[Table]:
    rows_of = {r.unit.pk: r for r in board.rows}
    head = [_("unit")] if many else []
    targets: list[Sequence[Any]] = []
    monthly: list[Sequence[Any]] = []
    for unit in units:
        row = rows_of[unit.pk]
        for cell in row.cells:
            targets.append([*_unit_columns(many, unit), cell.indicator.name, cell.plan_text,
                            cell.prior_text, cell.actual_text, cell.latest_month or "",
                            cell.completion_text, cell.expected_text,
                            cell.pace.label if cell.pace else "", cell.growth_text,
                            f"{cell.place}/{cell.ranked}" if cell.place else ""])  # fmt: skip
            monthly.append([*_unit_columns(many, unit), cell.indicator.name, *cell.month_texts()])
    summary = [
        [r.unit.name, r.completion_text, r.pace.label if r.pace else "",
         *[str(p) if p else "" for p in r.ranks]]
        for r in board.rows if r.unit in units
    ]  # fmt: skip
    months = [_("month %(m)s") % {"m": m} for m in range(1, 13)]
    return [
        Table(_("Targets and actuals"),
              [*head, _("indicator"), _("annual plan"), _("prior-year actual"),
               _("actual to date"), _("month"), _("completion of plan"),
               _("expected by the month"), _("pace"), _("year-on-year"), _("place among units")],
              targets,
              _("Completion is the actual to date over the annual plan; the expected share "
                "by a month is month / 12.")),
        Table(_("Cumulative actuals by month"), [*head, _("indicator"), *months], monthly),
        Table(_("Monthly ranking of the units"),
              [_("unit"), _("mean completion"), _("pace"), *months], summary,
              _("A unit's place each month by the mean completion of its indicators (1 is "
                "first; equal completions share the place).")),
    ]  # fmt: skip


def _records(board: Board, units: list[Unit], many: bool) -> list[Table]:
    year = board.year
    names = {}
    expected = {}
    for t in check_scheme(current_scheme(year).source).records:
        names[t.type], expected[t.type] = t.name, t.expected
    summary = [
        [r.unit.name, r.records.due, r.records.on_time, r.records.late, r.records.missing,
         r.records.rate_text]
        for r in board.rows if r.unit in units
    ]  # fmt: skip
    tables = [Table(_("Process records: compliance"),
                    [_("unit"), _("due"), _("on time"), _("late"), _("missing"),
                     _("on time / due")], summary,
                    _("Due: the periods ended by the report's day, and those already "
                      "recorded."))]  # fmt: skip
    if not many:
        rows: list[Sequence[Any]] = []
        for rec in ProcessRecord.objects.filter(
            year=year, unit__in=units, superseded_by__isnull=True
        ).order_by("type", "period", "id"):
            n = expected.get(rec.type)
            on_time = n is not None and rec.period <= n and is_on_time(rec.held_on, year.year,
                                                                       rec.period, n)  # fmt: skip
            rows.append([names.get(rec.type, rec.type), rec.period, rec.held_on, rec.topic,
                         rec.present_count, len(rec.absent),
                         _("on time") if on_time else _("late")])  # fmt: skip
        tables.append(Table(_("Process records"),
                            [_("record type"), _("period"), _("held on"), _("topic"),
                             _("present"), _("absent"), _("on time")], rows))  # fmt: skip
    return tables


def _checks(board: Board, units: list[Unit], many: bool) -> Table:
    current: dict[int, Any] = {}  # every row of a spot check's chain → the current row
    for spot in current_spot_checks(board.year):
        for pk in spot.chain:  # type: ignore[attr-defined]
            current[pk] = spot
    remedies = (
        with_status(Remedy.objects.filter(shortfall__spot_check__year=board.year,
                                          shortfall__unit__in=units))
        .select_related("shortfall__unit", "shortfall__post__person", "owner__person")
        .order_by("shortfall__unit__order", "due_on", "id")
    )  # fmt: skip
    labels = dict(RemedyStatus.choices)
    rows: list[Sequence[Any]] = []
    for remedy in remedies:
        shortfall = remedy.shortfall
        check = current.get(shortfall.spot_check_id)
        status = remedy.status  # type: ignore[attr-defined]
        overdue = status == RemedyStatus.OPEN and remedy.due_on < board.today
        rows.append([*_unit_columns(many, shortfall.unit),
                     check.held_on if check else "", check.title if check else "",
                     shortfall.post.person.name, shortfall.text, remedy.measure,
                     remedy.owner.person.name, remedy.due_on, str(labels.get(status, status)),
                     _("overdue") if overdue else ""])  # fmt: skip
    head = [_("unit")] if many else []
    return Table(_("Spot checks: shortfalls and remedies"),
                 [*head, _("date"), _("spot check"), _("person"), _("shortfall"), _("measure"),
                  _("owner"), _("due date"), _("status"), _("overdue")], rows)  # fmt: skip


def _projects(board: Board, units: list[Unit], many: bool) -> Table:
    kinds, medals = dict(Kind.choices), dict(Medal.choices)
    ids = {u.pk for u in units}
    rows: list[Sequence[Any]] = []
    for p in board.projects:
        if p.project.unit_id not in ids:
            continue
        grade = p.grade
        rows.append([*_unit_columns(many, p.project.unit), str(kinds.get(p.project.kind, "")),
                     p.revision.title, p.revision.owner.person.name, p.status_label,
                     f"{p.done_count}/{p.kept_count}",
                     str(medals.get(grade.medal, "")) if p.graded and grade else "",
                     grade.points if p.graded and grade and grade.points is not None else ""])  # fmt: skip
    head = [_("unit")] if many else []
    return Table(_("Projects"),
                 [*head, _("kind"), _("project title"), _("owner"), _("status"),
                  _("milestones done"), _("award"), _("points")], rows)  # fmt: skip


def _scores(board: Board, units: list[Unit], many: bool, *, full: bool) -> list[Table]:
    run = board.run
    if run is None:
        return [Table(_("Scores"), [_("note")], [[_("No scores have been computed for this "
                                                     "year yet.")]])]  # fmt: skip
    codes = {u.code: u for u in units}
    lines = [line for line in ScoreLine.objects.filter(run=run, unit__in=list(codes))
             .order_by("id")]  # fmt: skip
    breakdown: list[Sequence[Any]] = []
    candidates: list[Sequence[Any]] = []
    head = [_("unit")] if many else []
    categories = {c.value: str(c.label) for c in Category}
    for line in lines:
        unit = codes[line.unit]
        if not line.candidate:
            shown = unit_breakdown(line.document)
            for x in shown["indicators"]:
                breakdown.append([*_unit_columns(many, unit), x["name"], x["actual"], x["plan"],
                                  x["completion"], x["prior"], x["growth"],
                                  f"{x['score']} / {x['points']}"])  # fmt: skip
            process = shown["process"]
            records = "；".join(
                _("%(name)s %(on_time)s of %(expected)s on time, %(missing)s missing")
                % r for r in process["records"]
            )  # fmt: skip
            breakdown.append([*_unit_columns(many, unit), _("process records"), records, "", "",
                              "", "", f"{process['score']} / {process['points']}"])  # fmt: skip
            breakdown.append([*_unit_columns(many, unit), _("K of the unit"), "", "", "", "", "",
                              str(line.k)])  # fmt: skip
            continue
        doc = line.document
        row = [
            *_unit_columns(many, unit),
            categories.get(line.category, line.category),
            doc.get("name", ""),
            doc.get("K", ""),
        ]
        if full:
            row += [doc.get(x, "") or "" for x in SCORES[1:]]
            row += [
                doc.get("rank") or "",
                doc.get("status_text", ""),
                "；".join(str(r) for r in doc.get("reasons") or []),
            ]
        candidates.append(row)
    note = _("From score run %(n)s of %(when)s (input hash %(hash)s).") % {
        "n": run.pk,
        "when": run.created.strftime("%Y-%m-%d %H:%M"),
        "hash": run.input_hash[:12],
    }
    header = [*head, _("category"), _("candidate"), "K"]
    if full:
        header += ["P", "M", "B", "D", "S", _("rank"), _("status"), _("reasons")]
    else:
        note += " " + _("P, M, B, D, S and the ranks are shown here after the award decision.")
    return [
        Table(_("Quantified score K: breakdown"),
              [*head, _("indicator"), _("actual to date"), _("annual plan"), _("completion"),
               _("prior year, same months"), _("growth"), _("points")], breakdown, note),
        Table(_("Scores of the candidates"), header, candidates, note),
    ]  # fmt: skip


def _awards(board: Board, units: list[Unit], many: bool) -> Table:
    ids = {u.pk for u in units}
    labels = {c.value: str(c.label) for c in Category}
    rows = [[labels.get(a.category, a.category), a.unit.name if many else "", a.name, a.post,
             a.decision.number, a.decision.issued_on]
            for a in board.awards if a.unit_id in ids]  # fmt: skip
    if not many:
        rows = [[r[0], *r[2:]] for r in rows]
    head = [_("category"), *([_("unit")] if many else []), _("name"), _("post"),
            _("document number"), _("date of issue")]  # fmt: skip
    note = "" if board.decided else _("The award decision of the year has not been issued yet.")
    return Table(_("Awards"), head, rows, note)


def _build(year: CampaignYear, units: list[Unit], *, many: bool, full: bool, title: str) -> Report:
    board = load(year)
    full = full or board.decided
    report = Report(title=title, subtitle=f"{year.display_title} · {year.district.name}")
    report.tables += _targets(board, units, many)
    report.tables += _records(board, units, many)
    report.tables.append(_checks(board, units, many))
    report.tables.append(_projects(board, units, many))
    report.tables += _scores(board, units, many, full=full)
    report.tables.append(_awards(board, units, many))
    return report


def unit_report(year: CampaignYear, unit: Unit, *, full: bool) -> Report:
    title = _("%(unit)s: year report %(year)s") % {"unit": unit.name, "year": year.year}
    return _build(year, [unit], many=False, full=full, title=title)


def district_report(year: CampaignYear) -> Report:
    units = list(Unit.objects.filter(district_id=year.district_id).order_by("order", "code"))
    title = _("%(district)s: year report %(year)s") % {"district": year.district.name,
                                                        "year": year.year}  # fmt: skip
    return _build(year, units, many=True, full=True, title=title)


# The two formats --------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value else "0"
    return value


def _sheet_title(text: str) -> str:
    """A sheet's name as Excel takes it: at most 31 characters, none of : \\ / ? * [ ]."""
    for bad, good in {":": "：", "\\": "＼", "/": "／", "?": "？", "*": "＊", "[": "（",
                      "]": "）"}.items():  # fmt: skip
        text = text.replace(bad, good)
    return text[:31]


def to_xlsx(report: Report) -> bytes:
    sheets = [
        xlsx_export.Sheet(
            title=_sheet_title(table.title),
            header=list(table.header),
            rows=[[_plain(v) for v in row] for row in table.rows]
            + ([[], [table.note]] if table.note else []),
            title_row=f"{report.title} · {table.title}",
        )
        for table in report.tables
    ]
    return xlsx_export.build(sheets)


def _east_asian(style_or_run: Any, font: str) -> None:
    """Set a style's or a run's fonts, the East Asian one included (w:eastAsia)."""
    from docx.oxml.ns import qn

    style_or_run.font.name = font
    element = style_or_run.element
    r_pr = element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.append(fonts)
    for key in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(key), font)
    for key in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(key), None)  # a theme font would win over the one named


def _text(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def to_docx(report: Report) -> bytes:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    normal = document.styles["Normal"]
    _east_asian(normal, BODY_FONT)
    normal.font.size = Pt(12)
    for name in ("Title", "Heading 1", "Heading 2"):
        style = document.styles[name]
        _east_asian(style, TABLE_FONT)
        style.font.color.rgb = RGBColor(0, 0, 0)
        style.font.bold = True
    document.styles["Title"].font.size = Pt(20)
    document.styles["Heading 1"].font.size = Pt(15)
    title = document.add_paragraph(report.title, style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    subtitle = document.add_paragraph(report.subtitle)
    subtitle.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for number, table in enumerate(report.tables, start=1):
        document.add_heading(f"{number}. {table.title}", level=1)
        if table.note:
            document.add_paragraph(table.note)
        if not table.rows:
            document.add_paragraph(_("None."))
            continue
        grid = document.add_table(rows=1, cols=len(table.header))
        grid.style = "Table Grid"
        for cell, text in zip(grid.rows[0].cells, table.header, strict=True):
            run = cell.paragraphs[0].add_run(str(text))
            run.bold = True
            _east_asian(run, TABLE_FONT)
            run.font.size = Pt(9)
        for values in table.rows:
            cells = grid.add_row().cells
            for cell, value in zip(cells, values, strict=False):
                run = cell.paragraphs[0].add_run(_text(value))
                _east_asian(run, TABLE_FONT)
                run.font.size = Pt(9)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def response(report: Report, fmt: str) -> HttpResponse:
    if fmt == "docx":
        answer = xlsx_export.response(to_docx(report), f"{report.filename}.docx")
        answer["Content-Type"] = DOCX_TYPE
        return answer
    return xlsx_export.response(to_xlsx(report), f"{report.filename}.xlsx")
