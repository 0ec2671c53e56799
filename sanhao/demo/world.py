"""The demo world: Jiangyan District's 13 units with fictional teams. Deterministic.

Unit names are real (DOMAIN.md §3); every person is made up from a fixed seed.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from sanhao.accounts.models import AccountRole, User
from sanhao.accounts.services import create_account
from sanhao.ballots.demo import seed_ballots
from sanhao.campaigns.models import Phase
from sanhao.campaigns.services import advance_phase, open_campaign_year
from sanhao.checks.demo import seed_checks
from sanhao.deviations.demo import seed_deviations
from sanhao.events.services import add_event
from sanhao.lib import jiangyan
from sanhao.notices.services import send_reminders
from sanhao.orgs import services
from sanhao.orgs.models import District, Person, Post, Role, Unit
from sanhao.panels.demo import seed_panels
from sanhao.projects.demo import seed_projects
from sanhao.rankings.demo import seed_scheme
from sanhao.rankings.runs import compute_scores
from sanhao.records.demo import seed_records
from sanhao.targets.demo import seed_pledges
from sanhao.targets.services import Entry, enter_figures, indicators_of, set_oversight

DEMO_PASSWORD = "sanhao-demo"
DEMO_YEAR = 2026
UNITS = [(code, name, Unit.Kind(kind)) for code, name, kind in jiangyan.UNITS]
DISTRICT = jiangyan.DISTRICT
TITLES: dict[str, list[str]] = {
    Unit.Kind.TOWN: [
        "党委书记", "镇长", "人大主席", "党委副书记", "纪委书记", "党委委员、副镇长",
        "党委委员、副镇长", "党委委员、组织委员", "党委委员、宣传委员", "党委委员、武装部长",
        "副镇长", "党委委员、副镇长", "副镇长",
    ],
    Unit.Kind.SUBDISTRICT: [
        "党工委书记", "办事处主任", "人大工委主任", "党工委副书记", "纪工委书记",
        "党工委委员、副主任", "党工委委员、副主任", "党工委委员、组织委员",
        "党工委委员、宣传委员", "党工委委员、武装部长", "副主任", "党工委委员、副主任", "副主任",
    ],
}  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵周吴徐孙朱马胡郭林何高梁郑罗宋谢唐韩曹许邓冯程蔡彭潘袁于董余苏叶吕魏蒋田杜丁沈姜范江傅钟卢汪戴崔任陆廖姚方金邱夏谭韦贾邹石熊孟秦阎薛侯雷白龙段郝孔邵史毛常万顾赖武康贺严尹钱施牛洪龚"
GIVEN = "建国晓明海燕志强文华春梅立新红霞国庆秀英丽娟永刚桂芳振宇思远雨欣嘉怡浩然子涵俊杰佳琪宏伟玉兰德明慧敏家豪静怡泽宇婉婷天佑若曦安然锦程"
# The real people the source article names; the demo never uses their names.
REAL_NAMES = {
    "滕智东",
    "薛勇明",
    "徐思淳",
    "罗冬雷",
    "严本荣",
    "肖娟娟",
    "吴芳苏",
    "戴铁双",
    "毛戴军",
}
EDUCATION = [Person.Education.MASTER, Person.Education.BACHELOR, Person.Education.BACHELOR,
             Person.Education.MASTER, Person.Education.COLLEGE]  # fmt: skip
CHANGEOVER = dt.date(2021, 10, 1)  # the 换届 of the demo: some leaders changed then


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    unit: str


def demo_logins() -> list[DemoLogin]:
    logins = [DemoLogin("office", "office", ""), DemoLogin("judge1", "judge", ""),
              DemoLogin("viewer", "viewer", "")]  # fmt: skip
    logins[2:2] = [DemoLogin(f"judge{n}", "judge", "") for n in range(2, 8)]  # the panel's others
    logins += [DemoLogin(f"liaison-{code}", "liaison", name) for code, name, _k in UNITS]
    return logins


class _People:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.used: set[str] = set(REAL_NAMES)
        self.count = 0

    def make(self, actor: Any) -> Person:
        while True:
            given = "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2))))
            name = self.rng.choice(SURNAMES) + given
            if name not in self.used:
                break
        self.used.add(name)
        self.count += 1
        birth = dt.date(self.rng.randint(1970, 1992), self.rng.randint(1, 12), 1)
        joined_year = min(birth.year + self.rng.randint(20, 28), 2020)
        return services.create_person(
            code=f"P{self.count:04d}",
            name=name,
            gender=self.rng.choice([Person.Gender.MALE] * 3 + [Person.Gender.FEMALE] * 2),
            birth_month=birth,
            education=self.rng.choice(EDUCATION),
            party_joined=dt.date(joined_year, self.rng.randint(1, 12), 1),
            actor=actor,
        )


VOTER_CODE = ""  # one unused code of the demo's open ballot session, once seeded


def demo_loaded() -> bool:
    return District.objects.filter(name=DISTRICT).exists()


@dataclass
class World:
    """The demo district before any campaign year: its units, their teams, the accounts."""

    district: District
    office: User
    units: list[Unit]
    rng: random.Random  # the demo's one random stream, carried on into the year


@transaction.atomic
def seed_demo() -> District:
    """Create the demo district, its teams with some history, the year and the accounts."""
    world = seed_world()
    campaign = open_campaign_year(world.district, DEMO_YEAR, actor=world.office)
    seed_scheme(campaign, world.office)
    advance_phase(campaign, to=Phase.PROCESS, actor=world.office)
    seed_year_so_far(campaign, world)
    return world.district


@transaction.atomic
def seed_world() -> World:
    """The district, its 13 units and their teams with some history, and the demo's
    accounts; no campaign year (the office opens one on its page)."""
    rng = random.Random(20220525)  # the day the source article was published
    district = services.create_district(DISTRICT, actor=None)
    office = create_account(
        username="office", password=DEMO_PASSWORD, role=AccountRole.OFFICE,
        full_name="组织部工作专班", is_demo=True, actor=None,
    )  # fmt: skip
    people = _People(rng)
    units = []
    for order, (code, name, kind) in enumerate(UNITS, start=1):
        units.append(
            services.create_unit(
                district, code=code, name=name, kind=kind, order=order, actor=office
            )
        )
    for index, unit in enumerate(units):
        size = 10 + index % 4
        for position, title in enumerate(TITLES[unit.kind][:size]):
            role = Role.LEADER if position == 0 else Role.DEPUTY
            start = dt.date(rng.choice((2021, 2021, 2022, 2023)), rng.choice((10, 11, 12)), 1)
            if role == Role.LEADER and index % 3 == 0:
                # A leader changed at the 换届: the predecessor's post stays in the history.
                before = people.make(office)
                services.start_post(
                    before, unit, role=role, title=title, start=dt.date(2016, 9, 1),
                    end=CHANGEOVER, order=position, actor=office,
                )  # fmt: skip
                start = CHANGEOVER
            person = people.make(office)
            services.start_post(
                person, unit, role=role, title=title, start=start, order=position, actor=office
            )
    # One transfer across units: a deputy of 白米镇 leaves for 俞垛镇 in 2024.
    mover = units[0].posts.get(order=1, end__isnull=True)
    services.end_post(mover, dt.date(2024, 3, 1), actor=office)
    old = units[4].posts.get(order=1, end__isnull=True, title="镇长")
    services.end_post(old, dt.date(2024, 3, 1), actor=office)
    services.start_post(
        mover.person, units[4], role=Role.DEPUTY, title="镇长", start=dt.date(2024, 3, 1),
        order=1, actor=office,
    )  # fmt: skip
    replacement = people.make(office)
    services.start_post(
        replacement, units[0], role=Role.DEPUTY, title=mover.title, start=dt.date(2024, 3, 1),
        order=1, actor=office,
    )  # fmt: skip

    for login in demo_logins():
        if login.username == "office":
            continue
        liaison_unit = next((u for u in units if u.name == login.unit), None)
        create_account(
            username=login.username, password=DEMO_PASSWORD, role=login.role, unit=liaison_unit,
            full_name=f"{login.unit}联络员" if liaison_unit else "", is_demo=True, actor=office,
        )  # fmt: skip
    assert User.objects.filter(is_demo=True).count() == len(demo_logins())
    return World(district, office, units, rng)


@transaction.atomic
def seed_year_so_far(campaign: Any, world: World) -> None:
    """The year's record up to the demo's day, written through the services as the
    liaisons and the office would have: actuals to October, the monthly meetings, honours
    and deductions, spot checks, pledges, deviations, projects, the panels, an open ballot
    and a first computation. The year is in its process phase."""
    units, rng, office = world.units, world.rng, world.office
    _seed_figures(campaign, units, rng, office)
    seed_records(campaign, units, rng, office)
    _seed_events(campaign, units, office)
    seed_checks(campaign, units, office)
    seed_pledges(campaign, units, office)
    seed_deviations(campaign, units, office)
    seed_projects(campaign, units, office)
    seed_panels(campaign, units, office)
    global VOTER_CODE
    VOTER_CODE = seed_ballots(campaign, units, office)
    compute_scores(campaign, actor=office, today=FIGURES_TO)
    send_reminders(FIGURES_TO)  # the liaisons' notices of the demo's day


FIGURES_TO = dt.date(DEMO_YEAR, 11, 30)  # actuals reported up to October


def _seed_events(campaign: Any, units: list[Unit], office: Any) -> None:
    """A few honours and checklist items, two deductions, one veto (a fictional case)."""
    day = dt.date(DEMO_YEAR, 1, 1)
    add_event(campaign, units[0], kind="bonus", item="honour", note="获评省级文明乡镇",
              evidence="苏文明委〔2026〕3号", happened_on=day.replace(month=5, day=20),
              actor=office)  # fmt: skip
    add_event(campaign, units[2], kind="bonus", item="guidance", count=2,
              note="正向指引清单：重大项目落地、营商环境优化", happened_on=day.replace(month=6),
              actor=office)  # fmt: skip
    add_event(campaign, units[5], kind="bonus", item="honour", note="获评市级先进基层党组织",
              happened_on=day.replace(month=7, day=1), actor=office)  # fmt: skip
    slow = Post.objects.current().filter(unit=units[3], role=Role.DEPUTY).order_by("order")[4]
    add_event(campaign, units[3], kind="deduction", item="lying_flat", post=slow,
              note="项目推进慢作为，被“躺平”问题专项整治通报", happened_on=day.replace(month=8, day=12),
              actor=office)  # fmt: skip
    add_event(campaign, units[7], kind="deduction", item="lying_flat",
              note="班子推诿扯皮，点调会督办事项逾期未办结", happened_on=day.replace(month=9, day=3),
              actor=office)  # fmt: skip
    add_event(campaign, units[10], kind="veto", item="safety_incident",
              note="辖区内发生较大安全生产事故（虚构案例）", happened_on=day.replace(month=4, day=9),
              actor=office)  # fmt: skip


def _seed_figures(campaign: Any, units: list[Unit], rng: random.Random, office: Any) -> None:
    """Plans, prior years and monthly cumulative actuals to October, some units ahead of
    the year's pace and some behind; the 镇长 / 主任 and two 副职 oversee one indicator each."""
    indicators = [i.id for i in indicators_of(campaign)]
    for unit in units:
        pace = rng.uniform(0.7, 1.15)  # this unit's share of the plan by the year's end
        entries = []
        for indicator in indicators:
            plan = Decimal(rng.randint(2000, 90000)) / 100  # 亿元, two decimals
            prior = (plan * Decimal(str(round(rng.uniform(0.8, 1.05), 3)))).quantize(
                Decimal("0.01")
            )
            entries += [Entry(indicator, "plan", 0, plan), Entry(indicator, "prior", 0, prior)]
            for month in range(1, 11):
                share = Decimal(str(round(pace * month / 12 * rng.uniform(0.95, 1.05), 4)))
                entries.append(
                    Entry(indicator, "actual", month, (plan * share).quantize(Decimal("0.01")))
                )
        enter_figures(campaign, unit, entries, actor=office)
        deputies = list(
            Post.objects.current().filter(unit=unit, role=Role.DEPUTY).order_by("order")[:3]
        )
        for post, indicator in zip(deputies, indicators, strict=False):
            set_oversight(campaign, post, [indicator], actor=office)
