from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.api.fields import MoneyString


@pytest.mark.parametrize(
    ("amount", "rendered"),
    [
        ("4016103.3655798807", "4016103.37"),
        ("1250000", "1250000.00"),
        ("-0.004", "0.00"),
        ("0.125", "0.12"),  # half to even, like the ledger's own rounding
        ("-16058.28695", "-16058.29"),
    ],
)
def test_money_is_rendered_to_the_cent(amount: str, rendered: str) -> None:
    assert MoneyString().to_representation(Decimal(amount)) == rendered


def test_missing_money_stays_null() -> None:
    assert MoneyString(allow_null=True).to_representation(None) is None
