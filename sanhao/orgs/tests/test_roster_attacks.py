"""The roster import tried as an attacker would: every file is refused or reported by
sheet, row and column, never a 500, never a silent drop or truncation."""

import io
import re
import struct
import tracemalloc
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sanhao.audit.models import AuditEntry
from sanhao.orgs import roster
from sanhao.orgs.models import District, Person, Post, Unit
from sanhao.orgs.roster import import_roster
from sanhao.orgs.tests.test_roster_import import PEOPLE, POSTS, UNITS, workbook

PEOPLE_SHEET = "xl/worksheets/sheet3.xml"  # the template's sheets: 说明, 单位, 人员, 任职


@pytest.fixture
def district(db):
    return District.objects.create(name="花草区")


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return {name: book.read(name) for name in book.namelist()}


def _zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, content in parts.items():
            book.writestr(name, content)
    return out.getvalue()


def _with(part: str, change, data: bytes | None = None) -> bytes:
    parts = _parts(data or workbook())
    parts[part] = change(parts[part])
    return _zip(parts)


def _messages(data: bytes, district, world) -> list[str]:
    before = (Unit.objects.count(), Person.objects.count(), Post.objects.count(),
              AuditEntry.objects.count())  # fmt: skip
    report = import_roster(data, district=district, actor=world.office)
    after = (Unit.objects.count(), Person.objects.count(), Post.objects.count(),
             AuditEntry.objects.count())  # fmt: skip
    assert after == before, "a refused file saved something"
    assert not report.ok
    return [str(p) for p in report.problems]


# Values the database cannot hold --------------------------------------------------------


@pytest.mark.parametrize(
    ("sheet", "index", "column", "value", "expected"),
    [
        ("units", 1, "B（单位名称）", "长" * 51, "最多 50 个字符，这里有 51 个"),
        ("units", 0, "A（单位代码）", "u" * 33, "最多 32 个字符，这里有 33 个"),
        ("people", 0, "A（人员编号）", "P" * 45, "最多 32 个字符，这里有 45 个"),
        ("people", 1, "B（姓名）", "名" * 51, "最多 50 个字符，这里有 51 个"),
        ("posts", 3, "D（职务）", "职" * 51, "最多 50 个字符，这里有 51 个"),
        ("posts", 0, "A（人员编号）", "P" * 45, "最多 32 个字符，这里有 45 个"),
        ("posts", 1, "B（单位代码）", "u" * 33, "最多 32 个字符，这里有 33 个"),
        ("units", 3, "D（排序）", "99999999999999999999", "不能大于 2147483647"),
        ("units", 3, "D（排序）", 99999999999999999999, "不能大于 2147483647"),
        ("units", 3, "D（排序）", 1e20, "不能大于 2147483647"),
        ("units", 3, "D（排序）", "፩", "应为整数，而不是“፩”"),
        ("units", 3, "D（排序）", "-1", "应为整数，而不是“-1”"),
        ("units", 3, "D（排序）", 1.5, "应为整数，而不是“1.5”"),
        ("posts", 6, "G（排序）", "99999999999999999999", "不能大于 2147483647"),
        ("posts", 6, "G（排序）", "٣", "应为整数，而不是“٣”"),
        ("people", 3, "D（出生年月）", True, "不是日期"),
        ("people", 3, "D（出生年月）", 10**19, "无法识别日期“1e+19”"),
        ("people", 3, "D（出生年月）", "2" * 5000, "无法识别日期“22222"),
        ("people", 2, "C（性别）", "男" * 5000, "男男男男…"),
    ],
)
def test_it_reports_a_value_the_database_cannot_hold(
    district, world, sheet, index, column, value, expected
):
    rows = {"units": [r[:] for r in UNITS], "people": [r[:] for r in PEOPLE],
            "posts": [r[:] for r in POSTS]}  # fmt: skip
    rows[sheet][0][index] = value
    messages = _messages(workbook(**rows), district, world)
    name = {"units": "单位", "people": "人员", "posts": "任职"}[sheet]
    wanted = f"“{name}”表第 2 行 {column}列："
    assert any(m.startswith(wanted) and expected in m for m in messages), messages
    assert all(len(m) < 200 for m in messages)


@pytest.mark.parametrize(
    ("number", "order", "born"),
    [
        ("inf", "应为整数，而不是“inf”", "无法识别日期“inf”"),
        ("-inf", "应为整数，而不是“-inf”", "无法识别日期“-inf”"),
        ("nan", "应为整数，而不是“nan”", "无法识别日期“nan”"),
        ("1e400", "应为整数，而不是“inf”", "无法识别日期“inf”"),
        ("9" * 5000, "应为整数，而不是“inf”", "无法识别日期“inf”"),
        ("99999999999999999999", "不能大于 2147483647", "无法识别日期“99999999999999999999”"),
        ("0x10", "应为整数，而不是“0x10”", "无法识别日期“0x10”"),
    ],
)
def test_it_reports_numbers_no_column_holds(district, world, number, order, born):
    """Numbers as a program other than Excel may write them into the XML."""
    cell = f"<v>{number}</v></c>".encode()
    data = _with(
        "xl/worksheets/sheet2.xml",
        lambda xml: xml.replace(b'<c r="D2" t="n"><v>1</v></c>', b'<c r="D2" t="n">' + cell),
    )
    data = _with(
        PEOPLE_SHEET,
        lambda xml: re.sub(
            rb'<c r="D2" t="inlineStr">.*?</c>', b'<c r="D2" t="n" s="0">' + cell, xml, count=1
        ),
        data,
    )
    messages = _messages(data, district, world)
    assert f"“单位”表第 2 行 D（排序）列：{order}" in messages, messages
    assert any(m.startswith(f"“人员”表第 2 行 D（出生年月）列：{born}") for m in messages), messages


# Hostile or damaged XML ------------------------------------------------------------


def _declare(dtd: bytes):
    def change(xml: bytes) -> bytes:
        end = xml.index(b"?>") + 2 if xml.startswith(b"<?xml") else 0
        return xml[:end] + dtd + xml[end:]

    return change


@pytest.mark.parametrize(
    "dtd",
    [
        b'<!DOCTYPE worksheet [<!ENTITY name "x">]>',
        b'<!DOCTYPE worksheet [<!ENTITY name SYSTEM "file:///etc/passwd">]>',
        b'<!DOCTYPE worksheet SYSTEM "http://127.0.0.1:9/evil.dtd">',
        b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>',
    ],
)
def test_it_refuses_a_sheet_that_declares_a_dtd_or_an_entity(district, world, dtd):
    messages = _messages(_with(PEOPLE_SHEET, _declare(dtd)), district, world)
    assert messages == ["“人员”表：文件含有 DTD 或实体声明，正常的工作簿不会有，已拒绝"]


@pytest.mark.parametrize("part", ["xl/workbook.xml", "xl/styles.xml", "[Content_Types].xml"])
def test_it_refuses_an_entity_in_any_part_it_reads(district, world, part):
    data = _with(part, _declare(b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'))
    if part == "[Content_Types].xml":  # not read: the file imports as it is
        assert import_roster(data, district=district, actor=world.office).ok
        return
    assert _messages(data, district, world) == [
        "“文件”表：文件含有 DTD 或实体声明，正常的工作簿不会有，已拒绝"
    ]


def test_it_refuses_an_entity_used_without_a_declaration(district, world):
    data = _with(PEOPLE_SHEET, lambda xml: xml.replace(b"</sheetData>", b"&x;</sheetData>"))
    [message] = _messages(data, district, world)
    assert message.startswith("“人员”表：文件已损坏：xl/worksheets/sheet3.xml 第 ")


def test_it_refuses_a_cut_off_sheet(district, world):
    data = _with(PEOPLE_SHEET, lambda xml: xml[: len(xml) * 2 // 3])
    assert _messages(data, district, world) == [
        "“人员”表：文件已损坏：xl/worksheets/sheet3.xml 第 1 行无法读取"
    ]


def test_it_reads_every_row_whatever_the_dimension_says(district, world):
    data = _with(
        PEOPLE_SHEET,
        lambda xml: re.sub(rb'<dimension ref="[^"]*" ?/>', b'<dimension ref="A1:B2"/>', xml),
    )
    assert b'ref="A1:B2"' in _parts(data)[PEOPLE_SHEET]
    report = import_roster(data, district=district, actor=world.office)
    assert report.ok, report.problems
    assert report.counts["人员"].created == len(PEOPLE)
    assert Person.objects.filter(code__in=["P1", "P2", "P3", "P4"]).count() == 4


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda xml: xml.replace(b'<row r="3"', b'<row r="1"', 1), "第 2 行之后出现第 1 行"),
        (lambda xml: xml.replace(b'<row r="3"', b'<row r="99999999999999"', 1), "第 99999999999999 行"),
        (lambda xml: xml.replace(b'r="B2"', b'r="ZZZZ2"', 1), "出现名为 ZZZZ2 的单元格"),
        (lambda xml: xml.replace(b'r="B2"', b'r="AAA2"', 1).replace(b'r="C2"', b'r="ZZZ2"', 1),
         "列数超过 Excel 的上限"),
    ],
)  # fmt: skip
def test_it_refuses_impossible_rows_and_cells(district, world, change, expected):
    [message] = _messages(_with(PEOPLE_SHEET, change), district, world)
    assert message.startswith("“人员”表：文件已损坏") and expected in message, message


def _shared(data: bytes, texts: list[str]) -> bytes:
    """The workbook with a table of shared texts, as Excel writes them."""
    parts = _parts(data)
    items = "".join(f"<si><t>{t}</t></si>" for t in texts)
    parts["xl/sharedStrings.xml"] = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{items}<si><r><t>富</t></r><r><t>文本</t></r><rPh><t>ふ</t></rPh></si></sst>"
    ).encode()
    rels = "xl/_rels/workbook.xml.rels"
    parts[rels] = parts[rels].replace(b"</Relationships>", (
        b'<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.openxmlformats'
        b'.org/officeDocument/2006/relationships/sharedStrings"/></Relationships>'))  # fmt: skip
    return _zip(parts)


def _shared_cell(index: int):
    def change(xml: bytes) -> bytes:
        return re.sub(rb'<c r="B2" t="inlineStr">.*?</c>',
                      f'<c r="B2" t="s"><v>{index}</v></c>'.encode(), xml, count=1)  # fmt: skip

    return change


def test_it_reads_shared_texts_as_excel_writes_them(district, world):
    data = _with(PEOPLE_SHEET, _shared_cell(1), _shared(workbook(), ["甲", "共享名"]))
    assert import_roster(data, district=district, actor=world.office).ok
    assert Person.objects.get(code="P1").name == "共享名"
    data = _with(PEOPLE_SHEET, _shared_cell(2), _shared(workbook(), ["甲", "共享名"]))
    assert import_roster(data, district=district, actor=world.office).ok
    assert Person.objects.get(code="P1").name == "富文本"


@pytest.mark.parametrize("index", ["3", "-1", "x", "99999999999999999999"])
def test_it_refuses_a_reference_to_a_text_that_does_not_exist(district, world, index):
    data = _with(PEOPLE_SHEET, _shared_cell(index), _shared(workbook(), ["甲", "乙"]))
    [message] = _messages(data, district, world)
    assert message == "“人员”表：文件已损坏：有单元格引用了不存在的文本"


@pytest.mark.parametrize("part", [PEOPLE_SHEET, "xl/sharedStrings.xml"])
def test_it_refuses_a_cell_longer_than_excel_allows(district, world, part):
    """A compressible cell of 30 million characters would take gigabytes once unpacked."""
    data = _shared(workbook(), ["甲"])
    data = _with(
        part,
        lambda xml: xml.replace(b"<t>P1</t>", ("<t>" + "𝌆" * 40_000 + "</t>").encode()).replace(
            b"<t>\xe7\x94\xb2</t>", ("<t>" + "𝌆" * 40_000 + "</t>").encode()
        ),
        data,
    )
    [message] = _messages(data, district, world)
    assert message.endswith("文件已损坏：有单元格超过 Excel 允许的 32767 个字符"), message


def test_it_reads_inline_text_and_numbers_typed_as_text(district, world):
    def change(xml: bytes) -> bytes:
        row = ('<row r="9"><c r="A9" t="inlineStr"><is><t>P9</t></is></c><c r="B9" '
               't="inlineStr"><is><r><t>内</t></r><r><t>联</t></r><rPh><t>ㄋㄟ</t></rPh></is></c>'
               '<c r="C9" t="str"><f>"女"</f><v>女</v></c></row>')  # fmt: skip
        return xml.replace(b"</sheetData>", row.encode() + b"</sheetData>")

    report = import_roster(_with(PEOPLE_SHEET, change), district=district, actor=world.office)
    assert report.ok, report.problems
    assert Person.objects.get(code="P9").name == "内联"


# Zip bombs and other containers -------------------------------------------------------


def test_it_refuses_a_zip_bomb_before_unpacking_it(district, world):
    def change(xml: bytes) -> bytes:
        return xml.replace(b"</worksheet>", b" " * (200 * 1024 * 1024) + b"</worksheet>")

    data = _with(PEOPLE_SHEET, change)
    assert len(data) < 2 * 1024 * 1024
    tracemalloc.start()
    try:
        messages = _messages(data, district, world)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert messages == ["“文件”表：工作簿解压后超过 32 MB，请拆分为较小的文件"]
    assert peak < 20 * 1024 * 1024


def _central_entries(data: bytes):
    """(offset, name) of each entry of the zip's central directory."""
    offset = zipfile.ZipFile(io.BytesIO(data)).start_dir
    while data[offset : offset + 4] == b"PK\x01\x02":
        name_length, extra, comment = struct.unpack_from("<HHH", data, offset + 28)
        yield offset, data[offset + 46 : offset + 46 + name_length].decode()
        offset += 46 + name_length + extra + comment


def _lie_about_size(data: bytes, part: str, size: int) -> bytes:
    """Write a smaller uncompressed size into the zip's headers than the entry holds."""
    buffer = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(part)
    struct.pack_into("<I", buffer, info.header_offset + 22, size)  # local header
    directory = next(offset for offset, name in _central_entries(data) if name == part)
    struct.pack_into("<I", buffer, directory + 24, size)
    return bytes(buffer)


def test_it_never_unpacks_more_than_an_entry_declares(district, world):
    def change(xml: bytes) -> bytes:
        return xml.replace(b"</worksheet>", b" " * (100 * 1024 * 1024) + b"</worksheet>")

    data = _lie_about_size(_with(PEOPLE_SHEET, change), PEOPLE_SHEET, 5000)
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo(PEOPLE_SHEET).file_size == 5000
    tracemalloc.start()
    try:
        messages = _messages(data, district, world)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(messages) == 1 and messages[0].startswith("“人员”表：文件已损坏"), messages
    assert peak < 20 * 1024 * 1024


def test_it_refuses_a_zip_of_too_many_entries(district, world):
    parts = _parts(workbook()) | {f"junk/{i}.xml": b"<a/>" for i in range(200)}
    assert _messages(_zip(parts), district, world) == [
        "“文件”表：文件包含 212 个部件，超过工作簿允许的 100 个"
    ]


def test_it_refuses_an_encrypted_entry(district, world):
    data = bytearray(workbook())
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()[0]
    data[info.header_offset + 6] |= 1
    directory = next(o for o, name in _central_entries(bytes(data)) if name == info.filename)
    data[directory + 8] |= 1
    assert _messages(bytes(data), district, world) == [
        "“文件”表：工作簿设有密码保护，请取消密码后另存再上传"
    ]


@pytest.mark.parametrize(
    "data",
    [b"", b"PK\x03\x04", b"PK\x05\x06" + b"\0" * 18, _zip({"a.txt": b"x"}), b"\xff" * 5000],
)
def test_it_refuses_what_is_not_a_workbook(district, world, data):
    assert _messages(data, district, world) == ["“文件”表：这不是 Excel 工作簿（.xlsx）"]


def test_it_refuses_a_workbook_whose_sheet_part_is_missing(district, world):
    parts = _parts(workbook())
    del parts[PEOPLE_SHEET]
    assert _messages(_zip(parts), district, world) == [
        "“人员”表：文件已损坏：缺少 xl/worksheets/sheet3.xml"
    ]


def test_it_refuses_a_sheet_of_more_rows_than_allowed(district, world, monkeypatch):
    monkeypatch.setattr(roster, "LIMITS", roster.xlsx.Limits(rows=3))
    assert _messages(workbook(), district, world) == [
        "“人员”表：这张表超过 3 行，请拆分为较小的文件",
        "“任职”表：这张表超过 3 行，请拆分为较小的文件",
    ]


def test_it_refuses_too_many_different_texts(district, world, monkeypatch):
    monkeypatch.setattr(roster, "LIMITS", roster.xlsx.Limits(strings=5))
    assert _messages(_shared(workbook(), list("甲乙丙丁戊")), district, world) == [
        "“文件”表：工作簿中不同的文本超过 5 个"
    ]


# Scale ------------------------------------------------------------------------------


def _roster(n: int, prefix: str = "P") -> bytes:
    units = [[f"u{i}", f"第{i}镇", "镇", i] for i in range(max(1, n // 10))]
    people = [[f"{prefix}{i}", f"人{i}", "男", "1980-05", "大学本科", None] for i in range(n)]
    posts = [[f"{prefix}{i}", f"u{i % len(units)}", "班副", f"委员{i}", "2021-10", None, 1]
             for i in range(n)]  # fmt: skip
    return workbook(units, people, posts)


def test_it_imports_in_the_same_number_of_queries_for_ten_and_two_hundred_rows(district, world):
    def queries(data: bytes) -> int:
        with CaptureQueriesContext(connection) as context:
            assert import_roster(data, district=district, actor=world.office).ok
        return len(context.captured_queries)

    small = queries(_roster(10, "S"))
    assert queries(_roster(120, "L")) == small  # below a batch of bulk writes (SQLite's)
    assert queries(_roster(120, "L")) < small  # the second time nothing is written


def test_it_leaves_one_audit_entry_listing_every_change(district, world):
    entries = AuditEntry.objects.count()
    import_roster(_roster(30, "R"), district=district, actor=world.office)
    assert AuditEntry.objects.count() == entries + 1
    entry = AuditEntry.objects.latest("seq")
    assert (entry.action, entry.actor, entry.object_id) == (
        "orgs.roster.import",
        world.office,
        str(district.pk),
    )
    assert entry.data["counts"]["posts"] == {"created": 30, "updated": 0, "unchanged": 0}
    assert len(entry.data["people created"]) == 30
    assert entry.data["posts created"][0] == ["R0", "u0", "deputy", "委员0", "2021-10-01", None, 1]
    import_roster(workbook(posts=[]), district=district, actor=world.office)
    people = [row[:] for row in PEOPLE]
    people[0][1] = "改名"
    import_roster(workbook(people=people, posts=[]), district=district, actor=world.office)
    import_roster(workbook(people=people, posts=[]), district=district, actor=world.office)
    entry = AuditEntry.objects.latest("seq")
    assert entry.data["people updated"] == [["P1", {"name": ["花书记", "改名"]}]]
    assert AuditEntry.objects.count() == entries + 3  # the same file again wrote nothing


def test_it_keeps_every_problem_of_a_large_bad_file(district, world):
    people = [[f"P{i}", "", "男", "2021-13", None, None] for i in range(3000)]
    report = import_roster(workbook(people=people, posts=[]), district=district,
                           actor=world.office)  # fmt: skip
    assert len(report.problems) == 6000
    assert str(report.problems[-1]).startswith("“人员”表第 3001 行 D（出生年月）列")
