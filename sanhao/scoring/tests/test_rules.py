"""Each rule of docs/scoring.md (§0–§7) on a case small enough to check by hand."""

from fractions import Fraction as Fr

import numpy as np
import pytest

from sanhao.scoring.engine import exact_p
from sanhao.scoring.rounding import cents_half_up, round_cents
from sanhao.scoring.tests.helpers import deputies_doc, make_scheme, rows, run, small_doc

DEFAULT = make_scheme()


def teams(**units):
    return small_doc(units)


# Step 1 -------------------------------------------------------------------------------


def test_it_gives_full_completion_points_for_meeting_the_plan_and_no_more():
    r = rows(run(DEFAULT, teams(a={"actual": 150, "prior": 100}, b={"actual": 100, "prior": 100})),
             "team")  # fmt: skip
    # a: completion 1 (capped), growth 0.5 = max → 30 each; b: growth 0 = min → 0.5·30 + 0.5·18
    # K = 100·(3·s + 10)/100: a 3·30 + 10 = 100; b 3·24 + 10 = 82
    assert (r["T-a"]["K"], r["T-b"]["K"]) == (100, 82)


def test_it_gives_full_efficacy_points_when_every_growth_is_equal():
    r = rows(run(DEFAULT, teams(a={"actual": 110, "prior": 100}, b={"actual": 55, "prior": 50, "plan": 50},
                                c={"actual": 88, "prior": 80, "plan": 100})), "team")  # fmt: skip
    # growth 10 % everywhere → s^B = W; c's completion 0.88 → s = 0.5·26.4 + 0.5·30 = 28.2
    assert r["T-a"]["K"] == r["T-b"]["K"] == 100
    assert r["T-c"]["K"] == Fr(3 * 282 + 100, 10)  # 94.6


def test_it_scores_completion_only_when_the_prior_year_is_zero():
    r = rows(run(DEFAULT, teams(a={"actual": 80, "prior": 0}, b={"actual": 100, "prior": 90},
                                c={"actual": 100, "prior": 100})), "team")  # fmt: skip
    # a: s = s^A = 0.8·30 = 24 for each indicator, growth ignored
    assert r["T-a"]["K"] == 3 * 24 + 10


def test_it_inverts_a_lower_is_better_indicator():
    data = make_scheme().indicators  # default: all higher
    assert not any(i.lower_is_better for i in data)
    scheme = make_scheme(
        indicators__0__direction="lower", indicators__1__points=0, indicators__2__points=0
    )
    r = rows(run(scheme, teams(a={"actual": 80, "plan": 100, "prior": 100},
                               b={"actual": 125, "plan": 100, "prior": 100},
                               c={"actual": 0, "plan": 100, "prior": 100})), "team")  # fmt: skip
    # completion: a 1 (100/80 capped), b 0.8, c 1 (actual 0); growth (y−a)/|y|: .2, −.25, 1
    # efficacy over [−.25, 1]: a .6 + .4·.45/1.25 = .744 → s = .5·30 + .5·22.32 = 26.16
    # K = 100·(s + 10)/40
    assert r["T-a"]["K"] == Fr(9040, 100)
    assert r["T-c"]["K"] == 100
    # b: s^A = 24, s^B = 18 → 21 → K = 77.5
    assert r["T-b"]["K"] == Fr(775, 10)


def test_it_ranks_growth_for_the_rank_method_sharing_the_better_place():
    scheme = make_scheme(indicators__0__growth_method="rank", indicators__0__alpha=0,
                         indicators__1__points=0, indicators__2__points=0)  # fmt: skip
    r = rows(run(scheme, teams(a={"actual": 120}, b={"actual": 110}, c={"actual": 110},
                               d={"actual": 100})), "team")  # fmt: skip
    # places 1, 2, 2, 4 → 30, 28.5, 28.5, 25.5 → K = 100·(s + 10)/40
    assert [r[f"T-{u}"]["K"] for u in "abcd"] == [100, Fr(9625, 100), Fr(9625, 100), Fr(8875, 100)]


def test_it_counts_process_records_on_time_at_most_the_expected_number():
    doc = teams(a={}, b={})
    doc["records"] = [x for x in doc["records"] if not (x["unit"] == "b" and x["period"] > 9)]
    doc["records"].append({"unit": "b", "type": "study", "period": 1, "on_time": False})
    r = rows(run(DEFAULT, doc), "team")
    # b: study 9 (period 1 also reported late once: still held on time), supervision 9 → 18/24
    assert r["T-a"]["K"] - r["T-b"]["K"] == Fr(25, 10)


# Step 2 -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([10, 12, 14, 16, 25], Fr(77, 5)),  # R = 5: plain mean
        ([10, 12, 14, 16, 20, 25], Fr(62, 4)),  # R = 6: drop 10 and 25
        ([20] * 24 + [0] + [25] * 24, Fr(20 * 24 + 25 * 23, 47)),  # R = 49: drop one 0, one 25
        ([18, 18, 18, 18, 18, 18], 18),  # equal scores: trimming changes nothing
    ],
)
def test_it_trims_the_highest_and_lowest_only_above_five_judges(scores, expected):
    assert exact_p([[Fr(s)] for s in scores], 5) == expected
    units = {"a": {"scores": [[s, s, s, s] for s in scores]},
             "b": {"scores": [[5, 5, 5, 5]] * len(scores)}}  # fmt: skip
    r = rows(run(DEFAULT, small_doc(units, judges=len(scores))), "team")
    assert r["T-a"]["P"] == Fr(cents_half_up(4 * Fr(expected)), 100)


def test_it_sets_aside_a_sheet_with_all_totals_equal():
    doc = small_doc({"a": {"scores": [[20, 20, 20, 20], [25, 25, 25, 25]]},
                     "b": {"scores": [[10, 10, 10, 10], [25, 25, 25, 25]]}}, judges=2)  # fmt: skip
    r = rows(run(DEFAULT, doc), "team")
    assert (r["T-a"]["P"], r["T-b"]["P"]) == (80, 40)  # judge 2's sheet is void


def test_it_sets_aside_a_sheet_with_too_many_totals_of_90_or_more():
    doc = small_doc({u: {"scores": [[23, 23, 23, 23], [20, 20, 20, 20]]} for u in "abcd"}, judges=2)
    doc["panel"][0]["scores"]["T-d"] = [10, 10, 10, 10]  # 3 of 4 ≥ 90 > ⌈0.3·4⌉ = 2
    doc["panel"][1]["scores"]["T-d"] = [20, 20, 20, 21]
    r = rows(run(DEFAULT, doc), "team")
    assert r["T-a"]["P"] == 80 and r["T-d"]["P"] == 81


def test_it_turns_mean_ranks_into_a_panel_score_in_rank_mode():
    scheme = make_scheme(categories__team__panel__mode="rank")
    doc = small_doc({u: {} for u in "abc"}, judges=2)
    doc["panel"] = [{"id": "R1", "judge": "J1", "category": "team", "ranks": {"T-a": 1, "T-b": 2, "T-c": 3}},
                    {"id": "R2", "judge": "J2", "category": "team", "ranks": {"T-a": 2, "T-b": 1, "T-c": 3}}]  # fmt: skip
    r = rows(run(scheme, doc), "team")
    # mean ranks 1.5, 1.5, 3 with N = 3 → 100·(3 − r)/2
    assert (r["T-a"]["P"], r["T-b"]["P"], r["T-c"]["P"]) == (75, 75, 0)


# Step 3 -------------------------------------------------------------------------------


def test_it_weights_group_means_and_renormalises_over_groups_that_voted():
    doc = teams(a={"counts": {"district_leaders": {"好": 1}, "public": {"一般": 1, "差": 1}}})
    r = rows(run(DEFAULT, doc), "team")
    # (0.3·100 + 0.2·50) / 0.5 = 80
    assert r["T-a"]["M"] == 80


def test_it_leaves_do_not_know_out_of_the_denominator():
    doc = teams(a={"counts": {"unit_cadres": {"好": 1, "较好": 1, "不了解": 5}}})
    assert rows(run(DEFAULT, doc), "team")["T-a"]["M"] == 90


def _ballot_doc(ballots, invited=4, issued=4):
    doc = teams(a={}, b={}, c={}, d={})
    doc["ballot_counts"] = []
    doc["sessions"] = [{"id": "V", "invited": invited, "issued": issued}]
    doc["ballots"] = [{"id": f"b{i}", "session": "V", "group": "unit_cadres",
                       "grades": dict(zip(["T-a", "T-b", "T-c", "T-d"], grades, strict=True))}
                      for i, grades in enumerate(ballots)]  # fmt: skip
    return doc


def test_it_voids_a_ballot_with_too_many_top_grades():
    ok = ["好", "好", "较好", "一般"]  # 2 ≤ ⌈0.3·4⌉ = 2
    too_many = ["好", "好", "好", "一般"]
    r = rows(run(DEFAULT, _ballot_doc([ok, too_many, ok])), "team")
    assert r["T-c"]["M"] == 80  # only the two valid ballots count


def test_it_voids_a_session_below_quorum_or_with_more_ballots_than_issued():
    ballot = ["好", "较好", "较好", "一般"]
    below = rows(run(DEFAULT, _ballot_doc([ballot], invited=3)), "team")  # 1 of 3 voted
    assert all(row["M"] == 0 and "no_ballot" in row["reasons"] for row in below.values())
    over = rows(run(DEFAULT, _ballot_doc([ballot] * 3, invited=4, issued=2)), "team")
    assert over["T-a"]["M"] == 0 and not over["T-a"]["eligible"]
    exactly_half = rows(run(DEFAULT, _ballot_doc([ballot] * 2, invited=4)), "team")
    assert exactly_half["T-a"]["M"] == 100


def test_it_makes_a_candidate_with_over_a_third_bottom_grades_ineligible():
    doc = teams(a={"counts": {"unit_cadres": {"好": 2, "差": 1}}},
                b={"counts": {"unit_cadres": {"好": 1, "差": 1}}})  # fmt: skip
    r = rows(run(DEFAULT, doc), "team")
    assert r["T-a"]["eligible"]  # exactly 1/3 is not above it
    assert not r["T-b"]["eligible"] and r["T-b"]["reasons"] == ["bottom_grades"]


# Step 4 -------------------------------------------------------------------------------


@pytest.mark.parametrize(("count", "expected"), [(1, 2), (2, 4), (3, 4), (10, 4)])
def test_it_caps_a_bonus_item(count, expected):
    assert rows(run(DEFAULT, teams(a={"bonus": count})), "team")["T-a"]["B"] == expected


def test_it_caps_the_bonus_total_at_five():
    doc = teams(a={"bonus": 3})
    doc["bonuses"].append({"candidate": "T-a", "item": "guidance", "count": 3})  # 4 + 3 → 5
    assert rows(run(DEFAULT, doc), "team")["T-a"]["B"] == 5


@pytest.mark.parametrize(("count", "expected"), [(1, 2), (3, 6), (4, 6), (100, 6)])
def test_it_deducts_until_the_item_cap_and_no_further(count, expected):
    assert rows(run(DEFAULT, teams(a={"deduction": count})), "team")["T-a"]["D"] == expected


# Step 5 -------------------------------------------------------------------------------


def test_it_computes_s_from_the_rounded_components():
    scheme = make_scheme(indicators__1__points=0, indicators__2__points=0,
                         categories__team__weights={"K": 0.4, "P": 0.6, "M": 0})  # fmt: skip
    doc = small_doc({"a": {"actual": "99.6499", "prior": 0, "scores": [[20] * 4] * 3},
                     "b": {"scores": [[10] * 4] * 3}})  # fmt: skip
    r = rows(run(scheme, doc), "team")
    # K = 100·(30·0.996499 + 10)/40 = 99.737425 → 99.74; S = 0.4·99.74 + 0.6·80 = 87.896 → 87.90
    # (from the unrounded K it would be 87.89497 → 87.89)
    assert (r["T-a"]["K"], r["T-a"]["P"], r["T-a"]["S"]) == (Fr(9974, 100), 80, Fr(8790, 100))


def test_it_marks_a_candidate_without_panel_sheets_incomplete_and_ineligible():
    doc = teams(a={}, b={})
    for sheet in doc["panel"]:
        del sheet["scores"]["T-b"]
    r = rows(run(DEFAULT, doc), "team")
    assert r["T-b"]["P"] == 0 and not r["T-b"]["eligible"]
    assert r["T-b"]["reasons"][0] == "no_panel"


@pytest.mark.parametrize(
    ("value", "cents"),
    [
        (Fr(2675, 1000), 268),
        (Fr(-1005, 1000), -101),
        (Fr(1, 3), 33),
        (Fr(2, 3), 67),
        (Fr(5, 1000), 1),
    ],
)
def test_it_rounds_half_up_exactly(value, cents):
    assert cents_half_up(value) == cents
    assert round_cents(np.array([float(value)]), lambda i: value)[0] == cents


def test_it_refuses_float_rounding_where_it_would_be_wrong():
    # 1.005 is 1.00499999999999989… as a float: plain float rounding gives 1.00
    assert round_cents(np.array([1.005]), lambda i: Fr(1005, 1000))[0] == 101


# Steps 6 and 7 ----------------------------------------------------------------------------


def _ranked(units, **scheme_changes):
    scheme = make_scheme(**scheme_changes)
    return rows(run(scheme, small_doc(units)), "team")


def test_it_breaks_an_equal_s_by_k():
    # a: K 100, P 60, M 100 → 40 + 18 + 30 = 88; b: K 82, P 84, M 100 → 32.8 + 25.2 + 30 = 88
    units = {"a": {"actual": 150, "scores": [[15] * 4] * 3}, "b": {"scores": [[21] * 4] * 3}}
    r = _ranked(units)
    assert r["T-a"]["S"] == r["T-b"]["S"] == 88
    assert (r["T-a"]["K"], r["T-b"]["K"]) == (100, 82)
    assert (r["T-a"]["rank"], r["T-b"]["rank"]) == (1, 2) and not r["T-a"]["tied"]


def test_it_breaks_an_equal_s_and_k_by_m():
    # S = 0.5·P + 0.5·M (K weight 0): a P 84 M 80 = 82; b P 80 M 84 = 82; equal K → M decides
    units = {"a": {"scores": [[21, 21, 21, 21]] * 3, "counts": {"unit_cadres": {"较好": 1}}},
             "b": {"scores": [[20, 20, 20, 20]] * 3,
                   "counts": {"unit_cadres": {"较好": 4, "好": 1}}}}  # fmt: skip
    r = _ranked(units, categories__team__weights={"K": 0, "P": 0.5, "M": 0.5})
    assert r["T-a"]["S"] == r["T-b"]["S"] == 82
    assert (r["T-b"]["rank"], r["T-a"]["rank"]) == (1, 2) and not r["T-a"]["tied"]


def test_it_breaks_an_equal_s_k_and_m_by_p_then_by_excellence():
    # weights K 0, P 0, M 1: S = M. a and b: M 80 from different grades: a 较好·2, b 好 + 一般
    units = {"a": {"scores": [[20] * 4] * 3, "counts": {"unit_cadres": {"较好": 2}}},
             "b": {"scores": [[20] * 4] * 3, "counts": {"unit_cadres": {"好": 1, "一般": 1}}},
             "c": {"scores": [[21] * 4] * 3, "counts": {"unit_cadres": {"较好": 2}}}}  # fmt: skip
    r = _ranked(units, categories__team__weights={"K": 0, "P": 0, "M": 1})
    assert r["T-c"]["rank"] == 1  # P decides against a and b
    assert (r["T-b"]["rank"], r["T-a"]["rank"]) == (2, 3)  # then the excellence rate


def test_it_marks_a_tie_left_after_every_break_and_sends_it_to_deliberation():
    units = {u: {"scores": [[20] * 4] * 3} for u in "abcde"}
    units["z"] = {"scores": [[10] * 4] * 3}  # a sheet with equal totals only would be void
    r = _ranked(units, categories__team__quota=4)
    tied = [r[f"T-{u}"] for u in "abcde"]
    assert all(row["rank"] == 1 and row["tied"] for row in tied)
    assert not any(row["awarded"] for row in r.values())
    assert all(row["boundary"] for row in tied) and not r["T-z"]["boundary"]


def test_it_awards_a_tie_that_fits_inside_the_quota():
    units = {"a": {"scores": [[22] * 4] * 3}, "b": {"scores": [[21] * 4] * 3},
             "c": {"scores": [[21] * 4] * 3}, "d": {"scores": [[20] * 4] * 3}}  # fmt: skip
    r = _ranked(units, categories__team__quota=3)
    assert [r[f"T-{u}"]["awarded"] for u in "abcd"] == [True, True, True, False]
    assert (r["T-b"]["rank"], r["T-c"]["rank"], r["T-d"]["rank"]) == (2, 2, 4)


def test_it_leaves_a_seat_empty_below_the_threshold():
    units = {"a": {"scores": [[25] * 4] * 3}, "b": {"scores": [[10] * 4] * 3}}
    r = _ranked(units, categories__team__threshold="90", categories__team__quota=2)
    assert r["T-a"]["S"] >= 90 > r["T-b"]["S"]
    assert r["T-a"]["awarded"] and not r["T-b"]["awarded"]


def test_it_skips_a_vetoed_candidate_and_gives_the_seat_to_the_next():
    units = {"a": {"scores": [[25] * 4] * 3, "veto": True}, "b": {"scores": [[20] * 4] * 3},
             "c": {"scores": [[15] * 4] * 3}}  # fmt: skip
    r = _ranked(units, categories__team__quota=1)
    assert r["T-a"]["rank"] == 1 and not r["T-a"]["awarded"] and not r["T-a"]["eligible"]
    assert r["T-b"]["awarded"] and not r["T-c"]["awarded"]


def test_it_holds_the_per_unit_cap_and_moves_on_to_the_next():
    scheme = make_scheme(categories__deputy__quota=3, categories__deputy__unit_cap=2)
    doc = small_doc({"a": {}, "b": {}})
    doc["panel"] = []
    scores = {"D-a1": 22, "D-a2": 21, "D-a3": 20, "D-b1": 19}
    for cid in scores:
        doc["candidates"].append({"id": cid, "category": "deputy", "unit": cid[2]})
        doc["ballot_counts"].append({"session": "M", "group": "unit_cadres", "candidate": cid,
                                     "counts": {"称职": 1}})  # fmt: skip
    for r in range(3):
        doc["panel"].append({"id": f"D{r}", "judge": f"J{r}", "category": "deputy",
                             "scores": {cid: [s] * 4 for cid, s in scores.items()}})  # fmt: skip
    out = rows(run(scheme, doc), "deputy")
    assert [out[c]["awarded"] for c in scores] == [True, True, False, True]


# Exact bonus and deduction items (docs/scoring.md §4) -----------------------------------------


def _with_items(bonus, deduction, **changes):
    return make_scheme(
        bonus__items=[{"id": "honour", "name": "荣誉", **bonus}],
        deduction__items=[{"id": "lying_flat", "name": "不作为", **deduction}],
        **changes,
    )


@pytest.mark.parametrize(
    ("points", "cap", "count", "expected"),
    [
        ("0.125", "5", 1, Fr(13, 100)),  # 0.125 stays 0.125, then half-up: 0.13 (not 0.12)
        ("0.333", "5", 3, 1),  # 3 × 0.333 = 0.999 → 1.00 (not 0.99)
        ("0.333", "0.995", 3, 1),  # the cap 0.995 is exact too: min(0.999, 0.995) → 1.00
        ("0.005", "5", 1, Fr(1, 100)),
        ("0.0049", "5", 1, 0),
    ],
)
def test_it_keeps_item_points_and_caps_exact_until_b_and_d_are_rounded(
    points, cap, count, expected
):
    scheme = _with_items({"points": points, "cap": cap}, {"points": points, "cap": cap})
    doc = teams(a={"bonus": count, "deduction": count})
    r = rows(run(scheme, doc), "team")
    assert (r["T-a"]["B"], r["T-a"]["D"]) == (expected, expected)


def test_it_caps_the_bonus_total_exactly_before_rounding():
    # 2 × 2.4975 = 4.995 ≤ B_max 4.9951 → 5.00 (half-up); truncating the max would give 4.99
    scheme = _with_items({"points": "2.4975", "cap": "10"}, {"points": "1", "cap": "1"},
                         bonus__max="4.9951")  # fmt: skip
    r = rows(run(scheme, teams(a={"bonus": 2})), "team")
    assert r["T-a"]["B"] == 5


# Growths equal only when exactly equal (docs/scoring.md §1) -----------------------------------

# 150000.2 / 150000.1 − 1 = 1/1500001 and 150000.3 / 150000.2 − 1 = 1/1500002: distinct growths
# that agree to 12 decimals (0.000000666666…).
NEAR = {"a": {"actual": "150000.2", "prior": "150000.1", "plan": 100},
        "b": {"actual": "150000.3", "prior": "150000.2", "plan": 100}}  # fmt: skip


def test_it_gives_distinct_growths_distinct_rank_places_however_close():
    scheme = make_scheme(indicators__0__growth_method="rank", indicators__0__alpha=0,
                         indicators__1__points=0, indicators__2__points=0)  # fmt: skip
    r = rows(run(scheme, small_doc(NEAR)), "team")
    # places 1 and 2 → 30 and 28.5 → K = 100·(s + 10)/40
    assert (r["T-a"]["K"], r["T-b"]["K"]) == (100, Fr(9625, 100))


def test_it_spans_the_efficacy_range_between_distinct_growths_however_close():
    scheme = make_scheme(indicators__0__alpha=0, indicators__1__points=0,
                         indicators__2__points=0)  # fmt: skip
    r = rows(run(scheme, small_doc(NEAR)), "team")
    # a = g_max → 30; b = g_min → 0.6·30 = 18 → K = 100·(18 + 10)/40 = 70
    assert (r["T-a"]["K"], r["T-b"]["K"]) == (100, 70)


def test_it_counts_growths_equal_as_rationals_as_equal():
    scheme = make_scheme(indicators__0__growth_method="rank", indicators__0__alpha=0,
                         indicators__1__points=0, indicators__2__points=0)  # fmt: skip
    # 0.3/0.1 and 0.6/0.2 − 1: the same growth 2, although 0.3/0.1 − 1 ≠ 2 in floats
    units = {"a": {"actual": "0.3", "prior": "0.1", "plan": 1},
             "b": {"actual": "0.6", "prior": "0.2", "plan": 1},
             "c": {"actual": "0.2", "prior": "0.1", "plan": 1}}  # fmt: skip
    r = rows(run(scheme, small_doc(units)), "team")
    assert (r["T-a"]["K"], r["T-b"]["K"], r["T-c"]["K"]) == (100, 100, Fr(185, 2))  # places 1, 1, 3


# A tie across the per-unit cap (docs/scoring.md §7) --------------------------------------------


def _deputies(scores, **changes):
    return rows(run(make_scheme(**changes), deputies_doc(scores)), "deputy")


def test_it_sends_a_tie_across_the_unit_cap_to_deliberation_and_goes_on_for_other_units():
    scores = {"D-a1": 22, "D-a2": 21, "D-a3": 21, "D-a4": 20, "D-b1": 19, "D-b2": 18}
    out = _deputies(scores, categories__deputy__quota=4, categories__deputy__unit_cap=2)
    # a1 takes a seat; a2 and a3 tie for a's one remaining seat: that seat goes to deliberation
    # among them (unit-cap tie); a4 is over a's cap; b1 and b2 take the two other seats.
    assert [out[c]["status"] for c in scores] == [
        "awarded", "unit_cap_tie", "unit_cap_tie", "skipped_unit_cap", "awarded", "awarded",
    ]  # fmt: skip
    assert not any(out[c]["boundary"] for c in scores)


def test_it_calls_a_unit_cap_tie_that_also_crosses_the_quota_line_a_boundary_tie():
    scores = {"D-a1": 22, "D-a2": 21, "D-a3": 21, "D-b1": 21, "D-b2": 18}
    out = _deputies(scores, categories__deputy__quota=2, categories__deputy__unit_cap=2)
    # one seat left; the tie at 21 asks for two (one for a, one for b): the quota line decides
    assert [out[c]["status"] for c in scores] == [
        "awarded", "boundary_tie", "boundary_tie", "boundary_tie", "not_awarded",
    ]  # fmt: skip


def test_it_gives_a_lone_candidate_ranked_by_the_panel_the_full_score():
    scheme = make_scheme(categories__team__panel__mode="rank")
    doc = small_doc({"a": {}}, judges=1)
    doc["panel"] = [{"id": "R1", "judge": "J1", "category": "team", "ranks": {"T-a": 1}}]
    assert rows(run(scheme, doc), "team")["T-a"]["P"] == 100  # not 100·(1 − 1)/0


def test_the_exact_growth_bounds_are_the_least_and_greatest_of_all_growths():
    """ExactK computes exactly only the units whose float growth is the float extreme."""
    import json
    from decimal import Decimal

    from sanhao.scoring import engine
    from sanhao.scoring.facts import parse_facts
    from sanhao.scoring.synthetic import generate

    units = [(f"u{i}", f"第{i}镇") for i in range(40)]
    doc = generate(DEFAULT, units, seed=4, voters_per_unit=3, deputies=(2, 3))
    for row in doc["indicators"]:
        if row["unit"] == "u0":
            row["prior"] = "0"  # undefined growth
        elif row["unit"] in ("u1", "u2", "u3"):  # several units share the greatest growth
            row["actual"], row["prior"] = "1000000", "1"
    facts = parse_facts(json.loads(json.dumps(doc), parse_float=Decimal), DEFAULT)
    q = engine.quantify(DEFAULT, facts)
    exact = engine.ExactK(DEFAULT, facts, q)
    for j in range(len(DEFAULT.indicators)):
        every = [g for u in range(len(units)) if (g := exact.growth(u, j)) is not None]
        assert exact.bounds[j] == ((min(every), max(every)) if every else None)
        assert every.count(max(every)) >= 3
