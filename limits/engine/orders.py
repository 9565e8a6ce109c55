"""Order type states: DraftOrder (raw input) -> ValidatedOrder (only via `validate_order`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from limits.engine.snapshot import InstrumentRef, Snapshot, fresh_mark
from limits.engine.types import OrderType, Side

# Only this module holds the token, so a ValidatedOrder cannot be built by hand elsewhere.
_TOKEN = object()


class InvalidOrder(ValueError):
    """A malformed order (the API's 400): `errors` maps each bad field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True, slots=True)
class DraftOrder:
    """An order as received; nothing about it is trusted yet."""

    account: str
    symbol: str
    side: str
    quantity: Decimal
    price: Decimal | None = None
    order_type: str = "limit"
    strategy: str | None = None
    client_order_id: str | None = None


@dataclass(frozen=True, slots=True)
class ValidatedOrder:
    """A well-formed order of the snapshot's account, priced where possible.

    `price` is the limit price, or for a market order the fresh mark; it is None only when the
    instrument is unknown or a market order has no fresh mark: the rules `unknown_instrument` and
    `missing_price` then reject it, and price-dependent rules skip (the order is rejected anyway).
    `signed_quantity` is +quantity for a buy and -quantity for a sell.
    """

    account: str
    strategy: str | None
    symbol: str
    side: Side
    quantity: Decimal
    signed_quantity: Decimal
    order_type: OrderType
    limit_price: Decimal | None
    price: Decimal | None
    instrument: InstrumentRef | None
    client_order_id: str | None
    _token: object = field(repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._token is not _TOKEN:
            raise TypeError("ValidatedOrder is only built by validate_order()")


def _decimal(value: object) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        result = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return result if result.is_finite() else None


def validate_order(draft: DraftOrder, snapshot: Snapshot) -> ValidatedOrder:
    """Check the order's shape against the snapshot; raise InvalidOrder for malformed input.

    Business problems (unknown instrument, missing mark) are not raised: they become violations.
    """
    errors: dict[str, list[str]] = {}
    if draft.account != snapshot.account.code:
        errors["account"] = [
            f"Order is for account {draft.account!r}, snapshot is for {snapshot.account.code!r}."
        ]
    if draft.strategy is not None and draft.strategy not in snapshot.strategies:
        errors["strategy"] = [f"Unknown strategy {draft.strategy!r}."]
    if not draft.symbol:
        errors["symbol"] = ["This field is required."]
    side: Side
    if draft.side == "buy":
        side = "buy"
    elif draft.side == "sell":
        side = "sell"
    else:
        errors["side"] = ['Must be "buy" or "sell".']
        side = "buy"
    order_type: OrderType
    if draft.order_type == "limit":
        order_type = "limit"
    elif draft.order_type == "market":
        order_type = "market"
    else:
        errors["order_type"] = ['Must be "limit" or "market".']
        order_type = "limit"
    quantity = _decimal(draft.quantity)
    if quantity is None or quantity <= 0:
        errors["quantity"] = ["Must be greater than 0."]
    limit_price: Decimal | None = None
    if draft.price is not None:
        limit_price = _decimal(draft.price)
        if limit_price is None or limit_price <= 0:
            errors["price"] = ["Must be greater than 0."]
    elif order_type == "limit":
        errors["price"] = ["A limit order needs a price."]
    if errors:
        raise InvalidOrder(errors)
    assert quantity is not None

    instrument = snapshot.instruments.get(draft.symbol)
    price: Decimal | None
    if instrument is None:
        price = None
    elif order_type == "market":
        # A market order is priced at the fresh mark and never at zero; a price sent with it is ignored.
        limit_price = None
        price = fresh_mark(snapshot, draft.symbol)
    else:
        price = limit_price
    return ValidatedOrder(
        account=draft.account,
        strategy=draft.strategy,
        symbol=draft.symbol,
        side=side,
        quantity=quantity,
        signed_quantity=quantity if side == "buy" else -quantity,
        order_type=order_type,
        limit_price=limit_price,
        price=price,
        instrument=instrument,
        client_order_id=draft.client_order_id,
        _token=_TOKEN,
    )
