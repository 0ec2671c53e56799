"""Two spot checks of the demo year with shortfalls and remedies for several units: some
done, some still open, some overdue (due before the end of November). To be called from
sanhao/demo/world.py's seed_demo, after the records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sanhao.checks.models import RemedyStatus
from sanhao.checks.services import add_shortfall, add_spot_check, update_remedy
from sanhao.orgs.models import Post, Unit
from sanhao.targets.services import indicators_of

# (spot check index, unit index, member index, shortfall, measure, due, done evidence)
FINDINGS = [
    (0, 0, 0, "工业投资进度滞后于序时", "梳理在手项目，倒排开工节点", (6, 30), "6月新开工项目3个"),
    (0, 1, 1, "到账外资完成率偏低", "盯紧在谈外资项目，按月跟踪到账", (9, 30), ""),
    (0, 2, 1, "重大项目推进缓慢", "实行项目专班挂钩推进", (8, 31), "项目已进场施工"),
    (0, 3, 2, "开票销售增幅低于全区平均", "走访重点企业，帮办解决用工难题", (10, 15), ""),
    (
        0,
        4,
        0,
        "班子议事决策记录不完整",
        "完善党委会议事规则并规范记录",
        (7, 31),
        "新议事规则已印发",
    ),
    (1, 0, 1, "招商引资签约项目落地率低", "建立签约项目落地周报制度", (10, 31), ""),
    (1, 5, 0, "中心组学习联系实际不够", "每季度开展一次专题研讨", (12, 31), ""),
    (1, 6, 2, "安全生产隐患整改不到位", "开展隐患清零专项行动", (11, 20), ""),
    (1, 7, 1, "工业投资入库项目偏少", "加快项目入库，月度调度", (12, 20), ""),
    (1, 2, 2, "民生实事进度偏慢", "挂图作战，逐项销号", (11, 10), "8项民生实事全部完成"),
]


def seed_checks(campaign: Any, units: list[Unit], office: Any) -> None:
    year = campaign.year
    ids = [i.id for i in indicators_of(campaign)]
    checks = [
        add_spot_check(campaign, held_on=dt.date(year, 5, 20), title="上半年目标推进点调会",
                       indicators=ids, units=units[:5], actor=office,
                       minutes="逐镇街点评一季度以来指标完成情况，查找班子成员问题短板。"),
        add_spot_check(campaign, held_on=dt.date(year, 9, 16), title="三季度点调会",
                       indicators=ids[:2], units=units[:8], actor=office,
                       minutes="对照序时进度点评，跟踪上次点调会补短举措落实情况。"),
    ]  # fmt: skip
    for check_index, unit_index, member, text, measure, (month, day), done in FINDINGS:
        if unit_index >= len(units):
            continue
        team = list(Post.objects.current().filter(unit=units[unit_index]).order_by("order", "pk"))
        if not team:
            continue
        shortfall = add_shortfall(checks[check_index], team[member % len(team)], text=text,
                                  measure=measure, due_on=dt.date(year, month, day), actor=office)  # fmt: skip
        remedy = shortfall.remedy
        if done:
            update_remedy(remedy, status=RemedyStatus.OPEN, note="已制定工作方案，正在推进",
                          actor=office)  # fmt: skip
            update_remedy(remedy, status=RemedyStatus.DONE, note=done, actor=office)
