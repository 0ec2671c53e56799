"""The one entry point: `score(scheme, facts) -> Result`.

The tests, the benchmark, the command line and the web's bridge all call it. The scheme
is a `Scheme`, a TOML path or a dict; the facts a JSON path, a dict (the document of
docs/scheme.md, numbers as int, Decimal, float or numeric text) or a `Facts` of arrays.
Bad input raises `InvalidInput`, whose `problems` name each place in Chinese; nothing is
computed then.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sanhao.scoring.arrays import validate_arrays
from sanhao.scoring.engine import compute
from sanhao.scoring.facts import Facts, load_facts, parse_facts
from sanhao.scoring.problems import InvalidInput
from sanhao.scoring.results import Result
from sanhao.scoring.scheme import Scheme, load_scheme, parse_scheme


def read_scheme(scheme: Scheme | str | Path | Mapping[str, Any]) -> Scheme:
    if isinstance(scheme, Scheme):
        return scheme
    if isinstance(scheme, Mapping):
        return parse_scheme(scheme)
    return load_scheme(scheme)


def read_facts(facts: Facts | str | Path | Mapping[str, Any], scheme: Scheme) -> Facts:
    if isinstance(facts, Facts):
        if facts.checked != scheme.source_hash:
            problems = validate_arrays(facts, scheme)
            if problems:
                raise InvalidInput(problems)
            facts.checked = scheme.source_hash
        return facts
    if isinstance(facts, Mapping):
        return parse_facts(facts, scheme)
    return load_facts(facts, scheme)


def score(scheme: Scheme | str | Path | Mapping[str, Any],
          facts: Facts | str | Path | Mapping[str, Any]) -> Result:  # fmt: skip
    """docs/scoring.md §0–§7 for one year: every number, its breakdown, codes for the rest."""
    rules = read_scheme(scheme)
    checked = read_facts(facts, rules)
    computed = compute(rules, checked)
    return Result(rules, checked, computed.quantified, computed.categories)
