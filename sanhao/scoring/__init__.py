"""The scoring engine: Python with numpy and pydantic (and numba for a few loops), no Django.
import-linter enforces it.

    from sanhao.scoring import score
    result = score("default_scheme.toml", facts_dict)   # raises InvalidInput on bad input
    for row in result.candidates("deputy"): row.s, row.status, row.reasons

The model is docs/scoring.md; the file formats docs/scheme.md.
"""

from sanhao.scoring.api import score
from sanhao.scoring.codes import Category, Component, Reason, ReasonCode, Status, VoidCode
from sanhao.scoring.engine import ENGINE_VERSION
from sanhao.scoring.problems import InvalidInput, Problem
from sanhao.scoring.results import CandidateScore, CategorySummary, Result
from sanhao.scoring.scheme import DEFAULT_SCHEME, Scheme, load_scheme, loads_scheme, parse_scheme

__all__ = [
    "DEFAULT_SCHEME", "ENGINE_VERSION", "CandidateScore", "Category", "CategorySummary",
    "Component", "InvalidInput", "Problem", "Reason", "ReasonCode", "Result", "Scheme", "Status", "VoidCode",
    "load_scheme", "loads_scheme", "parse_scheme", "score",
]  # fmt: skip
