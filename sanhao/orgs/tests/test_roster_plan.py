"""What the import works out in memory before it writes: leaders whose periods overlap,
posts that shrink before others grow, and the database's last word."""

import pytest

from sanhao.audit.models import AuditEntry
from sanhao.orgs import roster
from sanhao.orgs.models import District, Person, Post, Role, Unit
from sanhao.orgs.roster import import_roster
from sanhao.orgs.tests.test_roster_import import PEOPLE, UNITS, workbook


@pytest.fixture
def district(db):
    return District.objects.create(name="花草区")


def _import(district, world, posts, **sheets):
    report = import_roster(workbook(posts=posts, **sheets), district=district, actor=world.office)
    return report, [str(p) for p in report.problems]


def test_it_hands_over_a_leader_post_to_a_deputy_of_the_same_title(district, world):
    """One post shrinks (the leader leaves), another grows (the deputy becomes leader)
    the day it ends: the database never sees the two overlap."""
    first = [["P1", "hua", "班长", "党委书记", "2021-10", None, 0],
             ["P2", "hua", "班副", "党委书记", "2024-03", None, 1]]  # fmt: skip
    assert _import(district, world, first)[0].ok
    second = [["P1", "hua", "班长", "党委书记", "2021-10", "2024-03", 0],
              ["P2", "hua", "班长", "党委书记", "2024-03", None, 1]]  # fmt: skip
    report, messages = _import(district, world, second)
    assert report.ok, messages
    assert report.counts["任职"].updated == 2
    leaders = Post.objects.filter(unit__code="hua", role=Role.LEADER).order_by("start")
    assert [(p.person.code, p.end) for p in leaders] == [("P1", leaders[1].start), ("P2", None)]


def test_it_reports_a_leader_row_that_meets_a_leader_already_saved(district, world):
    assert _import(district, world, [["P1", "hua", "班长", "党委书记", "2021-10", None, 0]])[0].ok
    _report, messages = _import(
        district, world, [["P3", "hua", "班长", "党委书记", "2023-05", None, 0]]
    )
    assert messages == [
        "“任职”表第 2 行 C（角色）列：花镇在这段时间已有班长：花书记，自 2021-10-01 起任党委书记。"
        "请先结束该任职。"
    ]
    assert not Post.objects.filter(person__code="P3").exists()


def test_it_reports_a_correction_that_reopens_a_leader_post(district, world):
    posts = [["P4", "hua", "班长", "党委书记", "2016-09", "2021-10", 0],
             ["P1", "hua", "班长", "党委书记", "2021-10", None, 0]]  # fmt: skip
    assert _import(district, world, posts)[0].ok
    posts[0][5] = None  # the predecessor is said to hold the post still
    _report, messages = _import(district, world, posts)
    assert messages == [
        "“任职”表第 2 行 F（任职结束）列：花镇在这段时间已有班长：花书记，自 2021-10-01 起任党委书记。"
        "请先结束该任职。"
    ]


def test_it_refuses_a_post_in_a_unit_of_another_district(district, world):
    _report, messages = _import(
        district, world, [["P1", world.a.code, "班副", "委员", "2021-10", None, 0]]
    )
    assert messages == ["“任职”表第 2 行 B（单位代码）列：属于其他区"]


def test_it_refuses_a_unit_name_another_unit_holds(district, world):
    units = [*UNITS, ["mu", "花镇", "镇", 3]]
    _report, messages = _import(district, world, [], units=units)
    assert messages == ["“单位”表第 4 行 B（单位名称）列：已有名为 花镇 的镇街。"]


def test_it_reports_what_the_database_refuses_and_saves_nothing(district, world, monkeypatch):
    """Another import saved the same person a moment earlier."""
    write = roster._Plan.write

    def racing(plan):
        Person.objects.create(code="P1", name="抢先", gender="m")
        write(plan)

    monkeypatch.setattr(roster._Plan, "write", racing)
    entries = AuditEntry.objects.count()
    report, messages = _import(district, world, [])
    assert messages == ["“文件”表：数据库拒绝了这次导入：已有使用该编号的人员。"]
    assert not Unit.objects.filter(code="hua").exists()
    assert not Person.objects.filter(code__in=[p[0] for p in PEOPLE]).exists()
    assert AuditEntry.objects.count() == entries
    assert all(c.created == 0 for c in report.counts.values())
