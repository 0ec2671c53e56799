"""Figures as clerks write them: every format the import reads, and what it refuses
(with the Chinese message the clerk reads)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from sanhao.lib.numbers import NumberError, Percent, parse_figure

D = Decimal


@pytest.mark.parametrize(
    ("value", "unit", "column", "expected"),
    [
        ("1,234.5", "万元", None, D("1234.5")),
        ("1,234,567", "", None, D("1234567")),
        ("１２３４", "万元", None, D("1234")),
        ("１，２３４．５", "万元", None, D("1234.5")),
        (" 12 ", "个", None, D("12")),
        ("12.3万", "万元", None, D("12.3")),
        ("12.3万", "亿元", None, D("0.0012")),  # 0.00123 亿元, rounded to 4 places
        ("12.3万", "元", None, D("123000")),
        ("1.2亿", "万元", None, D("12000")),
        ("1.2亿", "亿元", None, D("1.2")),
        ("1.2亿元", "万元", None, D("12000")),
        ("3500万元", "亿元", None, D("0.35")),
        ("1.2万", "个", None, D("12000")),
        ("28.57%", "%", None, D("28.57")),
        ("２８．５７％", "%", None, D("28.57")),
        (Percent(0.2857), "%", None, D("28.57")),
        (Percent(1), "%", None, D("100")),
        (28.57, "%", None, D("28.57")),
        (1234.5, "万元", None, D("1234.5")),
        (0.1 + 0.2, "万元", None, D("0.3")),  # a formula's float, as exact as Excel keeps it
        (1234, "万元", None, D("1234")),
        (12345, "亿元", "万元", D("1.2345")),  # the header says 万元, the indicator 亿元
        ("12345", "亿元", "（万元）", D("1.2345")),
        ("1.2亿", "亿元", "万元", D("1.2")),
        ("0", "万元", None, D("0")),
        ("-0", "万元", None, D("0")),
        (".5", "万元", None, D("0.5")),
        ("1000.000", "个", None, D("1000")),
        ("12.3 万", "万元", None, D("12.3")),
    ],
)
def test_it_reads_the_formats_clerks_write(value, unit, column, expected):
    found = parse_figure(value, unit=unit, column_unit=column)
    assert found == expected
    assert "E" not in str(found)


@pytest.mark.parametrize("value", [None, "", "  ", "—", "-", "/", "－", "／", "——", "–"])
def test_it_reads_the_not_reported_markers_as_none(value):
    assert parse_figure(value, unit="万元") is None


@pytest.mark.parametrize(
    ("value", "unit", "column", "words"),
    [
        ("1,23", "万元", None, "逗号"),
        ("1.234,5", "万元", None, "逗号"),
        ("1.2.3", "万元", None, "不是数字"),
        ("12 34", "万元", None, "空格"),  # two numbers once the space goes
        ("1e5", "万元", None, "不是数字"),
        ("约100", "万元", None, "不是数字"),
        ("-5", "万元", None, "不能为负"),
        (-5, "万元", None, "不能为负"),
        ("12.3万", "", None, "未设计量单位"),  # 万 of what?
        ("12.3万", "%", None, "百分比不能带"),
        ("28.57%", "万元", None, "是百分比"),
        (Percent(0.2857), "万元", None, "百分比格式"),
        ("3万元", "个", None, "是金额"),
        ("1.23456", "万元", None, "小数超过"),
        (dt.datetime(2026, 1, 2), "万元", None, "日期"),
        (True, "万元", None, "不是数字"),
        (float("nan"), "万元", None, "不是数字"),
        ("12", "个", "万元", "请按"),
    ],
)
def test_it_refuses_what_is_not_plainly_one_figure(value, unit, column, words):
    with pytest.raises(NumberError) as caught:
        parse_figure(value, unit=unit, column_unit=column)
    assert words in caught.value.message


@pytest.mark.parametrize(
    ("value", "unit", "column", "expected"),
    [
        ("1.5万", "万美元", "", "1.5"),  # 1.5 万 (美元) in an indicator kept in 万美元
        ("2亿美元", "万美元", "", "20000"),
        ("300", "万美元", "美元", "0.03"),
        ("1.2亿", "亿元", "", "1.2"),
    ],
)
def test_it_converts_dollars_as_dollars(value, unit, column, expected):
    assert str(parse_figure(value, unit=unit, column_unit=column)) == expected


@pytest.mark.parametrize(("value", "unit"), [("5万元", "万美元"), ("5美元", "亿元")])
def test_it_never_turns_yuan_into_dollars(value, unit):
    with pytest.raises(NumberError, match=r"金额|money"):
        parse_figure(value, unit=unit)
