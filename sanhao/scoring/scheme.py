"""The scheme: every constant of SCORING.md, per year and category, from a TOML file.

`load_scheme(path)` reads and checks the file and returns a frozen `Scheme`; every
problem is reported with its location (`scheme.categories.team.weights: …`).
"""

from __future__ import annotations

import hashlib
import math
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

from sanhao.scoring.problems import Collector

CATEGORIES = ("team", "leader", "deputy")
COMPONENTS = ("K", "P", "M")
TIE_KEYS = ("K", "M", "P", "e")
DEFAULT_SCHEME = Path(__file__).with_name("default_scheme.toml")


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    points: Decimal
    lower_is_better: bool
    growth_method: str  # "efficacy" | "rank"
    alpha: Decimal


@dataclass(frozen=True)
class RecordType:
    type: str
    name: str
    expected: int


@dataclass(frozen=True)
class Item:
    id: str
    name: str
    points: Decimal
    cap: Decimal


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
class Category:
    key: str
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
    categories: dict[str, Category]
    source_hash: str


class _Reader:
    """Reads typed values out of nested dicts, reporting problems with their location."""

    def __init__(self, out: Collector) -> None:
        self.out = out

    def get(self, data: dict[str, Any], key: str, where: str, default: Any = ...) -> Any:
        if key in data:
            return data[key]
        if default is ...:
            self.out.add(f"{where}.{key}", "缺少此项")
            return None
        return default

    def decimal(
        self, data: dict[str, Any], key: str, where: str, default: Any = ..., *, minimum: int = 0
    ) -> Decimal:
        raw = self.get(data, key, where, default)
        value = to_decimal(raw)
        if value is None:
            if raw is not None:
                self.out.add(f"{where}.{key}", f"不是数字：{raw!r}")
            return Decimal(0)
        if value < minimum:
            self.out.add(f"{where}.{key}", f"不能小于 {minimum}：{raw}")
        return value

    def integer(self, data: dict[str, Any], key: str, where: str, default: Any = ...) -> int:
        raw = self.get(data, key, where, default)
        if isinstance(raw, bool) or not isinstance(raw, int):
            if raw is not None:
                self.out.add(f"{where}.{key}", f"应为整数：{raw!r}")
            return 0
        if raw < 0:
            self.out.add(f"{where}.{key}", f"不能小于 0：{raw}")
        return raw

    def text(self, data: dict[str, Any], key: str, where: str, default: Any = ...) -> str:
        raw = self.get(data, key, where, default)
        if not isinstance(raw, str):
            if raw is not None:
                self.out.add(f"{where}.{key}", f"应为文字：{raw!r}")
            return ""
        return raw

    def choice(self, data: dict[str, Any], key: str, where: str, choices: tuple[str, ...],
               default: Any = ...) -> str:  # fmt: skip
        value = self.text(data, key, where, default)
        if value and value not in choices:
            self.out.add(f"{where}.{key}", f"应为 {' / '.join(choices)} 之一：{value!r}")
        return value

    def table(self, data: dict[str, Any], key: str, where: str, default: Any = ...) -> Any:
        raw = self.get(data, key, where, default)
        if not isinstance(raw, dict):
            if raw is not None:
                self.out.add(f"{where}.{key}", "应为一个表")
            return {}
        return raw

    def items(self, data: dict[str, Any], key: str, where: str) -> list[tuple[str, Any]]:
        raw = self.get(data, key, where, [])
        if not isinstance(raw, list):
            self.out.add(f"{where}.{key}", "应为列表")
            return []
        return [(f"{where}.{key}[{i}]", entry) for i, entry in enumerate(raw)]


def to_decimal(value: Any) -> Decimal | None:
    """A number from TOML or JSON as an exact Decimal (a float through its repr)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            return None
        return result if result.is_finite() else None
    return None


def load_scheme(path: str | Path = DEFAULT_SCHEME) -> Scheme:
    raw = Path(path).read_bytes()
    out = Collector()
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        out.add("scheme", f"不是有效的 TOML 文件：{error}")
        out.raise_if_any()
        raise AssertionError from None
    scheme = parse_scheme(data, out, source_hash=hashlib.sha256(raw).hexdigest())
    out.raise_if_any()
    return scheme


def parse_scheme(data: dict[str, Any], out: Collector, *, source_hash: str = "") -> Scheme:
    r = _Reader(out)
    w = "scheme"
    if data.get("format") != 1:
        out.add(f"{w}.format", "本引擎只读取 format = 1 的方案")
    indicators = []
    seen: set[str] = set()
    for where, entry in r.items(data, "indicators", w):
        key = r.text(entry, "id", where)
        if key in seen:
            out.add(f"{where}.id", f"指标编号重复：{key}")
        seen.add(key)
        alpha = r.decimal(entry, "alpha", where, "0.5")
        if alpha > 1:
            out.add(f"{where}.alpha", f"应在 0 到 1 之间：{alpha}")
        indicators.append(Indicator(
            id=key, name=r.text(entry, "name", where, key),
            points=r.decimal(entry, "points", where),
            lower_is_better=r.choice(entry, "direction", where, ("higher", "lower"), "higher")
            == "lower",
            growth_method=r.choice(entry, "growth_method", where, ("efficacy", "rank"),
                                   "efficacy"),
            alpha=alpha,
        ))  # fmt: skip
    process = r.table(data, "process", w, {})
    records = []
    for where, entry in r.items(process, "records", f"{w}.process"):
        records.append(RecordType(r.text(entry, "type", where), r.text(entry, "name", where, ""),
                                  r.integer(entry, "expected", where)))  # fmt: skip
    bonus = r.table(data, "bonus", w, {})
    deduction = r.table(data, "deduction", w, {})
    veto = r.table(data, "veto", w, {})
    kinds, names = veto.get("kinds", []), veto.get("names", [])
    if len(names) not in (0, len(kinds)):
        out.add(f"{w}.veto.names", "应与 kinds 一一对应")
    categories = {}
    table = r.table(data, "categories", w)
    for key in CATEGORIES:
        if key not in table:
            out.add(f"{w}.categories.{key}", "缺少此类别")
            continue
        categories[key] = _category(r, key, table[key], f"{w}.categories.{key}")
    for key in table:
        if key not in CATEGORIES:
            out.add(f"{w}.categories.{key}", f"未知的类别（应为 {' / '.join(CATEGORIES)}）")
    deduction_max = deduction.get("max")
    return Scheme(
        version=r.text(data, "version", w),
        title=r.text(data, "title", w, ""),
        indicators=tuple(indicators),
        process_points=r.decimal(process, "points", f"{w}.process", 0),
        records=tuple(records),
        bonus_max=r.decimal(bonus, "max", f"{w}.bonus", "5"),
        bonus_items=_items(r, bonus, f"{w}.bonus"),
        deduction_max=None if deduction_max in (None, "") else r.decimal(
            deduction, "max", f"{w}.deduction"),
        deduction_items=_items(r, deduction, f"{w}.deduction"),
        veto_kinds=dict(zip(kinds, names or kinds, strict=False)),
        categories=categories,
        source_hash=source_hash,
    )  # fmt: skip


def _items(r: _Reader, data: dict[str, Any], where: str) -> tuple[Item, ...]:
    items = []
    for at, entry in r.items(data, "items", where):
        key = r.text(entry, "id", at)
        items.append(Item(key, r.text(entry, "name", at, key), r.decimal(entry, "points", at),
                          r.decimal(entry, "cap", at)))  # fmt: skip
    return tuple(items)


def _category(r: _Reader, key: str, data: dict[str, Any], w: str) -> Category:
    weights_raw = r.table(data, "weights", w)
    weights = {}
    for component in COMPONENTS:
        weights[component] = r.decimal(weights_raw, component, f"{w}.weights")
    if sum(weights.values()) != 1:
        r.out.add(f"{w}.weights", f"K、P、M 的权重之和应恰好为 1，现为 {sum(weights.values())}")
    threshold_raw = data.get("threshold", "")
    threshold = None if threshold_raw in ("", None) else r.decimal(data, "threshold", w)
    tie_break = tuple(data.get("tie_break", TIE_KEYS))
    for name in tie_break:
        if name not in TIE_KEYS:
            r.out.add(f"{w}.tie_break", f"未知的并列比较项：{name}（可用 K、M、P、e）")
    panel = r.table(data, "panel", w)
    pw = f"{w}.panel"
    ballot = r.table(data, "ballot", w)
    bw = f"{w}.ballot"
    grades = tuple(ballot.get("grades", ()))
    points = tuple(ballot.get("points", ()))
    if len(grades) < 2 or len(points) != len(grades):
        r.out.add(f"{bw}.points", "等次与分值应一一对应，且至少两个等次")
    for i, value in enumerate(points):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            r.out.add(f"{bw}.points[{i}]", f"分值应为不小于 0 的整数：{value!r}")
    groups = tuple(ballot.get("groups", ()))
    group_weights = tuple(to_decimal(v) or Decimal(0) for v in ballot.get("group_weights", ()))
    if not groups or len(group_weights) != len(groups):
        r.out.add(f"{bw}.group_weights", "投票人类别与权重应一一对应")
    if any(v <= 0 for v in group_weights):
        r.out.add(f"{bw}.group_weights", "权重应大于 0")
    bottom_text = r.text(ballot, "bottom_limit", bw, "1/3")
    try:
        bottom = Fraction(bottom_text)
    except (ValueError, ZeroDivisionError):
        r.out.add(f"{bw}.bottom_limit", f"应为分数或小数：{bottom_text!r}")
        bottom = Fraction(1, 3)
    mode = r.choice(panel, "mode", pw, ("score", "rank"), "score")
    return Category(
        key=key,
        name=r.text(data, "name", w, key),
        dimensions=tuple(data.get("dimensions", ())),
        weights=weights,
        quota=r.integer(data, "quota", w),
        threshold=threshold,
        unit_cap=r.integer(data, "unit_cap", w, 0),
        min_months_in_post=r.integer(data, "min_months_in_post", w, 0),
        team_bottom_gate=bool(data.get("team_bottom_gate", False)),
        tie_break=tie_break,
        panel=Panel(
            dimension_max=r.decimal(panel, "dimension_max", pw, 25),
            mode=mode,
            trim_above=r.integer(panel, "trim_above", pw, 5),
            void_high_total=r.decimal(panel, "void_high_total", pw, 90),
            void_high_share=r.decimal(panel, "void_high_share", pw, "0.3"),
        ),
        ballot=Ballot(
            grades=grades, points=points, abstain=r.text(ballot, "abstain", bw, "不了解"),
            top_share=r.decimal(ballot, "top_share", bw, "0.3"),
            quorum=r.decimal(ballot, "quorum", bw, "0.5"),
            bottom_limit=bottom, groups=groups,
            group_names=tuple(ballot.get("group_names", groups)), group_weights=group_weights,
        ),
    )  # fmt: skip
