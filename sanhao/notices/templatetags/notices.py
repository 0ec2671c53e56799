"""`{% unread_notices as n %}`: the signed-in user's unread notices, for the navigation
(one query a page)."""

from __future__ import annotations

from typing import Any

from django import template

from sanhao.notices.services import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notices(context: Any) -> int:
    user = context.get("user")
    if user is None or not user.is_authenticated:
        return 0
    return unread_count(user)
