"""`{% judge_sessions as rows %}`: the signed-in judge's panel sessions and where their
sheet is, for the home page (three queries, only where the tag is used)."""

from __future__ import annotations

from typing import Any

from django import template

from sanhao.panels.pages import judge_rows

register = template.Library()


@register.simple_tag(takes_context=True)
def judge_sessions(context: Any) -> list[dict[str, Any]]:
    user = context.get("user")
    if user is None or not getattr(user, "is_judge", False):
        return []
    return judge_rows(user)
