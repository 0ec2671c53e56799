"""A project per unit of the demo year, of the kinds the source names: the secretaries'
projects (书记项目) everywhere, and a few leader demonstration (班长示范项目) and deputy
projects (班副争先项目). Milestones over the year, some done on time, some done late,
some overdue, some still to come; the office grades several (gold, silver, bronze and
points, one tie, one regrade). Registered and reported by the units' liaisons, graded
by the office. To be called from sanhao/demo/world.py's seed_demo, after the checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sanhao.accounts.models import AccountRole, User
from sanhao.orgs.models import Post, Role, Unit
from sanhao.projects.models import Action, Kind
from sanhao.projects.services import (
    add_milestone,
    drop_project,
    grade_project,
    register_project,
    reinstate_project,
    update_milestone,
)

# (unit index, kind, deputy index or None, title, goal,
#  [(milestone, due (month, day), done (month, day) or None, evidence)],
#  grade (medal, points, reason) or None)
PROJECTS: list[tuple[Any, ...]] = [
    (
        0,
        Kind.SECRETARY,
        None,
        "双线服务突击队助企攻坚",
        "班子成员分片包干，为重点企业和在建项目解决用工、物流、审批难题，确保工业经济开门红。",
        [
            ("组建突击队并明确分片责任", (2, 28), (2, 20), "突击队组建方案及分片名单"),
            ("重点项目问题清单销号过半", (6, 30), (7, 12), "问题清单台账（已销号 38/70）"),
            ("全年问题清单全部销号", (11, 30), None, ""),
        ],
        ("silver", "88.5", "服务企业成效明显，问题销号略有滞后"),
    ),
    (
        1,
        Kind.SECRETARY,
        None,
        "“8765”目标点调推进机制",
        "以点调会督查阶段性小目标，保障街道（园区）“8765”年度目标任务如期实现。",
        [
            ("制定点调会制度", (3, 15), (3, 10), "点调会工作制度（罗党工〔2026〕5号）"),
            ("上半年点调会问题整改到位", (7, 31), (7, 28), "整改台账"),
            ("三季度目标完成率达序时", (10, 31), (10, 30), "三季度指标通报"),
        ],
        ("gold", "95", "机制健全，节点全部按期完成"),
    ),
    (
        1,
        Kind.DEPUTY,
        3,
        "高质量发展考核方案",
        "牵头起草街道高质量发展考核方案，考核结果运用到村（社区）和机关科室。",
        [
            ("完成方案初稿并征求意见", (4, 30), (4, 25), "方案征求意见稿"),
            ("方案经党工委会审定印发", (6, 30), (8, 5), "印发文件"),
        ],
        None,
    ),
    (
        2,
        Kind.LEADER,
        None,
        "闲置资产收购盘活示范",
        "摸清辖区闲置厂房和土地，年内收购盘活一批，腾出空间承接新项目。",
        [
            ("完成闲置资产摸底", (3, 31), (3, 28), "闲置资产台账"),
            ("签订收购协议3宗", (8, 31), None, ""),
            ("盘活资产引进项目开工", (12, 15), None, ""),
        ],
        ("bronze", "80", "摸底扎实，收购进度滞后"),
    ),
    (
        3,
        Kind.SECRETARY,
        None,
        "书记项目法务护航",
        "举办法务知识专题讲座，建立企业法律顾问联系制度，防范项目建设法律风险。",
        [
            ("举办法务知识专题讲座", (4, 30), (4, 18), "讲座签到表及课件"),
            ("重点企业法律顾问全覆盖", (9, 30), (9, 26), "法律顾问联系名册"),
        ],
        ("silver", "88.5", "覆盖面广，企业评价好"),
    ),
    (
        4,
        Kind.SECRETARY,
        None,
        "云招商重大项目线上洽谈",
        "搭建云招商平台，开展重大项目线上洽谈推进，年内签约落地重大项目。",
        [
            ("上线云招商平台", (3, 31), (3, 30), "平台上线截图"),
            ("线上签约重大项目2个", (9, 30), (10, 20), "签约协议"),
            ("签约项目开工建设", (11, 20), None, ""),
        ],
        None,
    ),
    (
        4,
        Kind.DEPUTY,
        1,
        "招商项目落地周报制度",
        "建立签约项目落地周报，跟踪每个项目从签约到开工的每一步。",
        [("建立周报制度", (5, 31), (5, 30), "周报模板及首期周报")],
        None,
    ),
    (
        5,
        Kind.SECRETARY,
        None,
        "班子建设“同心圆”工程",
        "以谈心谈话和议事规则为抓手，提升班子凝聚力。",
        [
            ("书记与班子成员谈心谈话全覆盖", (3, 31), (3, 29), "谈话记录"),
            ("修订党委议事规则", (6, 30), (6, 27), "议事规则（修订）"),
        ],
        ("gold", "93", "班子团结协作明显增强"),
    ),
    (
        6,
        Kind.SECRETARY,
        None,
        "年轻干部星伦计划",
        "持续补齐年轻干部知识弱项、能力短板、经验盲区，打造镇村年轻干部雁阵队伍。",
        [
            ("审定年轻干部双提升方案", (2, 28), (2, 26), "方案"),
            ("年轻干部夜读沙龙每月一期", (11, 30), None, ""),
            ("年轻干部轮岗锻炼20人次", (10, 31), (10, 28), "轮岗名单"),
        ],
        ("gold", "93", "年轻干部培养成体系"),
    ),
    (
        7,
        Kind.SECRETARY,
        None,
        "金属管材管件展览会",
        "策划举办金属管材管件产品及工业设备展览会，推动波纹管产业发展。",
        [
            ("确定展会方案与招展", (5, 31), (5, 25), "展会方案"),
            ("举办展览会", (9, 30), (9, 22), "展会总结：参展商200多家"),
            ("展会签约项目落地", (12, 31), None, ""),
        ],
        None,
    ),
    (
        8,
        Kind.SECRETARY,
        None,
        "党建+基层治理片区服务",
        "在撤并片区建立服务中心，下沉公共服务，缩短群众办事路程。",
        [
            ("建成桥头片区服务中心", (4, 30), (4, 28), "服务中心启用照片"),
            ("选派党员驻点服务", (5, 31), (5, 20), "驻点名单"),
            ("开通公交专线", (8, 31), (8, 30), "公交专线开通通知"),
        ],
        None,
    ),
    (
        8,
        Kind.LEADER,
        None,
        "村（社区）书记擂台赛",
        "组织村（社区）书记晒目标、比担当，季度打擂、年终评比。",
        [
            ("制定擂台赛方案", (3, 31), (4, 15), "擂台赛方案"),
            ("开展两季度擂台赛", (9, 30), None, ""),
        ],
        None,
    ),
    (
        9,
        Kind.SECRETARY,
        None,
        "新材料产业转型升级",
        "主导推进新材料产业招商、上项目、促发展，培育开票过亿企业。",
        [
            ("新材料产业招商推介会", (5, 31), (5, 28), "推介会签约清单"),
            ("开票过亿企业达到8家", (11, 30), None, ""),
        ],
        None,
    ),
    (
        9,
        Kind.DEPUTY,
        2,
        "精品党课与党员组织生活馆",
        "上争省市级资金，新建区级党员组织生活馆，打造精品党课。",
        [
            ("争取上级资金", (4, 30), (4, 22), "资金批复"),
            ("党员组织生活馆建成开放", (10, 31), (10, 18), "开馆照片"),
        ],
        None,
    ),
    (
        10,
        Kind.SECRETARY,
        None,
        "安全生产网格化治理",
        "建立安全生产网格，隐患排查整改闭环。",
        [
            ("划定安全生产网格", (3, 31), (3, 31), "网格划分图"),
            ("隐患清零专项行动", (9, 30), None, ""),
        ],
        None,
    ),
    (
        11,
        Kind.SECRETARY,
        None,
        "古镇文旅融合提升",
        "以古镇保护利用带动文旅消费，打造夜游品牌。",
        [
            ("完成古镇夜游规划", (4, 30), (5, 10), "规划文本"),
            ("夜游项目开放运营", (8, 31), (8, 28), "运营开放通知"),
        ],
        None,
    ),
    (
        12,
        Kind.SECRETARY,
        None,
        "民生实事挂图作战",
        "年度8项民生实事挂图作战、逐项销号。",
        [
            ("民生实事项目清单公布", (2, 28), (2, 27), "清单公告"),
            ("8项民生实事全部完成", (11, 10), None, ""),
        ],
        None,
    ),
]
# An extra grade by the office later in the year: one regrade kept as history.
REGRADE = (
    4,
    ("bronze", "82", "线上签约落地滞后，节点延期"),
    ("silver", "85", "补评：签约项目已开工准备就绪"),
)


def _owner(unit: Unit, kind: str, deputy: int | None) -> Post:
    posts = Post.objects.current().filter(unit=unit)
    if kind != Kind.DEPUTY:
        return posts.get(role=Role.LEADER)
    deputies = list(posts.filter(role=Role.DEPUTY).order_by("order", "pk"))
    return deputies[(deputy or 0) % len(deputies)]


def seed_projects(campaign: Any, units: list[Unit], office: Any) -> None:
    year = campaign.year
    liaisons = {u.unit_id: u for u in User.objects.filter(role=AccountRole.LIAISON, unit__in=units)}
    for index, kind, deputy, title, goal, milestones, grade in PROJECTS:
        if index >= len(units):
            continue
        unit = units[index]
        actor = liaisons.get(unit.pk, office)
        project = register_project(campaign, unit, kind=kind, owner=_owner(unit, kind, deputy),
                                   title=title, goal=goal, actor=actor)  # fmt: skip
        for name, (month, day), done, evidence in milestones:
            milestone = add_milestone(project, title=name, due_on=dt.date(year, month, day),
                                      actor=actor)  # fmt: skip
            if done is None:
                continue
            update_milestone(milestone, action=Action.NOTE, text="已制定推进计划，正在落实",
                             actor=actor)  # fmt: skip
            update_milestone(milestone, action=Action.DONE, text=evidence,
                             on=dt.date(year, *done), actor=actor)  # fmt: skip
        if grade is not None:
            medal, points, reason = grade
            grade_project(project, medal=medal, points=Decimal(points), reason=reason, actor=office)
        if index == REGRADE[0] and kind == Kind.SECRETARY:
            for medal, points, reason in REGRADE[1:]:
                grade_project(project, medal=medal, points=Decimal(points), reason=reason,
                              actor=office)  # fmt: skip
        if index == 10:  # dropped by the unit, taken back by the office
            drop_project(project, reason="网格与综治网格重复，拟合并", actor=actor)
            reinstate_project(project, reason="专班研究：安全网格单独保留", actor=office)
