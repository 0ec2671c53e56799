"""The worked examples of docs/scoring.md, as golden files: same inputs, same bytes."""

import subprocess
import sys

import pytest

from sanhao.scoring.__main__ import main
from sanhao.scoring.tests.helpers import EXAMPLE_SCHEME, GOLDEN


@pytest.mark.parametrize("n", [1, 2, 3])
def test_it_reproduces_the_worked_example_byte_for_byte(tmp_path, capsys, n):
    out = tmp_path / "result.json"
    scheme = GOLDEN / "example3-scheme.toml" if n == 3 else EXAMPLE_SCHEME
    assert main([str(scheme), str(GOLDEN / f"example{n}-facts.json"), "--out", str(out)]) == 0
    assert out.read_bytes() == (GOLDEN / f"example{n}-result.json").read_bytes()
    table = capsys.readouterr().out.replace(f"结果已写入 {out}\n", "")
    assert table == (GOLDEN / f"example{n}-table.txt").read_text(encoding="utf-8")


def test_it_gives_the_same_bytes_on_every_run(tmp_path):
    facts = GOLDEN / "example1-facts.json"
    for name in ("a.json", "b.json"):
        main([str(EXAMPLE_SCHEME), str(facts), "--out", str(tmp_path / name)])
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_it_ranks_the_demo_district_from_the_command_line():
    result = subprocess.run(
        [sys.executable, "-m", "sanhao.scoring", "sanhao/scoring/default_scheme.toml",
         "sanhao/scoring/examples/demo-2026.json", "--explain", "L-baimi"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "好班子（名额 4）" in result.stdout and "好班副（名额 18）" in result.stdout
    assert result.stdout.count("当选") >= 4 + 4 + 18
    assert "综合得分 S = 0.4×" in result.stdout


def test_it_exits_2_and_writes_nothing_on_invalid_input(tmp_path, capsys):
    bad = tmp_path / "facts.json"
    bad.write_text('{"format": 1, "year": 2026, "units": [{"id": "a"}], "candidates": '
                   '[{"id": "x", "category": "team", "unit": "a"}]}', encoding="utf-8")  # fmt: skip
    out = tmp_path / "result.json"
    assert main([str(EXAMPLE_SCHEME), str(bad), "--out", str(out)]) == 2
    assert not out.exists()
    assert "facts.indicators: 缺少 a 的指标 sales（实际、计划、上年）" in capsys.readouterr().err


def test_it_adds_the_statistics_on_request(tmp_path, capsys):
    import json

    out = tmp_path / "result.json"
    facts = str(GOLDEN / "example1-facts.json")
    assert main([str(EXAMPLE_SCHEME), facts, "--stats", "--seed", "5", "--out", str(out)]) == 0
    assert "评委一致性 Kendall W" in capsys.readouterr().out
    stats = json.loads(out.read_text(encoding="utf-8"))["statistics"]
    team = stats["categories"]["team"]
    assert stats["seed"] == 5 and team["panel_agreement"]["judges"] == 6  # the void sheet is out
    assert set(team["bootstrap"]) == {"T-A", "T-B", "T-C", "T-D", "T-E"}
    assert team["weight_sensitivity"]["last_awarded"] == "T-C"
    assert team["weight_sensitivity"]["first_left_out"] == "T-A"


def test_it_refuses_to_explain_an_unknown_candidate(capsys):
    assert main([str(EXAMPLE_SCHEME), str(GOLDEN / "example1-facts.json"), "--explain", "T-Z"]) == 2
    assert "没有编号为 T-Z 的候选对象" in capsys.readouterr().err
