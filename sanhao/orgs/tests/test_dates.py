import datetime as dt

import pytest

from sanhao.lib.dates import parse_date

D = dt.date


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, None),
        ("", None),
        ("   ", None),
        (dt.datetime(2021, 10, 5, 0, 0), D(2021, 10, 5)),
        (D(2021, 10, 5), D(2021, 10, 5)),
        ("2021-10", D(2021, 10, 1)),
        ("2021-1", D(2021, 1, 1)),
        ("2021/10", D(2021, 10, 1)),
        ("2021.10", D(2021, 10, 1)),
        ("2021.01", D(2021, 1, 1)),
        ("2021年10月", D(2021, 10, 1)),
        ("2021年1月", D(2021, 1, 1)),
        ("2021年10月5日", D(2021, 10, 5)),
        ("2021-10-05", D(2021, 10, 5)),
        ("2021/10/5", D(2021, 10, 5)),
        ("2021.10.05", D(2021, 10, 5)),
        ("202110", D(2021, 10, 1)),
        ("20211005", D(2021, 10, 5)),
        ("２０２１－１０", D(2021, 10, 1)),  # full-width digits and dash
        ("２０２１年１０月", D(2021, 10, 1)),
        (" 2021 - 10 ", D(2021, 10, 1)),  # stray spaces
        ("\u30002021年10月\u3000", D(2021, 10, 1)),  # ideographic spaces
        ("2021–10", D(2021, 10, 1)),  # en dash
        (2021.05, D(2021, 5, 1)),  # a number cell typed 2021.05
        (2021.12, D(2021, 12, 1)),
        (44470, D(2021, 10, 1)),  # an Excel serial number
    ],
)
def test_it_reads_dates_as_clerks_type_them(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("2021-13", "不是有效日期"),
        ("2021-02-30", "不是有效日期"),
        ("十月", "无法识别日期"),
        ("2021", "无法识别日期"),
        (2021, "只有年份"),
        (2021.1, "有歧义"),  # Excel made 2021.10 into 2021.1: January or October?
        (True, "不是日期"),
    ],
)
def test_it_explains_what_it_cannot_read(raw, message):
    with pytest.raises(ValueError, match=message):
        parse_date(raw)
