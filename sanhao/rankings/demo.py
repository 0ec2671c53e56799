"""The demo year's scheme: the engine's default, then a second version as the office would
save it with the editor, the checklist made the district's own."""

from __future__ import annotations

import tomllib
from typing import Any

from sanhao.rankings.models import SchemeVersion
from sanhao.rankings.services import current_scheme, save_scheme_version
from sanhao.scoring.writer import dumps_scheme

# (checklist item id, the district's own wording)
OWN_ITEMS = [
    ("g14", "定期召开年轻干部早餐会，跟踪年轻干部夜读沙龙，打造镇村年轻干部雁阵队伍"),
    ("g17", "牵头策划举办产业展览会，多次外出拜访客商，签订购销合同金额过亿元"),
]
NEW_ITEM = {
    "id": "g28",
    "category": "team",
    "dimension": "公信力强",
    "text": "建立片区服务中心，下沉公共服务职能，党员驻点服务群众",
}


def seed_scheme(campaign: Any, office: Any) -> SchemeVersion:
    """Version 2 of the demo year's scheme: two checklist items in the district's words
    and one more item, as the guidance section of the editor would save them."""
    current = current_scheme(campaign)
    doc = tomllib.loads(current.source)
    wording = dict(OWN_ITEMS)
    for item in doc["guidance"]:
        item["text"] = wording.get(item["id"], item["text"])
    doc["guidance"].append(dict(NEW_ITEM))
    doc["version"] = f"{campaign.year}.2"
    text = dumps_scheme(doc, comment="姜堰区 2026 年度三好创争方案（示例），由方案编辑器保存。")
    return save_scheme_version(campaign, text, reason="正向指引清单按本区做法修订", actor=office,
                               base=current.number, via="editor:guidance")  # fmt: skip
