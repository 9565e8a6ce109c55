"""The fast path of validating a posted list of fills, beside the reference `FillIn(many=True)`.

DRF validates an item through its generic machinery (per field: the value lookup, empty-value
rules, the conversion, each validator, the result put back): ~90 us for one fill, a second for a
list of 10,000 (an OMS replaying its day). `fast_validated_fills` checks the usual shape of an item
in plain Python and returns exactly the `validated_data` FillIn would, or None as soon as any item
is not in that shape: a field it does not know or that is missing, a wrong type, whitespace DRF
would trim, a float, an exponent, a number out of range, an unknown account, strategy or symbol, a
naive or future timestamp. The view then validates the whole list with FillIn, so every 400 (and
its field names and messages) is FillIn's own, and a doubt costs time, never a different answer.

tests/positions/test_api_fills_fast.py holds it against FillIn with hypothesis: whatever it accepts,
FillIn accepts with the same validated data; and it accepts the common shape.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from decimal import Decimal, getcontext
from typing import Any

from django.utils import timezone
from rest_framework import ISO_8601
from rest_framework.settings import api_settings

from accounts.api.fields import MAX_CLOCK_SKEW
from accounts.api.lists import MAX_LIST_ITEMS
from positions.api.fields import ID_PATTERN

# FillIn's limits (the test asserts them against FillIn's fields).
CODE_MAX_LENGTH = 64  # account, strategy
MAX_DIGITS, DECIMAL_PLACES = 28, 10
SIDES = frozenset({"buy", "sell"})
REQUIRED = frozenset({"fill_id", "account", "symbol", "side", "quantity", "price", "executed_at"})
KNOWN = REQUIRED | {"strategy", "fee", "check_id"}

_ID = re.compile(ID_PATTERN.removeprefix("^").removesuffix("$"))
# Unsigned, no exponent, no whitespace, within the digits DRF allows before and after the point.
_NUMBER = re.compile(rf"\d{{1,{MAX_DIGITS - DECIMAL_PLACES}}}(?:\.\d{{1,{DECIMAL_PLACES}}})?")
_SURROGATE = re.compile("[\ud800-\udfff]")
_PLACES = Decimal(1).scaleb(-DECIMAL_PLACES)


def _plain_text(value: object, max_length: int | None = None) -> bool:
    """A str DRF's CharField keeps as it is (nothing to trim) and its validators pass."""
    return (
        type(value) is str
        and value != ""
        and value == value.strip()
        and (max_length is None or len(value) <= max_length)
        and "\x00" not in value
        and (value.isascii() or not _SURROGATE.search(value))
    )


class _Decline(Exception):
    """This item is not in the usual shape: FillIn must answer."""


class _Numbers:
    """DecimalString's conversion for the values it takes without question."""

    def __init__(self) -> None:
        # DRF quantizes in a copy of the current context with prec = max_digits.
        self.context = getcontext().copy()
        self.context.prec = MAX_DIGITS

    def parse(self, value: object) -> Decimal:
        if type(value) is int:
            text = str(value)
        elif type(value) is str:
            text = value
        else:
            raise _Decline  # floats, bools, None, lists...
        if not _NUMBER.fullmatch(text):
            raise _Decline
        return Decimal(text).quantize(_PLACES, context=self.context)


def _item(
    raw: Any, context: dict[str, Any], numbers: _Numbers, latest: datetime, zone: Any
) -> dict[str, Any]:
    if type(raw) is not dict or not raw.keys() >= REQUIRED or not raw.keys() <= KNOWN:
        raise _Decline
    fill_id = raw["fill_id"]
    if type(fill_id) is not str or not _ID.fullmatch(fill_id):
        raise _Decline
    code = raw["account"]
    if not _plain_text(code, CODE_MAX_LENGTH) or (account := context["accounts"].get(code)) is None:
        raise _Decline
    strategy = None
    strategy_code = raw.get("strategy")
    if strategy_code is not None and strategy_code != "":
        if not _plain_text(strategy_code, CODE_MAX_LENGTH):
            raise _Decline
        strategy = context["strategies"].get((account.pk, strategy_code))
        if strategy is None:
            raise _Decline
    symbol = raw["symbol"]
    if not _plain_text(symbol) or (instrument := context["instruments"].get(symbol)) is None:
        raise _Decline
    side = raw["side"]
    if type(side) is not str or side not in SIDES:
        raise _Decline
    quantity, price = numbers.parse(raw["quantity"]), numbers.parse(raw["price"])
    if quantity <= 0 or price <= 0:
        raise _Decline
    executed_at = raw["executed_at"]
    if type(executed_at) is not str or executed_at != executed_at.strip():
        raise _Decline
    try:
        # Django's parse_datetime returns fromisoformat's answer whenever that succeeds.
        parsed = datetime.fromisoformat(executed_at)
        if parsed.utcoffset() is None:
            raise _Decline
        when = parsed.astimezone(zone)  # DRF's enforce_timezone
    except (ValueError, OverflowError):
        raise _Decline from None
    if when > latest:
        raise _Decline
    out: dict[str, Any] = {
        "fill_id": fill_id,
        "account": account,
        "symbol": instrument,
        "side": side,
        "quantity": quantity,
        "price": price,
        "executed_at": when,
        "strategy": strategy,
    }
    if "fee" in raw:
        fee = numbers.parse(raw["fee"])
        if fee < 0:
            raise _Decline
        out["fee"] = fee
    if "check_id" in raw:
        check_id = raw["check_id"]
        if check_id is None:
            out["check_id"] = None
        elif type(check_id) is str:
            try:
                out["check_id"] = uuid.UUID(hex=check_id)
            except ValueError:
                raise _Decline from None
        else:
            raise _Decline
    return out


def fast_validated_fills(data: Any, context: dict[str, Any]) -> list[dict[str, Any]] | None:
    """FillIn(data=data, many=True, context=context).validated_data, or None: ask FillIn."""
    if type(data) is not list or not 0 < len(data) <= MAX_LIST_ITEMS:
        return None
    if api_settings.DATETIME_INPUT_FORMATS != [ISO_8601]:
        return None
    numbers = _Numbers()
    # One clock reading before every item: never later than the one FillIn takes for each item,
    # so nothing FillIn would find in the future passes here.
    latest = timezone.now() + MAX_CLOCK_SKEW
    zone = timezone.get_current_timezone()
    try:
        return [_item(raw, context, numbers, latest, zone) for raw in data]
    except _Decline:
        return None
