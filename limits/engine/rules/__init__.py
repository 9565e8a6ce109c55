"""Importing this package registers every rule (one module per family of rules)."""

from __future__ import annotations

from limits.engine.rules import order, portfolio, position, state

__all__ = ["order", "portfolio", "position", "state"]
