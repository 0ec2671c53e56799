"""The scheme pages: read, download, upload or paste a new version; who may do what."""

from __future__ import annotations

from html import unescape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from sanhao.accounts.models import AccountRole
from sanhao.accounts.services import create_account
from sanhao.audit.models import AuditEntry
from sanhao.campaigns.services import advance_phase
from sanhao.conftest import PASSWORD
from sanhao.rankings.forms import MAX_SCHEME_KB
from sanhao.rankings.models import SchemeVersion
from sanhao.rankings.services import current_scheme, save_scheme_version
from sanhao.rankings.tests.conftest import BROKEN, changed, more_deputies


def url(world, name: str, **kwargs) -> str:
    return reverse(f"rankings:{name}", kwargs={"pk": world.campaign.pk, **kwargs})


def upload(client, world, content: bytes, *, reason: str = "", name: str = "scheme.toml"):
    return client.post(
        url(world, "scheme_edit"),
        {"file": SimpleUploadedFile(name, content), "source": "", "reason": reason},
    )


def versions(world) -> int:
    return SchemeVersion.objects.filter(year=world.campaign).count()


def test_it_shows_the_scheme_as_a_clerk_reads_it(world):
    body = unescape(world.client_for(world.office).get(url(world, "scheme")).content.decode())
    first = current_scheme(world.campaign)
    for text in [
        "2026 年度三好创争方案",
        "第 1 版",
        first.scheme_hash[:12],
        "好班子", "好班长", "好班副",
        "引领力强、凝聚力强、战斗力强、公信力强",
        "政治站位高", "政治素质优",
        "0.4 / 0.3 / 0.3",
        "开票销售", "到账外资", "越高越好", "功效系数法",
        "中心组月学", "党委会月督",
        "上级表彰荣誉", "+2", "不作为、慢作为、不担当", "−2", "重大安全事故",
        "区领导", "两代表一委员及群众",
        "优秀 (100)", "不了解",
        "每个镇街最多获奖数", "参评须在岗月数",
        "系统" if first.created_by is None else "office",
        "全部版本",
    ]:  # fmt: skip
        assert text in body, text
    assert first.scheme_hash not in body  # the first 12 characters only
    assert "方案已锁定" not in body
    assert reverse("rankings:scheme_edit", kwargs={"pk": world.campaign.pk}) in body


def test_it_links_the_scheme_from_the_home_page_for_the_office(world):
    body = world.client_for(world.office).get(reverse("home")).content.decode()
    assert url(world, "scheme") in body
    liaison = world.client_for(world.liaison_a).get(reverse("home")).content.decode()
    assert url(world, "scheme") not in liaison


def test_it_shows_the_lock_and_every_version_with_its_reason(world, source):
    year = world.campaign
    for to in ("process", "evaluation"):
        year = advance_phase(year, to=to, actor=world.office)
    save_scheme_version(year, more_deputies(source), reason="增加班副名额", actor=world.office)
    body = world.client_for(world.viewer).get(url(world, "scheme")).content.decode()
    assert "方案已锁定" in body and "增加班副名额" in body and "第 2 版" in body
    assert url(world, "scheme_version_download", number=1) in body
    assert url(world, "scheme_edit") not in body  # the viewer reads only


def test_it_saves_an_uploaded_file_as_a_new_version(world, source):
    client = world.client_for(world.office)
    response = upload(client, world, more_deputies(source).encode())
    assert response.status_code == 302 and response["Location"] == url(world, "scheme")
    assert versions(world) == 2
    assert "已保存第 2 版方案" in client.get(response["Location"]).content.decode()
    assert AuditEntry.objects.filter(action="rankings.scheme.save").count() == 1


def test_it_saves_pasted_text_with_its_line_ends_made_plain(world, source):
    client = world.client_for(world.office)
    pasted = more_deputies(source).replace("\n", "\r\n")
    response = client.post(url(world, "scheme_edit"), {"source": pasted, "reason": "名额调整"})
    assert response.status_code == 302
    version = current_scheme(world.campaign)
    assert version.number == 2 and version.reason == "名额调整"
    assert version.source == more_deputies(source)


def test_it_offers_the_current_text_to_edit(world, source):
    body = world.client_for(world.office).get(url(world, "scheme_edit")).content.decode()
    assert "# The default 三好 scheme" in unescape(body)


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_it_lists_the_engine_problems_beside_the_form_and_saves_nothing(world, source, case):
    breaks, location, message = BROKEN[case]
    response = upload(world.client_for(world.office), world, breaks(source).encode())
    assert response.status_code == 200
    body = unescape(response.content.decode())
    assert f"<code>{location}</code> {message}" in body
    assert "计分引擎发现 1 处问题，没有保存" in body
    assert breaks(source).splitlines()[1] in body  # the file's text is in the box, to mend
    assert versions(world) == 1
    assert not AuditEntry.objects.filter(action="rankings.scheme.save").exists()


def test_it_refuses_a_file_that_is_not_utf8(world, source):
    content = more_deputies(source).encode("gb18030")
    body = upload(world.client_for(world.office), world, content).content.decode()
    assert "文件不是 UTF-8 编码的文本" in unescape(body)
    assert versions(world) == 1


def test_it_refuses_a_huge_file(world, source):
    content = (more_deputies(source) + "#" * (MAX_SCHEME_KB * 1024)).encode()
    body = upload(world.client_for(world.office), world, content).content.decode()
    assert f"文件大于 {MAX_SCHEME_KB} KB" in body
    assert versions(world) == 1


def test_it_refuses_an_empty_form(world):
    body = world.client_for(world.office).post(url(world, "scheme_edit"), {"source": " "})
    assert "请选择方案文件，或填写方案文本" in unescape(body.content.decode())
    assert versions(world) == 1


def test_it_asks_a_reason_on_the_page_once_locked(world, source):
    year = world.campaign
    for to in ("process", "evaluation"):
        year = advance_phase(year, to=to, actor=world.office)
    client = world.client_for(world.office)
    body = upload(client, world, more_deputies(source).encode()).content.decode()
    assert "需要说明理由" in body and versions(world) == 1
    assert upload(client, world, more_deputies(source).encode(), reason="改").status_code == 302
    assert versions(world) == 2


def test_it_downloads_the_stored_bytes_and_their_upload_changes_nothing(world, source):
    client = world.client_for(world.office)
    save_scheme_version(world.campaign, more_deputies(source), reason="", actor=world.office)
    current = client.get(url(world, "scheme_download"))
    assert current["Content-Disposition"] == "attachment; filename*=UTF-8''scheme-2026-v2.toml"
    assert current["Content-Type"].startswith("application/toml")
    assert current.content == current_scheme(world.campaign).source.encode("utf-8")
    first = client.get(url(world, "scheme_version_download", number=1))
    assert first["Content-Disposition"].endswith("scheme-2026-v1.toml")
    assert first.content == source.encode("utf-8")
    body = upload(client, world, current.content, name="scheme-2026-v2.toml").content.decode()
    assert "没有变化：与第 2 版方案相同" in body
    assert versions(world) == 2
    assert client.get(url(world, "scheme_version_download", number=9)).status_code == 404


@pytest.mark.parametrize(
    ("role", "read", "write"),
    [("office", 200, 200), ("viewer", 200, 403), ("liaison_a", 403, 403), ("judge", 403, 403)],
)
def test_it_lets_each_role_read_and_change_what_it_may(world, source, role, read, write):
    client = world.client_for(getattr(world, role))
    assert client.get(url(world, "scheme")).status_code == read
    assert client.get(url(world, "scheme_download")).status_code == read
    assert client.get(url(world, "scheme_version_download", number=1)).status_code == read
    assert client.get(url(world, "scheme_edit")).status_code == write
    posted = upload(client, world, more_deputies(source).encode())
    assert posted.status_code == (302 if write == 200 else 403)
    assert versions(world) == (2 if write == 200 else 1)


def test_it_answers_404_for_a_year_that_does_not_exist(world):
    client = world.client_for(world.office)
    for name in ("scheme", "scheme_edit", "scheme_download"):
        assert client.get(reverse(f"rankings:{name}", kwargs={"pk": 999})).status_code == 404


def test_it_reads_the_scheme_page_in_the_same_number_of_queries_for_any_number_of_versions(
    world, source
):
    client = world.client_for(world.office)
    page = url(world, "scheme")

    def queries() -> int:
        client.get(page)
        with CaptureQueriesContext(connection) as context:
            assert client.get(page).status_code == 200
        return len(context.captured_queries)

    save_scheme_version(world.campaign, more_deputies(source), reason="", actor=world.office)
    small = queries()
    other = create_account(username="office2", password=PASSWORD, role=AccountRole.OFFICE,
                           actor=world.office)  # fmt: skip
    for quota in range(21, 31):
        text = changed(source, "quota = 18", f"quota = {quota}")
        actor = other if quota % 2 else world.office
        save_scheme_version(world.campaign, text, reason=f"第 {quota} 名", actor=actor)
    assert versions(world) == 12
    assert queries() == small


def test_it_shows_the_standards_with_their_descriptions_and_the_checklist(world):
    body = unescape(world.client_for(world.viewer).get(url(world, "scheme")).content.decode())
    for text in [
        "评价标准与正向指引清单",
        "正向指引清单共 27 项",
        "敢打硬仗、能打胜仗，关键指标和重点任务完成好",  # 战斗力强's description
        "面对急难险重任务组建突击队，党员干部冲在一线",  # an item under it
        "计量单位", "亿元", "万美元",
    ]:  # fmt: skip
        assert text in body, text
    # the viewer reads; only the office sees the editor's links
    assert "/scheme/edit/" not in body


def test_it_links_every_section_of_the_editor_for_the_office(world):
    from sanhao.rankings.editor import SECTIONS

    body = world.client_for(world.office).get(url(world, "scheme")).content.decode()
    for slug in SECTIONS:
        assert url(world, "scheme_section", section=slug) in body, slug


def test_the_year_opens_with_the_27_item_checklist(world):
    from sanhao.rankings.services import check_scheme

    assert len(check_scheme(current_scheme(world.campaign).source).guidance) == 27


def test_the_demo_saves_a_second_version_as_the_editor_would(world):
    from sanhao.rankings.demo import seed_scheme
    from sanhao.rankings.services import check_scheme

    version = seed_scheme(world.campaign, world.office)
    got = check_scheme(version.source)
    assert version.number == 2 and version.reason == "正向指引清单按本区做法修订"
    assert len(got.guidance) == 28 and got.version == "2026.2"
    assert got.guidance[13].text.startswith("定期召开年轻干部早餐会")
    assert AuditEntry.objects.get(action="rankings.scheme.save").data["via"] == "editor:guidance"
