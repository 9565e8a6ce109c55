from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_it_accepts_an_order_within_limits(funded, check):
    result = check()
    assert result["decision"] == "accepted", result
    assert result["violations"] == []
