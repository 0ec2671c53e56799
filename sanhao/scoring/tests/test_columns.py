"""The result written as columns (columns.py) gives back the JSON document to the byte."""

import json
from decimal import Decimal

import numpy as np
import pytest

from sanhao.scoring import score
from sanhao.scoring.__main__ import main
from sanhao.scoring.arrays import load_arrays, save_arrays
from sanhao.scoring.columns import read_columns, write_columns
from sanhao.scoring.facts import load_facts, parse_facts
from sanhao.scoring.report import to_document, to_json
from sanhao.scoring.scheme import load_scheme
from sanhao.scoring.synthetic import demo_facts, generate
from sanhao.scoring.tests.helpers import EXAMPLE_SCHEME, GOLDEN, make_scheme

DEFAULT = load_scheme()


def cases():
    for n in (1, 2, 3):
        scheme = load_scheme(GOLDEN / "example3-scheme.toml" if n == 3 else EXAMPLE_SCHEME)
        yield f"example{n}", scheme, load_facts(GOLDEN / f"example{n}-facts.json", scheme)
    yield "demo", DEFAULT, demo()


def demo():
    return parse_facts(json.loads(json.dumps(demo_facts(DEFAULT)), parse_float=Decimal), DEFAULT)


@pytest.mark.parametrize(("name", "scheme", "facts"), list(cases()), ids=lambda c: str(c)[:8])
@pytest.mark.parametrize("explain", [True, False])
def test_it_reads_back_the_document_of_the_json_file(tmp_path, name, scheme, facts, explain):
    result = score(scheme, facts)
    path = tmp_path / "result.npz"
    assert write_columns(result, path, explain=explain) == path.stat().st_size
    back = read_columns(path)
    for language in ("zh", "en"):
        expected = to_json(to_document(result, explain=explain, language=language))
        assert to_json(back.document(language=language)) == expected
    if not explain:
        with pytest.raises(ValueError, match="未包含计分明细"):
            back.document(explain=True)


def test_it_keeps_what_a_varied_district_has(tmp_path):
    """Void sheets and sessions, vetoes with notes, deputies who oversee indicators, a rank
    mode panel, undefined growth: each has its columns, and the document comes back."""
    scheme = make_scheme(categories__leader__panel__mode="rank")
    units = [(f"u{i}", f"第{i}镇") for i in range(9)]
    doc = generate(scheme, units, seed=3, voters_per_unit=30, deputies=(2, 5))
    for sheet in doc["panel"]:
        if sheet["category"] == "leader":  # the leaders' panel ranks them instead
            scores = sheet.pop("scores")
            ranked = sorted(scores, key=lambda c: -sum(scores[c]))
            sheet["ranks"] = {c: place for place, c in enumerate(ranked, start=1)}
    doc["sessions"][1]["invited"] = 10_000  # below the quorum: void
    facts = parse_facts(json.loads(json.dumps(doc), parse_float=Decimal), scheme)
    result = score(scheme, facts)
    write_columns(result, tmp_path / "r.npz")
    back = read_columns(tmp_path / "r.npz")
    assert back.document() == to_document(result)
    document = back.document()
    assert any(c["reasons"] for c in document["categories"]["team"]["candidates"])
    assert document["categories"]["team"]["void_sessions"]
    assert "mean_rank" in document["categories"]["leader"]["candidates"][0]["breakdown"]["P"]


def test_it_writes_arrays_that_load_without_pickle_and_in_rank_order(tmp_path):
    result = score(DEFAULT, demo())
    write_columns(result, tmp_path / "r.npz")
    with np.load(tmp_path / "r.npz", allow_pickle=False) as stored:
        ranks = stored["team/rank"]
        s = stored["team/s"]
        assert stored["team/candidate"].dtype == np.int64
    assert (np.diff(ranks) >= 0).all() and (np.diff(s) <= 0).all()
    ids = [row.id for row in result.candidates("team")]
    back = read_columns(tmp_path / "r.npz")
    assert [row.id for row, _ in back.ranked("team", explain=False)] == ids


def test_it_writes_the_columns_of_facts_read_from_arrays(tmp_path):
    scheme = load_scheme(EXAMPLE_SCHEME)
    facts = load_facts(GOLDEN / "example2-facts.json", scheme)
    save_arrays(facts, tmp_path / "facts.npz")
    again = load_arrays(tmp_path / "facts.npz")
    write_columns(score(scheme, again), tmp_path / "r.npz")
    assert read_columns(tmp_path / "r.npz").document() == to_document(score(scheme, again))


def test_it_leaves_no_file_when_the_write_fails(tmp_path):
    result = score(DEFAULT, demo())
    target = tmp_path / "missing" / "r.npz"
    with pytest.raises(OSError):
        write_columns(result, target)
    assert not target.exists() and not (tmp_path / "missing").exists()


def test_it_refuses_a_file_of_another_layout(tmp_path):
    result = score(DEFAULT, demo())
    write_columns(result, tmp_path / "r.npz", explain=False)
    with np.load(tmp_path / "r.npz") as stored:
        arrays = {name: stored[name] for name in stored.files}
    meta = json.loads(str(arrays["meta"]))
    meta["layout"] = 99
    arrays["meta"] = np.array(json.dumps(meta))
    np.savez(tmp_path / "other.npz", **arrays)
    with pytest.raises(ValueError, match="格式版本 99"):
        read_columns(tmp_path / "other.npz")


def test_the_command_line_writes_columns_for_an_npz_name(tmp_path, capsys):
    facts = GOLDEN / "example1-facts.json"
    assert main([str(EXAMPLE_SCHEME), str(facts), "--out", str(tmp_path / "r.npz")]) == 0
    assert main([str(EXAMPLE_SCHEME), str(facts), "--out", str(tmp_path / "r.json")]) == 0
    assert capsys.readouterr().out.count("结果已写入") == 2
    document = read_columns(tmp_path / "r.npz").document()
    assert to_json(document).encode() == (tmp_path / "r.json").read_bytes()
    assert (tmp_path / "r.json").read_bytes() == (GOLDEN / "example1-result.json").read_bytes()


def test_the_command_line_keeps_the_statistics_in_the_columns(tmp_path, capsys):
    facts = str(GOLDEN / "example1-facts.json")
    for name in ("r.npz", "r.json"):
        out = str(tmp_path / name)
        assert main([str(EXAMPLE_SCHEME), facts, "--stats", "--quiet", "--out", out]) == 0
    document = read_columns(tmp_path / "r.npz").document()
    assert document["statistics"]["seed"] == 2026
    assert to_json(document).encode() == (tmp_path / "r.json").read_bytes()
    out = capsys.readouterr().out
    assert "评委一致性 Kendall W" in out and "综合S" not in out


def test_the_command_line_scores_facts_given_as_arrays(tmp_path, capsys):
    scheme = load_scheme(EXAMPLE_SCHEME)
    facts = load_facts(GOLDEN / "example1-facts.json", scheme)
    save_arrays(facts, tmp_path / "facts.npz")
    assert main([str(EXAMPLE_SCHEME), str(tmp_path / "facts.npz")]) == 0
    table = capsys.readouterr().out
    assert table == (GOLDEN / "example1-table.txt").read_text(encoding="utf-8")
    facts.cell_scores[0, 0] = 51
    save_arrays(facts, tmp_path / "bad.npz")
    out = tmp_path / "r.npz"
    assert main([str(EXAMPLE_SCHEME), str(tmp_path / "bad.npz"), "--out", str(out)]) == 2
    assert "facts.panel.team.cells[0]: 分数应在 0 到 50 之间" in capsys.readouterr().err
    assert not out.exists()
    with np.load(tmp_path / "facts.npz") as stored:
        arrays = {name: stored[name] for name in stored.files}
    meta = json.loads(str(arrays["meta"]))
    meta["oversees"] = []  # not a mapping
    np.savez(tmp_path / "odd.npz", **{**arrays, "meta": np.array(json.dumps(meta))})
    assert main([str(EXAMPLE_SCHEME), str(tmp_path / "odd.npz")]) == 2
    assert "不是引擎的数组文件" in capsys.readouterr().err
    whole = (tmp_path / "facts.npz").read_bytes()
    for junk in (b"not a zip", whole[: len(whole) // 2], whole[:-30]):
        (tmp_path / "junk.npz").write_bytes(junk)
        assert main([str(EXAMPLE_SCHEME), str(tmp_path / "junk.npz")]) == 2
        assert "不是引擎的数组文件" in capsys.readouterr().err


def test_the_command_line_shows_progress_during_a_long_stage(monkeypatch, capsys):
    import time

    import sanhao.scoring.__main__ as cli

    slow = cli.compute
    seen = []

    def compute(*args):
        time.sleep(1.7)  # the bar appears after a second and is redrawn while this runs
        seen.append(capsys.readouterr().err)
        return slow(*args)

    monkeypatch.setattr(cli, "compute", compute)
    facts = str(GOLDEN / "example1-facts.json")
    assert main([str(EXAMPLE_SCHEME), facts, "--quiet"]) == 0
    assert "计分：计算" in seen[0]


def test_the_command_line_says_what_it_cannot_write(tmp_path, capsys):
    facts = str(GOLDEN / "example1-facts.json")
    for name in ("r.npz", "r.json"):
        out = tmp_path / "missing" / name
        assert main([str(EXAMPLE_SCHEME), facts, "--quiet", "--out", str(out)]) == 2
        assert f"无法写入文件：{out}" in capsys.readouterr().err
