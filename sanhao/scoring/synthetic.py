"""Synthetic facts: the demo district's year, and large districts for the benchmark.

Deterministic for a seed. `demo_facts()` is a JSON-able document for the 13 demo
units; `generate()` makes one for any list of units; every person is fictional.
"""

from __future__ import annotations

import random
from typing import Any

from sanhao.lib.jiangyan import UNITS
from sanhao.scoring.scheme import Scheme

SURNAMES = (
    "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高梁郑罗宋谢唐韩曹许邓冯程蔡彭潘袁于董余苏叶吕魏蒋田杜丁沈"
)
GIVEN = "建国晓明海燕志强文华春梅立新红霞国庆秀英丽娟永刚桂芳振宇思远雨欣嘉怡浩然子涵俊杰佳琪宏伟"
TITLES = ["镇长", "人大主席", "党委副书记", "纪委书记", "副镇长", "组织委员", "宣传委员", "武装部长",
          "副镇长", "副镇长", "统战委员", "副镇长"]  # fmt: skip


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def generate(
    scheme: Scheme,
    units: list[tuple[str, str]],
    *,
    seed: int = 2026,
    year: int = 2026,
    voters_per_unit: int = 20,
    judges: int = 9,
    deputies: tuple[int, int] = (8, 11),
) -> dict[str, Any]:
    rng = random.Random(seed)
    doc: dict[str, Any] = {"format": 1, "year": year, "units": [], "candidates": [],
                           "indicators": [], "records": [], "panel": [], "sessions": [],
                           "ballots": [], "bonuses": [], "deductions": [], "vetoes": []}  # fmt: skip
    by_category: dict[str, list[str]] = {"team": [], "leader": [], "deputy": []}
    unit_quality: dict[str, float] = {}
    members: dict[str, list[str]] = {}
    indicator_ids = [ind.id for ind in scheme.indicators]
    for code, name in units:
        doc["units"].append({"id": code, "name": name})
        quality = rng.uniform(-1, 1)
        unit_quality[code] = quality
        people = [f"T-{code}", f"L-{code}"]
        doc["candidates"].append({"id": people[0], "category": "team", "unit": code,
                                  "name": f"{name}班子"})  # fmt: skip
        doc["candidates"].append({"id": people[1], "category": "leader", "unit": code,
                                  "name": _name(rng), "months_in_post": 12})  # fmt: skip
        by_category["team"].append(people[0])
        by_category["leader"].append(people[1])
        for k in range(rng.randint(*deputies)):
            cid = f"D-{code}-{k + 1:02d}"
            entry: dict[str, Any] = {"id": cid, "category": "deputy", "unit": code,
                                     "name": _name(rng) + f"（{TITLES[k % len(TITLES)]}）",
                                     "months_in_post": rng.choice([12] * 9 + [4])}  # fmt: skip
            if k % 3 == 0 and indicator_ids:
                entry["oversees"] = [indicator_ids[k % len(indicator_ids)]]
            doc["candidates"].append(entry)
            people.append(cid)
            by_category["deputy"].append(cid)
        members[code] = people
        for ind in scheme.indicators:
            plan = round(rng.uniform(5, 50), 2)
            prior = round(plan * rng.uniform(0.7, 1.0), 2)
            actual = round(plan * rng.uniform(0.75, 1.15 + 0.1 * quality), 2)
            doc["indicators"].append({"unit": code, "indicator": ind.id, "actual": actual,
                                      "plan": plan, "prior": prior})  # fmt: skip
        for record in scheme.records:
            for period in range(1, record.expected + 1):
                roll = rng.random()
                if roll < 0.05:
                    continue  # missed
                doc["records"].append({"unit": code, "type": record.type, "period": period,
                                       "on_time": roll > 0.12})  # fmt: skip
    unit_of = {c["id"]: c["unit"] for c in doc["candidates"]}
    # Panel: each judge scores every candidate of each category on each dimension.
    for key, spec in scheme.categories.items():
        for r in range(judges):
            scores = {}
            leniency = rng.uniform(-1.5, 1.5)
            for cid in by_category[key]:
                base = 20 + 2 * unit_quality[unit_of[cid]] + leniency
                scores[cid] = [
                    max(0, min(25, round(base + rng.uniform(-2, 2)))) for _ in spec.dimensions
                ]
            doc["panel"].append({"id": f"S-{key}-{r + 1}", "judge": f"J{r + 1}",
                                 "category": key, "scores": scores})  # fmt: skip
    groups = next(iter(scheme.categories.values())).ballot.groups
    for code, _unit_name in units:
        session = f"M-{code}"
        doc["sessions"].append(
            {"id": session, "invited": voters_per_unit, "issued": voters_per_unit}
        )
        for v in range(voters_per_unit):
            grades = {}
            for cid in members[code]:
                spec = scheme.categories[{"T": "team", "L": "leader", "D": "deputy"}[cid[0]]]
                roll = rng.random() - 0.1 * unit_quality[code]
                grade = 0 if roll < 0.25 else 1 if roll < 0.8 else 2 if roll < 0.95 else 3
                if rng.random() < 0.03:
                    grades[cid] = spec.ballot.abstain
                else:
                    grades[cid] = spec.ballot.grades[min(grade, len(spec.ballot.grades) - 1)]
            doc["ballots"].append({"id": f"B-{code}-{v + 1:03d}", "session": session,
                                   "group": groups[v % len(groups)], "grades": grades})  # fmt: skip
    everyone = [c["id"] for c in doc["candidates"]]
    for item in scheme.bonus_items:
        for cid in rng.sample(everyone, k=max(1, len(everyone) // 15)):
            doc["bonuses"].append({"candidate": cid, "item": item.id, "count": rng.randint(1, 3)})
    for item in scheme.deduction_items:
        for cid in rng.sample(everyone, k=max(1, len(everyone) // 25)):
            doc["deductions"].append(
                {"candidate": cid, "item": item.id, "count": rng.randint(1, 4)}
            )
    if scheme.veto_kinds and units:
        kinds = list(scheme.veto_kinds)
        doc["vetoes"].append(
            {"unit": units[-1][0], "kind": kinds[0], "note": "示例：年内发生较大安全事故"}
        )
        doc["vetoes"].append({"candidate": by_category["deputy"][3], "kind": kinds[-1],
                              "note": "示例：受到诫勉"})  # fmt: skip
    return doc


def demo_facts(scheme: Scheme) -> dict[str, Any]:
    """The demo district's year: the 13 units of the web demo, fictional people."""
    return generate(scheme, [(code, name) for code, name, _kind in UNITS], seed=20220525)
