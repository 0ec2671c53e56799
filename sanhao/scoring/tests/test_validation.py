"""Wrong schemes and facts are refused with every problem and its location."""

import json

import pytest

from sanhao.scoring.facts import load_facts
from sanhao.scoring.problems import InvalidInput
from sanhao.scoring.scheme import DEFAULT_SCHEME, load_scheme
from sanhao.scoring.tests.helpers import EXAMPLE_SCHEME, GOLDEN

SCHEME = load_scheme(EXAMPLE_SCHEME)


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
    assert "scheme.indicators[0].points: 不能小于 0：-30" in problems
    assert any(
        p.startswith("scheme.indicators[0].direction: 应为 higher / lower") for p in problems
    )


def test_it_refuses_a_file_that_is_not_toml(tmp_path):
    path = tmp_path / "scheme.toml"
    path.write_text("this is = = not toml", encoding="utf-8")
    with pytest.raises(InvalidInput, match="不是有效的 TOML"):
        load_scheme(path)


def facts_problems(tmp_path, change):
    doc = json.loads((GOLDEN / "example2-facts.json").read_text(encoding="utf-8"))
    change(doc)
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(InvalidInput) as error:
        load_facts(path, SCHEME)
    return [str(p) for p in error.value.problems]


def test_it_lists_every_problem_of_the_facts_with_its_place(tmp_path):
    def change(doc):
        doc["ballots"][3]["grades"]["D-Q1"] = "优"
        doc["ballots"][4]["id"] = "B01"
        doc["panel"][1]["scores"]["D-P2"] = [36, 51]
        doc["panel"][2]["scores"]["D-X9"] = [30, 30]
        doc["indicators"][1]["plan"] = None
        doc["indicators"][0]["actual"] = "一百"
        doc["candidates"][0]["oversees"] = ["gdp"]

    problems = facts_problems(tmp_path, change)
    assert problems == [
        "facts.candidates[0].oversees[0]: 未知的指标：'gdp'",
        "facts.indicators[0].actual: 不是数字：'一百'",
        "facts.indicators[1].plan: 缺少数值",
        "facts.indicators: 缺少 P 的指标 sales（实际、计划、上年）",
        "facts.indicators: 缺少 Q 的指标 sales（实际、计划、上年）",
        "facts.panel[1].scores.D-P2[1]: 分数应在 0 到 50 之间：51",
        "facts.panel[2].scores.D-X9: 未知的候选对象：'D-X9'",
        'facts.ballots[3].grades.D-Q1: 未知的等次 "优"',
        "facts.ballots[4].id: 选票编号重复：B01",
    ]


def test_it_refuses_unknown_references(tmp_path):
    def change(doc):
        doc["vetoes"].append({"candidate": "nobody", "kind": "admonition"})
        doc["vetoes"].append({"unit": "P", "kind": "earthquake"})
        doc["ballots"][0]["session"] = "M9"
        doc["records"][0]["period"] = 5

    problems = facts_problems(tmp_path, change)
    assert "facts.vetoes[1].candidate: 未知的候选对象：'nobody'" in problems
    assert "facts.vetoes[2].kind: 未知的否决事项：'earthquake'" in problems
    assert "facts.ballots[0].session: 未知的测评场次：'M9'" in problems
    assert "facts.records[0].period: 期次应为 1 到 4 的整数：5" in problems


def test_it_refuses_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "facts.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidInput, match="不是有效的 JSON"):
        load_facts(path, SCHEME)
