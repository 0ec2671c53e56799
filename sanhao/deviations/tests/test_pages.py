"""The deviation pages: who sees what, the office's form, the update form, the file, the
unit page; the list in the same number of queries for 13 and 130 units."""

import datetime as dt

from django.urls import reverse

from sanhao.deviations import services
from sanhao.deviations.models import Deviation, DeviationUpdate
from sanhao.deviations.tests.helpers import deviation, pdf
from sanhao.orgs.models import Unit
from sanhao.orgs.tests.test_query_counts import grow, queries
from sanhao.records.tests.helpers import add


def url(world, name, **kwargs):
    return reverse(f"deviations:{name}", kwargs={"pk": world.campaign.pk, **kwargs})


def test_the_office_and_the_viewer_see_every_units_deviations_a_liaison_their_own(world):
    deviation(world, problem="甲镇问题")
    deviation(world, world.b, problem="乙街道问题")
    for user in (world.office, world.viewer):
        body = world.client_for(user).get(url(world, "list")).content.decode()
        assert "甲镇问题" in body and "乙街道问题" in body
    body = world.client_for(world.liaison_a).get(url(world, "list")).content.decode()
    assert "甲镇问题" in body and "乙街道问题" not in body and "提出纠偏事项" not in body
    assert world.client_for(world.judge).get(url(world, "list")).status_code == 403


def test_the_list_shows_overdue_and_filters_it(world):
    deviation(world, problem="逾期的问题", deadline=dt.date(2026, 7, 1))
    deviation(world, problem="未到期的问题", deadline=dt.date(2026, 12, 31))
    client = world.client_for(world.office)
    body = client.get(url(world, "list"), {"show": "overdue"}).content.decode()
    assert "逾期的问题" in body and "未到期的问题" not in body and "逾期 " in body
    assert "已逾期（1）" in body and "全部（2）" in body


def test_the_office_raises_a_deviation_from_a_supervision_record(world):
    meeting = add(world, type="supervision", period=6, day=dt.date(2026, 6, 10), actor=world.office)
    client = world.client_for(world.office)
    assert "提出纠偏事项" in client.get(url(world, "raise")).content.decode()
    response = client.post(url(world, "raise"), {
        "unit": world.a.pk, "record": meeting.pk, "found_on": "2026-06-10",
        "problem": "项目推进缓慢", "correction": "倒排工期", "deadline": "2026年7月",
    })  # fmt: skip
    found = Deviation.objects.get()
    assert response.status_code == 302 and response["Location"] == url(
        world, "detail", deviation_pk=found.pk
    )
    assert found.record == meeting and found.deadline == dt.date(2026, 7, 1)


def test_the_raise_form_says_what_is_wrong_and_saves_nothing(world):
    client = world.client_for(world.office)
    response = client.post(url(world, "raise"), {
        "unit": world.a.pk, "found_on": "2026-06-10", "problem": "项目推进缓慢",
        "correction": "倒排工期", "deadline": "2026-06-01",
    })  # fmt: skip
    assert response.status_code == 200
    assert "整改期限不能早于发现日期" in response.content.decode()
    meeting = add(world, world.b, type="supervision", period=6, day=dt.date(2026, 6, 10))
    response = client.post(url(world, "raise"), {
        "unit": world.a.pk, "record": meeting.pk, "found_on": "2026-06-10",
        "problem": "x", "correction": "y", "deadline": "2026-07-01",
    })  # fmt: skip
    assert "这条月督记录属于其他镇街" in response.content.decode()
    assert not Deviation.objects.exists()


def test_only_the_office_may_raise(world):
    for user in (world.liaison_a, world.viewer, world.judge):
        assert world.client_for(user).get(url(world, "raise")).status_code == 403


def test_the_liaison_closes_with_evidence_and_a_file_from_the_page(world):
    found = deviation(world)
    client = world.client_for(world.liaison_a)
    page = client.get(url(world, "detail", deviation_pk=found.pk)).content.decode()
    assert "督办事项未落实" in page and 'name="status"' in page and "撤销" not in page
    response = client.post(url(world, "update", deviation_pk=found.pk),
                           {"status": "closed", "note": "已整改到位", "file": pdf()})  # fmt: skip
    assert response.status_code == 302
    assert services.status_of(found) == "closed"
    update = DeviationUpdate.objects.get()
    page = client.get(url(world, "detail", deviation_pk=found.pk)).content.decode()
    assert "已整改到位" in page and "整改报告.pdf" in page and 'name="status"' not in page
    download = client.get(url(world, "download", deviation_pk=found.pk, update_pk=update.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert download["Cache-Control"] == "private, no-store"


def test_the_update_form_says_why_nothing_was_saved(world):
    found = deviation(world)
    client = world.client_for(world.liaison_a)
    response = client.post(url(world, "update", deviation_pk=found.pk),
                           {"status": "dropped", "note": "不需要"}, follow=True)  # fmt: skip
    assert "进展未保存" in response.content.decode()
    assert not DeviationUpdate.objects.exists()


def test_another_units_deviation_and_file_answer_404_to_a_liaison(world):
    found = deviation(world, world.b)
    update = services.update_deviation(found, status="open", note="整改中", file=pdf(),
                                       actor=world.office)  # fmt: skip
    client = world.client_for(world.liaison_a)
    assert client.get(url(world, "detail", deviation_pk=found.pk)).status_code == 404
    assert client.post(url(world, "update", deviation_pk=found.pk),
                       {"status": "open", "note": "x"}).status_code == 404  # fmt: skip
    assert client.get(url(world, "download", deviation_pk=found.pk,
                          update_pk=update.pk)).status_code == 404  # fmt: skip
    assert DeviationUpdate.objects.count() == 1
    viewer = world.client_for(world.viewer)
    assert viewer.get(url(world, "detail", deviation_pk=found.pk)).status_code == 200
    assert viewer.post(url(world, "update", deviation_pk=found.pk),
                       {"status": "open", "note": "x"}).status_code == 403  # fmt: skip


def test_the_unit_page_lists_its_open_deviations(world):
    deviation(world, problem="逾期未改的问题", deadline=dt.date(2026, 7, 1))
    closed = deviation(world, problem="已整改的问题")
    services.update_deviation(closed, status="closed", note="已整改", actor=world.office)
    deviation(world, world.b, problem="乙街道的问题")
    client = world.client_for(world.liaison_a)
    body = client.get(reverse("orgs:unit_detail", kwargs={"code": world.a.code})).content.decode()
    assert "整改中的纠偏事项" in body and "逾期未改的问题" in body
    assert "已整改的问题" not in body and "乙街道的问题" not in body


def deviations_everywhere(world) -> None:
    for unit in Unit.objects.filter(deviations__isnull=True).order_by("order"):
        found = deviation(world, unit, problem=f"{unit.name}问题", deadline=dt.date(2026, 7, 1))
        services.update_deviation(found, status="open", note="整改中", actor=world.office)


def test_the_list_and_the_unit_page_read_in_the_same_number_of_queries_for_13_and_130_units(world):
    client = world.client_for(world.office)
    pages = [url(world, "list"), reverse("orgs:unit_detail", kwargs={"code": world.a.code})]
    grow(world, 13, 3)
    deviations_everywhere(world)
    small = [queries(client, page) for page in pages]
    grow(world, 130, 3)
    deviations_everywhere(world)
    assert [queries(client, page) for page in pages] == small
    assert client.get(pages[0]).content.decode().count("问题</a>") == 130
