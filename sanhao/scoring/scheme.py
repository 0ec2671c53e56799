"""The scheme: every constant of docs/scoring.md, per year and category, from a TOML file.

`load_scheme(path)` (`loads_scheme(text)` for a file's text, `parse_scheme(data)` for a
dict) checks the document against the typed model of `formats.py`, then its internal
consistency (weights summing to 1, one point per grade, …), and returns a frozen `Scheme`;
every problem is reported with its location (`scheme.categories.team.weights: …`).
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sanhao.scoring.codes import CATEGORIES, Category
from sanhao.scoring.formats import (
    CategorySpec,
    ItemSpec,
    SchemeDocument,
    canonical_json,
    problems_of,
)
from sanhao.scoring.problems import Collector, InvalidInput, Problem

COMPONENTS = ("K", "P", "M")
TIE_KEYS = ("K", "M", "P", "e")
DEFAULT_SCHEME = Path(__file__).with_name("default_scheme.toml")

__all__ = ["CATEGORIES", "DEFAULT_SCHEME", "Category", "CategoryRules", "GuidanceItem", "Scheme",
           "load_scheme", "loads_scheme", "parse_scheme"]  # fmt: skip


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    points: Decimal
    lower_is_better: bool
    growth_method: str  # "efficacy" | "rank" (docs/scoring.md §1)
    alpha: Decimal
    unit: str = ""  # of measure, as the statistics report it: 万元, 亿元, 个


@dataclass(frozen=True)
class RecordType:
    type: str
    name: str
    expected: int


@dataclass(frozen=True)
class Item:
    id: str
    name: str
    points: Decimal  # exact, as written (docs/scoring.md §4)
    cap: Decimal


@dataclass(frozen=True)
class GuidanceItem:
    """An item of the positive guidance checklist (正向指引清单), in one category and one of
    its dimensions. The checklist describes; it does not enter any number."""

    id: str
    text: str
    category: Category
    dimension: str


@dataclass(frozen=True)
class Panel:
    dimension_max: Decimal
    mode: str  # "score" | "rank"
    trim_above: int
    void_high_total: Decimal
    void_high_share: Decimal


@dataclass(frozen=True)
class Ballot:
    grades: tuple[str, ...]  # best first
    points: tuple[int, ...]
    abstain: str
    top_share: Decimal
    quorum: Decimal
    bottom_limit: Fraction
    groups: tuple[str, ...]
    group_names: tuple[str, ...]
    group_weights: tuple[Decimal, ...]


@dataclass(frozen=True)
class CategoryRules:
    """The rules of one award category (docs/scoring.md §2–§7)."""

    category: Category
    name: str
    dimensions: tuple[str, ...]
    weights: dict[str, Decimal]
    quota: int
    threshold: Decimal | None
    unit_cap: int
    min_months_in_post: int
    team_bottom_gate: bool
    tie_break: tuple[str, ...]
    panel: Panel
    ballot: Ballot
    descriptions: tuple[str, ...] = ()  # one per dimension ("" when none was written)

    @property
    def key(self) -> str:
        return self.category.value


@dataclass(frozen=True)
class Scheme:
    version: str
    title: str
    indicators: tuple[Indicator, ...]
    process_points: Decimal
    records: tuple[RecordType, ...]
    bonus_max: Decimal
    bonus_items: tuple[Item, ...]
    deduction_max: Decimal | None
    deduction_items: tuple[Item, ...]
    veto_kinds: dict[str, str]
    categories: dict[str, CategoryRules]  # keyed by Category
    source_hash: str  # SHA-256 of the scheme's canonical JSON
    guidance: tuple[GuidanceItem, ...] = ()

    @property
    def groups(self) -> tuple[str, ...]:
        """The voter groups, the same in every category."""
        return self.categories[Category.TEAM].ballot.groups


def load_scheme(path: str | Path = DEFAULT_SCHEME) -> Scheme:
    return loads_scheme(Path(path).read_bytes())


def loads_scheme(source: str | bytes) -> Scheme:
    """A scheme from the text of its TOML file (bytes are read as UTF-8)."""
    try:
        text = source.decode("utf-8") if isinstance(source, bytes) else source
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise InvalidInput([Problem("scheme", f"不是有效的 TOML 文件：{error}")]) from None
    return parse_scheme(data)


def parse_scheme(data: Mapping[str, Any], *, source_hash: str | None = None) -> Scheme:
    """A scheme from its document (as read from TOML); raises InvalidInput with every problem."""
    try:
        doc = SchemeDocument.model_validate(dict(data) if isinstance(data, Mapping) else data)
    except ValidationError as error:
        raise InvalidInput(problems_of(error, "scheme")) from None
    out = Collector()
    _check(doc, out)
    out.raise_if_any()
    if source_hash is None:
        source_hash = hashlib.sha256(canonical_json(data).encode()).hexdigest()
    return Scheme(
        version=doc.version,
        title=doc.title,
        indicators=tuple(
            Indicator(id=i.id, name=i.name or i.id, points=i.points,
                      lower_is_better=i.direction == "lower", growth_method=i.growth_method,
                      alpha=i.alpha, unit=i.unit)
            for i in doc.indicators
        ),
        process_points=doc.process.points,
        records=tuple(RecordType(r.type, r.name or r.type, r.expected) for r in doc.process.records),
        bonus_max=doc.bonus.max,
        bonus_items=_items(doc.bonus.items),
        deduction_max=doc.deduction.max,
        deduction_items=_items(doc.deduction.items),
        veto_kinds=dict(zip(doc.veto.kinds, doc.veto.names or doc.veto.kinds, strict=True)),
        categories={c: _rules(c, getattr(doc.categories, c.value)) for c in CATEGORIES},
        source_hash=source_hash,
        guidance=tuple(GuidanceItem(g.id, g.text, Category(g.category), g.dimension)
                       for g in doc.guidance),
    )  # fmt: skip


def _items(items: list[ItemSpec]) -> tuple[Item, ...]:
    return tuple(Item(i.id, i.name or i.id, i.points, i.cap) for i in items)


def _unique(values: list[str], where: str, noun: str, out: Collector, key: str = "") -> None:
    """Each value once; a repeat is reported at its place (`where[k].key`)."""
    seen: set[str] = set()
    for k, value in enumerate(values):
        if value in seen:
            out.add(f"{where}[{k}]{'.' + key if key else ''}", f"{noun}重复：{value}")
        seen.add(value)


def _check(doc: SchemeDocument, out: Collector) -> None:
    """What the model cannot say alone: uniqueness, matching lengths, sums."""
    _unique([i.id for i in doc.indicators], "scheme.indicators", "指标编号", out, "id")
    _unique([r.type for r in doc.process.records], "scheme.process.records", "记录类型", out,
            "type")  # fmt: skip
    _unique([i.id for i in doc.bonus.items], "scheme.bonus.items", "加分事项编号", out, "id")
    _unique([i.id for i in doc.deduction.items], "scheme.deduction.items", "扣分事项编号", out,
            "id")  # fmt: skip
    _unique(doc.veto.kinds, "scheme.veto.kinds", "否决事项", out)
    if doc.veto.names and len(doc.veto.names) != len(doc.veto.kinds):
        out.add("scheme.veto.names", "应与 kinds 一一对应")
    groups = doc.categories.team.ballot.groups
    for category in CATEGORIES:
        spec: CategorySpec = getattr(doc.categories, category.value)
        w = f"scheme.categories.{category.value}"
        total = spec.weights.K + spec.weights.P + spec.weights.M
        if total != 1:
            out.add(f"{w}.weights", f"K、P、M 的权重之和应恰好为 1，现为 {total}")
        _unique(spec.dimensions, f"{w}.dimensions", "评价维度", out)
        if spec.descriptions and len(spec.descriptions) != len(spec.dimensions):
            out.add(f"{w}.descriptions",
                    f"维度说明应与评价维度一一对应：{len(spec.dimensions)} 个维度，"
                    f"{len(spec.descriptions)} 条说明")  # fmt: skip
        _unique(spec.tie_break, f"{w}.tie_break", "并列比较项", out)
        ballot = spec.ballot
        if len(ballot.points) != len(ballot.grades):
            out.add(f"{w}.ballot.points", "等次与分值应一一对应")
        _unique(ballot.grades, f"{w}.ballot.grades", "等次", out)
        if ballot.abstain in ballot.grades:
            out.add(f"{w}.ballot.abstain", "“不了解”不能同时是一个等次")
        _unique(ballot.groups, f"{w}.ballot.groups", "投票人类别", out)
        if len(ballot.group_weights) != len(ballot.groups):
            out.add(f"{w}.ballot.group_weights", "投票人类别与权重应一一对应")
        if ballot.group_names is not None and len(ballot.group_names) != len(ballot.groups):
            out.add(f"{w}.ballot.group_names", "投票人类别与名称应一一对应")
        if ballot.groups != groups:
            out.add(f"{w}.ballot.groups", "各类别的投票人类别应相同（同一张选票的投票人）")
    _check_guidance(doc, out)


def _check_guidance(doc: SchemeDocument, out: Collector) -> None:
    """Each checklist item once, under a dimension of its own category."""
    _unique([g.id for g in doc.guidance], "scheme.guidance", "指引事项编号", out, "id")
    for k, item in enumerate(doc.guidance):
        spec: CategorySpec = getattr(doc.categories, item.category)
        if item.dimension not in spec.dimensions:
            name = spec.name or item.category
            out.add(f"scheme.guidance[{k}].dimension",
                    f"“{name}”没有评价维度“{item.dimension}”，应为 "
                    f"{'、'.join(spec.dimensions)} 之一")  # fmt: skip


def _rules(category: Category, spec: CategorySpec) -> CategoryRules:
    ballot = spec.ballot
    return CategoryRules(
        category=category,
        name=spec.name or category.value,
        dimensions=tuple(spec.dimensions),
        weights={"K": spec.weights.K, "P": spec.weights.P, "M": spec.weights.M},
        quota=spec.quota,
        threshold=spec.threshold,
        unit_cap=spec.unit_cap,
        min_months_in_post=spec.min_months_in_post,
        team_bottom_gate=spec.team_bottom_gate,
        tie_break=tuple(spec.tie_break),
        panel=Panel(spec.panel.dimension_max, spec.panel.mode, spec.panel.trim_above,
                    spec.panel.void_high_total, spec.panel.void_high_share),
        ballot=Ballot(
            grades=tuple(ballot.grades), points=tuple(ballot.points), abstain=ballot.abstain,
            top_share=ballot.top_share, quorum=ballot.quorum, bottom_limit=ballot.bottom_limit,
            groups=tuple(ballot.groups),
            group_names=tuple(ballot.group_names or ballot.groups),
            group_weights=tuple(ballot.group_weights),
        ),
        descriptions=tuple(spec.descriptions or [""] * len(spec.dimensions)),
    )  # fmt: skip
