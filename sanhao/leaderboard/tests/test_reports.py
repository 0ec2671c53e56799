"""The year reports of a unit and of the district, as .xlsx and .docx, read back."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from sanhao.leaderboard.tests.helpers import decide, figures, scores_of, year_record
from sanhao.orgs.tests.test_query_counts import grow
from sanhao.rankings.models import ScoreLine


def _unit_url(world, unit, fmt: str) -> str:
    return reverse("leaderboard:unit_report", args=[world.campaign.pk, unit.code, fmt])


def _district_url(world, fmt: str) -> str:
    return reverse("leaderboard:district_report", args=[world.campaign.pk, fmt])


def _xlsx_text(content: bytes) -> dict[str, str]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return {sheet.title: " ".join(str(v) for row in sheet.iter_rows(values_only=True)
                                  for v in row if v is not None)
            for sheet in book.worksheets}  # fmt: skip


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _unit_k(run, unit) -> str:
    return str(ScoreLine.objects.get(run=run, unit=unit.code, candidate="").k)


def test_a_units_workbook_holds_its_targets_records_checks_projects_and_scores(world):
    run = year_record(world)
    response = world.client_for(world.office).get(_unit_url(world, world.a, "xlsx"))
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    sheets = _xlsx_text(response.content)
    assert list(sheets) == ["目标与完成", "逐月累计完成", "各镇街月度排名", "过程记录：按时情况",
                            "过程记录", "点调会：问题短板与补短举措", "项目", "量化计分 K：明细",
                            "各候选对象得分", "表彰"]  # fmt: skip
    assert "开票销售" in sheets["目标与完成"] and "100" in sheets["目标与完成"]
    assert "乙街道" not in sheets["目标与完成"]  # the unit's own rows
    assert "招商引资进度偏慢" in sheets["点调会：问题短板与补短举措"]
    assert "甲镇书记项目" in sheets["项目"] and "1/2" in sheets["项目"]
    assert "学习" in sheets["过程记录"]
    assert _unit_k(run, world.a) in sheets["量化计分 K：明细"]
    candidates = sheets["各候选对象得分"]
    for candidate in scores_of(run, world.a).values():
        assert candidate["name"] in candidates and candidate["S"] in candidates
    assert "乙书记" not in candidates
    assert "本年度表彰决定尚未印发" in sheets["表彰"]


def test_a_units_word_report_opens_and_is_set_in_fangsong(world):
    run = year_record(world)
    response = world.client_for(world.viewer).get(_unit_url(world, world.a, "docx"))
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    text = _docx_text(response.content)
    assert "甲镇 2026 年度三好创争报告" in text and "开票销售" in text
    assert _unit_k(run, world.a) in text and "招商引资进度偏慢" in text
    assert "乙街道" not in text
    document = Document(io.BytesIO(response.content))
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == "仿宋"
    heading = document.styles["Heading 1"].element.rPr.rFonts
    assert heading.get(qn("w:eastAsia")) == "宋体" and heading.get(qn("w:eastAsiaTheme")) is None
    assert len(document.tables) >= 9


def test_a_liaison_reads_their_own_report_with_k_only_until_the_decision(world):
    run = year_record(world)
    client = world.client_for(world.liaison_a)
    sheets = _xlsx_text(client.get(_unit_url(world, world.a, "xlsx")).content)
    candidates = sheets["各候选对象得分"]
    leader = scores_of(run, world.a)[f"L-{world.a.code}"]
    assert leader["name"] in candidates and leader["K"] in candidates
    assert leader["status_text"] not in candidates and "表彰决定印发后显示" in candidates
    decide(world, run)
    sheets = _xlsx_text(client.get(_unit_url(world, world.a, "xlsx")).content)
    assert leader["status_text"] in sheets["各候选对象得分"]
    assert "姜组〔2027〕1号" in sheets["表彰"] and "甲书记" in sheets["表彰"]


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_another_towns_liaison_gets_404_and_a_judge_403(world, fmt):
    year_record(world)
    assert world.client_for(world.liaison_b).get(_unit_url(world, world.a, fmt)).status_code == 404
    assert world.client_for(world.judge).get(_unit_url(world, world.a, fmt)).status_code == 403
    assert world.client_for(world.liaison_a).get(_district_url(world, fmt)).status_code == 403


def test_an_unknown_format_is_404(world):
    client = world.client_for(world.office)
    assert client.get(_unit_url(world, world.a, "pdf")).status_code == 404
    assert client.get(_district_url(world, "csv")).status_code == 404


def test_the_district_report_holds_every_unit_and_every_candidate(world):
    run = year_record(world)
    decide(world, run)
    client = world.client_for(world.office)
    sheets = _xlsx_text(client.get(_district_url(world, "xlsx")).content)
    assert "甲镇" in sheets["目标与完成"] and "乙街道" in sheets["目标与完成"]
    for unit in (world.a, world.b):
        assert _unit_k(run, unit) in sheets["量化计分 K：明细"]
        for candidate in scores_of(run, unit).values():
            assert candidate["name"] in sheets["各候选对象得分"]
    assert "甲镇班子" in sheets["表彰"]
    text = _docx_text(client.get(_district_url(world, "docx")).content)
    assert "测试区 2026 年度三好创争报告" in text and "乙街道" in text


def test_the_reports_take_the_same_number_of_queries_for_2_and_4_units(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    year_record(world)
    client = world.client_for(world.office)
    urls = [_district_url(world, "xlsx"), _unit_url(world, world.a, "docx")]

    def count(url):
        client.get(url)
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        return len(context.captured_queries)

    small = [count(url) for url in urls]
    grow(world, 4, 3)
    figures(world)
    from sanhao.rankings.runs import compute_scores

    compute_scores(world.campaign, actor=world.office)
    assert [count(url) for url in urls] == small
