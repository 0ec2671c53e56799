"""Scheme texts made from the year's first version, changed in one place."""

from __future__ import annotations

import pytest

from sanhao.rankings.services import current_scheme


@pytest.fixture
def source(world) -> str:
    return current_scheme(world.campaign).source


def changed(text: str, old: str, new: str) -> str:
    assert text.count(old) >= 1, old
    return text.replace(old, new, 1)


def more_deputies(text: str) -> str:
    """The deputies' quota raised from 18 to 20."""
    return changed(text, "quota = 18", "quota = 20")


# Broken schemes and the engine's located message for each.
BROKEN = {
    "weights": (
        lambda t: changed(
            t, "weights = { K = 0.4, P = 0.3, M = 0.3 }", "weights = { K = 0.5, P = 0.3, M = 0.3 }"
        ),
        "scheme.categories.team.weights",
        "K、P、M 的权重之和应恰好为 1，现为 1.1",
    ),
    "unknown key": (
        lambda t: changed(t, "quota = 4\n", "quota = 4\ncolour = 1\n"),
        "scheme.categories.team.colour",
        "格式中没有此项（拼写有误？）",
    ),
    "broken TOML": (
        lambda t: t + "\n[[[\n",
        "scheme",
        "不是有效的 TOML 文件",
    ),
}
