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

# The same work as the engine's aggregation, written for DuckDB: GROUP BYs over the integer
# columns, the small tables (candidates, ballots, rules, points, weights) as hash joins, no
# strings. Every ballot's part per category is counted once for the top-share rule; the
# parts that do not count (void sessions, too many top grades) are few, so the tally takes
# them out by an anti join against a small table instead of filtering every cell twice.
QUERY = """
WITH
sess AS (
    SELECT s.session, r.category FROM sessions s, rules r
    WHERE s.returned <= s.issued AND s.returned * r.qd >= s.invited * r.qn
),
part AS (
    SELECT c.ballot, k.category, count(*) AS n, count(*) FILTER (WHERE c.grade = 0) AS tops
    FROM bcells c JOIN cands k USING (cand) GROUP BY ALL
),
dropped AS (
    SELECT part.ballot, part.category
    FROM part JOIN ballots b USING (ballot) JOIN rules r USING (category)
    LEFT JOIN sess s ON s.session = b.session AND s.category = part.category
    WHERE s.session IS NULL OR part.tops > (r.top_num * part.n + r.top_den - 1) // r.top_den
),
tally AS (
    SELECT c.cand, k.category, b.grp, c.grade, count(*) AS n
    FROM bcells c JOIN cands k USING (cand) JOIN ballots b USING (ballot)
    ANTI JOIN dropped d ON d.ballot = c.ballot AND d.category = k.category
    WHERE c.grade >= 0 GROUP BY ALL
),
grp AS (
    SELECT cand, category, grp, sum(t.n * p.pts) / sum(t.n) AS mean
    FROM tally t JOIN points p USING (category, grade) GROUP BY ALL
),
m AS (SELECT cand, sum(w.w * mean) / sum(w.w) AS m FROM grp JOIN weights w USING (category, grp) GROUP BY cand),
pc AS (SELECT pc.*, s.category FROM pcells pc JOIN sheets s USING (sheet)),
sheet_ok AS (
    SELECT sheet FROM (SELECT sheet, category, round(d0 + d1 + d2 + d3, 9) AS total FROM pc)
    JOIN rules r USING (category) GROUP BY sheet, r.high, r.high_num, r.high_den
    HAVING NOT (count(*) >= 2 AND max(total) = min(total))
       AND count(*) FILTER (WHERE total >= r.high) <= (r.high_num * count(*) + r.high_den - 1) // r.high_den
),
pd AS (
    SELECT cand, any_value(r.trim_above) AS trim_above, count(*) AS r,
           sum(d0) AS s0, max(d0) AS h0, min(d0) AS l0, sum(d1) AS s1, max(d1) AS h1, min(d1) AS l1,
           sum(d2) AS s2, max(d2) AS h2, min(d2) AS l2, sum(d3) AS s3, max(d3) AS h3, min(d3) AS l3
    FROM pc JOIN sheet_ok USING (sheet) JOIN rules r USING (category) GROUP BY cand
),
p AS (
    SELECT cand, CASE WHEN r > trim_above
        THEN ((s0 - h0 - l0) + (s1 - h1 - l1) + (s2 - h2 - l2) + (s3 - h3 - l3)) / (r - 2)
        ELSE (s0 + s1 + s2 + s3) / r END AS p
    FROM pd
)
SELECT cand, coalesce(p.p, 0) AS p, coalesce(m.m, 0) AS m FROM p FULL JOIN m USING (cand) ORDER BY cand
"""


def register(con: duckdb.DuckDBPyConnection, scheme: Scheme, facts: Facts) -> None:
    tables = {
        "bcells": {"ballot": facts.bcell_ballot, "cand": facts.bcell_cand, "grade": facts.bcell_grade},
        "cands": {"cand": np.arange(facts.n_candidates, dtype=np.int32), "category": facts.cand_category},
        "ballots": {"ballot": np.arange(len(facts.ballot_ids), dtype=np.int32),
                    "session": facts.ballot_session, "grp": facts.ballot_group},
        "sessions": {"session": np.arange(len(facts.session_ids), dtype=np.int32),
                     "invited": facts.session_invited, "issued": facts.session_issued,
                     "returned": facts.session_returned},
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
        quorum = Fraction(spec.ballot.quorum)
        rules.append((key, top.numerator, top.denominator, float(spec.panel.void_high_total),
                      high.numerator, high.denominator, spec.panel.trim_above,
                      quorum.numerator, quorum.denominator))  # fmt: skip
    tables["points"] = dict(
        zip(["category", "grade", "pts"], map(np.array, zip(*points, strict=True)), strict=True)
    )
    tables["weights"] = dict(
        zip(["category", "grp", "w"], map(np.array, zip(*weights, strict=True)), strict=True)
    )
    tables["rules"] = dict(zip(["category", "top_num", "top_den", "high", "high_num", "high_den", "trim_above",
                                "qn", "qd"],
                               map(np.array, zip(*rules, strict=True)), strict=True))  # fmt: skip
    for name, columns in tables.items():
        con.register(name, pa.table(columns))


def aggregate(con: duckdb.DuckDBPyConnection) -> np.ndarray:
    table = con.execute(QUERY).fetchnumpy()
    return np.stack([table["cand"], table["p"], table["m"]], axis=1)
