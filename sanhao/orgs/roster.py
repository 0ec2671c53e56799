"""The roster in Excel: a template to download, and an all-or-nothing import.

The workbook has three sheets, 单位 (units), 人员 (people) and 任职 (posts). Every
row is read and checked first; then every row is written through the services in
one transaction. Any problem, in reading or in writing, is reported with its sheet,
row and column, and nothing is saved. Importing the same file again changes nothing.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from sanhao.lib.dates import normalise_text, parse_date
from sanhao.lib.errors import DomainError
from sanhao.orgs import services
from sanhao.orgs.models import District, Person, Post, Role, Unit

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


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str  # "B（姓名）": the column letter and its header
    message: str

    def __str__(self) -> str:
        values = {
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }
        if self.row is not None and self.column:
            return _("sheet %(sheet)s, row %(row)s, column %(column)s: %(message)s") % values
        if self.row is not None:
            return _("sheet %(sheet)s, row %(row)s: %(message)s") % values
        return _("sheet %(sheet)s: %(message)s") % values


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


@dataclass
class _Row:
    sheet: str
    number: int
    values: dict[str, Any]
    letters: dict[str, str]

    def where(self, key: str) -> str:
        header = next(h for h, k, _r in COLUMNS[self.sheet] if k == key)
        return f"{self.letters[key]}（{header}）"


class _Rollback(Exception):
    pass


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


# Reading ---------------------------------------------------------------------------


def _read_sheets(data: bytes, report: ImportReport) -> dict[str, list[_Row]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        report.problems.append(
            Problem(_("file"), None, "", _("this is not an Excel workbook (.xlsx)"))
        )
        return {}
    rows: dict[str, list[_Row]] = {}
    for sheet, columns in COLUMNS.items():
        if sheet not in book.sheetnames:
            report.problems.append(Problem(sheet, None, "", _("the sheet is missing")))
            continue
        it = book[sheet].iter_rows(values_only=True)
        header = next(it, None) or ()
        names = [normalise_text(str(h or "")).rstrip("*") for h in header]
        letters: dict[str, str] = {}
        index: dict[str, int] = {}
        for h, key, _r in columns:
            if h in names:
                index[key] = names.index(h)
                letters[key] = get_column_letter(index[key] + 1)
            else:
                report.problems.append(
                    Problem(sheet, 1, "", _("the column %(column)s is missing") % {"column": h})
                )
        if len(index) < len(columns):
            continue
        rows[sheet] = []
        for number, cells in enumerate(it, start=2):
            values = {key: cells[i] if i < len(cells) else None for key, i in index.items()}
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
                continue
            rows[sheet].append(_Row(sheet, number, values, letters))
    book.close()
    return rows


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return normalise_text(str(value))


def _clean_row(row: _Row, report: ImportReport) -> dict[str, Any] | None:
    """The row's values in the model's terms, or None after reporting its problems."""
    clean: dict[str, Any] = {}
    ok = True

    def problem(key: str, message: str) -> None:
        nonlocal ok
        ok = False
        report.problems.append(Problem(row.sheet, row.number, row.where(key), message))

    for _header, key, required in COLUMNS[row.sheet]:
        raw = row.values[key]
        if key in DATE_KEYS:
            try:
                value: Any = parse_date(raw)
            except ValueError as error:
                problem(key, str(error))
                continue
        elif key == "order":
            text = _text(raw)
            if text and not text.isdigit():
                problem(key, _("must be a whole number, not %(value)s") % {"value": text})
                continue
            value = int(text) if text else None
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
                    % {"value": value, "choices": "、".join(DROPDOWNS[key])},
                )
                continue
            value = words[value]
        if key in ("code", "person", "unit") and value and not _is_code(value):
            problem(key, _("%(value)s may hold only letters, digits, - and _") % {"value": value})
            continue
        clean[key] = value
    if ok and row.sheet == POSTS and clean.get("end") and clean["end"] <= clean["start"]:
        problem("end", _("the end date must be after the start date"))
    return clean if ok else None


def _is_code(value: str) -> bool:
    return value.isascii() and all(c.isalnum() or c in "-_" for c in value)


# Importing -------------------------------------------------------------------------


def import_roster(data: bytes, *, district: District, actor: Any) -> ImportReport:
    """Check every row, then save all of them or none. The report says what happened."""
    report = ImportReport()
    sheets = _read_sheets(data, report)
    cleaned: dict[str, list[tuple[_Row, dict[str, Any]]]] = {UNITS: [], PEOPLE: [], POSTS: []}
    for sheet, rows in sheets.items():
        seen: dict[tuple[Any, ...], int] = {}
        for row in rows:
            clean = _clean_row(row, report)
            if clean is None:
                continue
            key = _identity(sheet, clean)
            if key in seen:
                report.problems.append(
                    Problem(sheet, row.number, "",
                            _("the same record as row %(row)s") % {"row": seen[key]})
                )  # fmt: skip
                continue
            seen[key] = row.number
            cleaned[sheet].append((row, clean))
    if report.problems:
        return report
    try:
        with transaction.atomic():
            _write(cleaned, district, actor, report)
            if report.problems:
                raise _Rollback
    except _Rollback:
        report.counts = ImportReport().counts
    return report


def _identity(sheet: str, clean: dict[str, Any]) -> tuple[Any, ...]:
    if sheet == POSTS:
        return (clean["person"], clean["unit"], clean["title"], clean["start"])
    return (clean["code"],)


def _write(
    cleaned: dict[str, list[tuple[_Row, dict[str, Any]]]],
    district: District,
    actor: Any,
    report: ImportReport,
) -> None:
    units = {u.code: u for u in Unit.objects.all()}
    people = {p.code: p for p in Person.objects.all()}

    def attempt(row: _Row, column: str, sheet: str, fn: Any) -> Any:
        try:
            with transaction.atomic():
                return fn()
        except DomainError as error:
            where = row.where(column) if column else ""
            report.problems.append(Problem(sheet, row.number, where, error.message))
            return None

    for row, c in cleaned[UNITS]:
        counts = report.counts[UNITS]
        fields = {"name": c["name"], "kind": c["kind"], "order": c["order"] or 0}
        if c["code"] in units:
            unit = units[c["code"]]
            if unit.district_id != district.pk:
                report.problems.append(
                    Problem(UNITS, row.number, row.where("code"), _("belongs to another district"))
                )
                continue
            changed = attempt(
                row, "name", UNITS, lambda u=unit, f=fields: _update_unit(u, f, actor)
            )
            _count(counts, changed)
        else:
            unit = attempt(
                row, "code", UNITS,
                lambda c=c, f=fields: services.create_unit(district, code=c["code"], actor=actor, **f),
            )  # fmt: skip
            if unit is not None:
                units[c["code"]] = unit
                counts.created += 1

    for _row, c in cleaned[PEOPLE]:
        counts = report.counts[PEOPLE]
        fields = {k: c[k] for k in services.PERSON_FIELDS}
        if c["code"] in people:
            changed = services.update_person(people[c["code"]], actor=actor, **fields)
            _count(counts, changed)
        else:
            people[c["code"]] = services.create_person(code=c["code"], actor=actor, **fields)
            counts.created += 1

    existing = {
        (p.person_id, p.unit_id, p.title, p.start): p
        for p in Post.objects.filter(person__in=people.values()).select_related("person", "unit")
    }
    # Posts that ended go first, so that a successor never meets a predecessor still open.
    for row, c in sorted(cleaned[POSTS], key=lambda rc: rc[1]["end"] is None):
        counts = report.counts[POSTS]
        person, target = people.get(c["person"]), units.get(c["unit"])
        if person is None:
            report.problems.append(
                Problem(POSTS, row.number, row.where("person"),
                        _("no person with the number %(code)s") % {"code": c["person"]})
            )  # fmt: skip
        if target is None:
            report.problems.append(
                Problem(POSTS, row.number, row.where("unit"),
                        _("no unit with the code %(code)s") % {"code": c["unit"]})
            )  # fmt: skip
        if person is None or target is None:
            continue
        fields = {"role": c["role"], "end": c["end"], "order": c["order"] or 100}
        post = existing.get((person.pk, target.pk, c["title"], c["start"]))
        if post is not None:
            changed = attempt(
                row, "end", POSTS,
                lambda p=post, f=fields: services.correct_post(p, actor=actor, **f),
            )  # fmt: skip
            _count(counts, changed)
        else:
            created = attempt(
                row, "role", POSTS,
                lambda p=person, u=target, c=c, f=fields: services.start_post(
                    p, u, title=c["title"], start=c["start"], actor=actor, **f
                ),
            )  # fmt: skip
            if created is not None:
                counts.created += 1


def _update_unit(unit: Unit, fields: dict[str, Any], actor: Any) -> dict[str, list[Any]]:
    if (
        fields["name"] != unit.name
        and Unit.objects.filter(district_id=unit.district_id, name=fields["name"]).exists()
    ):
        raise DomainError(_("A unit named %(name)s already exists.") % {"name": fields["name"]})
    return services.update_unit(unit, actor=actor, **fields)


def _count(counts: Counts, changed: dict[str, list[Any]] | None) -> None:
    if changed is None:
        return
    if changed:
        counts.updated += 1
    else:
        counts.unchanged += 1
