"""The compiled loops give numpy's numbers and leave the generator where numpy leaves it."""

import math

import numpy as np
import pytest

from sanhao.scoring import kernels, stats
from sanhao.scoring.report import to_json
from sanhao.scoring.stats import _exact_sums, _trimmed, statistics
from sanhao.scoring.synthetic import generate
from sanhao.scoring.tests.helpers import make_scheme, run

POINTS = np.array([100.0, 80.0, 60.0, 0.0])

# numpy's PCG64: the 128-bit state steps by state · MULTIPLIER + increment, then gives
# rotr64(high ^ low, high >> 58); a uniform is the output's top 53 bits over 2⁵³.
MULTIPLIER = 0x2360ED051FC65DA44385DF649FCCF645
MASK64, MASK128 = (1 << 64) - 1, (1 << 128) - 1


def next_uniform(u, high=0x0123456789ABCDEF, increment=12345):
    """A generator whose next uniform is u (a multiple of 2⁻⁵³): the state before the one
    whose output gives it. A uniform chosen so lies where random seeds almost never fall."""
    out = int(u * 2**53) << 11
    rotation = high >> 58
    low = (((out << rotation) | (out >> (64 - rotation))) & MASK64 if rotation else out) ^ high
    state = (high << 64) | low
    before = ((state - increment) * pow(MULTIPLIER, -1, 1 << 128)) & MASK128
    bits = np.random.PCG64()
    bits.state = {"bit_generator": "PCG64", "state": {"state": before, "inc": increment},
                  "has_uint32": 0, "uinteger": 0}  # fmt: skip
    rng = np.random.Generator(bits)
    return rng


def _numpy(seed, totals, shares, points, replicates):
    rng = np.random.default_rng(seed)
    drawn = rng.multinomial(totals[:, None], shares[:, None, :], size=(len(totals), replicates))
    return drawn @ points, rng


def _same_as_numpy(seed, totals, shares, points=POINTS, replicates=40):
    expected, theirs = _numpy(seed, totals, shares, points, replicates)
    ours = np.random.default_rng(seed)
    got = kernels.grade_points(ours, totals, shares, points, replicates)
    assert got.tobytes() == expected.tobytes()
    assert ours.bit_generator.state == theirs.bit_generator.state
    assert ours.random() == theirs.random()


def _shares(counts):
    totals = counts.sum(axis=1)
    return totals, counts / np.maximum(totals, 1)[:, None]


@pytest.mark.parametrize("seed", range(40))
def test_the_redrawn_grades_are_numpys_draw_for_draw(seed):
    rng = np.random.default_rng(1000 + seed)
    rows = int(rng.integers(1, 30))
    counts = np.stack([rng.multinomial(int(rng.integers(0, 40)), rng.dirichlet([0.6] * 4))
                       for _ in range(rows)])  # fmt: skip
    counts[rng.random(counts.shape) < 0.2] = 0  # grades nobody gave, empty groups
    _same_as_numpy(seed, *_shares(counts))


@pytest.mark.parametrize(
    "counts",
    [
        [[0, 0, 0, 0]],  # an empty group draws nothing
        [[25, 0, 0, 0]],  # everyone gave the best grade: one draw, then nothing is left
        [[0, 0, 0, 7]],  # everyone gave the worst
        [[1, 1, 1, 0], [3, 3, 3, 0]],  # thirds: the last share over the remainder is above 1
        [[0, 9, 0, 0], [0, 0, 4, 4], [5, 0, 0, 5]],
        [[1, 0, 0, 0]] * 3,
    ],
)
def test_the_edges_of_the_chain_are_numpys(counts):
    _same_as_numpy(7, *_shares(np.array(counts)))


def test_a_group_numpy_draws_by_its_other_method_is_drawn_by_numpy_in_its_turn():
    # 400 voters split evenly: n·p = 100 > 30, numpy's BTPE. The last row is left to numpy
    # too: its second binomial (p = 2/3) sees the 3 votes left after the first, but is judged
    # by all 303 (the test goes before the draws). The others are compiled.
    counts = np.array([[10, 5, 3, 2], [100, 100, 100, 100], [4, 0, 0, 1], [300, 2, 1, 0]])
    totals, shares = _shares(counts)
    probabilities, simple = kernels._chain(shares)
    assert simple.all()
    assert kernels._inversion_only(totals, probabilities).tolist() == [True, False, True, False]
    _same_as_numpy(3, totals, shares)


def test_points_with_halves_add_up_as_numpys():
    _same_as_numpy(
        11, *_shares(np.array([[3, 4, 5, 6], [7, 0, 1, 2]])), np.array([9.5, 7.25, 3, 0])
    )


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("trim_above", [5, 50])
def test_the_resampled_panel_means_are_numpys_bit_for_bit(seed, trim_above):
    rng = np.random.default_rng(seed)
    judges = int(rng.integers(2, 16))
    table = rng.integers(0, 26, size=(judges, 9, 4)) + rng.integers(0, 4, size=(judges, 9, 4)) / 4
    draws = rng.integers(0, judges, size=(30, judges))
    assert _exact_sums(table) and not _exact_sums(table + 0.1)
    expected = _trimmed(table[draws], trim_above)
    got = kernels.trimmed_means(table, draws, judges > trim_above)
    assert got.tobytes() == expected.tobytes()
    assert got.sum(axis=-1).tobytes() == expected.sum(axis=-1).tobytes()


@pytest.mark.parametrize(("seed", "voters"), [(0, 12), (1, 30), (2, 250)])
def test_the_statistics_are_those_of_numpy_alone(seed, voters, monkeypatch):
    """With the compiled loops and without them (every sum taken as inexact), to the byte;
    250 voters a unit make groups that numpy draws by its other method."""
    scheme = make_scheme()
    units = [(f"u{i}", f"第{i}镇") for i in range(4)]
    result = run(scheme, generate(scheme, units, seed=seed, voters_per_unit=voters, judges=7))
    compiled = to_json(statistics(result, seed=seed, replicates=200, dirichlet_draws=50))
    monkeypatch.setattr(stats, "_exact_sums", lambda scores: False)
    assert to_json(statistics(result, seed=seed, replicates=200, dirichlet_draws=50)) == compiled


def test_without_a_place_for_its_cache_a_loop_is_compiled_in_the_process(monkeypatch):
    calls = []

    def njit(**options):
        calls.append(options)
        if options.get("cache"):
            raise RuntimeError("cannot cache function 'f': no locator available for file 'f.py'")
        return lambda fn: fn

    monkeypatch.setattr(kernels, "njit", njit)
    assert kernels._compiled(len)("abc") == 3
    assert [c.get("cache") for c in calls] == [True, None]


def test_a_chosen_uniform_is_the_uniform_drawn():
    assert next_uniform(0.25).random() == 0.25
    assert next_uniform(1 - 2**-53).random() == 1 - 2**-53


@pytest.mark.parametrize(("n", "share"), [(200, 1 / 200), (7, 1 / 7), (30, 0.5), (100, 0.03)])
def test_uniforms_at_the_edges_of_numpys_probabilities_draw_what_numpy_draws(n, share):
    """Each uniform just below, at and above numpy's probability of no success (and near 1,
    where numpy starts again past its bound): the first, most fragile, step of the chain."""
    p = min(share, 1 - share)
    zero = math.exp(n * math.log1p(-p))  # what numpy 2.4 computes; log(1 − p) differs
    totals, shares = np.array([n]), np.array([[share, 1 - share]])
    points = np.array([1.0, 0.0])
    base = math.floor(zero * 2**53)
    for k in (base - 1, base, base + 1, base + 2, 2**53 - 1):
        u = k / 2**53
        theirs, ours = next_uniform(u), next_uniform(u)
        expected = theirs.multinomial(totals[:, None], shares[:, None, :], size=(1, 3)) @ points
        got = kernels.grade_points(ours, totals, shares, points, 3)
        assert got.tobytes() == expected.tobytes(), u
        assert ours.bit_generator.state == theirs.bit_generator.state, u


@pytest.mark.parametrize(("n", "share"), [(21, 0.3), (21, 0.7), (60, 0.25), (5, 0.5)])
def test_uniforms_at_the_slices_ends_and_where_the_count_changes_draw_what_numpy_draws(n, share):
    """The compiled draw reads a count off the ends of the slice of [0, 1] its uniform falls
    in (kernels.BUCKETS): every end, a step below and above it, and each uniform next to one
    where numpy's count changes (the sums of its probabilities), drawn both ways."""
    totals, shares = np.array([n]), np.array([[share, 1 - share]])
    points = np.array([1.0, 0.0])
    p = min(share, 1 - share)
    probabilities = [math.exp(n * math.log1p(-p))]
    for x in range(1, n + 1):
        probabilities.append((n - x + 1) * p * probabilities[-1] / (x * (1 - p)))
    sums = np.cumsum(probabilities)
    steps = {
        b * 2**53 // kernels.BUCKETS + d for b in range(kernels.BUCKETS + 1) for d in (-1, 0, 1)
    }
    steps |= {math.floor(c * 2**53) + d for c in sums for d in (-2, -1, 0, 1, 2)}
    drawn = set()
    for k in sorted(k for k in steps if 0 <= k < 2**53):
        theirs, ours = next_uniform(k / 2**53), next_uniform(k / 2**53)
        expected = theirs.multinomial(totals[:, None], shares[:, None, :], size=(1, 2)) @ points
        got = kernels.grade_points(ours, totals, shares, points, 2)
        assert got.tobytes() == expected.tobytes(), k
        assert ours.bit_generator.state == theirs.bit_generator.state, k
        drawn.add(float(expected[0, 0]))
    assert len(drawn) > 3  # the uniforms reached several counts


def test_a_group_of_more_than_max_trials_voters_is_drawn_by_numpy():
    totals, shares = np.array([kernels.MAX_TRIALS + 1, 5]), np.array([[1.0, 0, 0, 0]] * 2)
    probabilities, _ = kernels._chain(shares)
    assert kernels._inversion_only(totals, probabilities).tolist() == [False, True]
    _same_as_numpy(2, totals, shares)


def test_a_resampled_sheet_out_of_range_is_refused():
    with pytest.raises(IndexError, match="out of range"):
        kernels.trimmed_means(np.zeros((3, 2, 4)), np.array([[0, 1, 3]]), True)
