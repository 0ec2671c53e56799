"""Process records in Excel: a template to download, and an all-or-nothing import.

One sheet 过程记录, a title row merged across the columns, a header, one row per
meeting: 单位代码, 单位名称 (optional), 记录类型 (the type's name or id, a drop-down
in the template), 期次 (1 … the type's expected count; for a monthly type the month,
`3` or `3月`, and when left empty the month of the date), 召开日期, 主题, 缺席人员及原因
(`张三（出差）；李四（病假）`: everybody else of the unit's current team was present),
内容摘要. The template lists the unit's team in its notes sheet, so the clerk writes
names as the roster has them.

Every row is checked first, with what `records.services.add_record` would refuse
(the type, the period, a date in the year and not to come, a topic, a record of the same
unit, type and period already there or twice in the file, names not in the team, an
absence without a reason); nothing is written unless every row is valid. Then each row
goes through `add_record` in one transaction (its audit entry, one more for the import);
a refusal there rolls all of it back and is reported on its row. A liaison imports only
their own unit's rows, until the year reaches the evaluation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from sanhao.accounts.roles import is_office
from sanhao.audit.services import record as audit
from sanhao.campaigns.models import CampaignYear
from sanhao.lib import xlsx
from sanhao.lib.dates import parse_date
from sanhao.lib.errors import DomainError
from sanhao.lib.xlsx_import import (
    Problem,
    find_header,
    is_blank,
    normalise,
    shown,
    split_header,
    where,
)
from sanhao.orgs.models import Post, Unit
from sanhao.records import services
from sanhao.records.models import ProcessRecord

SHEET = "过程记录"
# Header → key, required.
COLUMNS: list[tuple[str, str, bool]] = [
    ("单位代码", "code", True),
    ("单位名称", "name", False),
    ("记录类型", "type", True),
    ("期次", "period", False),
    ("召开日期", "held_on", True),
    ("主题", "topic", True),
    ("缺席人员及原因", "absent", False),
    ("内容摘要", "text", False),
]
LIMITS = xlsx.Limits(entries=100, unpacked=32 * 1024 * 1024, strings=200_000, rows=10_000)
_ABSENT = re.compile(
    r"^(?P<who>[^()（）:：]+?)\s*(?:[(（](?P<r1>[^()（）]*)[)）]|[:：](?P<r2>.*))?$"
)
_SEPARATORS = re.compile(r"[;；,，、\n]+")


def title_of(year: CampaignYear) -> str:
    return f"{year.year}年过程记录（全程管控）"


def build_template(year: CampaignYear, units: Sequence[Unit]) -> bytes:
    types = services.record_types_of(year)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = SHEET
    sheet.append([title_of(year)])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([f"{h}*" if required else h for h, _k, required in COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    widths = [12, 14, 16, 8, 14, 30, 30, 40]
    for index, width in enumerate(widths, start=1):
        letter = get_column_letter(index)
        sheet.column_dimensions[letter].width = width
    for unit in units:
        sheet.append([unit.code, unit.name])
    for row in sheet.iter_rows(min_row=3, max_row=500, min_col=1, max_col=5):
        row[0].number_format = "@"
        row[4].number_format = "yyyy-mm-dd"
    if types:
        names = ",".join(t.name.replace(",", " ") for t in types)
        check = DataValidation(type="list", formula1=f'"{names}"')
        check.add("C3:C2000")
        sheet.add_data_validation(check)
    sheet.freeze_panes = "A3"
    notes = book.create_sheet("说明")
    for line in (
        [f"三好创争 · {year.year}年过程记录导入模板"],
        [],
        ["每行一次会议或活动。带 * 的列必填；表头请勿修改。"],
        ["记录类型：" + "、".join(f"{t.name}（每年 {t.expected} 次）" for t in types)],
        ["期次：按月的类型填月份（3 或 3月），留空时按召开日期的月份；其他类型填第几次。"],
        ["召开日期：2026-03-15、2026年3月15日，或设为 Excel 日期；不能晚于今天。"],
        ["缺席人员及原因：如 张三（出差）；李四（病假）。未列出的班子成员均视为出席。"],
        ["同一单位、类型、期次只能有一条记录；已有记录的，请在网页上更正。"],
        [],
        ["各单位现任班子成员："],
    ):
        notes.append(line)
    for unit in units:
        team = "、".join(p.person.name for p in services.team_of(unit))
        notes.append([f"{unit.name}（{unit.code}）：{team}"])
    notes.column_dimensions["A"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass
class RecordsReport:
    problems: list[Problem] = field(default_factory=list)
    created: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def outcome_message(report: RecordsReport) -> str:
    """What the clerk is told of an import that was saved."""
    return ngettext("Imported: %(n)s record added.", "Imported: %(n)s records added.",
                    report.created) % {"n": report.created}  # fmt: skip


@dataclass
class _Row:
    number: int
    unit: Unit
    values: dict[str, Any]


def import_records(
    data: bytes, *, year: CampaignYear, actor: Any, own_unit: Unit | None = None
) -> RecordsReport:
    """Check every row, then add every record or none."""
    report = RecordsReport()
    if not is_office(actor) and own_unit is None:
        report.problems.append(
            Problem(_("file"), None, "", _("You may only enter the records of your own unit."))
        )
        return report  # fmt: skip
    if not is_office(actor) and services.is_liaison_closed(year):
        report.problems.append(
            Problem(_("file"), None, "", _("The year has reached the evaluation: ask the campaign office to enter or correct records."))
        )  # fmt: skip
        return report
    try:
        book = xlsx.Workbook(data, LIMITS)
        rows = _read(book, year, own_unit, report)
    except xlsx.WorkbookError as error:
        report.problems[:] = [Problem(error.sheet or _("file"), None, "", error.message)]
        return report
    if report.problems or not rows:
        return report
    try:
        with transaction.atomic():
            for row in rows:
                v = row.values
                try:
                    services.add_record(
                        year, row.unit, type=v["type"], period=v["period"], held_on=v["held_on"],
                        topic=v["topic"], attendance=v["attendance"], text=v["text"], actor=actor,
                    )  # fmt: skip
                except DomainError as error:
                    report.problems.append(Problem(SHEET, row.number, "", error.message))
                    raise
                report.created += 1
            audit(
                "records.records.import",
                actor=actor,
                obj=year,
                data={"year": year.year, "sha256": hashlib.sha256(data).hexdigest(),
                      "created": report.created},
            )  # fmt: skip
    except DomainError:
        report.created = 0
    return report


def _read(
    book: xlsx.Workbook, year: CampaignYear, own_unit: Unit | None, report: RecordsReport
) -> list[_Row]:
    problems = report.problems
    names = book.sheet_names
    sheet = SHEET if SHEET in names else (names[0] if names else "")
    if not sheet:
        problems.append(Problem(_("file"), None, "", _("the workbook has no sheet")))
        return []
    rows = book.rows(sheet)
    header = find_header(rows, {"单位代码"})
    if header is None:
        problems.append(
            Problem(sheet, None, "", _("no header row with the column %(column)s was found in the first rows") % {"column": "单位代码"})
        )  # fmt: skip
        return []
    found = {
        split_header(v)[0]: i
        for i, v in sorted(header.cells.items(), reverse=True)
        if not is_blank(v)
    }
    index: dict[str, int] = {}
    places: dict[str, str] = {}
    for title, key, required in COLUMNS:
        if title in found:
            index[key], places[key] = found[title], where(found[title], title)
        elif required:
            problems.append(
                Problem(
                    sheet,
                    header.number,
                    "",
                    _("the column %(column)s is missing") % {"column": title},
                )
            )
    if problems:
        return []
    types = services.record_types_of(year)
    by_type = {normalise(t.name): t for t in types} | {t.type: t for t in types}
    units = {u.code: u for u in Unit.objects.filter(district_id=year.district_id).order_by()}
    teams: dict[int, list[Post]] = {}
    for post in (
        Post.objects.current()
        .filter(unit__in=list(units.values()))
        .select_related("person")
        .order_by("order", "start", "pk")
    ):
        teams.setdefault(post.unit_id, []).append(post)  # fmt: skip
    taken = {
        (unit_id, type, period): held_on
        for unit_id, type, period, held_on in ProcessRecord.objects.filter(
            year=year, superseded_by__isnull=True
        ).values_list("unit_id", "type", "period", "held_on")
    }
    today = timezone.localdate()
    seen: dict[tuple[int, str, int], int] = {}
    result: list[_Row] = []
    for number, cells in rows:
        values = {key: cells.get(i) for key, i in index.items()}
        if all(is_blank(v) for v in values.values()):
            continue
        if all(is_blank(values.get(k)) for k in ("type", "held_on", "topic", "absent", "text")):
            continue  # a unit's row of the template, left empty

        def problem(key: str, message: str, number: int = number) -> None:
            problems.append(Problem(sheet, number, places.get(key, ""), message))

        before = len(problems)
        code = normalise(values.get("code"))
        unit = units.get(code)
        if not code:
            problem("code", _("must not be empty"))
        elif unit is None:
            problem("code", _("no unit with the code %(code)s") % {"code": shown(code)})
        elif own_unit is not None and unit.pk != own_unit.pk:
            problem("code", _("you may only enter the records of your own unit, %(unit)s, not of %(other)s")
                    % {"unit": own_unit.name, "other": unit.name})  # fmt: skip
            unit = None
        record_type = by_type.get(normalise(values.get("type")))
        if record_type is None:
            if is_blank(values.get("type")):
                problem("type", _("must not be empty"))
            else:
                problem("type", _("%(value)s is not one of %(choices)s")
                        % {"value": shown(values.get("type")), "choices": "、".join(t.name for t in types)})  # fmt: skip
        held_on = None
        try:
            held_on = parse_date(values.get("held_on"))
        except ValueError as error:
            problem("held_on", str(error))
        else:
            if held_on is None:
                problem("held_on", _("must not be empty"))
            elif held_on.year != year.year:
                problem(
                    "held_on",
                    _("The date %(day)s is not in %(year)s.")
                    % {"day": held_on.isoformat(), "year": year.year},
                )
            elif held_on > today:
                problem("held_on", _("The date %(day)s is still to come: enter a meeting once it is held.") % {"day": held_on.isoformat()})  # fmt: skip
        period = _period(values.get("period"), record_type, held_on, problem)
        topic = " ".join(str(values.get("topic") or "").split())
        if not topic:
            problem("topic", _("must not be empty"))
        elif len(topic) > services.TOPIC_MAX:
            problem("topic", _("may be at most %(max)s characters long, not %(length)s") % {"max": services.TOPIC_MAX, "length": len(topic)})  # fmt: skip
        text = str(values.get("text") or "").strip()
        if len(text) > services.TEXT_MAX:
            problem("text", _("may be at most %(max)s characters long, not %(length)s") % {"max": services.TEXT_MAX, "length": len(text)})  # fmt: skip
        attendance = None
        if unit is not None:
            attendance = _attendance(values.get("absent"), teams.get(unit.pk, []), problem)
        if len(problems) > before or unit is None or record_type is None or period is None:
            continue
        identity = (unit.pk, record_type.type, period)
        if identity in seen:
            problems.append(
                Problem(
                    sheet, number, "", _("the same record as row %(row)s") % {"row": seen[identity]}
                )
            )
            continue
        seen[identity] = number
        if identity in taken:
            problems.append(
                Problem(sheet, number, places.get("period", ""),
                        _("%(name)s of period %(period)s is already recorded (held on %(day)s): correct that record on its page instead.")
                        % {"name": record_type.name, "period": period, "day": taken[identity].isoformat()})
            )  # fmt: skip
            continue
        if not problems:
            result.append(_Row(number, unit, {"type": record_type.type, "period": period,
                                              "held_on": held_on, "topic": topic, "text": text,
                                              "attendance": attendance}))  # fmt: skip
    if not seen and not problems:
        problems.append(Problem(sheet, None, "", _("the sheet has no record")))
    return [] if problems else result


def _period(value: Any, record_type: Any, held_on: dt.date | None, problem: Any) -> int | None:
    monthly = record_type is not None and services.monthly(record_type)
    if is_blank(value):
        if monthly and held_on is not None:
            return held_on.month
        if record_type is not None:
            problem("period", _("must not be empty"))
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = (
        normalise(value).removeprefix("第").removesuffix("月").removesuffix("次").removesuffix("期")
    )
    if not (text.isascii() and text.isdigit()):
        problem("period", _("must be a whole number, not %(value)s") % {"value": shown(value)})
        return None
    period = int(text)
    if record_type is not None and not 1 <= period <= record_type.expected:
        problem("period", _("%(name)s: the period must be from 1 to %(n)s.") % {"name": record_type.name, "n": record_type.expected})  # fmt: skip
        return None
    return period


def _attendance(value: Any, team: list[Post], problem: Any) -> list[dict[str, Any]] | None:
    """Every member of the team present but those the cell names, each with a reason."""
    by_name: dict[str, Post] = {}
    for post in team:
        by_name.setdefault(normalise(post.person.name), post)
        by_name.setdefault(post.person.code, post)
    absent: dict[str, str] = {}
    ok = True
    for part in _SEPARATORS.split(str(value or "")):
        part = part.strip()
        if not part:
            continue
        match = _ABSENT.match(part)
        who = normalise(match.group("who")) if match else normalise(part)
        reason = " ".join(((match.group("r1") or match.group("r2") or "") if match else "").split())
        found = by_name.get(who)
        if found is None:
            problem(
                "absent", _("%(name)s is not in the unit's current team") % {"name": shown(who)}
            )
            ok = False
            continue
        if not reason:
            problem(
                "absent", _("%(name)s was absent: give the reason.") % {"name": found.person.name}
            )
            ok = False
            continue
        absent[found.person.code] = reason
    if not ok:
        return None
    return [{"number": p.person.code, "present": p.person.code not in absent,
             "reason": absent.get(p.person.code, "")} for p in team]  # fmt: skip
