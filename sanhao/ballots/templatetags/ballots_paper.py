"""`{% paper_section %}`: the paper ballots' section of a session's page (its forms per
voter group, the runs printed, and the links to keying and reconciliation), in a fixed
number of queries. A tag, so that the session page's view needs no change."""

from __future__ import annotations

from typing import Any

from django import template

from sanhao.ballots import paper
from sanhao.ballots.forms import PaperForm

register = template.Library()


@register.inclusion_tag("ballots/_paper_section.html", takes_context=True)
def paper_section(context: Any) -> dict[str, Any]:
    session = context["session"]
    office = bool(context.get("office"))
    groups = [(g.pk, g.name) for g in session.groups.all()]
    return {
        "year": context["year"],
        "session": session,
        "office": office,
        "paper": paper.summary(session),
        "form": PaperForm(groups=groups) if office and not session.is_finished else None,
    }
