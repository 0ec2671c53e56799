"""The scheme's dimensions with their descriptions, the guidance checklist, indicator units,
and the scheme written back as its TOML file."""

import copy
import tomllib
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sanhao.scoring import DEFAULT_SCHEME, InvalidInput, load_scheme, loads_scheme, parse_scheme
from sanhao.scoring.codes import Category
from sanhao.scoring.tests.helpers import EXAMPLE_SCHEME, GOLDEN, scheme_data
from sanhao.scoring.writer import dumps_scheme

DEFAULT = load_scheme()
DEFAULT_PATH = DEFAULT_SCHEME


def problems(change) -> list[str]:
    data = copy.deepcopy(scheme_data())
    change(data)
    with pytest.raises(InvalidInput) as error:
        parse_scheme(data)
    return [str(p) for p in error.value.problems]


def test_it_ships_a_checklist_of_27_items_each_under_a_dimension_of_its_category():
    assert len(DEFAULT.guidance) == 27
    assert len({g.id for g in DEFAULT.guidance}) == 27
    per_category = {c: [g for g in DEFAULT.guidance if g.category == c] for c in Category}
    assert {c: len(items) for c, items in per_category.items()} == {
        Category.TEAM: 9, Category.LEADER: 9, Category.DEPUTY: 9,
    }  # fmt: skip
    for category, items in per_category.items():
        dimensions = DEFAULT.categories[category].dimensions
        assert {g.dimension for g in items} == set(dimensions)  # every dimension has items
    assert DEFAULT.guidance[0].text == "中心组每月集体学习，学习成果转化为推动发展的具体举措"


def test_it_describes_each_of_the_four_standards():
    team = DEFAULT.categories[Category.TEAM]
    assert team.dimensions[2] == "战斗力强"
    assert team.descriptions[2] == "敢打硬仗、能打胜仗，关键指标和重点任务完成好"
    assert all(len(r.descriptions) == 4 and all(r.descriptions)
               for r in DEFAULT.categories.values())  # fmt: skip


def test_it_gives_each_indicator_its_unit_of_measure():
    assert [(i.name, i.unit) for i in DEFAULT.indicators] == [
        ("开票销售", "亿元"), ("到账外资", "万美元"), ("工业投资", "亿元"),
    ]  # fmt: skip


def test_a_scheme_without_the_new_fields_reads_as_before():
    example = load_scheme(EXAMPLE_SCHEME)
    assert example.guidance == ()
    assert all(d == "" for r in example.categories.values() for d in r.descriptions)
    assert all(i.unit == "" for i in example.indicators)


def test_it_refuses_an_item_under_another_categorys_dimension():
    def change(data):
        data["guidance"][3]["dimension"] = "政治站位高"  # a leader's, on a team item

    assert problems(change) == [
        "scheme.guidance[3].dimension: “好班子”没有评价维度“政治站位高”，"
        "应为 引领力强、凝聚力强、战斗力强、公信力强 之一"
    ]


def test_it_refuses_an_unknown_category_a_repeated_id_and_an_empty_text():
    def change(data):
        data["guidance"][1]["id"] = "g01"
        data["guidance"][4]["category"] = "village"
        data["guidance"][5]["text"] = ""

    assert problems(change) == [
        'scheme.guidance[4].category: 应为 team / leader / deputy 之一，现为 "village"',
        "scheme.guidance[5].text: 不能为空",
    ]

    def repeated(data):
        data["guidance"][1]["id"] = "g01"

    assert problems(repeated) == ["scheme.guidance[1].id: 指引事项编号重复：g01"]


def test_it_refuses_descriptions_that_do_not_match_the_dimensions():
    def change(data):
        data["categories"]["leader"]["descriptions"].pop()
        data["categories"]["deputy"]["dimensions"][3] = "政治素质优"

    assert problems(change) == [
        "scheme.categories.leader.descriptions: 维度说明应与评价维度一一对应：4 个维度，3 条说明",
        "scheme.categories.deputy.dimensions[3]: 评价维度重复：政治素质优",
        "scheme.guidance[25].dimension: “好班副”没有评价维度“专业素养优”，"
        "应为 政治素质优、执行能力优、开拓精神优、政治素质优 之一",
        "scheme.guidance[26].dimension: “好班副”没有评价维度“专业素养优”，"
        "应为 政治素质优、执行能力优、开拓精神优、政治素质优 之一",
    ]


def test_it_locates_a_repeated_indicator_id_at_the_id():
    def change(data):
        data["indicators"][2]["id"] = "sales"
        data["indicators"][1]["unit"] = "万元" * 11

    assert problems(change) == [
        "scheme.indicators[1].unit: 太长：不能超过 20 个字符",
    ]

    def repeated(data):
        data["indicators"][2]["id"] = "sales"

    assert problems(repeated) == ["scheme.indicators[2].id: 指标编号重复：sales"]


@pytest.mark.parametrize(
    "path", ["default", EXAMPLE_SCHEME, GOLDEN / "example3-scheme.toml"], ids=str
)
def test_it_writes_a_scheme_back_as_the_same_scheme(path):
    text = (DEFAULT_PATH if path == "default" else path).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    written = dumps_scheme(data, comment="written back")
    assert written.startswith("# written back\n")
    assert tomllib.loads(written) == data
    assert loads_scheme(written).source_hash == loads_scheme(text).source_hash
    assert dumps_scheme(tomllib.loads(written)) == dumps_scheme(data)


decimals = st.decimals(min_value=0, max_value=1000, places=4, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(points=decimals, text=st.text(max_size=30))
def test_it_writes_any_exact_decimal_and_any_text_so_that_they_read_back(points, text):
    data = copy.deepcopy(scheme_data())
    data["indicators"][0]["points"] = points
    data["indicators"][0]["name"] = text
    written = dumps_scheme(data)
    back = tomllib.loads(written)["indicators"][0]
    assert back["name"] == text
    assert Decimal(repr(back["points"]) if isinstance(back["points"], float)
                   else str(back["points"])) == points  # fmt: skip


def test_it_writes_a_decimal_a_float_cannot_hold_as_text():
    written = dumps_scheme({"a": Decimal("12.3456789012345678"), "b": Decimal("0.125")})
    assert written == 'a = "12.3456789012345678"\nb = 0.125\n'
