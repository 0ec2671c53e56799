"""The reference: ballot and panel aggregation as one DuckDB SQL query over the same arrays.

⌈share·n⌉ is computed in integers, as in the engine: in floats 0.3·10 is 3.0000000000000004.
"""

from __future__ import annotations

from fractions import Fraction

import duckdb
import numpy as np
import pyarrow as pa

from sanhao.scoring.facts import Facts
from sanhao.scoring.scheme import CATEGORIES, Scheme

QUERY = """
WITH
bc AS (
    SELECT c.ballot, c.cand, c.grade, k.category, b.session, b.grp
    FROM bcells c JOIN cands k USING (cand) JOIN ballots b USING (ballot)
),
sess AS (SELECT session FROM sessions WHERE returned <= issued AND returned * qd >= invited * qn),
part AS (
    SELECT ballot, category, count(*) AS n, count(*) FILTER (WHERE grade = 0) AS tops
    FROM bc GROUP BY ballot, category
),
valid AS (
    SELECT bc.cand, bc.category, bc.grp, bc.grade
    FROM bc JOIN part USING (ballot, category) JOIN sess USING (session) JOIN rules r USING (category)
    WHERE bc.grade >= 0 AND part.tops <= (r.top_num * part.n + r.top_den - 1) // r.top_den
),
grp AS (
    SELECT cand, category, grp, avg(p.pts) AS mean
    FROM valid JOIN points p USING (category, grade) GROUP BY cand, category, grp
),
m AS (SELECT cand, sum(w.w * mean) / sum(w.w) AS m FROM grp JOIN weights w USING (category, grp) GROUP BY cand),
pc AS (SELECT pc.*, s.category FROM pcells pc JOIN sheets s USING (sheet)),
tot AS (SELECT sheet, category, round(d0 + d1 + d2 + d3, 9) AS total FROM pc),
sheet_ok AS (
    SELECT sheet FROM tot JOIN rules r USING (category) GROUP BY sheet, r.high, r.high_num, r.high_den
    HAVING NOT (count(*) >= 2 AND max(total) = min(total))
       AND count(*) FILTER (WHERE total >= r.high) <= (r.high_num * count(*) + r.high_den - 1) // r.high_den
),
dims AS (
    SELECT cand, category, unnest([d0, d1, d2, d3]) AS x, unnest([0, 1, 2, 3]) AS dim
    FROM pc JOIN sheet_ok USING (sheet)
),
pd AS (
    SELECT cand, dim,
           CASE WHEN count(*) > any_value(r.trim_above) THEN (sum(x) - max(x) - min(x)) / (count(*) - 2)
                ELSE avg(x) END AS v
    FROM dims JOIN rules r USING (category) GROUP BY cand, dim
),
p AS (SELECT cand, sum(v) AS p FROM pd GROUP BY cand)
SELECT cand, coalesce(p.p, 0) AS p, coalesce(m.m, 0) AS m FROM p FULL JOIN m USING (cand) ORDER BY cand
"""


def register(con: duckdb.DuckDBPyConnection, scheme: Scheme, facts: Facts) -> None:
    ballot = scheme.categories["team"].ballot
    quorum = Fraction(ballot.quorum)
    tables = {
        "bcells": {"ballot": facts.bcell_ballot, "cand": facts.bcell_cand, "grade": facts.bcell_grade},
        "cands": {"cand": np.arange(facts.n_candidates, dtype=np.int32), "category": facts.cand_category},
        "ballots": {"ballot": np.arange(len(facts.ballot_ids), dtype=np.int32),
                    "session": facts.ballot_session, "grp": facts.ballot_group},
        "sessions": {"session": np.arange(len(facts.session_ids), dtype=np.int32),
                     "invited": facts.session_invited, "issued": facts.session_issued,
                     "returned": facts.session_returned,
                     "qn": np.full(len(facts.session_ids), quorum.numerator),
                     "qd": np.full(len(facts.session_ids), quorum.denominator)},
        "pcells": {"sheet": facts.cell_sheet, "cand": facts.cell_cand,
                   **{f"d{k}": np.ascontiguousarray(facts.cell_scores[:, k]) for k in range(4)}},
        "sheets": {"sheet": np.arange(len(facts.sheet_ids), dtype=np.int32), "category": facts.sheet_category},
    }  # fmt: skip
    points, weights, rules = [], [], []
    for key, name in enumerate(CATEGORIES):
        spec = scheme.categories[name]
        points += [(key, g, p) for g, p in enumerate(spec.ballot.points)]
        weights += [(key, g, float(w)) for g, w in enumerate(spec.ballot.group_weights)]
        top, high = Fraction(spec.ballot.top_share), Fraction(spec.panel.void_high_share)
        rules.append((key, top.numerator, top.denominator, float(spec.panel.void_high_total),
                      high.numerator, high.denominator, spec.panel.trim_above))  # fmt: skip
    tables["points"] = dict(
        zip(["category", "grade", "pts"], map(np.array, zip(*points, strict=True)), strict=True)
    )
    tables["weights"] = dict(
        zip(["category", "grp", "w"], map(np.array, zip(*weights, strict=True)), strict=True)
    )
    tables["rules"] = dict(zip(["category", "top_num", "top_den", "high", "high_num", "high_den", "trim_above"],
                               map(np.array, zip(*rules, strict=True)), strict=True))  # fmt: skip
    for name, columns in tables.items():
        con.register(name, pa.table(columns))


def aggregate(con: duckdb.DuckDBPyConnection) -> np.ndarray:
    table = con.execute(QUERY).fetchnumpy()
    return np.stack([table["cand"], table["p"], table["m"]], axis=1)
