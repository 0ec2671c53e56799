import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from sanhao.audit.models import AuditEntry
from sanhao.orgs.models import District, Person, Post, Role, Unit
from sanhao.orgs.roster import build_template, import_roster

UNITS = [["hua", "花镇", "镇", 1], ["cao", "草街道", "街道", 2]]
PEOPLE = [
    ["P1", "花书记", "男", "1975-03", "硕士研究生", "1998年6月"],
    ["P2", "花镇长", "女", "１９８０－０５", "大学本科", None],
    ["P3", "草书记", "男", dt.datetime(1978, 1, 1), "本科", "2001.07"],
    ["P4", "前任书记", "男", None, None, None],
]
POSTS = [
    ["P4", "hua", "班长", "党委书记", "2016-09", "2021-10", 0],
    ["P1", "hua", "班长", "党委书记", "2021-10", None, 0],
    ["P2", "hua", "班副", "镇长", "2021年10月", None, 1],
    ["P3", "cao", "班长", "党工委书记", dt.datetime(2021, 10, 1), None, 0],
]


def workbook(units=UNITS, people=PEOPLE, posts=POSTS) -> bytes:
    """The downloadable template, filled in as a clerk would."""
    book = load_workbook(io.BytesIO(build_template()))
    for sheet, rows in (("单位", units), ("人员", people), ("任职", posts)):
        for row in rows:
            book[sheet].append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def district(db):
    return District.objects.create(name="花草区")


def test_it_imports_units_people_and_posts(district, world):
    report = import_roster(workbook(), district=district, actor=world.office)
    assert report.ok, report.problems
    assert {k: (c.created, c.updated, c.unchanged) for k, c in report.counts.items()} == {
        "单位": (2, 0, 0), "人员": (4, 0, 0), "任职": (4, 0, 0),
    }  # fmt: skip
    hua = Unit.objects.get(code="hua")
    assert (hua.name, hua.kind, hua.district) == ("花镇", Unit.Kind.TOWN, district)
    p2 = Person.objects.get(code="P2")
    assert (p2.gender, p2.birth_month, p2.education) == ("f", dt.date(1980, 5, 1), "bachelor")
    assert Person.objects.get(code="P1").party_joined == dt.date(1998, 6, 1)
    leaders = Post.objects.filter(unit=hua, role=Role.LEADER).order_by("start")
    assert [(p.person.code, p.start, p.end) for p in leaders] == [
        ("P4", dt.date(2016, 9, 1), dt.date(2021, 10, 1)),
        ("P1", dt.date(2021, 10, 1), None),
    ]
    # One audit entry for the whole import, listing every row it created.
    entry = AuditEntry.objects.get(action="orgs.roster.import", actor=world.office)
    assert entry.data["counts"]["posts"] == {"created": 4, "updated": 0, "unchanged": 0}
    assert len(entry.data["posts created"]) == 4


def test_it_changes_nothing_when_the_same_file_is_imported_again(district, world):
    data = workbook()
    import_roster(data, district=district, actor=world.office)
    entries = AuditEntry.objects.count()
    report = import_roster(data, district=district, actor=world.office)
    assert report.ok and not report.changed
    assert {k: c.unchanged for k, c in report.counts.items()} == {"单位": 2, "人员": 4, "任职": 4}
    assert AuditEntry.objects.count() == entries


def test_it_updates_what_changed_and_ends_a_post(district, world):
    import_roster(workbook(), district=district, actor=world.office)
    people = [row[:] for row in PEOPLE]
    people[1][1] = "花镇长改名"
    posts = [row[:] for row in POSTS]
    posts[1][5] = "2024-03"  # P1 leaves ...
    posts.append(["P2", "hua", "班长", "党委书记", "2024-03", None, 0])  # ... P2 succeeds
    report = import_roster(workbook(people=people, posts=posts), district=district,
                           actor=world.office)  # fmt: skip
    assert report.ok, [str(p) for p in report.problems]
    assert (report.counts["人员"].updated, report.counts["任职"].updated) == (1, 1)
    assert report.counts["任职"].created == 1
    assert Post.objects.get(person__code="P1").end == dt.date(2024, 3, 1)


def test_it_reports_every_problem_with_sheet_row_and_column_and_saves_nothing(district, world):
    units = [*UNITS, ["", "无代码镇", "镇", 3], ["bad code", "空格镇", "乡镇", "x"]]
    people = [*PEOPLE, ["P5", "", "男", "2021.13", "小学", None], ["P1", "重复", "男", None,
                                                                    None, None]]  # fmt: skip
    posts = [*POSTS, ["P9", "hua", "班副", "副镇长", "2022-01", None, None],
             ["P2", "hua", "主任", "副镇长", "2022-01", "2021-01", None]]  # fmt: skip
    before = (Unit.objects.count(), Person.objects.count(), Post.objects.count(),
              AuditEntry.objects.count())  # fmt: skip
    report = import_roster(workbook(units, people, posts), district=district, actor=world.office)
    messages = [str(p) for p in report.problems]
    assert "“单位”表第 4 行 A（单位代码）列：不能为空" in messages
    assert any(m.startswith("“单位”表第 5 行 C（类型）列") and "乡镇" in m for m in messages)
    assert any(m.startswith("“单位”表第 5 行 D（排序）列") for m in messages)
    assert "“人员”表第 6 行 B（姓名）列：不能为空" in messages
    assert any(m.startswith("“人员”表第 6 行 D（出生年月）列") for m in messages)
    assert any(m.startswith("“人员”表第 6 行 E（学历）列") and "小学" in m for m in messages)
    assert "“人员”表第 7 行：与第 2 行重复" in messages
    assert any(m.startswith("“任职”表第 7 行 C（角色）列") for m in messages)
    # Each row reports what is wrong with it; P9 and row 8's dates wait for the write phase.
    assert len(messages) == 8, messages
    after = (Unit.objects.count(), Person.objects.count(), Post.objects.count(),
             AuditEntry.objects.count())  # fmt: skip
    assert after == before


def test_it_reports_problems_found_while_writing_and_rolls_everything_back(district, world):
    posts = [*POSTS, ["P2", "hua", "班长", "党委书记", "2023-01", None, 0],
             ["P9", "hua", "班副", "副镇长", "2022-01", None, None],
             ["P1", "nowhere", "班副", "副镇长", "2022-01", None, None]]  # fmt: skip
    before = (Person.objects.count(), AuditEntry.objects.count())
    report = import_roster(workbook(posts=posts), district=district, actor=world.office)
    messages = [str(p) for p in report.problems]
    assert any(
        m.startswith("“任职”表第 6 行 C（角色）列：花镇在这段时间已有班长") for m in messages
    )
    assert "“任职”表第 7 行 A（人员编号）列：没有编号为 P9 的人员" in messages
    assert "“任职”表第 8 行 B（单位代码）列：没有代码为 nowhere 的镇街" in messages
    assert (Person.objects.count(), AuditEntry.objects.count()) == before
    assert not Unit.objects.filter(code="hua").exists()
    assert all(c.created == 0 for c in report.counts.values())


def test_it_refuses_a_post_that_ends_before_it_starts(district, world):
    posts = [["P2", "hua", "班副", "副镇长", "2022-01", "2021-01", None]]
    report = import_roster(workbook(posts=posts), district=district, actor=world.office)
    assert [str(p) for p in report.problems] == [
        "“任职”表第 2 行 F（任职结束）列：任职结束必须晚于任职开始"
    ]


def test_it_reports_a_missing_sheet_and_column(district, world):
    book = load_workbook(io.BytesIO(workbook()))
    del book["任职"]
    book["人员"].delete_cols(2)
    out = io.BytesIO()
    book.save(out)
    messages = [str(p) for p in import_roster(out.getvalue(), district=district,
                                              actor=world.office).problems]  # fmt: skip
    assert "“任职”表：缺少这张工作表" in messages
    assert "“人员”表第 1 行：缺少“姓名”列" in messages


def test_it_refuses_a_file_that_is_not_a_workbook(district, world):
    report = import_roster(b"\x00\x01 garbage", district=district, actor=world.office)
    assert [str(p) for p in report.problems] == ["“文件”表：这不是 Excel 工作簿（.xlsx）"]
    report = import_roster(b"name,code\n", district=district, actor=world.office)
    assert [str(p) for p in report.problems] == [
        "“文件”表：这是改了扩展名的文本文件（CSV）：请用 Excel 或 WPS 打开，另存为“Excel 工作簿 (.xlsx)”"
    ]


def test_it_reads_the_ambiguous_number_2021_1_as_a_problem(district, world):
    people = [["P1", "花书记", "男", 2021.1, None, None]]
    report = import_roster(workbook(people=people, posts=[]), district=district,
                           actor=world.office)  # fmt: skip
    assert "有歧义" in str(report.problems[0])


def test_it_ships_a_template_with_three_sheets_and_notes():
    book = load_workbook(io.BytesIO(build_template()))
    assert book.sheetnames == ["说明", "单位", "人员", "任职"]
    assert [c.value for c in book["任职"][1]] == [
        "人员编号*", "单位代码*", "角色*", "职务*", "任职开始*", "任职结束", "排序",
    ]  # fmt: skip
