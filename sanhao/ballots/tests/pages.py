"""Driving the voters' pages as a browser does: open the page, post the code, post the ballot."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import reverse


def found(pattern: str, text: str) -> str:
    match = re.search(pattern, text)
    assert match, pattern
    return match.group(1)


def ticket_of(response: Any) -> str:
    return found(r'name="ticket" value="([^"]+)"', response.content.decode())


def vote(client: Client, code: str, grades: dict[str, str], session_pk: int | None = None) -> Any:
    url = (
        reverse("ballots:vote_session", args=[session_pk])
        if session_pk
        else reverse("ballots:vote")
    )
    page = client.get(url)
    opened = client.post(url, {"ticket": ticket_of(page), "code": code})
    if opened.status_code != 200:
        return opened
    data = {"ticket": ticket_of(opened), "code": code} | {f"g-{k}": v for k, v in grades.items()}
    return client.post(reverse("ballots:submit"), data)
