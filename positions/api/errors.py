"""Responses for the ledger's domain errors (shared by the fills and account-state views).

- MissingFxRate / MissingPrice: 422 `{"code": "missing_fx_rate" | "missing_price", "detail": ...}`.
  The request is fine but the firm's market data cannot value it: not the client's 400, not a
  conflict with the resource's state (409), not a crash (5xx).
- A conflicting replay: 409 `{"code": ..., "detail": ..., "differences": {field: {stored, sent}}}`.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers, status
from rest_framework.response import Response

from positions.ledger.errors import MarketDataError, MissingFxRate, MissingPrice


class ErrorOut(serializers.Serializer[Any]):
    code = serializers.CharField(help_text="missing_fx_rate, missing_price, fill_conflict, ...")
    detail = serializers.CharField()


class MarketDataErrorOut(ErrorOut):
    base = serializers.CharField(required=False, help_text="missing_fx_rate: the currency converted from.")
    quote = serializers.CharField(required=False, help_text="missing_fx_rate: the currency converted to.")
    symbol = serializers.CharField(required=False, help_text="missing_price: the instrument without a mark.")


class ConflictOut(ErrorOut):
    differences = serializers.DictField(
        child=serializers.DictField(), help_text="Field -> {stored, sent} for each field that differs."
    )


def market_data_error_response(exc: MarketDataError) -> Response:
    body: dict[str, Any] = {"code": exc.code, "detail": str(exc)}
    if isinstance(exc, MissingFxRate):
        body.update(base=exc.base, quote=exc.quote)
    elif isinstance(exc, MissingPrice):
        body["symbol"] = exc.symbol
    return Response(body, status=status.HTTP_422_UNPROCESSABLE_ENTITY)


def conflict_response(code: str, detail: str, differences: dict[str, Any], **extra: Any) -> Response:
    body = {"code": code, "detail": detail, **extra, "differences": differences}
    return Response(body, status=status.HTTP_409_CONFLICT)
