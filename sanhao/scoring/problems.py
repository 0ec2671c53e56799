"""Problems found in a scheme or a facts file, each with its location."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    location: str  # e.g. facts.ballots[17].grades.c042
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class InvalidInput(Exception):
    """Raised with every problem found; nothing has been computed or written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class Collector:
    problems: list[Problem] = field(default_factory=list)

    def add(self, location: str, message: str) -> None:
        self.problems.append(Problem(location, message))

    def raise_if_any(self) -> None:
        if self.problems:
            raise InvalidInput(self.problems)
