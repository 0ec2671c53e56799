"""Plausible process records for the demo year: to October, most held on time, a few
late, a few missing. Called from sanhao/demo/world.py's seed_demo."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from sanhao.orgs.models import Unit
from sanhao.records.services import add_record, monthly, record_types_of, team_of

RECORDS_TO = 10  # the last month recorded
TOPICS = {
    "study": [
        "学习贯彻党的创新理论",
        "学习党纪学习教育读本",
        "专题学习高质量发展",
        "学习安全生产责任制",
    ],
    "supervision": ["督查重点项目推进", "督办招商引资任务", "督查民生实事进度", "督办信访积案化解"],
}


def seed_records(campaign: Any, units: list[Unit], rng: random.Random, office: Any) -> None:
    types = [t for t in record_types_of(campaign) if monthly(t)]
    for unit in units:
        team = team_of(unit)
        for record_type in types:
            for month in range(1, RECORDS_TO + 1):
                roll = rng.random()
                if roll < 0.06:
                    continue  # missing
                late = roll < 0.12 and month < RECORDS_TO
                held_on = (
                    dt.date(campaign.year, month + 1, rng.randint(1, 8))
                    if late
                    else dt.date(campaign.year, month, rng.randint(5, 28))
                )
                attendance = []
                for post in team:
                    away = rng.random() < 0.08
                    attendance.append({"number": post.person.code, "present": not away,
                                       "reason": rng.choice(["外出学习", "出差", "病假"]) if away else ""})  # fmt: skip
                topics = TOPICS.get(record_type.type, [record_type.name])
                add_record(
                    campaign, unit, type=record_type.type, period=month, held_on=held_on,
                    topic=f"{month}月{rng.choice(topics)}", attendance=attendance,
                    text="", actor=office,
                )  # fmt: skip
