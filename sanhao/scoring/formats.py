"""The scheme (TOML) and facts (JSON) formats as typed models (pydantic v2, strict).

A document is first checked against these models: types are strict ("no" is not a
boolean, "12" is not an integer), numbers are finite decimals within documented bounds,
and every wrong field gets exactly one message in Chinese naming its place
(`facts.candidates[3].grades[1]: 应为文字，现为列表`). Only a document that has the right
shape is then checked for its references (unknown ids, duplicates, ranges that depend on
the scheme) by `scheme.py` and `facts.py`: a wrong shape never cascades into errors about
everything that refers to it. The JSON Schema of both models is published in
docs/scheme.md (`python -m sanhao.scoring.formats --write-docs` regenerates it).

Bounds (docs/scheme.md, "Numbers"): every number is finite, at most 10^15 in absolute
value and has at most 10 digits after the decimal point; counts are integers up to 10^9.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    PlainValidator,
    ValidationError,
    WithJsonSchema,
    model_validator,
)
from pydantic import StringConstraints as Text_
from pydantic_core import PydanticCustomError, core_schema

from sanhao.scoring.problems import Problem

MAX_MAGNITUDE = 10**15
MAX_PLACES = 10
MAX_COUNT = 10**9
PANEL_PLACES = 4  # panel scores: at most 4 decimals, so that sheet totals are exact

# Numbers ----------------------------------------------------------------------------------


def _fail(message: str) -> PydanticCustomError:
    return PydanticCustomError("sanhao", message)


def shown(value: Any) -> str:
    """A value as its reader wrote it (JSON), short; never a Python repr."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, Decimal | int):
        text = str(value)
        return text if len(text) <= 24 else text[:20] + "…"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        return text if len(text) <= 32 else text[:30] + '…"'
    if isinstance(value, list | tuple):
        return "列表"
    if isinstance(value, dict):
        return "对象"
    return "其他类型"


def to_decimal(value: Any) -> Decimal:
    """An exact, bounded Decimal from a number or a numeric text; raises a Chinese error."""
    if isinstance(value, bool) or value is None:
        raise _fail(f"应为数字，现为 {shown(value)}")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        if abs(value) > MAX_MAGNITUDE:
            raise _fail("绝对值不能超过 10^15")
        number = Decimal(value)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _fail(f"应为有限的数，现为 {shown(value)}")
        number = Decimal(repr(value))  # the shortest decimal that reads back as this float
    elif isinstance(value, str):
        if len(value) > 40:
            raise _fail("应为数字，现为过长的文字")
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise _fail(f"应为数字，现为 {shown(value)}") from None
    else:
        raise _fail(f"应为数字，现为 {shown(value)}")
    if not number.is_finite():
        raise _fail(f"应为有限的数，现为 {shown(value)}")
    # adjusted() first: abs() of 1E+999999999 overflows the decimal context.
    if number and (
        number.adjusted() > 15 or (number.adjusted() == 15 and abs(number) > MAX_MAGNITUDE)
    ):
        raise _fail("绝对值不能超过 10^15")
    exponent = number.normalize().as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > MAX_PLACES:
        raise _fail(f"小数位数不能超过 {MAX_PLACES} 位")
    return number


class Number:
    """A Decimal field: finite, bounded, exact; written as a number or a numeric text.

    `optional`: "" or null stand for none (a threshold, a total cap).
    """

    def __init__(self, *, ge: int | str | None = None, gt: int | None = None,
                 le: int | str | None = None, places: int = MAX_PLACES,
                 optional: bool = False) -> None:  # fmt: skip
        self.low = None if ge is None else Decimal(ge)
        self.gt = gt
        self.high = None if le is None else Decimal(le)
        self.places, self.optional = places, optional

    def check(self, value: Any) -> Decimal | None:
        if self.optional and (value is None or value == ""):
            return None
        result = to_decimal(value)
        if self.low is not None and result < self.low:
            raise _fail(f"应不小于 {self.low}，现为 {result}")
        if self.gt is not None and result <= self.gt:
            raise _fail(f"应大于 {self.gt}，现为 {result}")
        if self.high is not None and result > self.high:
            raise _fail(f"应不大于 {self.high}，现为 {result}")
        if self.places < MAX_PLACES:
            exponent = result.normalize().as_tuple().exponent
            assert isinstance(exponent, int)
            if -exponent > self.places:
                raise _fail(f"小数位数不能超过 {self.places} 位")
        return result

    def json_schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": ["number", "string"],
                                  "description": f"a decimal, at most {self.places} places"}  # fmt: skip
        if self.gt is not None:
            schema["exclusiveMinimum"] = self.gt
        else:
            schema["minimum"] = _json_number(self.low, -MAX_MAGNITUDE)
        schema["maximum"] = _json_number(self.high, MAX_MAGNITUDE)
        if self.optional:
            return {"anyOf": [schema, {"const": ""}, {"type": "null"}]}
        return schema

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler
                                     ) -> core_schema.CoreSchema:  # fmt: skip
        return core_schema.no_info_plain_validator_function(self.check)

    def __get_pydantic_json_schema__(self, schema: Any, handler: GetJsonSchemaHandler
                                     ) -> dict[str, Any]:  # fmt: skip
        return self.json_schema()


def _json_number(value: Decimal | None, default: int) -> int | float:
    if value is None:
        return default
    return int(value) if value == int(value) else float(value)


class Choice:
    """One of a few values, with the message naming them all."""

    def __init__(self, *options: str | int) -> None:
        self.options = options

    def check(self, value: Any) -> Any:
        for option in self.options:
            if type(value) is type(option) and value == option:
                return value
        allowed = " / ".join(str(o) for o in self.options)
        raise _fail(f"应为 {allowed} 之一，现为 {shown(value)}")

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler
                                     ) -> core_schema.CoreSchema:  # fmt: skip
        return core_schema.no_info_plain_validator_function(self.check)

    def __get_pydantic_json_schema__(self, schema: Any, handler: GetJsonSchemaHandler
                                     ) -> dict[str, Any]:  # fmt: skip
        return {"enum": list(self.options)}


def _fraction(value: Any) -> Fraction:
    if isinstance(value, str) and "/" in value:
        if len(value) > 40:
            raise _fail("应为分数（如 1/3）或小数，现为过长的文字")
        try:
            result = Fraction(value.strip())
        except (ValueError, ZeroDivisionError):
            raise _fail(f"应为分数（如 1/3）或小数，现为 {shown(value)}") from None
    else:
        result = Fraction(to_decimal(value))
    if not 0 <= result <= 1:
        raise _fail(f"应在 0 到 1 之间，现为 {shown(value)}")
    return result


def _int(low: int, high: int) -> Any:
    return Field(strict=True, ge=low, le=high)


Share = Annotated[
    Fraction,
    PlainValidator(_fraction),
    WithJsonSchema({"type": ["number", "string"], "description": 'a fraction 0…1, e.g. "1/3"'}),
]
Id = Annotated[str, Text_(strict=True, min_length=1, max_length=100)]
Name = Annotated[str, Text_(strict=True, max_length=200)]
Note = Annotated[str, Text_(strict=True, max_length=2000)]
Flag = Annotated[bool, Field(strict=True)]
Count = Annotated[int, _int(0, MAX_COUNT)]
Months = Annotated[int, _int(0, 12)]
Seats = Annotated[int, _int(0, 10**6)]
Points = Annotated[Decimal, Number(ge=0, le=1000)]
ItemPoints = Annotated[Decimal, Number(ge=0, le=100)]
Share01 = Annotated[Decimal, Number(ge=0, le=1)]
Weight = Annotated[Decimal, Number(ge=0, le=1, places=6)]
Amount = Annotated[Decimal, Number()]
PanelScore = Annotated[Decimal, Number(ge=0, le=1000, places=PANEL_PLACES)]
CategoryName = Annotated[str, Choice("team", "leader", "deputy")]
Format = Annotated[int, Choice(1)]


class Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


# The scheme (docs/scheme.md) -----------------------------------------------------------------


class IndicatorSpec(Model):
    id: Id
    name: Name = ""
    unit: Annotated[str, Text_(strict=True, max_length=20)] = ""  # of measure: 万元, 亿元, 个
    points: Points
    direction: Annotated[str, Choice("higher", "lower")] = "higher"
    growth_method: Annotated[str, Choice("efficacy", "rank")] = "efficacy"
    alpha: Share01 = Decimal("0.5")


class RecordSpec(Model):
    type: Id
    name: Name = ""
    expected: Annotated[int, _int(1, 1000)]


class ProcessSpec(Model):
    points: Points = Decimal(0)
    records: list[RecordSpec] = []


class ItemSpec(Model):
    id: Id
    name: Name = ""
    points: ItemPoints
    cap: ItemPoints


class BonusSpec(Model):
    max: ItemPoints = Decimal(5)
    items: list[ItemSpec] = []


class DeductionSpec(Model):
    max: Annotated[Decimal | None, Number(ge=0, le=100, optional=True)] = None
    items: list[ItemSpec] = []


class VetoSpec(Model):
    kinds: list[Id] = []
    names: list[Name] = []


class WeightsSpec(Model):
    K: Weight
    P: Weight
    M: Weight


class PanelSpec(Model):
    dimension_max: Annotated[Decimal, Number(gt=0, le=1000, places=PANEL_PLACES)] = Decimal(25)
    mode: Annotated[str, Choice("score", "rank")] = "score"
    trim_above: Annotated[int, _int(2, 10_000)] = 5
    void_high_total: Annotated[Decimal, Number(ge=0, le=10**6, places=PANEL_PLACES)] = Decimal(90)
    void_high_share: Share01 = Decimal("0.3")


class BallotSpec(Model):
    grades: Annotated[list[Name], Field(min_length=2, max_length=20)]
    points: list[Annotated[int, _int(0, 1000)]]
    abstain: Name = "不了解"
    top_share: Share01 = Decimal("0.3")
    quorum: Share01 = Decimal("0.5")
    bottom_limit: Share = Fraction(1, 3)
    groups: Annotated[list[Id], Field(min_length=1, max_length=50)]
    group_names: list[Name] | None = None
    group_weights: list[Annotated[Decimal, Number(gt=0, le=1000)]]


class CategorySpec(Model):
    name: Name = ""
    dimensions: Annotated[list[Name], Field(min_length=1, max_length=20)]
    descriptions: list[Note] = []  # one per dimension, or none
    weights: WeightsSpec
    quota: Seats
    threshold: Annotated[Decimal | None, Number(ge=0, le=10_000, optional=True)] = None
    unit_cap: Seats = 0
    min_months_in_post: Months = 0
    team_bottom_gate: Flag = False
    tie_break: list[Annotated[str, Choice("K", "M", "P", "e")]] = ["K", "M", "P", "e"]
    panel: PanelSpec = PanelSpec()
    ballot: BallotSpec


class GuidanceSpec(Model):
    """One item of the positive guidance checklist (正向指引清单): what a good team,
    leader or deputy does, under one of its category's dimensions."""

    id: Id
    text: Annotated[str, Text_(strict=True, min_length=1, max_length=500)]
    category: CategoryName
    dimension: Name


class CategoriesSpec(Model):
    team: CategorySpec
    leader: CategorySpec
    deputy: CategorySpec


class SchemeDocument(Model):
    """A scheme file (TOML): every constant of docs/scoring.md for one year."""

    format: Format
    version: Annotated[str, Text_(strict=True, min_length=1, max_length=100)]
    title: Name = ""
    indicators: list[IndicatorSpec] = []
    process: ProcessSpec = ProcessSpec()
    bonus: BonusSpec = BonusSpec()
    deduction: DeductionSpec = DeductionSpec()
    veto: VetoSpec = VetoSpec()
    categories: CategoriesSpec
    guidance: Annotated[list[GuidanceSpec], Field(max_length=1000)] = []


# The facts (docs/scheme.md) ------------------------------------------------------------------


class UnitFact(Model):
    id: Id
    name: Name | None = None


class CandidateFact(Model):
    id: Id
    category: CategoryName
    unit: Id
    name: Name | None = None
    months_in_post: Months = 12
    oversees: list[Id] | None = None


class IndicatorFact(Model):
    unit: Id
    indicator: Id
    actual: Annotated[Decimal, Number(ge=0)]
    plan: Annotated[Decimal, Number(gt=0)]
    prior: Amount


class RecordFact(Model):
    unit: Id
    type: Id
    period: Annotated[int, _int(1, 1000)]
    on_time: Flag = True


class SheetFact(Model):
    id: Id
    judge: Name | None = None
    judge_unit: Id | None = None
    category: CategoryName
    scores: dict[Id, list[PanelScore]] | None = None
    ranks: dict[Id, Annotated[int, _int(1, 10**6)]] | None = None


class SessionFact(Model):
    id: Id
    invited: Count
    issued: Count | None = None
    returned: Count | None = None


class BallotFact(Model):
    id: Id
    session: Id
    group: Id
    grades: dict[Id, Name]


class BallotCountFact(Model):
    session: Id
    group: Id
    candidate: Id
    counts: dict[Name, Count]


class EventFact(Model):
    candidate: Id
    item: Id
    count: Annotated[int, _int(0, 10**6)] = 1
    note: Note | None = None


class VetoFact(Model):
    kind: Id
    unit: Id | None = None
    candidate: Id | None = None
    note: Note = ""

    @model_validator(mode="after")
    def one_subject(self) -> VetoFact:
        if (self.unit is None) == (self.candidate is None):
            raise _fail("应给出 unit（镇街）或 candidate（候选对象）之一")
        return self


class FactsDocument(Model):
    """A facts file (JSON): what happened in one campaign year."""

    format: Format = 1
    year: Annotated[int, _int(1900, 2999)]
    units: list[UnitFact] = []
    candidates: list[CandidateFact] = []
    indicators: list[IndicatorFact] = []
    records: list[RecordFact] = []
    panel: list[SheetFact] = []
    sessions: list[SessionFact] = []
    ballots: list[BallotFact] = []
    ballot_counts: list[BallotCountFact] = []
    bonuses: list[EventFact] = []
    deductions: list[EventFact] = []
    vetoes: list[VetoFact] = []


# Errors as problems ------------------------------------------------------------------------

MESSAGES = {
    "missing": "缺少此项",
    "extra_forbidden": "格式中没有此项（拼写有误？）",
    "string_type": "应为文字",
    "int_type": "应为整数",
    "int_from_float": "应为整数",
    "bool_type": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为对象",
    "model_type": "应为对象",
    "model_attributes_type": "应为对象",
    "string_too_short": "不能为空",
    "string_too_long": "太长：不能超过 {max_length} 个字符",
    "too_short": "至少应有 {min_length} 项",
    "too_long": "至多 {max_length} 项",
    "greater_than_equal": "应不小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "应不大于 {le}",
    "less_than": "应小于 {lt}",
    "frozen_instance": "不能修改",
    "recursion_loop": "嵌套过深",
}
WITH_INPUT = {"string_type", "int_type", "int_from_float", "bool_type", "list_type", "dict_type",
              "model_type", "model_attributes_type", "greater_than_equal", "greater_than",
              "less_than_equal", "less_than"}  # fmt: skip


def location(root: str, loc: Iterable[int | str]) -> str:
    text = root
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def problems_of(error: ValidationError, root: str) -> list[Problem]:
    """One problem per wrong field, in Chinese, with its place; never a Python repr."""
    problems: list[Problem] = []
    seen: set[tuple[int | str, ...]] = set()
    for entry in error.errors(include_url=False):
        loc = tuple(entry["loc"])
        if loc in seen or any(loc[:n] in seen for n in range(len(loc))):
            continue
        seen.add(loc)
        kind = entry["type"]
        if kind == "sanhao":
            message = entry["msg"]
        else:
            template = MESSAGES.get(kind, "不符合格式")
            context = {k: str(v) for k, v in (entry.get("ctx") or {}).items()}
            try:
                message = template.format(**context)
            except (KeyError, IndexError):
                message = template
            if kind in WITH_INPUT:
                message += f"，现为 {shown(entry.get('input'))}"
        problems.append(Problem(location(root, loc), message))
    return problems


def json_schemas() -> dict[str, Any]:
    """The JSON Schema of both formats, as published in docs/scheme.md."""
    return {
        "scheme": SchemeDocument.model_json_schema(),
        "facts": FactsDocument.model_json_schema(),
    }


# Canonical JSON, for the input hash ----------------------------------------------------------


def _number_text(value: Decimal) -> str:
    if not value:
        return "0"
    return format(value.normalize(), "f")


def canonical_json(value: Any) -> str:
    """One text per document: keys sorted, numbers in their shortest exact form (1 = 1.0)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number_text(Decimal(repr(value)))
    if isinstance(value, Decimal):
        return _number_text(value)
    if isinstance(value, Fraction):
        return json.dumps(str(value))
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, dict):
        items = sorted((str(k), v) for k, v in value.items())
        return "{" + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{canonical_json(v)}"
                              for k, v in items) + "}"  # fmt: skip
    if isinstance(value, list | tuple):
        return "[" + ",".join(canonical_json(v) for v in value) + "]"
    raise TypeError(f"not JSON: {type(value).__name__}")


# docs/scheme.md ------------------------------------------------------------------------------

DOC = Path(__file__).resolve().parents[2] / "docs" / "scheme.md"
BEGIN = "<!-- json-schema:begin (generated: python -m sanhao.scoring.formats --write-docs) -->"
END = "<!-- json-schema:end -->"


def schema_section() -> str:
    text = json.dumps(json_schemas(), ensure_ascii=False, indent=1, sort_keys=True)
    return f"{BEGIN}\n```json\n{text}\n```\n{END}"


def documented_section(doc: str) -> str:
    start, end = doc.index(BEGIN), doc.index(END) + len(END)
    return doc[start:end]


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["--write-docs"]:
        doc = DOC.read_text(encoding="utf-8")
        DOC.write_text(doc.replace(documented_section(doc), schema_section()), encoding="utf-8")
    else:
        print(schema_section())
