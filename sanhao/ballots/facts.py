"""The year's ballots as the engine's facts (`sessions` and `ballots`), for the bridge.

Only sealed sessions count: a session still open has no count yet. A session's invited
voters are the sum of its groups'; issued, the codes issued plus the paper forms handed
out; returned, its stored ballots (online and paper). The engine then applies the void
rules (docs/scoring.md §3). A ballot's id is its session's and its place in the stored,
shuffled order: it says nothing of when it was cast.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count

from sanhao.ballots.models import Ballot, BallotSession, SessionState, VoterGroup
from sanhao.campaigns.models import CampaignYear


def facts_for_year(year: CampaignYear) -> dict[str, list[dict[str, Any]]]:
    """The engine's `sessions` and `ballots` from the year's sealed sessions, in a fixed
    number of queries."""
    sessions = list(
        BallotSession.objects.filter(year=year, state=SessionState.SEALED).order_by("pk")
    )
    ids = [s.pk for s in sessions]
    groups: dict[int, list[VoterGroup]] = {}
    for g in VoterGroup.objects.filter(session_id__in=ids):
        groups.setdefault(g.session_id, []).append(g)
    counts = dict(
        Ballot.objects.filter(session_id__in=ids)
        .values_list("session_id")
        .annotate(n=Count("id"))
        .values_list("session_id", "n")
    )
    out_sessions = [
        {
            "id": s.fact_id,
            "invited": sum(g.invited for g in groups.get(s.pk, [])),
            "issued": sum(g.issued for g in groups.get(s.pk, []))
            + sum(g.paper_issued for g in groups.get(s.pk, [])),
            "returned": counts.get(s.pk, 0),
        }
        for s in sessions
    ]
    ballots = [
        {"id": f"{s_fact}-{k}", "session": s_fact, "group": group, "grades": grades}
        for k, (s_fact, group, grades) in enumerate(
            (f"S{sid}", group, grades)
            for sid, group, grades in Ballot.objects.filter(session_id__in=ids)
            .order_by("session_id", "pk")
            .values_list("session_id", "group", "grades")
        )
    ]
    return {"sessions": out_sessions, "ballots": ballots}
