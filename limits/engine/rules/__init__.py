"""Importing this package registers every rule (one module per family of rules).

Import order is registration order, which is the order findings are listed in: the kill switch
first, then the order itself, positions, and the portfolio.
"""

from __future__ import annotations

# isort: off
from limits.engine.rules import state
from limits.engine.rules import order
from limits.engine.rules import position
from limits.engine.rules import portfolio

# isort: on

__all__ = ["order", "portfolio", "position", "state"]
