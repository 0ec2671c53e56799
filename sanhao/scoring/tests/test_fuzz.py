"""Any input ends in a result (exit 0) or in problems (exit 2), never in a traceback."""

import contextlib
import copy
import io
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanhao.scoring.__main__ import main
from sanhao.scoring.tests.helpers import EXAMPLE_SCHEME, GOLDEN

VALID = json.loads((GOLDEN / "example2-facts.json").read_text(encoding="utf-8"))
DELETE = object()

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([0, -1, 1, 12, 10**15, 10**16, 1e308, 0.1, "", "1/3", "1e400", "NaN"])
    | st.text(max_size=12)
    | st.sampled_from(
        [
            "team",
            "leader",
            "deputy",
            "P",
            "Q",
            "D-P1",
            "D-Q1",
            "优秀",
            "不了解",
            "sales",
            "study",
            "M",
            "admonition",
            "unit_cadres",
        ]
    )
)
json_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8) | st.sampled_from(list(VALID)), inner, max_size=4)
    ),
    max_leaves=12,
)


def _paths(node, prefix=()):
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for k, value in enumerate(node):
            yield from _paths(value, (*prefix, k))


PATHS = [p for p in _paths(VALID) if p]


def _mutate(doc, path, value):
    node = doc
    for part in path[:-1]:
        node = node[part]
    if value is DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value


def _cli(text: str, *extra: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        facts = Path(tmp) / "facts.json"
        facts.write_text(text, encoding="utf-8")
        out = Path(tmp) / "result.json"
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            code = main([str(EXAMPLE_SCHEME), str(facts), "--out", str(out), *extra])
        assert code in (0, 2), sink.getvalue()
        if code == 0:
            json.loads(out.read_text(encoding="utf-8"))
        else:
            assert not out.exists()
            assert "Traceback" not in sink.getvalue() and "Decimal(" not in sink.getvalue()
        return code


fuzz = settings(max_examples=150, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip


@fuzz
@given(json_values)
def test_it_answers_arbitrary_json_with_exit_2(value):
    assert _cli(json.dumps(value, ensure_ascii=False)) == 2


@fuzz
@given(st.lists(st.tuples(st.sampled_from(PATHS), json_values | st.just(DELETE)), min_size=1,
                max_size=3), st.booleans())  # fmt: skip
def test_it_answers_any_mutation_of_valid_facts_with_a_result_or_exit_2(changes, explain):
    doc = copy.deepcopy(VALID)
    for path, value in changes:
        with contextlib.suppress(KeyError, IndexError, TypeError):
            _mutate(doc, path, value)
    _cli(json.dumps(doc, ensure_ascii=False), *(["--explain", "D-P1"] if explain else []))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_it_answers_bytes_that_are_not_json_with_exit_2(raw):
    with tempfile.TemporaryDirectory() as tmp:
        facts = Path(tmp) / "facts.json"
        facts.write_bytes(raw)
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            assert main([str(EXAMPLE_SCHEME), str(facts)]) in (0, 2)


def test_it_answers_deeply_nested_json_with_exit_2():
    assert _cli("[" * 100_000 + "]" * 100_000) == 2
    assert _cli('{"year": 2026, "candidates": ' + "[" * 5000 + "]" * 5000 + "}") == 2


def test_it_answers_a_huge_integer_with_exit_2():
    assert _cli('{"year": ' + "9" * 5000 + "}") == 2
