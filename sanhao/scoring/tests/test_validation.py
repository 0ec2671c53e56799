"""Wrong schemes and facts are refused: one message per wrong field, in Chinese, with its place."""

import copy
import json
from decimal import Decimal

import pytest

from sanhao.scoring import InvalidInput, score
from sanhao.scoring.__main__ import main
from sanhao.scoring.facts import load_facts
from sanhao.scoring.scheme import DEFAULT_SCHEME, load_scheme, loads_scheme
from sanhao.scoring.tests.helpers import EXAMPLE_SCHEME, GOLDEN, scheme_data

SCHEME = load_scheme(EXAMPLE_SCHEME)
EXAMPLE2 = json.loads((GOLDEN / "example2-facts.json").read_text(encoding="utf-8"))


def problems_of_scheme(tmp_path, old, new):
    text = DEFAULT_SCHEME.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "scheme.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(InvalidInput) as error:
        load_scheme(path)
    return [str(p) for p in error.value.problems]


def test_it_refuses_weights_that_do_not_sum_to_one(tmp_path):
    problems = problems_of_scheme(tmp_path, "weights = { K = 0.4, P = 0.3, M = 0.3 }",
                                  "weights = { K = 0.4, P = 0.3, M = 0.31 }")  # fmt: skip
    assert problems == ["scheme.categories.team.weights: K、P、M 的权重之和应恰好为 1，现为 1.01"]


def test_it_refuses_negative_points_and_unknown_options(tmp_path):
    problems = problems_of_scheme(tmp_path, "points = 30\ndirection = \"higher\"",
                                  "points = -30\ndirection = \"up\"")  # fmt: skip
    assert problems == [
        "scheme.indicators[0].points: 应不小于 0，现为 -30",
        'scheme.indicators[0].direction: 应为 higher / lower 之一，现为 "up"',
    ]


def test_it_refuses_a_trim_that_would_divide_by_zero_and_an_infinite_cap(tmp_path):
    problems = problems_of_scheme(tmp_path, "trim_above = 5        # drop", "trim_above = 1 # drop")
    assert problems == ["scheme.categories.team.panel.trim_above: 应不小于 2，现为 1"]
    problems = problems_of_scheme(tmp_path, "points = 1\ncap = 3", "points = 1\ncap = inf")
    assert problems == ["scheme.bonus.items[0].cap: 应为有限的数，现为 inf"]


def test_it_refuses_a_file_that_is_not_toml(tmp_path):
    path = tmp_path / "scheme.toml"
    path.write_text("this is = = not toml", encoding="utf-8")
    with pytest.raises(InvalidInput, match="不是有效的 TOML"):
        load_scheme(path)


def facts_problems(change, scheme=SCHEME):
    doc = copy.deepcopy(EXAMPLE2)
    change(doc)
    with pytest.raises(InvalidInput) as error:
        score(scheme, json.loads(json.dumps(doc, ensure_ascii=False)))
    return [str(p) for p in error.value.problems]


def test_it_gives_one_message_per_wrong_field_in_chinese_with_its_place():
    def change(doc):
        doc["ballots"][3]["grades"]["D-Q1"] = ["优秀"]  # a list where a grade is expected
        doc["vetoes"][0]["candidate"] = ["D-P1"]  # and where the subject is
        doc["vetoes"].append({"kind": "admonition"})  # no subject at all
        doc["panel"][1]["scores"]["D-P2"] = [36, "51分"]
        doc["indicators"][1]["plan"] = None
        doc["indicators"][0]["actual"] = "一百"
        doc["indicators"][1]["prior"] = "1e400"
        doc["candidates"][0]["oversees"] = "sales"
        doc["candidates"][1]["months_in_post"] = 6.5
        doc["records"][0]["on_time"] = "no"
        doc["records"][1]["remark"] = "迟到"

    assert facts_problems(change) == [
        'facts.candidates[0].oversees: 应为列表，现为 "sales"',
        "facts.candidates[1].months_in_post: 应为整数，现为 6.5",
        'facts.indicators[0].actual: 应为数字，现为 "一百"',
        "facts.indicators[1].plan: 应为数字，现为 null",
        "facts.indicators[1].prior: 绝对值不能超过 10^15",
        'facts.records[0].on_time: 应为 true 或 false，现为 "no"',
        "facts.records[1].remark: 格式中没有此项（拼写有误？）",
        'facts.panel[1].scores.D-P2[1]: 应为数字，现为 "51分"',
        "facts.ballots[3].grades.D-Q1: 应为文字，现为 列表",
        "facts.vetoes[0].candidate: 应为文字，现为 列表",
        "facts.vetoes[1]: 应给出 unit（镇街）或 candidate（候选对象）之一",
    ]


def test_it_reports_a_wrong_section_once_and_nothing_that_refers_to_it():
    problems = facts_problems(lambda doc: doc.update(candidates={"D-P1": {}}))
    assert problems == ["facts.candidates: 应为列表，现为 对象"]


def test_it_lists_every_wrong_reference_once_the_shape_is_right():
    def change(doc):
        doc["ballots"][3]["grades"]["D-Q1"] = "优"
        doc["ballots"][4]["id"] = "B01"
        doc["panel"][1]["scores"]["D-P2"] = [36, 51]
        doc["panel"][2]["scores"]["D-X9"] = [30, 30]
        doc["indicators"].pop(1)
        doc["candidates"][0]["oversees"] = ["gdp"]
        doc["vetoes"].append({"candidate": "nobody", "kind": "admonition"})
        doc["vetoes"].append({"unit": "P", "kind": "earthquake"})
        doc["ballots"][0]["session"] = "M9"
        doc["records"][0]["period"] = 5

    assert facts_problems(change) == [
        'facts.candidates[0].oversees[0]: 未知的指标："gdp"',
        "facts.indicators: 缺少 Q 的指标 sales（实际、计划、上年）",
        "facts.records[0].period: 期次应为 1 到 4，现为 5",
        "facts.panel[1].scores.D-P2[1]: 分数应在 0 到 50 之间，现为 51",
        'facts.panel[2].scores.D-X9: 未知的候选对象："D-X9"',
        'facts.ballots[0].session: 未知的测评场次："M9"',
        'facts.ballots[3].grades.D-Q1: 未知的等次 "优"',
        "facts.ballots[4].id: 选票编号重复：B01",
        'facts.vetoes[1].candidate: 未知的候选对象："nobody"',
        'facts.vetoes[2].kind: 未知的否决事项："earthquake"',
    ]


def test_it_never_shows_a_python_repr():
    def change(doc):
        doc["indicators"][0]["actual"] = "-1.5"
        doc["panel"][0]["scores"]["D-P1"] = [1.5, -0.25]
        doc["sessions"][0]["invited"] = 12.0

    problems = facts_problems(change)
    assert problems == [
        "facts.indicators[0].actual: 应不小于 0，现为 -1.5",
        "facts.panel[0].scores.D-P1[1]: 应不小于 0，现为 -0.25",
        "facts.sessions[0].invited: 应为整数，现为 12.0",
    ]
    assert not any("Decimal(" in p or "'" in p for p in problems)


def test_it_refuses_a_huge_actual_with_exit_2(tmp_path, capsys):
    doc = copy.deepcopy(EXAMPLE2)
    path = tmp_path / "facts.json"
    text = json.dumps(doc, ensure_ascii=False).replace('"actual": 100', '"actual": 1e400', 1)
    path.write_text(text, encoding="utf-8")
    assert main([str(EXAMPLE_SCHEME), str(path)]) == 2
    assert "facts.indicators[0].actual: 绝对值不能超过 10^15" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["NaN", "Infinity", "-Infinity"])
def test_it_refuses_non_finite_numbers_in_json(tmp_path, capsys, text):
    path = tmp_path / "facts.json"
    raw = json.dumps(EXAMPLE2, ensure_ascii=False).replace('"plan": 100', f'"plan": {text}', 1)
    path.write_text(raw, encoding="utf-8")
    assert main([str(EXAMPLE_SCHEME), str(path)]) == 2
    assert "facts.indicators[0].plan: 应为有限的数" in capsys.readouterr().err


def test_it_refuses_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "facts.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidInput, match="不是有效的 JSON"):
        load_facts(path, SCHEME)


def test_it_refuses_a_scheme_given_as_a_dict_like_its_file():
    data = scheme_data()
    data["categories"]["deputy"]["quota"] = "18"
    with pytest.raises(InvalidInput) as error:
        score(data, EXAMPLE2)
    assert [str(p) for p in error.value.problems] == [
        'scheme.categories.deputy.quota: 应为整数，现为 "18"'
    ]


def test_it_publishes_the_json_schema_of_both_formats_in_the_docs():
    from sanhao.scoring.formats import DOC, documented_section, schema_section

    # Regenerate with: python -m sanhao.scoring.formats --write-docs
    assert documented_section(DOC.read_text(encoding="utf-8")) == schema_section()


def test_it_reads_a_scheme_from_its_text_as_from_its_file():
    text = DEFAULT_SCHEME.read_text(encoding="utf-8")
    assert loads_scheme(text) == load_scheme(DEFAULT_SCHEME)
    assert loads_scheme(text.encode()).source_hash == load_scheme().source_hash
    with pytest.raises(InvalidInput, match="不是有效的 TOML") as caught:
        loads_scheme(text.encode("utf-16"))
    assert [p.location for p in caught.value.problems] == ["scheme"]


@pytest.mark.parametrize("text", ["1E+999999999", "-1e999999", "9E+15", "1000000000000001"])
def test_it_refuses_a_number_beyond_the_bound_however_it_is_written(text):
    from sanhao.scoring.formats import to_decimal

    with pytest.raises(Exception, match="绝对值不能超过 10"):
        to_decimal(text)
    assert to_decimal("1E+15") == Decimal("1E+15")  # the bound itself is allowed
