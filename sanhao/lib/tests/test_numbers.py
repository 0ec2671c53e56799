"""Figures as clerks write them: every format the import reads, and what it refuses."""

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
        ("1,23", "万元", None, "comma"),
        ("1.234,5", "万元", None, "comma"),
        ("1.2.3", "万元", None, "not a number"),
        ("12 34", "万元", None, "space"),  # two numbers once the space goes
        ("1e5", "万元", None, "not a number"),
        ("约100", "万元", None, "not a number"),
        ("-5", "万元", None, "negative"),
        (-5, "万元", None, "negative"),
        ("12.3万", "", None, "no unit"),  # 万 of what?
        ("12.3万", "%", None, "percentage has no"),
        ("28.57%", "万元", None, "percentage"),
        (Percent(0.2857), "万元", None, "formatted as a percentage"),
        ("3万元", "个", None, "money"),
        ("1.23456", "万元", None, "decimal places"),
        (dt.datetime(2026, 1, 2), "万元", None, "date"),
        (True, "万元", None, "not a number"),
        (float("nan"), "万元", None, "not a number"),
        ("12", "个", "万元", "write it in"),
    ],
)
def test_it_refuses_what_is_not_plainly_one_figure(value, unit, column, words):
    with pytest.raises(NumberError) as caught:
        parse_figure(value, unit=unit, column_unit=column)
    assert words in caught.value.message
