"""The documents of the awards: the public notice (公示) and the award decision (表彰决定) as
Word documents in the layout of a government document (sanhao/lib/docx.py), and the
decision's list as an Excel workbook (sanhao/lib/xlsx_export.py).

Each document names the hash of the frozen snapshot its list comes from, so that a reader
can check it against the platform. The documents are always in Chinese, whatever the
language of the person who downloads them.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from sanhao.awards.models import Category, Decision, Notice
from sanhao.awards.services import by_category, nominees
from sanhao.lib import xlsx_export
from sanhao.lib.docx import Section, chinese_date, official_document

SCORE_KEYS = ["K", "P", "M", "B", "D", "S"]
LANGUAGE = "zh-hans"
_NUMERALS = "一二三四五六七八九十"


def _numbered(index: int, text: str) -> str:
    """一、text (the first level of headings of GB/T 9704)."""
    numeral = _NUMERALS[index] if index < len(_NUMERALS) else str(index + 1)
    return f"{numeral}、{text}"


def _number(value: Any) -> Any:
    """A score's text as a number for Excel; any other value as text."""
    text = str(value)
    try:
        return Decimal(text) if text else text
    except InvalidOperation:
        return text


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _hash_note(snapshot_hash: str) -> str:
    return _("This list comes from the frozen snapshot whose hash is %(hash)s.") % {
        "hash": snapshot_hash
    }


def _columns(scores: bool) -> list[str]:
    names = [pgettext("document column", "unit"), pgettext("document column", "name"),
             pgettext("document column", "post")]  # fmt: skip
    return names + SCORE_KEYS if scores else names


def _sections(groups: Sequence[tuple[str, str, list[Any]]], scores: bool) -> list[Section]:
    """A table per category of `by_category`'s groups, numbered 一、二、三."""
    sections = []
    for index, (_key, name, rows) in enumerate(groups):
        table = []
        for row in rows:
            values = [row.unit.name, row.name, row.post]
            if scores:
                values += [str(row.scores.get(key, "")) for key in SCORE_KEYS]
            table.append(values)
        heading = _numbered(index, name)
        sections.append(Section(heading, _columns(scores), table))
    return sections


def notice_docx(notice: Notice) -> bytes:
    """The public notice: the title, the text, the nominees per category (with K, P, M,
    B, D and S if the notice shows the scores), the period, how to object, the contact,
    the issuing office, the date, and the snapshot's hash."""
    with translation.override(LANGUAGE):
        snapshot = notice.deliberation.snapshot
        groups = by_category(nominees(notice))
        period = {"starts": chinese_date(notice.starts), "ends": chinese_date(notice.ends),
                  "n": notice.working_days}  # fmt: skip
        closing = [
            _("The notice runs from %(starts)s to %(ends)s (%(n)s working days).") % period,
            *_lines(notice.how_to_object),
            _("Contact: %(contact)s") % {"contact": notice.contact},
        ]
        return official_document(
            issuer=notice.issuer,
            number=None,
            title=notice.title,
            paragraphs=_lines(notice.body),
            sections=_sections(groups, notice.show_scores),
            closing=closing,
            signature=notice.issuer,
            date=timezone.localdate(notice.published),
            footnote=_hash_note(snapshot.content_hash),
        )


def decision_docx(decision: Decision) -> bytes:
    """The award decision: the red header with the document number, the title, the
    text, the awards per category, the issuing office, the date of issue, and the
    snapshot's hash."""
    with translation.override(LANGUAGE):
        snapshot = decision.notice.deliberation.snapshot
        awards = decision.awards.select_related("unit").order_by("order", "pk")
        return official_document(
            issuer=decision.issuer,
            number=decision.number,
            title=decision.title,
            paragraphs=_lines(decision.body),
            sections=_sections(by_category(list(awards)), False),
            signature=decision.issuer,
            date=decision.issued_on,
            footnote=_hash_note(snapshot.content_hash),
        )


def decision_xlsx(decision: Decision) -> bytes:
    """The decision's awards as a workbook: category, unit, name, post, and the scores
    of the deliberation's line of the same candidate."""
    with translation.override(LANGUAGE):
        items = decision.notice.deliberation.items.all()
        scores = {item.candidate: item.scores for item in items}
        awards = decision.awards.select_related("unit").order_by("order", "pk")
        rows = [
            [Category(award.category).label, award.unit.name, award.name, award.post,
             *(str(scores.get(award.candidate, {}).get(key, "")) for key in SCORE_KEYS)]
            for _key, _name, group in by_category(list(awards))
            for award in group
        ]  # fmt: skip
        sheet = xlsx_export.Sheet(
            title=pgettext("document column", "awards"),
            header=[pgettext("document column", "category"), *_columns(True)],
            rows=[[_number(v) for v in row] for row in rows],
            title_row=f"{decision.title}（{decision.number}）",
        )
        return xlsx_export.build([sheet])
