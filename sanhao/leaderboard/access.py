"""Who may read the leaderboard and the year reports. Views fetch the year and the unit
only here.

The leaderboard and the district report are the office's and the viewer's, as the
district's table of figures (sanhao/targets/access.py): a liaison and a judge get 403.
A unit's report is read by the office, the viewer and the unit's own liaison; another
unit's liaison gets 404, as for the unit itself. The big screen is public: it shows only
what may hang in a hall (`sanhao.leaderboard.board.screen`).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

from sanhao.campaigns.access import get_year
from sanhao.campaigns.models import CampaignYear
from sanhao.orgs.models import Unit
from sanhao.targets import access as targets_access

FORMATS = ("xlsx", "docx")


def can_read_board(user: Any) -> bool:
    return targets_access.can_read_district_table(user)


def get_year_for_board(user: Any, pk: int) -> CampaignYear:
    return targets_access.get_year_for_district_table(user, pk)


def get_year_for_screen(pk: int) -> CampaignYear:
    """Any campaign year, for anyone: the screen shows nothing that is not public."""
    return get_year(pk)


def require_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Http404
    return fmt


def get_unit_for_report(user: Any, pk: int, code: str) -> tuple[CampaignYear, Unit]:
    return targets_access.get_unit_figures_for_user(user, pk, code)
