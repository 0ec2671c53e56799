"""Deviations of the demo year: one found at 白米镇's March supervision and corrected
with its evidence, one found in September and open past its deadline, one still within
its deadline elsewhere. To be called from sanhao/demo/world.py's seed_demo, after the
records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sanhao.deviations.services import SUPERVISION, raise_deviation, update_deviation
from sanhao.orgs.models import Unit
from sanhao.records.models import ProcessRecord

# (unit index, month of the supervision, problem, correction, days to correct, progress)
FOUND = [
    (0, 3, "重点项目督办事项推进不力，3个项目未按节点开工", "倒排开工计划，逐个项目明确责任人", 45,
     [("open", "已召开专题推进会，明确责任人"), ("closed", "3个项目均已开工，现场照片及开工报告已报送")]),
    (0, 9, "信访积案化解进度滞后", "班子成员包案化解，每周调度", 30,
     [("open", "已落实包案领导，正在逐案化解")]),
    (1, 10, "党委会议事记录不规范，缺少表决情况", "对照议事规则补全记录并建立审核制度", 60, []),
]  # fmt: skip


def seed_deviations(campaign: Any, units: list[Unit], office: Any) -> None:
    for unit_index, month, problem, correction, days, progress in FOUND:
        if unit_index >= len(units):
            continue
        unit = units[unit_index]
        meeting = (
            ProcessRecord.objects.filter(year=campaign, unit=unit, type=SUPERVISION,
                                         period=month, superseded_by__isnull=True)
            .order_by("id").first()
        )  # fmt: skip
        found_on = meeting.held_on if meeting else dt.date(campaign.year, month, 20)
        deviation = raise_deviation(
            campaign, unit, found_on=found_on, problem=problem, correction=correction,
            deadline=found_on + dt.timedelta(days=days), record_of=meeting, actor=office,
        )  # fmt: skip
        for status, note in progress:
            update_deviation(deviation, status=status, note=note, actor=office)
