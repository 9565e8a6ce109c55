"""POST /api/v1/accounts/{code}/risk/what-if/ (contract v1.1): a basket's decisions and the book's
figures before and after, storing nothing. Viewers and up."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import URLPattern, path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.api.base import StrictSerializer, get_account_for
from accounts.api.fields import cents
from accounts.scoping import Action
from limits.api.checks import _ERRORS, _RESULT, MAX_BATCH, CheckAPIView, OrderIn, StrictCharField, _valid
from limits.checks.render import plain
from limits.checks.what_if import Figures, WhatIf, what_if

LEVERAGE_PLACES = Decimal("0.000001")


class WhatIfOrderIn(OrderIn):
    """An order as for /checks/; `account` may be left out (it is the path's)."""

    account = StrictCharField(max_length=64, required=False)


class WhatIfIn(StrictSerializer):
    orders = serializers.ListField(child=WhatIfOrderIn(), allow_empty=False, max_length=MAX_BATCH)


_FIGURES = inline_serializer(
    "WhatIfFigures",
    {
        "var": serializers.FloatField(allow_null=True, help_text="1-day 99% parametric VaR (null: no model)"),
        "expected_shortfall": serializers.FloatField(allow_null=True),
        "gross_exposure": serializers.CharField(allow_null=True),
        "net_exposure": serializers.CharField(allow_null=True),
        "leverage": serializers.CharField(allow_null=True, help_text="null when equity is zero or negative."),
        "margin_required": serializers.CharField(allow_null=True),
        "missing": serializers.ListField(child=serializers.CharField(), help_text="Why a figure is null."),
    },
)
_ANSWER = inline_serializer(
    "WhatIfResult",
    {
        "currency": serializers.CharField(),
        "before": _FIGURES,
        "after": _FIGURES,
        "incremental_var": serializers.FloatField(allow_null=True),
        "decisions": _RESULT.__class__(many=True),
    },
)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(cents(value), "f")


def _figures(figures: Figures) -> dict[str, Any]:
    book = figures.book
    leverage = book.leverage if book is not None else None
    return {
        "var": figures.var,
        "expected_shortfall": figures.expected_shortfall,
        "gross_exposure": _money(book.gross_exposure) if book else None,
        "net_exposure": _money(book.net_exposure) if book else None,
        "leverage": None if leverage is None else plain(leverage.quantize(LEVERAGE_PLACES)),
        "margin_required": _money(book.margin_required) if book else None,
        "missing": list(figures.unavailable),
    }


def what_if_json(result: WhatIf) -> dict[str, Any]:
    date_field = serializers.DateTimeField()
    return {
        "currency": result.currency,
        "before": _figures(result.before),
        "after": _figures(result.after),
        "incremental_var": result.incremental_var,
        "decisions": [
            {**d, "evaluated_at": date_field.to_representation(d["evaluated_at"]), "replayed": False}
            for d in result.decisions
        ],
    }


class WhatIfView(CheckAPIView):
    """What the check would decide for a basket and what it does to the book; nothing is stored."""

    @extend_schema(
        request=WhatIfIn,
        responses={200: _ANSWER, **_ERRORS},
        summary="What-if of a basket: decisions and the book's risk before and after, nothing stored",
        tags=["risk"],
    )
    def post(self, request: Request, code: str) -> Response:
        account = get_account_for(request, code, Action.VIEW)
        data = _valid(WhatIfIn, request.data)
        drafts = []
        for index, order in enumerate(data["orders"]):
            if order.get("account", code) != code:
                raise ValidationError({f"orders[{index}].account": [f"Every order must be for {code}."]})
            drafts.append(OrderIn.draft({**order, "account": code}))
        return Response(what_if_json(what_if(account=account, orders=drafts)))


urlpatterns: list[URLPattern] = [
    path("accounts/<str:code>/risk/what-if/", WhatIfView.as_view(), name="account-risk-what-if"),
]
