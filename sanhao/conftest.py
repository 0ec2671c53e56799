"""The shared test world (healthchecks' Alice/Bob/Charlie, here in a district).

Towns A (甲镇) and B (乙街道), each with a leader and two deputies; an office admin,
a liaison of A who must never see B, a judge, a viewer, and a campaign year. Built
through the real services, as the application builds it.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from sanhao.accounts.models import AccountRole, User
from sanhao.accounts.services import create_account
from sanhao.campaigns.models import CampaignYear
from sanhao.campaigns.services import open_campaign_year
from sanhao.orgs import services
from sanhao.orgs.models import District, Person, Post, Role, Unit

PASSWORD = "a-long-test-password-42"


# No voter code in any log: every record of the run is written as JSON to a file and
# searched at the end for every code issued (sanhao/tests/leakcheck.py).
# SANHAO_LOG_CHECK=0 turns it off (to measure what it costs).
def pytest_sessionstart(session: pytest.Session) -> None:
    from sanhao.tests import leakcheck

    if os.environ.get("SANHAO_LOG_CHECK", "1") != "0":
        leakcheck.start()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    from sanhao.tests import leakcheck

    leakcheck.begin_test(item.nodeid)
    yield
    leakcheck.end_test()


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    from sanhao.tests import leakcheck

    leaks, path = leakcheck.finish()
    if path is None:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    write = print
    if reporter is not None:
        if reporter._tw.width_of_current_line:  # after the progress dots
            reporter.write("\n")
        write = reporter.write_line
    if leaks:
        for leak in leaks:
            write(f"LOG LEAK: {leakcheck.describe(leak)}")
        write(f"LOG LEAK: {len(leaks)} found; the log is kept in {path}")
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    else:
        issued = len(leakcheck.ISSUED)
        cost = leakcheck._STATE.get("cost", "")
        write(f"log check: none of the {issued} codes and receipts issued is in the log ({cost})")


@dataclass
class World:
    district: District
    a: Unit
    b: Unit
    office: User
    liaison_a: User
    liaison_b: User
    judge: User
    viewer: User
    campaign: CampaignYear
    posts: dict[str, Post]

    def person(self, key: str) -> Person:
        return self.posts[key].person

    def client_for(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client


def make_team(
    unit: Unit, prefix: str, names: list[str], *, actor: Any, start: dt.date
) -> dict[str, Post]:
    posts = {}
    titles = ["党委书记", "镇长", "副镇长"]
    for index, name in enumerate(names):
        person = services.create_person(
            code=f"{prefix}{index + 1:03d}", name=name, gender=Person.Gender.MALE, actor=actor
        )
        posts[f"{prefix}{index}"] = services.start_post(
            person,
            unit,
            role=Role.LEADER if index == 0 else Role.DEPUTY,
            title=titles[min(index, 2)],
            start=start,
            order=index,
            actor=actor,
        )
    return posts


@pytest.fixture(autouse=True)
def fast_password_hashing(settings: Any) -> None:
    """Argon2 is slow by design; tests hash with MD5 unless they test hashing itself."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db: Any) -> World:
    district = services.create_district("测试区", actor=None)
    office = create_account(
        username="office", password=PASSWORD, role=AccountRole.OFFICE, actor=None
    )
    a = services.create_unit(district, code="town-a", name="甲镇", kind=Unit.Kind.TOWN,
                             order=1, actor=office)  # fmt: skip
    b = services.create_unit(district, code="town-b", name="乙街道",
                             kind=Unit.Kind.SUBDISTRICT, order=2, actor=office)  # fmt: skip
    start = dt.date(2021, 10, 1)
    posts = make_team(a, "A", ["甲书记", "甲镇长", "甲副镇长"], actor=office, start=start)
    posts |= make_team(b, "B", ["乙书记", "乙主任", "乙副主任"], actor=office, start=start)
    return World(
        district=district,
        a=a,
        b=b,
        office=office,
        liaison_a=create_account(username="liaison-a", password=PASSWORD,
                                 role=AccountRole.LIAISON, unit=a, actor=office),
        liaison_b=create_account(username="liaison-b", password=PASSWORD,
                                 role=AccountRole.LIAISON, unit=b, actor=office),
        judge=create_account(username="judge", password=PASSWORD, role=AccountRole.JUDGE,
                             actor=office),
        viewer=create_account(username="viewer", password=PASSWORD, role=AccountRole.VIEWER,
                              actor=office),
        campaign=open_campaign_year(district, 2026, actor=office),
        posts=posts,
    )  # fmt: skip
