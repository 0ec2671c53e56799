"""The roster in Excel: a template to download, and an all-or-nothing import.

The workbook has three sheets, 单位 (units), 人员 (people) and 任职 (posts). The
import has three steps, and any problem found in any of them is reported with its
sheet, row and column, and nothing is saved:

1. read: `sanhao.lib.xlsx` checks the zip before unpacking anything and streams each
   sheet (no DTD, no entity, bounded size, rows and texts); a damaged or hostile file
   is refused with a reason;
2. check: every row, cell by cell, against the columns' types and lengths;
3. plan and write: the existing units, people and posts are read in a fixed number of
   queries, the file is compared with them in memory (names taken, leaders whose
   periods overlap, unknown people or units), then what changed is written in bulk in
   one transaction with one audit entry listing every change. A refusal by the
   database (another import at the same moment) rolls it all back and is reported.

Importing the same file again changes nothing and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import DataError, IntegrityError, transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from sanhao.audit.services import record
from sanhao.lib import xlsx
from sanhao.lib.changes import apply_changes
from sanhao.lib.dates import normalise_text, parse_date
from sanhao.lib.xlsx_import import Problem
from sanhao.orgs import services
from sanhao.orgs.models import MAX_ORDER, District, Person, Post, Role, RosterProblems, Unit

UNITS, PEOPLE, POSTS = "单位", "人员", "任职"

# Sheet → columns: (header, key, required). Headers are the Chinese the clerk sees.
COLUMNS: dict[str, list[tuple[str, str, bool]]] = {
    UNITS: [("单位代码", "code", True), ("单位名称", "name", True), ("类型", "kind", True),
            ("排序", "order", False)],
    PEOPLE: [("人员编号", "code", True), ("姓名", "name", True), ("性别", "gender", True),
             ("出生年月", "birth_month", False), ("学历", "education", False),
             ("入党时间", "party_joined", False)],
    POSTS: [("人员编号", "person", True), ("单位代码", "unit", True), ("角色", "role", True),
            ("职务", "title", True), ("任职开始", "start", True), ("任职结束", "end", False),
            ("排序", "order", False)],
}  # fmt: skip

KIND_WORDS: dict[str, str] = {
    "镇": Unit.Kind.TOWN,
    "乡": Unit.Kind.TOWN,
    "街道": Unit.Kind.SUBDISTRICT,
}
GENDER_WORDS: dict[str, str] = {"男": Person.Gender.MALE, "女": Person.Gender.FEMALE}
ROLE_WORDS: dict[str, str] = {
    "班长": Role.LEADER,
    "正职": Role.LEADER,
    "班副": Role.DEPUTY,
    "副职": Role.DEPUTY,
}
EDUCATION_WORDS: dict[str, str] = {
    "博士研究生": Person.Education.DOCTORATE, "博士": Person.Education.DOCTORATE,
    "硕士研究生": Person.Education.MASTER, "硕士": Person.Education.MASTER,
    "研究生": Person.Education.MASTER,
    "大学本科": Person.Education.BACHELOR, "本科": Person.Education.BACHELOR,
    "大学": Person.Education.BACHELOR,
    "大专": Person.Education.COLLEGE, "大学专科": Person.Education.COLLEGE,
    "专科": Person.Education.COLLEGE,
    "中专及以下": Person.Education.SECONDARY, "中专": Person.Education.SECONDARY,
    "高中": Person.Education.SECONDARY,
}  # fmt: skip
DATE_KEYS = {"birth_month", "party_joined", "start", "end"}
CHOICES: dict[str, dict[str, str]] = {
    "kind": KIND_WORDS,
    "gender": GENDER_WORDS,
    "role": ROLE_WORDS,
    "education": EDUCATION_WORDS,
}
DROPDOWNS: dict[str, list[str]] = {
    "kind": ["镇", "乡", "街道"],
    "gender": ["男", "女"],
    "role": ["班长", "班副"],
    "education": ["博士研究生", "硕士研究生", "大学本科", "大专", "中专及以下"],
}


# The reader's bounds: a roster of 20,000 rows a sheet unpacks to about 10 MB.
LIMITS = xlsx.Limits(entries=100, unpacked=32 * 1024 * 1024, strings=200_000, rows=20_000)
# Text columns and their length in the database.
MAX_LENGTHS: dict[tuple[str, str], int] = {
    (UNITS, "code"): Unit._meta.get_field("code").max_length or 0,
    (UNITS, "name"): Unit._meta.get_field("name").max_length or 0,
    (PEOPLE, "code"): Person._meta.get_field("code").max_length or 0,
    (PEOPLE, "name"): Person._meta.get_field("name").max_length or 0,
    (POSTS, "person"): Person._meta.get_field("code").max_length or 0,
    (POSTS, "unit"): Unit._meta.get_field("code").max_length or 0,
    (POSTS, "title"): Post._meta.get_field("title").max_length or 0,
}
SHOWN_CHARACTERS = 30  # of a wrong value quoted in a message


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class ImportReport:
    problems: list[Problem] = field(default_factory=list)
    counts: dict[str, Counts] = field(
        default_factory=lambda: {UNITS: Counts(), PEOPLE: Counts(), POSTS: Counts()}
    )

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def changed(self) -> bool:
        return any(c.created or c.updated for c in self.counts.values())


@dataclass(slots=True)
class _Row:
    sheet: str
    number: int
    where_of: dict[str, str]  # key → "B（姓名）", one dictionary for the whole sheet

    def where(self, key: str) -> str:
        return self.where_of[key]


# The template ----------------------------------------------------------------------


def build_template() -> bytes:
    """An empty roster workbook with headers, drop-down lists and a sheet of notes."""
    book = Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "说明"
    for line in (
        ["三好创争 · 班子名册导入模板"],
        [],
        ["填写 单位、人员、任职 三张表，带 * 的列必填；表头请勿修改，示例行请勿保留。"],
        [
            "单位代码：字母或数字，如 baimi；人员编号：每人唯一，如 P0001，用于再次导入时识别同一人。"
        ],
        ["类型：镇 或 街道。性别：男 或 女。角色：班长（党委书记/党工委书记）或 班副。"],
        ["学历：博士研究生、硕士研究生、大学本科、大专、中专及以下。"],
        ["日期：可写 2021-10、2021年10月、2021/10/5，或设为 Excel 日期；只写年月时按当月 1 日。"],
        ["任职结束：卸任的那一天（不再担任该职务的第一天），在任的请留空。"],
        ["同一文件可反复导入：已有记录按编号更新，内容相同的不会改变。"],
        ["例：单位 baimi 白米镇 镇 1；人员 P0001 张三 男 1980-05 大学本科 2003-06；"],
        ["    任职 P0001 baimi 班长 党委书记 2021-10"],
    ):
        notes.append(line)
    notes.column_dimensions["A"].width = 100
    for sheet, columns in COLUMNS.items():
        ws = book.create_sheet(sheet)
        ws.append([f"{h}*" if required else h for h, _k, required in columns])
        for index, (_h, key, _r) in enumerate(columns, start=1):
            letter = get_column_letter(index)
            ws.column_dimensions[letter].width = 16
            if key in DATE_KEYS or key in ("code", "person", "unit"):
                for cell in ws[letter][1:500]:
                    cell.number_format = "@"
        for index, (_h, key, _r) in enumerate(columns, start=1):
            if key in DROPDOWNS:
                letter = get_column_letter(index)
                check = DataValidation(type="list", formula1=f'"{",".join(DROPDOWNS[key])}"')
                check.add(f"{letter}2:{letter}2000")
                ws.add_data_validation(check)
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# Reading and checking ----------------------------------------------------------------


def _shown(value: Any) -> str:
    """A wrong value as a message quotes it: short."""
    text = str(value)
    return text if len(text) <= SHOWN_CHARACTERS else text[:SHOWN_CHARACTERS] + "…"


def _read(data: bytes, report: ImportReport) -> dict[str, list[tuple[_Row, dict[str, Any]]]]:
    """Every sheet's rows, checked; the clean values only while no problem was found."""
    cleaned: dict[str, list[tuple[_Row, dict[str, Any]]]] = {UNITS: [], PEOPLE: [], POSTS: []}
    try:
        book = xlsx.Workbook(data, LIMITS)
    except xlsx.WorkbookError as error:
        report.problems.append(Problem(_("file"), None, "", error.message))
        return cleaned
    for sheet in COLUMNS:
        if sheet not in book.sheet_names:
            report.problems.append(Problem(sheet, None, "", _("the sheet is missing")))
            continue
        try:
            _read_sheet(book, sheet, report, cleaned[sheet])
        except xlsx.WorkbookError as error:
            report.problems.append(Problem(error.sheet or _("file"), None, "", error.message))
            if error.sheet is None:  # the whole file is unreadable, not only this sheet
                break
    return cleaned


def _read_sheet(
    book: xlsx.Workbook,
    sheet: str,
    report: ImportReport,
    cleaned: list[tuple[_Row, dict[str, Any]]],
) -> None:
    rows = book.rows(sheet)
    number, header = next(rows, (1, {}))
    names: dict[str, int] = {}
    for column in sorted(header, reverse=True):  # the first of two equal headers wins
        names[normalise_text(str(header[column])).rstrip("*")] = column
    index: dict[str, int] = {}
    where_of: dict[str, str] = {}
    for title, key, _required in COLUMNS[sheet]:
        if title in names:
            index[key] = names[title]
            where_of[key] = f"{get_column_letter(names[title] + 1)}（{title}）"
        else:
            report.problems.append(
                Problem(
                    sheet, number, "", _("the column %(column)s is missing") % {"column": title}
                )
            )
    if len(index) < len(COLUMNS[sheet]):
        return
    seen: dict[tuple[Any, ...], int] = {}
    for number, cells in rows:
        values = {key: cells.get(i) for key, i in index.items()}
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            continue
        row = _Row(sheet, number, where_of)
        clean = _clean_row(row, values, report)
        if clean is None:
            continue
        identity = _identity(sheet, clean)
        if identity in seen:
            report.problems.append(
                Problem(
                    sheet, number, "", _("the same record as row %(row)s") % {"row": seen[identity]}
                )
            )
            continue
        seen[identity] = number
        if not report.problems:  # once the file is refused, its values are not needed
            cleaned.append((row, clean))
        else:
            cleaned.clear()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    return normalise_text(str(value))


def _clean_row(row: _Row, values: dict[str, Any], report: ImportReport) -> dict[str, Any] | None:
    """The row's values in the model's terms, or None after reporting its problems."""
    clean: dict[str, Any] = {}
    ok = True

    def problem(key: str, message: str) -> None:
        nonlocal ok
        ok = False
        report.problems.append(Problem(row.sheet, row.number, row.where(key), message))

    for _header, key, required in COLUMNS[row.sheet]:
        raw = values[key]
        if key in DATE_KEYS:
            if isinstance(raw, str) and len(raw) > SHOWN_CHARACTERS:  # no date is this long
                problem(
                    key,
                    _("cannot read %(value)s as a date; write it like 2021-10 or 2021-10-05")
                    % {"value": _shown(raw)},
                )
                continue
            try:
                value: Any = parse_date(raw)
            except ValueError as error:
                problem(key, str(error))
                continue
        elif key == "order":
            text = _text(raw)
            if text and not (text.isascii() and text.isdigit()):
                problem(key, _("must be a whole number, not %(value)s") % {"value": _shown(text)})
                continue
            value = int(text) if text else None
            if value is not None and value > MAX_ORDER:
                problem(key, _("must be at most %(max)s") % {"max": MAX_ORDER})
                continue
        else:
            value = _text(raw)
        if required and value in (None, ""):
            problem(key, _("must not be empty"))
            continue
        words = CHOICES.get(key)
        if words is not None and value:
            if value not in words:
                problem(
                    key,
                    _("%(value)s is not one of %(choices)s")
                    % {"value": _shown(value), "choices": "、".join(DROPDOWNS[key])},
                )
                continue
            value = words[value]
        limit = MAX_LENGTHS.get((row.sheet, key))
        if limit is not None and len(value) > limit:
            problem(
                key,
                _("may be at most %(max)s characters long, not %(length)s")
                % {"max": limit, "length": len(value)},
            )
            continue
        if key in ("code", "person", "unit") and value and not _is_code(value):
            problem(
                key,
                _("%(value)s may hold only letters, digits, - and _") % {"value": _shown(value)},
            )
            continue
        clean[key] = value
    if ok and row.sheet == POSTS and clean.get("end") and clean["end"] <= clean["start"]:
        problem("end", _("the end date must be after the start date"))
    return clean if ok else None


def _is_code(value: str) -> bool:
    return value.isascii() and all(c.isalnum() or c in "-_" for c in value)


def _identity(sheet: str, clean: dict[str, Any]) -> tuple[Any, ...]:
    if sheet == POSTS:
        return (clean["person"], clean["unit"], clean["title"], clean["start"])
    return (clean["code"],)


# Importing -------------------------------------------------------------------------


def import_roster(data: bytes, *, district: District, actor: Any) -> ImportReport:
    """Check every row, then save all of them or none. The report says what happened."""
    report = ImportReport()
    cleaned = _read(data, report)
    if report.problems:
        return report
    plan = _plan(cleaned, district, report)
    if report.problems:
        report.counts = ImportReport().counts
        return report
    if not report.changed:
        return report
    try:
        with transaction.atomic():
            plan.write()
            record("orgs.roster.import", actor=actor, obj=district, data=plan.log(report))
    except (IntegrityError, DataError) as error:
        message = (
            services.explain_integrity_error(error)
            if isinstance(error, IntegrityError)
            else str(error).partition("\n")[0][:100]
        )
        report.problems.append(
            Problem(_("file"), None, "", _("the database refused the import: %(message)s")
                    % {"message": message})
        )  # fmt: skip
        report.counts = ImportReport().counts
    return report


def import_roster_upload(
    data: bytes, *, district_name: str, actor: Any
) -> tuple[ImportReport, RosterProblems | None]:
    """The roster import page's work, and its background job's: the first import creates
    the district (named `district_name`) in the same transaction, so a refused first
    import leaves no district behind; a refused import keeps its problems for their
    download. Raises DomainError when the district cannot be created."""
    with transaction.atomic():
        district = District.objects.order_by("pk").first()
        if district is None:
            district = services.create_district(district_name, actor=actor)
        report = import_roster(data, district=district, actor=actor)
        if not report.ok:
            transaction.set_rollback(True)
    kept = None
    if not report.ok:  # kept once the import is rolled back
        rows = [[p.sheet, p.row, p.column, p.message] for p in report.problems]
        kept = services.keep_roster_problems(rows, actor=actor)
    return report, kept


@dataclass(slots=True)
class _Leader:
    """A leader's period in the roster as it would be after the import."""

    start: dt.date
    end: dt.date | None
    person: str
    title: str
    row: _Row | None  # None: a post already saved that the file does not mention
    column: str
    changed: bool = True  # False: the row says what is saved already

    def covers(self, day: dt.date) -> bool:
        return self.end is None or self.end > day


@dataclass
class _Plan:
    """What the import will write, worked out in memory."""

    new_units: list[Unit] = field(default_factory=list)
    changed_units: list[Unit] = field(default_factory=list)
    new_people: list[Person] = field(default_factory=list)
    changed_people: list[Person] = field(default_factory=list)
    new_posts: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    shrinking: list[Post] = field(default_factory=list)  # cover fewer days as leader
    growing: list[Post] = field(default_factory=list)  # cover more days as leader
    units: dict[str, Unit] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)
    changes: dict[str, list[list[Any]]] = field(default_factory=lambda: defaultdict(list))

    def write(self) -> None:
        batch = 500
        Unit.objects.bulk_create(self.new_units, batch_size=batch)
        if self.changed_units:
            Unit.objects.bulk_update(self.changed_units, services.UNIT_FIELDS, batch_size=batch)
        Person.objects.bulk_create(self.new_people, batch_size=batch)
        if self.changed_people:
            Person.objects.bulk_update(
                self.changed_people, services.PERSON_FIELDS, batch_size=batch
            )
        # Leaders' periods never overlap, not even for a moment inside one statement:
        # first the posts that shrink, then the new ones, last the posts that grow.
        fields = ["role", "end", "order"]
        if self.shrinking:
            Post.objects.bulk_update(self.shrinking, fields, batch_size=batch)
        Post.objects.bulk_create(
            [
                Post(person=self.people[person], unit=self.units[unit], **values)
                for person, unit, values in self.new_posts
            ],
            batch_size=batch,
        )
        if self.growing:
            Post.objects.bulk_update(self.growing, fields, batch_size=batch)

    def log(self, report: ImportReport) -> dict[str, Any]:
        """The audit entry: the counts, and every row created or changed with its values."""
        english = {UNITS: "units", PEOPLE: "people", POSTS: "posts"}
        return {
            "counts": {
                english[sheet]: {
                    "created": c.created,
                    "updated": c.updated,
                    "unchanged": c.unchanged,
                }
                for sheet, c in report.counts.items()
            },
            **{name: list(rows) for name, rows in sorted(self.changes.items())},
        }


def _plan(
    cleaned: dict[str, list[tuple[_Row, dict[str, Any]]]],
    district: District,
    report: ImportReport,
) -> _Plan:
    plan = _Plan()

    def problem(row: _Row, key: str, message: str) -> None:
        report.problems.append(Problem(row.sheet, row.number, row.where(key), message))

    # Units: a code of another district, or a name another unit holds, is refused.
    plan.units = units = {u.code: u for u in Unit.objects.order_by()}
    names = {u.name: u.code for u in units.values() if u.district_id == district.pk}
    counts = report.counts[UNITS]
    for row, c in cleaned[UNITS]:
        code, fields = c["code"], {"name": c["name"], "kind": c["kind"], "order": c["order"] or 0}
        unit = units.get(code)
        if unit is not None and unit.district_id != district.pk:
            problem(row, "code", _("belongs to another district"))
            continue
        if names.get(fields["name"], code) != code:
            problem(
                row, "name", _("A unit named %(name)s already exists.") % {"name": fields["name"]}
            )
            continue
        names[fields["name"]] = code
        if unit is None:
            units[code] = Unit(district=district, code=code, **fields)
            plan.new_units.append(units[code])
            plan.changes["units created"].append(
                [code, fields["name"], fields["kind"], fields["order"]]
            )
            counts.created += 1
        elif changed := apply_changes(unit, fields):
            plan.changed_units.append(unit)
            plan.changes["units updated"].append([code, changed])
            counts.updated += 1
        else:
            counts.unchanged += 1

    # People: created or updated by their number.
    plan.people = people = {p.code: p for p in Person.objects.order_by()}
    counts = report.counts[PEOPLE]
    for _row, c in cleaned[PEOPLE]:
        code = c["code"]
        fields = {k: c[k] for k in services.PERSON_FIELDS}
        for key in ("birth_month", "party_joined"):
            fields[key] = fields[key].replace(day=1) if fields[key] else None
        person = people.get(code)
        if person is None:
            people[code] = Person(code=code, **fields)
            plan.new_people.append(people[code])
            plan.changes["people created"].append([code, *fields.values()])
            counts.created += 1
        elif changed := apply_changes(person, fields):
            plan.changed_people.append(person)
            plan.changes["people updated"].append([code, changed])
            counts.updated += 1
        else:
            counts.unchanged += 1

    # Posts: found by person, unit, title and start; the others are corrected or created.
    unit_codes = {u.pk: code for code, u in units.items() if u.pk is not None}
    person_codes = {p.pk: code for code, p in people.items() if p.pk is not None}
    existing: dict[tuple[str, str, str, dt.date], Post] = {}
    for saved in Post.objects.order_by().only(
        "id", "person_id", "unit_id", "role", "title", "start", "end", "order"
    ):
        existing[
            (person_codes[saved.person_id], unit_codes[saved.unit_id], saved.title, saved.start)
        ] = saved
    mentioned: set[tuple[str, str, str, dt.date]] = set()
    leaders: dict[str, list[_Leader]] = defaultdict(list)
    counts = report.counts[POSTS]
    for row, c in cleaned[POSTS]:
        person_code, unit_code = c["person"], c["unit"]
        if person_code not in people:
            problem(row, "person", _("no person with the number %(code)s") % {"code": person_code})
        if unit_code not in units:
            problem(row, "unit", _("no unit with the code %(code)s") % {"code": unit_code})
        if person_code not in people or unit_code not in units:
            continue
        if units[unit_code].district_id != district.pk:
            problem(row, "unit", _("belongs to another district"))
            continue
        identity = (person_code, unit_code, c["title"], c["start"])
        fields = {"role": c["role"], "end": c["end"], "order": c["order"] or 100}
        post = existing.get(identity)
        mentioned.add(identity)
        if fields["role"] == Role.LEADER:
            leaders[unit_code].append(
                _Leader(c["start"], c["end"], person_code, c["title"], row,
                        "role" if post is None else "end",
                        post is None or any(getattr(post, k) != v for k, v in fields.items()))
            )  # fmt: skip
        if post is None:
            values = {"title": c["title"], "start": c["start"], **fields}
            plan.new_posts.append((person_code, unit_code, values))
            plan.changes["posts created"].append(
                [person_code, unit_code, values["role"], values["title"], values["start"],
                 values["end"], values["order"]]
            )  # fmt: skip
            counts.created += 1
            continue
        was_leader, old_end = post.role == Role.LEADER, post.end
        changed = apply_changes(post, fields)
        if not changed:
            counts.unchanged += 1
            continue
        grows = post.role == Role.LEADER and (
            not was_leader or (old_end is not None and (post.end is None or post.end > old_end))
        )
        (plan.growing if grows else plan.shrinking).append(post)
        plan.changes["posts updated"].append([list(identity), changed])
        counts.updated += 1
    for (person_code, unit_code, title, start), post in existing.items():
        if (person_code, unit_code, title, start) not in mentioned and post.role == Role.LEADER:
            leaders[unit_code].append(_Leader(start, post.end, person_code, title, None, ""))
    for unit_code, periods in leaders.items():
        _check_leaders(units[unit_code], periods, people, problem)
    return plan


def _check_leaders(
    unit: Unit, periods: list[_Leader], people: dict[str, Person], problem: Any
) -> None:
    """Two leaders of one unit never overlap: sorted by start, each period must begin
    once the one before has ended. Of two that overlap, `_rank` says which row is
    reported (a post already saved is never the culprit of a row that meets it)."""
    periods.sort(key=lambda p: (p.start, p.row.number if p.row else 0))
    held: _Leader | None = None
    for period in periods:
        if held is None or not held.covers(period.start):
            held = period
            continue
        later, earlier = (period, held) if _rank(period) >= _rank(held) else (held, period)
        if later.row is None:  # both already saved: the database holds them apart
            continue
        problem(
            later.row,
            later.column,
            _(
                "%(unit)s already has a leader in this period: %(name)s, %(title)s since "
                "%(start)s. End that post first."
            )
            % {
                "unit": unit.name,
                "name": people[earlier.person].name,
                "title": earlier.title,
                "start": earlier.start.isoformat(),
            },
        )
        held = earlier


def _rank(period: _Leader) -> tuple[int, int]:
    """Who is reported of two leaders that overlap: a row that changes something before
    one that repeats what is saved, the later row before the earlier."""
    if period.row is None:
        return (-1, 0)
    return (int(period.changed), period.row.number)


# The list of problems as a workbook --------------------------------------------------


def problems_workbook(problems: list[list[Any]]) -> bytes:
    """Every problem of an import as (sheet, row, column, message), for Excel."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("problems"))
    sheet.column_dimensions["A"].width = 10
    sheet.column_dimensions["B"].width = 8
    sheet.column_dimensions["C"].width = 16
    sheet.column_dimensions["D"].width = 80
    sheet.append([_("sheet"), _("row"), _("column"), _("problem")])
    for row in problems:
        sheet.append([_text_cell(sheet, v) if isinstance(v, str) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text_cell(sheet: Any, value: str) -> Any:
    """Text stays text: a message quoting `=HYPERLINK(…)` must not become a formula."""
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell
