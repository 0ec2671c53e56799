"""Statistics beside the ranking (docs/scoring.md, last section). Flags, never exclusions.

Everything is seeded: the same result and seed give the same numbers.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import numpy as np

from sanhao.scoring.engine import CategoryResult, _row_sums
from sanhao.scoring.report import JUDGE_FLAGS
from sanhao.scoring.results import Result

CONCENTRATION = 200.0  # of the Dirichlet around the scheme's weights


def chi2_sf(x: float, df: int) -> float:
    """P(χ²_df ≥ x), in closed form for whole degrees of freedom."""
    if df <= 0:
        return float("nan")
    if x <= 0:
        return 1.0
    half = x / 2
    if df % 2 == 0:
        term, total = 1.0, 1.0
        for i in range(1, df // 2):
            term *= half / i
            total += term
        return min(1.0, math.exp(-half) * total)
    root = math.sqrt(x)
    total = math.erfc(root / math.sqrt(2))
    term = math.sqrt(2 / math.pi) * math.exp(-half) * root
    for r in range(1, (df + 1) // 2):
        total += term
        term *= x / (2 * r + 1)
    return min(1.0, total)


def _ranks_with_ties(values: np.ndarray) -> tuple[np.ndarray, float]:
    """Average ranks (1 = highest) and the tie term Σ(t³ − t)."""
    order = np.argsort(-values, kind="stable")
    ranks = np.empty(len(values))
    sorted_values = values[order]
    ties = 0.0
    start = 0
    for end in range(1, len(values) + 1):
        if end == len(values) or sorted_values[end] != sorted_values[start]:
            ranks[order[start:end]] = (start + end + 1) / 2
            t = end - start
            ties += t**3 - t
            start = end
    return ranks, ties


def kendall_w(table: np.ndarray) -> dict[str, Any]:
    """Kendall's W of m judges × n candidates scores, with the tie correction."""
    m, n = table.shape
    if m < 2 or n < 2:
        return {"judges": m, "candidates": n, "W": None}
    ranks, ties = np.empty((m, n)), 0.0
    for j in range(m):
        ranks[j], t = _ranks_with_ties(np.round(table[j], 9))
        ties += t
    totals = ranks.sum(axis=0)
    s = float(((totals - totals.mean()) ** 2).sum())
    denominator = m**2 * (n**3 - n) - m * ties
    w = 12 * s / denominator if denominator else 1.0
    chi2 = m * (n - 1) * w
    return {"judges": m, "candidates": n, "W": round(w, 6), "chi2": round(chi2, 6),
            "df": n - 1, "p": float(f"{chi2_sf(chi2, n - 1):.6g}")}  # fmt: skip


def krippendorff_alpha_ordinal(counts: np.ndarray) -> float | None:
    """α (ordinal) from per-candidate grade counts (candidates × grades, best grade first)."""
    counts = counts.astype(np.float64)
    m_u = counts.sum(axis=1)
    usable = m_u >= 2
    if not usable.any():
        return None
    c = counts[usable]
    pairable = m_u[usable]
    # coincidences o_ck = Σ_u n_uc (n_uk − [c = k]) / (m_u − 1)
    o = np.einsum("uc,uk->ck", c / (pairable - 1)[:, None], c)
    o -= np.diag((c / (pairable - 1)[:, None]).sum(axis=0))
    n_c = o.sum(axis=1)
    n = n_c.sum()
    if n <= 1:
        return None
    k = len(n_c)
    cumulative = np.cumsum(n_c)
    delta = np.zeros((k, k))
    for a in range(k):
        for b in range(k):
            lo, hi = min(a, b), max(a, b)
            between = cumulative[hi] - (cumulative[lo - 1] if lo else 0.0)
            delta[a, b] = (between - (n_c[a] + n_c[b]) / 2) ** 2
    observed = (o * delta).sum()
    expected = (np.outer(n_c, n_c) * delta).sum() / (n - 1)
    return float(1 - observed / expected) if expected else None


def _panel_table(result: Result, category: CategoryResult) -> tuple[np.ndarray, list[int]]:
    """Scores of the valid sheets that scored every candidate (judges × candidates × dims),
    and those sheets' indices."""
    facts = result.facts
    details = category.panel.cells
    n, n_dims = len(category.members), len(category.spec.dimensions)
    if details is None or n == 0:
        return np.zeros((0, n, n_dims)), []
    cells, _starts, _ends = details
    local = np.full(facts.n_candidates, -1)
    local[category.members] = np.arange(n)
    ids, row = np.unique(facts.cell_sheet[cells], return_inverse=True)
    table = np.full((len(ids), n, n_dims), np.nan)
    table[row, local[facts.cell_cand[cells]]] = facts.cell_scores[cells, :n_dims]
    complete = ~np.isnan(table).any(axis=(1, 2))
    return table[complete], [int(sheet) for sheet in ids[complete]]


def _trimmed(scores: np.ndarray, trim_above: int) -> np.ndarray:
    """Per-dimension means over axis 1 (judges), trimming one high and one low above the limit
    (kernels.trimmed_means gives the same numbers without `scores` when their sums are exact)."""
    if scores.shape[1] > trim_above:
        ordered = np.sort(scores, axis=1)
        return ordered[:, 1:-1].mean(axis=1)
    return scores.mean(axis=1)


def _exact_sums(scores: np.ndarray) -> bool:
    """Whether every sum of these scores is exact in float64 whatever the order of the terms:
    multiples of 1/64 (whole and half points, quarters) far below 2**53. Then the sum of the
    sorted middle scores equals the sum of all minus the highest and the lowest, bit for bit,
    and a compiled loop that adds them in another order gives numpy's numbers."""
    scaled = scores * 64
    return bool(
        np.abs(scaled).max(initial=0.0) < 2.0**40 and np.array_equal(scaled, np.round(scaled))
    )


def _flat(order: np.ndarray, width: int) -> np.ndarray:
    """Row-wise indices (rows × k, into rows of `width`) as indices into the flattened rows:
    a scatter or gather along the last axis as one flat fancy index, several times faster
    than put_along_axis."""
    return (order + (np.arange(len(order), dtype=order.dtype) * width)[:, None]).ravel()


def _inside_quota(s: np.ndarray, eligible: np.ndarray, quota: int,
                  order: np.ndarray | None = None) -> np.ndarray:  # fmt: skip
    """For each replicate row of S, which eligible candidates are in the top `quota`.

    `order`: the rows' stable argsort of −S, if known. A stable sort keeps the eligible
    candidates in the same order whether or not the others are moved last, so the top
    `quota` eligible of that order are those of the eligible alone (not so for a NaN,
    which sorts after the others moved last: then the others are masked and sorted)."""
    inside = np.zeros(s.shape, dtype=bool)  # C order: written through its flat view
    if order is None or np.isnan(s).any():
        masked = np.where(eligible, s, -np.inf)
        order = np.argsort(-masked, axis=-1, kind="stable")
        inside.ravel()[_flat(order[..., :quota], s.shape[-1])] = True
        return inside & eligible
    flat = _flat(order, s.shape[-1])
    in_order = np.broadcast_to(eligible, s.shape).ravel()[flat].reshape(s.shape)
    inside.ravel()[flat] = (in_order & (np.cumsum(in_order, axis=-1) <= quota)).ravel()
    return inside


def _bootstrap(result: Result, category: CategoryResult, table: np.ndarray,
               rng: np.random.Generator, replicates: int) -> dict[str, Any]:  # fmt: skip
    spec = category.spec
    n = len(category.members)
    weights = {k: float(v) for k, v in spec.weights.items()}
    k = category.k / 100
    bonus = (category.b - category.d) / 100
    if len(table) >= 2 and spec.panel.mode == "score":
        draws = rng.integers(0, len(table), size=(replicates, len(table)))
        if _exact_sums(table):  # the same numbers without every resampled score in memory
            from sanhao.scoring import kernels

            means = kernels.trimmed_means(table, draws, len(table) > spec.panel.trim_above)
        else:
            resampled = table[draws]  # replicates × judges × candidates × dims
            means = _trimmed(resampled, spec.panel.trim_above)
        p = _row_sums(means)  # means.sum(axis=-1), the same additions column by column
    else:
        p = np.broadcast_to(category.p / 100, (replicates, n))
    counts = category.ballot.counts  # candidates × groups × grades
    points = np.array(spec.ballot.points, dtype=np.float64)
    group_w = np.array([float(w) for w in spec.ballot.group_weights])
    # Every candidate's grade counts redrawn per group: numpy draws the multinomials in C
    # order (candidate, group, replicate), the order of one call per candidate and group
    # with size=replicates, so the stream and the numbers are the same; an empty group
    # (n = 0) draws nothing, as the loop skipped it. The compiled draw (kernels.py) gives
    # numpy's numbers and stream in a quarter of its time, when the points add up exactly.
    totals = counts.sum(axis=2)  # candidates × groups
    shares = counts / np.maximum(totals, 1)[:, :, None]
    groups = counts.shape[1]
    if _exact_sums(points * max(1, int(totals.max(initial=0)))):
        from sanhao.scoring import kernels

        grade_points = kernels.grade_points(
            rng, totals.reshape(-1), shares.reshape(n * groups, -1), points, replicates
        ).reshape(n, groups, replicates)
    else:
        drawn = rng.multinomial(totals[:, :, None], shares[:, :, None, :],
                                size=(n, groups, replicates))  # fmt: skip
        grade_points = drawn @ points  # candidates × groups × replicates
    num = np.zeros((n, replicates))
    den = np.zeros((n, 1))
    for g in range(counts.shape[1]):
        voted = totals[:, g] > 0
        part = group_w[g] * grade_points[:, g] / np.maximum(totals[:, g], 1)[:, None]
        num += np.where(voted[:, None], part, 0.0)
        den += np.where(voted, group_w[g], 0.0)[:, None]
    m = np.divide(num, den, out=np.zeros((n, replicates)), where=den > 0).T
    s = weights["K"] * k + weights["P"] * p + weights["M"] * m + bonus
    order = np.argsort(-s, axis=1, kind="stable")
    ranks = np.empty_like(order)
    ranks.ravel()[_flat(order, n)] = np.tile(np.arange(1, n + 1), replicates)
    inside = _inside_quota(s, category.eligible[None, :], spec.quota, order).mean(axis=0)
    low = np.percentile(ranks, 2.5, axis=0, method="lower")
    high = np.percentile(ranks, 97.5, axis=0, method="higher")
    ids = [result.facts.cand_ids[int(i)] for i in category.members]
    return {ids[i]: {"rank_95": [int(low[i]), int(high[i])],
                     "p_inside_quota": round(float(inside[i]), 4)} for i in range(n)}  # fmt: skip


def _components(category: CategoryResult) -> dict[str, np.ndarray]:
    return {"K": category.k / 100, "P": category.p / 100, "M": category.m / 100}


def _weight_sensitivity(result: Result, category: CategoryResult) -> dict[str, Any] | None:
    """The smallest change of one weight (others rescaled) that swaps the quota boundary."""
    awarded = np.flatnonzero(category.awarded).tolist()
    if not awarded:
        return None
    order = [int(i) for i in category.order]
    position = max(order.index(i) for i in awarded)
    last = order[position]
    eligible = category.eligible
    after = [i for i in order[position + 1 :] if eligible[i] and not category.awarded[i]]
    if not after:
        return None
    first_out = after[0]
    parts = _components(category)
    extra = (category.b - category.d) / 100
    weights = {k: float(v) for k, v in category.spec.weights.items()}
    best: dict[str, Any] | None = None
    for x in ("K", "P", "M"):
        others = [y for y in ("K", "P", "M") if y != x]
        rest = 1 - weights[x]

        def line(
            i: int, x: str = x, others: list[str] = others, rest: float = rest
        ) -> tuple[float, float]:
            # S_i(t) = t·X_i + (1 − t)/rest · Σ w_Y Y_i + extra_i = α + β t
            mix = sum(weights[y] * parts[y][i] for y in others) / rest if rest else 0.0
            return mix + extra[i], parts[x][i] - mix

        (a1, b1), (a2, b2) = line(int(last)), line(first_out)
        if b1 == b2:
            continue
        t = (a2 - a1) / (b1 - b2)
        if 0 <= t <= 1 and (best is None or abs(t - weights[x]) < abs(best["change"])):
            best = {
                "weight": x,
                "from": weights[x],
                "to": round(t, 6),
                "change": round(t - weights[x], 6),
            }
    ids = result.facts.cand_ids
    return {"last_awarded": ids[int(category.members[last])],
            "first_left_out": ids[int(category.members[first_out])], "swap": best}  # fmt: skip


def _dirichlet(result: Result, category: CategoryResult, rng: np.random.Generator,
               draws: int) -> dict[str, float]:  # fmt: skip
    weights = np.array([float(category.spec.weights[k]) for k in ("K", "P", "M")])
    alpha = np.maximum(weights * CONCENTRATION, 1e-3)
    sampled = rng.dirichlet(alpha, size=draws)
    parts = _components(category)
    matrix = np.stack([parts["K"], parts["P"], parts["M"]])  # 3 × n
    s = sampled @ matrix + ((category.b - category.d) / 100)[None, :]
    inside = _inside_quota(s, category.eligible[None, :], category.spec.quota).mean(axis=0)
    ids = [result.facts.cand_ids[int(i)] for i in category.members]
    return {ids[i]: round(float(inside[i]), 4) for i in range(len(ids))}


def _judge_flags(result: Result, category: CategoryResult, table: np.ndarray,
                 sheets: list[int]) -> list[dict[str, Any]]:  # fmt: skip
    if len(table) < 3:
        return []
    facts = result.facts
    totals = table.sum(axis=2)  # judges × candidates
    panel_mean = totals.mean()
    flags = []
    for j, sheet in enumerate(sheets):
        row = totals[j]
        others = np.delete(totals, j, axis=0).mean(axis=0)
        leniency = float(row.mean() - panel_mean)
        spread = float(row.std())
        corr = float(np.corrcoef(_ranks_with_ties(row)[0], _ranks_with_ties(others)[0])[0, 1]) \
            if row.std() > 0 and others.std() > 0 else 0.0  # fmt: skip
        reasons = []
        if abs(leniency) > 5:
            reasons.append("lenient" if leniency > 0 else "severe")
        if spread < 0.5:
            reasons.append("straight_lining")
        if corr < 0.3:
            reasons.append("low_correlation")
        own = int(facts.sheet_judge_unit[sheet])
        bias = None
        if own >= 0:
            mine = facts.cand_unit[category.members] == own
            if mine.any() and (~mine).any():
                deviation = row - others
                bias = float(deviation[mine].mean() - deviation[~mine].mean())
                if bias > 5:
                    reasons.append("own_unit_bias")
        flags.append({"sheet": facts.sheet_ids[sheet], "judge": facts.sheet_judge[sheet],
                      "leniency": round(leniency, 3), "spread": round(spread, 3),
                      "spearman_with_panel": round(corr, 3),
                      "own_unit_bias": None if bias is None else round(bias, 3),
                      "flags": reasons})  # fmt: skip
    return flags


def _duplicate_ballots(result: Result) -> list[dict[str, Any]]:
    facts = result.facts
    if len(facts.bcell_ballot) == 0:
        return []
    order = np.lexsort((facts.bcell_cand, facts.bcell_ballot))
    ballot = facts.bcell_ballot[order]
    cand = facts.bcell_cand[order].astype(np.int64)
    grade = facts.bcell_grade[order].astype(np.int64)
    # Each ballot's (candidate, grade) cells in candidate order, as one number per cell (one
    # to one) and the ballot's numbers as bytes: equal bytes, equal cells.
    low, high = int(grade.min()), int(grade.max())
    code = cand * (high - low + 1) + (grade - low)
    starts = np.flatnonzero(np.concatenate(([True], ballot[1:] != ballot[:-1])))
    bounds = np.append(starts, len(ballot)).tolist()
    each_ballot = ballot[starts]
    ballots, sessions = each_ballot.tolist(), facts.ballot_session[each_ballot].tolist()
    by_session: dict[int, dict[bytes, list[int]]] = defaultdict(lambda: defaultdict(list))
    for at, (b, session) in enumerate(zip(ballots, sessions, strict=True)):
        by_session[session][code[bounds[at] : bounds[at + 1]].tobytes()].append(b)
    # How often each (candidate, grade) was given per session, in the order the cells first
    # come (ballot by ballot, candidates in order): the order the sums below take them in.
    cell_session = np.repeat(np.asarray(sessions, dtype=np.int64), np.diff(bounds))
    per_session = facts.n_candidates * (high - low + 1)
    unique, first, times = np.unique(cell_session * per_session + code, return_index=True,
                                     return_counts=True)  # fmt: skip
    freqs: dict[int, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    by_first = np.argsort(first, kind="stable")
    session_of, rest = np.divmod(unique[by_first], per_session)
    c_of, g_of = np.divmod(rest, high - low + 1)
    for session, c, g, k in zip(session_of.tolist(), c_of.tolist(), (g_of + low).tolist(),
                                times[by_first].tolist(), strict=True):  # fmt: skip
        freqs[session][c][g] = k
    found = []
    for session, clusters in by_session.items():
        n = sum(len(v) for v in clusters.values())
        if n < 3:
            continue
        # Chance that two ballots agree, if voters choose independently with these frequencies.
        freq = freqs[session]
        p_same = 1.0
        for grades in freq.values():
            total = sum(grades.values())
            p_same *= sum((k / total) ** 2 for k in grades.values())
        expected_pairs = n * (n - 1) / 2 * p_same
        observed_pairs = sum(len(v) * (len(v) - 1) / 2 for v in clusters.values())
        if observed_pairs <= max(
            5 * expected_pairs, expected_pairs + 3 * math.sqrt(expected_pairs) + 1
        ):
            continue
        for members in clusters.values():
            if len(members) >= 3:
                found.append({"session": facts.session_ids[session], "size": len(members),
                              "ballots": [facts.ballot_ids[b] for b in sorted(members)][:50],
                              "expected_identical_pairs": round(expected_pairs, 4),
                              "observed_identical_pairs": observed_pairs})  # fmt: skip
    return sorted(found, key=lambda x: (-x["size"], x["session"]))


def statistics(result: Result, *, seed: int = 2026, replicates: int = 2000,
               dirichlet_draws: int = 2000) -> dict[str, Any]:  # fmt: skip
    rng = np.random.default_rng(seed)
    out: dict[str, Any] = {"seed": seed, "replicates": replicates, "categories": {}}
    for key, category in result.categories.items():
        if len(category.members) == 0:
            continue
        table, sheets = _panel_table(result, category)
        counts = category.ballot.counts.sum(axis=1)
        out["categories"][str(key)] = {
            "panel_agreement": kendall_w(table.sum(axis=2)) if len(table) else None,
            "ballot_agreement_alpha": krippendorff_alpha_ordinal(counts),
            "bootstrap": _bootstrap(result, category, table, rng, replicates),
            "weight_sensitivity": _weight_sensitivity(result, category),
            "dirichlet_inside_quota": _dirichlet(result, category, rng, dirichlet_draws),
            "judge_flags": _judge_flags(result, category, table, sheets),
        }
    out["duplicate_ballots"] = _duplicate_ballots(result)
    return out


def stats_table(stats: dict[str, Any]) -> str:
    lines = ["统计（供研究论证参考，不作为自动排除依据）"]
    for key, cat in stats["categories"].items():
        w = cat["panel_agreement"] or {}
        lines.append(f"  {key}: 评委一致性 Kendall W = {w.get('W')}（p = {w.get('p')}），"
                     f"测评一致性 α = {cat['ballot_agreement_alpha'] and round(cat['ballot_agreement_alpha'], 3)}")  # fmt: skip
        sens = cat["weight_sensitivity"]
        if sens and sens["swap"]:
            s = sens["swap"]
            lines.append(f"    权重 {s['weight']} 从 {s['from']} 变为 {s['to']} 时，"
                         f"{sens['last_awarded']} 与 {sens['first_left_out']} 交换位置")  # fmt: skip
        for flag in cat["judge_flags"]:
            if flag["flags"]:
                words = "、".join(JUDGE_FLAGS["zh"][f] for f in flag["flags"])
                lines.append(f"    评委 {flag['judge']}：{words}")
    if stats["duplicate_ballots"]:
        lines.append(f"  雷同选票 {len(stats['duplicate_ballots'])} 组（超出随机预期）")
    return "\n".join(lines) + "\n"
