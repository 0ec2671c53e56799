"""Demo pledges (比担当): the team's and two members' for every unit. Fictional texts."""

from __future__ import annotations

from typing import Any

from sanhao.orgs.models import Unit
from sanhao.targets.pledges import add_pledge, correct_pledge, team_of_year

TEAM = ["全年开票销售增长 12% 以上，争创全区第一方阵", "到账外资完成市定目标，重大项目开工率 100%"]
MEMBERS = [
    "牵头招引亿元以上产业项目 3 个，每季度专题研究一次",
    "分管领域问题短板全部按期销号，不让一项工作在手中延误",
    "带头走访企业 50 家次，现场解决问题清单",
]


def seed_pledges(campaign: Any, units: list[Unit], office: Any) -> None:
    for index, unit in enumerate(units):
        add_pledge(campaign, unit, post=None, text=TEAM[index % len(TEAM)], actor=office)
        team = list(team_of_year(campaign, unit).filter(end__isnull=True)[:2])
        for offset, post in enumerate(team):
            pledge = add_pledge(campaign, unit, post=post, actor=office,
                                text=MEMBERS[(index + offset) % len(MEMBERS)])  # fmt: skip
            if index == 0 and offset == 0:
                correct_pledge(pledge, text=pledge.text.replace("3 个", "4 个"),
                               reason="年中目标上调", actor=office)  # fmt: skip
