"""Cash movements: deposits and withdrawals, idempotent on movement_id."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from positions.models import CashBalance, CashMovement
from positions.services import CashMovementConflict, cash_movement_record

pytestmark = pytest.mark.django_db


def move(account, movement_id: str, amount: str, currency: str = "USD", reason: str = "wire"):
    return cash_movement_record(
        account=account, movement_id=movement_id, currency=currency, amount=D(amount), reason=reason
    )


def test_deposits_and_withdrawals_move_the_balance_per_currency(account) -> None:
    move(account, "M-1", "1000")
    move(account, "M-2", "-250.5")
    move(account, "M-3", "70", currency="EUR")
    assert dict(CashBalance.objects.values_list("currency", "amount")) == {"USD": D("749.5"), "EUR": D(70)}


def test_an_identical_replay_changes_nothing(account) -> None:
    first = move(account, "M-1", "1000")
    again = move(account, "M-1", "1000.00")
    assert (first.created, again.created) == (True, False)
    assert again.movement.pk == first.movement.pk
    assert CashMovement.objects.count() == 1
    assert CashBalance.objects.get().amount == D(1000)


def test_a_conflicting_replay_raises_and_changes_nothing(account) -> None:
    move(account, "M-1", "1000")
    with pytest.raises(CashMovementConflict) as excinfo:
        move(account, "M-1", "1000", currency="EUR", reason="other")
    assert set(excinfo.value.differences) == {"currency", "reason"}
    assert CashMovement.objects.count() == 1
    assert dict(CashBalance.objects.values_list("currency", "amount")) == {"USD": D(1000)}
