"""The organisation pages, used as the office and the others use them."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from sanhao.accounts.services import create_account
from sanhao.audit.models import AuditEntry
from sanhao.orgs.models import District, Person, Post, Unit
from sanhao.orgs.tests.test_roster_import import workbook


def test_it_shows_the_office_every_unit_with_its_leader(world):
    body = world.client_for(world.office).get(reverse("orgs:unit_list")).content.decode()
    assert "甲镇" in body and "乙街道" in body and "甲书记" in body and "乙书记" in body


def test_it_shows_a_liaison_only_their_unit(world):
    client = world.client_for(world.liaison_a)
    body = client.get(reverse("orgs:unit_list")).content.decode()
    assert "甲镇" in body and "乙街道" not in body
    home = client.get(reverse("home")).content.decode()
    assert "本镇街" in home and "甲镇" in home and "乙街道" not in home
    people = client.get(reverse("orgs:person_list")).content.decode()
    assert "甲镇长" in people and "乙主任" not in people


def test_it_shows_the_current_team_and_the_past_posts_of_a_unit(world):
    client = world.client_for(world.office)
    post = world.posts["A1"]
    client.post(reverse("orgs:post_end", kwargs={"post_pk": post.pk}), {"end": "2024年3月"})
    body = client.get(reverse("orgs:unit_detail", kwargs={"code": world.a.code})).content.decode()
    assert "已卸任，记录保留在历任记录中" in body
    current, past = body.split("<h2>历任记录</h2>")
    assert "甲书记" in current and "甲镇长" not in current
    assert "甲镇长" in past and "2024-03-01" in past


def test_it_lets_a_viewer_read_but_not_edit(world):
    client = world.client_for(world.viewer)
    body = client.get(reverse("orgs:unit_detail", kwargs={"code": world.a.code})).content.decode()
    assert "甲书记" in body and "新增任职" not in body and "卸任" not in body


def test_it_creates_a_unit_through_the_form(world):
    client = world.client_for(world.office)
    response = client.post(reverse("orgs:unit_create"),
                           {"code": "town-c", "name": "丙镇", "kind": "town", "order": 3})  # fmt: skip
    assert response.status_code == 302
    assert Unit.objects.get(code="town-c").name == "丙镇"
    again = client.post(reverse("orgs:unit_create"),
                        {"code": "town-c", "name": "丁镇", "kind": "town", "order": 4})  # fmt: skip
    assert "已有代码为 town-c 的镇街" in again.content.decode()


def test_it_edits_a_unit(world):
    client = world.client_for(world.office)
    url = reverse("orgs:unit_edit", kwargs={"code": world.a.code})
    client.post(url, {"code": "ignored", "name": "甲镇（新）", "kind": "town", "order": 5})
    world.a.refresh_from_db()
    assert (world.a.code, world.a.name, world.a.order) == ("town-a", "甲镇（新）", 5)
    assert AuditEntry.objects.filter(action="orgs.unit.update", actor=world.office).exists()


def test_it_creates_and_edits_a_person_with_dates_typed_as_clerks_do(world):
    client = world.client_for(world.office)
    response = client.post(reverse("orgs:person_create"), {
        "code": "N1", "name": "新干部", "gender": "f", "birth_month": "１９８７年１０月",
        "education": "master", "party_joined": "2008.06",
    })  # fmt: skip
    person = Person.objects.get(code="N1")
    assert response["Location"] == reverse("orgs:person_detail", kwargs={"person_pk": person.pk})
    assert (person.birth_month, person.party_joined) == (dt.date(1987, 10, 1), dt.date(2008, 6, 1))
    bad = client.post(reverse("orgs:person_edit", kwargs={"person_pk": person.pk}), {
        "name": "新干部", "gender": "f", "birth_month": "1987-13",
    })  # fmt: skip
    assert "1987-13 不是有效日期" in bad.content.decode()
    client.post(reverse("orgs:person_edit", kwargs={"person_pk": person.pk}),
                {"code": "changed", "name": "新干部", "gender": "f", "birth_month": "1987-11"})  # fmt: skip
    person.refresh_from_db()
    assert (person.code, person.birth_month) == ("N1", dt.date(1987, 11, 1))


def test_it_adds_a_post_and_explains_an_overlapping_leader(world):
    client = world.client_for(world.office)
    person = world.person("B2")
    url = reverse("orgs:post_create", kwargs={"code": world.a.code})
    refused = client.post(url, {"person": person.pk, "role": "leader", "title": "党委书记",
                                "start": "2023-01", "order": 0})  # fmt: skip
    assert "甲镇在这段时间已有班长：甲书记" in refused.content.decode()
    client.post(url, {"person": person.pk, "role": "deputy", "title": "党委委员",
                      "start": "2023-01", "order": 5})  # fmt: skip
    assert Post.objects.filter(person=person, unit=world.a, title="党委委员").exists()


def test_it_corrects_a_post_and_keeps_the_old_value_in_the_log(world):
    client = world.client_for(world.office)
    post = world.posts["A2"]
    client.post(reverse("orgs:post_edit", kwargs={"post_pk": post.pk}), {
        "role": "deputy", "title": "党委委员、副镇长", "start": "2021-10-01", "end": "", "order": 2,
    })  # fmt: skip
    post.refresh_from_db()
    assert post.title == "党委委员、副镇长"
    entry = AuditEntry.objects.get(action="orgs.post.correct")
    assert entry.data["changes"]["title"] == ["副镇长", "党委委员、副镇长"]


def test_it_searches_people(world):
    body = world.client_for(world.office).get(reverse("orgs:person_list"), {"q": "乙"}).content
    assert "乙主任" in body.decode() and "甲镇长" not in body.decode()


def test_it_downloads_the_template(world):
    response = world.client_for(world.office).get(reverse("orgs:roster_template"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"


def test_it_imports_a_roster_upload_and_shows_the_counts(world):
    client = world.client_for(world.office)
    upload = SimpleUploadedFile("名册.xlsx", workbook())
    body = client.post(reverse("orgs:roster_import"), {"file": upload}).content.decode()
    assert "导入成功" in body
    assert Unit.objects.filter(code="hua", district=world.district).exists()
    again = client.post(
        reverse("orgs:roster_import"), {"file": SimpleUploadedFile("a.xlsx", workbook())}
    )
    assert "没有变化" in again.content.decode()


def test_it_shows_every_problem_of_a_bad_roster_upload(world):
    client = world.client_for(world.office)
    people = [["P1", "", "男", "2021-13", None, None]]
    upload = SimpleUploadedFile("名册.xlsx", workbook(people=people, posts=[]))
    body = client.post(reverse("orgs:roster_import"), {"file": upload}).content.decode()
    assert "发现 2 个问题，未保存任何数据" in body
    assert "“人员”表第 2 行 B（姓名）列：不能为空" in body
    assert not Unit.objects.filter(code="hua").exists()


def test_it_refuses_a_file_that_is_not_xlsx(world):
    client = world.client_for(world.office)
    upload = SimpleUploadedFile("名册.csv", b"a,b")
    body = client.post(reverse("orgs:roster_import"), {"file": upload}).content.decode()
    assert "请上传 .xlsx 格式的 Excel 文件" in body


def test_it_creates_the_district_with_the_first_roster(db):
    office = create_account(username="o", password="x" * 12, role="office", actor=None)
    client = Client()
    client.force_login(office)
    form = client.get(reverse("orgs:roster_import")).content.decode()
    assert "区名称" in form
    client.post(reverse("orgs:roster_import"),
                {"district": "新区", "file": SimpleUploadedFile("a.xlsx", workbook())})  # fmt: skip
    assert District.objects.get().name == "新区"
    assert Unit.objects.filter(district__name="新区").count() == 2


def test_it_creates_no_district_when_the_first_roster_fails(db):
    office = create_account(username="o", password="x" * 12, role="office", actor=None)
    client = Client()
    client.force_login(office)
    bad = workbook(people=[["P1", "", "男", None, None, None]], posts=[])
    client.post(reverse("orgs:roster_import"),
                {"district": "新区", "file": SimpleUploadedFile("a.xlsx", bad)})  # fmt: skip
    assert not District.objects.exists()
    assert not AuditEntry.objects.filter(action="orgs.district.create").exists()


def test_it_refuses_an_overlapping_leader_in_the_admin_too(world):
    client = world.client_for(world.office)
    person = world.person("B2")
    post = {"person": person.pk, "unit": world.a.pk, "role": "leader", "title": "党委书记",
            "start": "2023-01-01", "order": 0}  # fmt: skip
    current = client.post("/admin/orgs/post/add/", post)
    assert "这个镇街已有在任班长，请先结束该任职。" in current.content.decode()
    past = client.post(
        "/admin/orgs/post/add/", {**post, "start": "2020-01-01", "end": "2022-01-01"}
    )
    assert "甲镇在这段时间已有班长：甲书记" in past.content.decode()
    assert not Post.objects.filter(person=person, unit=world.a).exists()
