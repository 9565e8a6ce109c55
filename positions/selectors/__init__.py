"""Reads of the positions app. Other apps call these, never the models' managers directly.

Money is Decimal; figures that sum across instruments are in the account's base currency.
Errors: MissingFxRate (code "missing_fx_rate"), MissingPrice (code "missing_price").
"""

from __future__ import annotations

from positions.ledger.errors import MarketDataError, MissingFxRate, MissingPrice
from positions.ledger.fx import FxTable
from positions.ledger.valuation import AccountValuation, PositionValuation
from positions.selectors.fx import fx_rate, load_fx_table
from positions.selectors.lists import cash_movements_for_account, fills_for_user
from positions.selectors.summary import AccountSummary, account_summary
from positions.selectors.valuation import (
    PositionRow,
    account_valuation,
    margin_required,
    position_rows,
    positions_for_account,
)

__all__ = [
    "AccountSummary",
    "AccountValuation",
    "FxTable",
    "MarketDataError",
    "MissingFxRate",
    "MissingPrice",
    "PositionRow",
    "PositionValuation",
    "account_summary",
    "account_valuation",
    "cash_movements_for_account",
    "fills_for_user",
    "fx_rate",
    "load_fx_table",
    "margin_required",
    "position_rows",
    "positions_for_account",
]
