from decimal import Decimal

import pytest

from sanhao.scoring.numbers import round_half_up


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2.675, "2.68"),  # round() gives 2.67: binary floats
        ("2.665", "2.67"),  # round() gives 2.66 on Decimal: half to even
        ("2.664999", "2.66"),
        ("-1.005", "-1.01"),  # half away from zero, as by hand
        (0, "0.00"),
        (100, "100.00"),
        (Decimal("83.125"), "83.13"),
    ],
)
def test_it_rounds_half_up_to_two_places(value, expected):
    assert round_half_up(value) == Decimal(expected)
