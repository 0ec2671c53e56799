"""The one entry point, as the web's bridge will call it: dicts in, a typed result out."""

import json
from decimal import Decimal

from sanhao.scoring import Category, ReasonCode, Status, score
from sanhao.scoring.report import explain_lines, ranking_table, reason_text, status_text
from sanhao.scoring.tests.helpers import (
    EXAMPLE_SCHEME,
    GOLDEN,
    deputies_doc,
    make_scheme,
    scheme_data,
)

FACTS = GOLDEN / "example2-facts.json"


def test_it_scores_a_scheme_and_facts_given_as_dicts_like_their_files():
    from_files = score(EXAMPLE_SCHEME, FACTS)
    doc = json.loads(FACTS.read_text(encoding="utf-8"))
    from_dicts = score(scheme_data(EXAMPLE_SCHEME), doc)
    assert from_dicts.input_hash == from_files.input_hash
    assert from_dicts.scheme_hash == from_files.scheme_hash
    assert from_dicts.candidates("deputy") == from_files.candidates("deputy")


def test_it_hashes_the_facts_canonically():
    doc = json.loads(FACTS.read_text(encoding="utf-8"))
    again = json.loads(json.dumps(doc, indent=3))
    again["indicators"][0]["actual"] = Decimal("100.00")  # the same number, written otherwise
    changed = json.loads(json.dumps(doc))
    changed["indicators"][0]["actual"] = 99
    base = score(EXAMPLE_SCHEME, doc).input_hash
    assert score(EXAMPLE_SCHEME, again).input_hash == base
    assert score(EXAMPLE_SCHEME, changed).input_hash != base


def test_it_gives_typed_numbers_codes_and_a_status_per_candidate():
    result = score(EXAMPLE_SCHEME, FACTS)
    first, second = result.candidates(Category.DEPUTY)[:2]
    assert (first.id, first.s, first.status, first.eligible) == (
        "D-P1", Decimal("95.80"), Status.INELIGIBLE, False)  # fmt: skip
    assert first.reasons[0].code is ReasonCode.VETO
    assert dict(first.reasons[0].params) == {"kind": "admonition", "name": "诫勉",
                                             "note": "2026年6月受到诫勉"}  # fmt: skip
    assert reason_text(first.reasons[0]) == "一票否决：诫勉（2026年6月受到诫勉）"
    assert reason_text(first.reasons[0], "en") == "veto: 诫勉 (2026年6月受到诫勉)"
    assert (second.status, status_text(second), status_text(second, "en")) == (
        Status.AWARDED, "当选", "awarded")  # fmt: skip
    summary = result.summary("deputy")
    assert summary.awarded == ("D-Q1",) and summary.boundary_tie == ("D-P2", "D-P3")
    assert summary.seats_for_deliberation == 1


def test_it_gives_every_candidate_the_same_status_in_the_table_and_the_explanation(capsys):
    scheme = make_scheme(categories__deputy__quota=4, categories__deputy__unit_cap=2)
    scores = {"D-a1": 22, "D-a2": 21, "D-a3": 21, "D-a4": 20, "D-b1": 19, "D-b2": 18, "D-b3": 17}
    result = score(scheme, deputies_doc(scores))
    table = ranking_table(result)
    seen = set()
    for row in result.candidates("deputy"):
        line = next(x for x in table.splitlines() if f"  {row.id} " in x)
        assert line.endswith(f"  {status_text(row)}")
        assert explain_lines(result, row.id).endswith(f"\n结果：{status_text(row)}\n")
        seen.add(row.status)
    assert seen == {
        Status.AWARDED,
        Status.UNIT_CAP_TIE,
        Status.SKIPPED_UNIT_CAP,
        Status.NOT_AWARDED,
    }
    assert "结果：超出本镇街名额，顺延" in explain_lines(result, "D-a4")
