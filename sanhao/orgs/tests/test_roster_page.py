"""The import page as the office uses it with a bad file: the first problems on the page,
every one of them in a workbook to download, never a 500."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from sanhao.accounts.services import create_account
from sanhao.orgs.models import Person, RosterProblems
from sanhao.orgs.roster import problems_workbook
from sanhao.orgs.tests.test_roster_attacks import PEOPLE_SHEET, _declare, _parts, _with, _zip
from sanhao.orgs.tests.test_roster_import import workbook


def _upload(client: Client, data: bytes):
    upload = SimpleUploadedFile("名册.xlsx", data)
    return client.post(reverse("orgs:roster_import"), {"file": upload})


def test_it_lists_the_first_200_problems_and_offers_every_one_as_a_workbook(world):
    client = world.client_for(world.office)
    people = [[f"P{i}", "", "男", None, None, None] for i in range(300)]
    response = _upload(client, workbook(people=people, posts=[]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "发现 300 个问题，未保存任何数据" in body
    assert body.count("<li>“人员”表第") == 200
    assert "这里列出前 200 个" in body and "下载全部 300 个问题（.xlsx）" in body
    kept = RosterProblems.objects.get(actor=world.office)
    url = reverse("orgs:roster_problems", kwargs={"problems_pk": kept.pk})
    assert url in body
    download = client.get(url)
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in download["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(download.content)).active.values)
    assert rows[0] == ("工作表", "行", "列", "问题")
    assert rows[1] == ("人员", 2, "B（姓名）", "不能为空")
    assert rows[-1] == ("人员", 301, "B（姓名）", "不能为空")
    assert len(rows) == 301
    assert not Person.objects.filter(code="P0").exists()


def test_it_offers_a_file_level_problem_as_a_workbook_too(world):
    client = world.client_for(world.office)
    body = _upload(client, b"PK\x03\x04 not a zip").content.decode()
    assert "这不是 Excel 工作簿（.xlsx）" in body and "下载全部 1 个问题（.xlsx）" in body
    kept = RosterProblems.objects.get(actor=world.office)
    download = client.get(reverse("orgs:roster_problems", kwargs={"problems_pk": kept.pk}))
    rows = list(load_workbook(io.BytesIO(download.content)).active.values)
    assert rows[1] == ("文件", None, None, "这不是 Excel 工作簿（.xlsx）")


def test_it_gives_the_problems_only_to_the_account_that_imported(world):
    _upload(world.client_for(world.office), b"nonsense")
    kept = RosterProblems.objects.get()
    url = reverse("orgs:roster_problems", kwargs={"problems_pk": kept.pk})
    other = create_account(username="office2", password="x" * 16, role="office", actor=None)
    assert world.client_for(other).get(url).status_code == 404
    assert world.client_for(world.liaison_a).get(url).status_code == 403
    assert world.client_for(world.office).get(url).status_code == 200


def test_it_forgets_the_problems_of_yesterday(world):
    client = world.client_for(world.office)
    _upload(client, b"nonsense")
    RosterProblems.objects.update(created=timezone.now() - dt.timedelta(days=1, minutes=1))
    _upload(client, b"nonsense again")
    assert RosterProblems.objects.count() == 1


def test_it_keeps_the_page_small_whatever_the_number_of_problems(world):
    client = world.client_for(world.office)
    people = [[f"P{i}", "", "?", "2021-13", "小学", None] for i in range(4000)]
    body = _upload(client, workbook(people=people, posts=[])).content.decode()
    assert "发现 16000 个问题" in body
    assert len(body) < 100_000


@pytest.mark.parametrize(
    "data",
    [
        _with(PEOPLE_SHEET, _declare(b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>')),
        _with(PEOPLE_SHEET, lambda xml: xml[:-100]),
        _with(
            PEOPLE_SHEET,
            lambda xml: xml.replace(b"</worksheet>", b" " * 40_000_000 + b"</worksheet>"),
        ),
        _zip({**_parts(workbook()), "xl/workbook.xml": b"<workbook><sheets><sheet name="}),
        workbook(people=[["P" * 45, "名" * 51, "男", "1" * 99, None, None]]),
        workbook(units=[["hua", "花镇", "镇", "99999999999999999999"], ["cao", "草镇", "镇", "፩"]]),
    ],
    ids=["external entity", "cut off", "bomb", "broken book", "too long", "huge order"],
)
def test_it_answers_every_hostile_upload_with_the_page_not_a_500(world, data):
    client = world.client_for(world.office)
    client.raise_request_exception = False
    response = _upload(client, data)
    assert response.status_code == 200
    assert "未保存任何数据" in response.content.decode()


def test_it_writes_problems_as_text_never_as_formulas():
    content = problems_workbook([["单位", 2, "C（类型）", '=HYPERLINK("http://x","y") 不在可选值之内'],
                                 ["文件", None, "", "控制\x01字符"]])  # fmt: skip
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet["D2"].data_type == "s"
    assert sheet["D2"].value == '=HYPERLINK("http://x","y") 不在可选值之内'
    assert sheet["D3"].value == "控制字符"
