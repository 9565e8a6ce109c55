"""REST for the pre-trade check: /checks/, /checks/batch/, /checks/{id}/, /checks/{id}/release/.

Views are thin: validate with a serializer, resolve the account through the one account scope
(404 not visible, 403 role), call one service or selector, serialize. Failures of PostgreSQL or
Redis answer 503 with a JSON body (fail closed: never an accept), including failures while
authenticating.
"""

from __future__ import annotations

import logging
from typing import Any

import redis
from django.db import InterfaceError, OperationalError
from django.http import Http404
from django.urls import URLPattern, path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.api.base import StrictSerializer, get_account_for
from accounts.api.fields import positive_decimal
from accounts.scoping import Action
from limits.checks import selectors
from limits.checks.idempotency import IdempotencyConflict
from limits.checks.reservations import NothingReserved
from limits.checks.service import CheckResult, check_batch, check_order, check_release
from limits.checks.store import AccountGone
from limits.engine.orders import DraftOrder, InvalidOrder
from limits.models.checks import CheckDecision
from limits.shared_state import SharedStateUnavailable

logger = logging.getLogger(__name__)

MAX_BATCH = 500


class ServiceUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "A service the check depends on is unavailable; the order was not accepted."
    default_code = "service_unavailable"


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class StrictCharField(serializers.CharField):
    """A string; numbers and booleans are refused instead of being turned into text."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class OrderIn(StrictSerializer):
    account = StrictCharField(max_length=64)
    strategy = StrictCharField(max_length=64, required=False, allow_null=True)
    symbol = StrictCharField(max_length=64)
    side = serializers.ChoiceField(choices=["buy", "sell"])
    quantity = positive_decimal()
    price = positive_decimal(required=False, allow_null=True)
    order_type = serializers.ChoiceField(choices=["limit", "market"], default="limit")
    client_order_id = StrictCharField(max_length=128, required=False, allow_null=True)

    def to_internal_value(self, data: Any) -> Any:
        # Report unknown fields together with the other bad fields, not instead of them.
        unknown: dict[str, list[str]] = {}
        if isinstance(data, dict):
            unknown = {name: ["Unknown field."] for name in sorted(set(data) - set(self.fields))}
            data = {k: v for k, v in data.items() if k not in unknown}
        try:
            value = super().to_internal_value(data)
        except ValidationError as exc:
            detail = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
            raise ValidationError({**detail, **unknown}) from None
        if unknown:
            raise ValidationError(unknown)
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("order_type", "limit") == "limit" and attrs.get("price") is None:
            raise ValidationError({"price": ["A limit order needs a price."]})
        return attrs

    @staticmethod
    def draft(data: dict[str, Any]) -> DraftOrder:
        return DraftOrder(
            account=data["account"],
            symbol=data["symbol"],
            side=data["side"],
            quantity=data["quantity"],
            price=data.get("price"),
            order_type=data.get("order_type", "limit"),
            strategy=data.get("strategy") or None,
            client_order_id=data.get("client_order_id") or None,
        )


class BatchIn(StrictSerializer):
    orders = serializers.ListField(child=OrderIn(), allow_empty=False, max_length=MAX_BATCH)


_FINDING = inline_serializer(
    "CheckFinding",
    {
        "code": serializers.CharField(),
        "scope": serializers.ChoiceField(choices=["account", "strategy", "group"]),
        "scope_code": serializers.CharField(),
        "message": serializers.CharField(),
        "limit": serializers.CharField(allow_null=True),
        "value": serializers.CharField(allow_null=True),
    },
)
_RESULT = inline_serializer(
    "CheckResult",
    {
        "check_id": serializers.UUIDField(),
        "decision": serializers.ChoiceField(choices=["accepted", "rejected"]),
        "violations": _FINDING.__class__(many=True),
        "warnings": _FINDING.__class__(many=True),
        "evaluated_at": serializers.DateTimeField(),
        "replayed": serializers.BooleanField(),
    },
)


def result_json(result: CheckResult) -> dict[str, Any]:
    return {
        "check_id": str(result.check_id),
        "decision": result.decision,
        "violations": result.violations,
        "warnings": result.warnings,
        "evaluated_at": serializers.DateTimeField().to_representation(result.evaluated_at),
        "replayed": result.replayed,
    }


class DecisionOut(serializers.ModelSerializer[CheckDecision]):
    """One stored decision with its inputs, caller and reservation state."""

    account = serializers.CharField(source="account.code")
    strategy = serializers.CharField(source="strategy.code", allow_null=True, default=None)
    caller = serializers.CharField(source="caller.username", allow_null=True, default=None)
    quantity = serializers.SerializerMethodField()
    price = serializers.SerializerMethodField()
    reservation = serializers.SerializerMethodField()

    class Meta:
        model = CheckDecision
        fields = [
            "check_id",
            "decision",
            "violations",
            "warnings",
            "evaluated_at",
            "account",
            "strategy",
            "symbol",
            "side",
            "quantity",
            "price",
            "order_type",
            "client_order_id",
            "caller",
            "batch_id",
            "reservation",
        ]

    def get_quantity(self, obj: CheckDecision) -> str:
        return _plain(obj.quantity)

    def get_price(self, obj: CheckDecision) -> str | None:
        return None if obj.price is None else _plain(obj.price)

    def get_reservation(self, obj: CheckDecision) -> dict[str, Any] | None:
        if obj.decision != CheckDecision.Outcome.ACCEPTED:
            return None
        field = serializers.DateTimeField()
        return {
            "price": None if obj.reserved_price is None else _plain(obj.reserved_price),
            "open_quantity": _plain(obj.open_quantity),
            "filled_quantity": _plain(obj.filled_quantity),
            "released_quantity": _plain(obj.released_quantity),
            "expires_at": field.to_representation(obj.expires_at) if obj.expires_at else None,
            "released_at": field.to_representation(obj.released_at) if obj.released_at else None,
        }


def _plain(value: Any) -> str:
    from limits.checks.render import plain

    return plain(value)


class CheckAPIView(APIView):
    """Maps the check's failure modes onto the contract's status codes."""

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, (OperationalError, InterfaceError, redis.RedisError, SharedStateUnavailable)):
            logger.warning("check unavailable: %s", exc)
            exc = ServiceUnavailable()
        elif isinstance(exc, IdempotencyConflict):
            return Response(
                {
                    "client_order_id": [str(exc)],
                    "check_id": exc.check_id,
                },
                status=status.HTTP_409_CONFLICT,
            )
        elif isinstance(exc, InvalidOrder):
            return Response(exc.errors, status=status.HTTP_400_BAD_REQUEST)
        elif isinstance(exc, AccountGone):
            exc = Http404("No such account.")
        elif isinstance(exc, NothingReserved):
            exc = Conflict(str(exc))
        return super().handle_exception(exc)


_ERROR = inline_serializer("CheckError", {"detail": serializers.CharField()})
_ERRORS = {
    400: OpenApiTypes.OBJECT,
    401: _ERROR,
    403: _ERROR,
    404: _ERROR,
    409: OpenApiTypes.OBJECT,
    503: _ERROR,
}
_PAGE = inline_serializer(
    "PaginatedCheckDecisionList",
    {
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": DecisionOut(many=True),
    },
)


class CheckListCreateView(CheckAPIView):
    """POST: check one order (200 accepted or rejected; 503 when a dependency is down, never an
    accept). GET: the decision log of the accounts the caller may view, newest first."""

    @extend_schema(
        request=OrderIn,
        responses={200: _RESULT, **_ERRORS},
        summary="Pre-trade check of one order",
        operation_id="checks_create",
    )
    def post(self, request: Request) -> Response:
        data = _valid(OrderIn, request.data)
        account = get_account_for(request, data["account"], Action.TRADE)
        result = check_order(account=account, order=OrderIn.draft(data), caller=request.user)
        return Response(result_json(result))

    @extend_schema(
        parameters=[
            OpenApiParameter("account", str, description="An account code"),
            OpenApiParameter("decision", str, enum=["accepted", "rejected"]),
        ],
        responses={200: _PAGE, 400: OpenApiTypes.OBJECT, 401: _ERROR, 403: _ERROR, 404: _ERROR},
        summary="The decision log, newest first",
        operation_id="checks_list",
    )
    def get(self, request: Request) -> Response:
        decision = request.query_params.get("decision")
        if decision is not None and decision not in CheckDecision.Outcome.values:
            raise ValidationError({"decision": ['Must be "accepted" or "rejected".']})
        code = request.query_params.get("account")
        account = get_account_for(request, code, Action.VIEW) if code else None
        rows = selectors.decision_list(user=request.user, account=account, decision=decision)
        paginator = LimitOffsetPagination()
        page = paginator.paginate_queryset(rows, request, view=self)
        return paginator.get_paginated_response(DecisionOut(page, many=True).data)


class CheckBatchView(CheckAPIView):
    """Check a basket of one account in order, each order seeing the ones accepted before it."""

    @extend_schema(
        request=BatchIn,
        responses={
            200: inline_serializer("CheckBatchResult", {"results": _RESULT.__class__(many=True)}),
            **_ERRORS,
        },
        summary="Pre-trade check of a basket: each order sees the ones accepted before it",
    )
    def post(self, request: Request) -> Response:
        data = _valid(BatchIn, request.data)
        drafts = [OrderIn.draft(order) for order in data["orders"]]
        account = get_account_for(request, drafts[0].account, Action.TRADE)
        results = check_batch(account=account, orders=drafts, caller=request.user)
        return Response({"results": [result_json(r) for r in results]})


class CheckDetailView(CheckAPIView):
    """One stored decision with its inputs, caller and reservation state."""

    @extend_schema(
        responses={200: DecisionOut, 401: _ERROR, 404: _ERROR},
        summary="One stored decision",
        operation_id="checks_retrieve",
    )
    def get(self, request: Request, check_id: str) -> Response:
        row = _decision(request, check_id, Action.VIEW)
        return Response(DecisionOut(row).data)


class CheckReleaseView(CheckAPIView):
    """Free what is left of an accepted check's reservation; allowed even when trading is halted.
    Idempotent; a rejected check holds nothing (409)."""

    @extend_schema(
        request=None,
        responses={200: DecisionOut, 401: _ERROR, 403: _ERROR, 404: _ERROR, 409: _ERROR, 503: _ERROR},
        summary="Free what is left of a reservation",
    )
    def post(self, request: Request, check_id: str) -> Response:
        row = _decision(request, check_id, Action.TRADE)
        return Response(DecisionOut(check_release(decision=row)).data)


def _valid(serializer_class: type[serializers.Serializer[Any]], data: Any) -> dict[str, Any]:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _decision(request: Request, check_id: str, action: Action) -> CheckDecision:
    row = selectors.decision_by_check_id(check_id=check_id)
    if row is None:
        raise Http404("No such check.")
    get_account_for(request, row.account.code, action)
    return row


urlpatterns: list[URLPattern] = [
    path("checks/", CheckListCreateView.as_view(), name="checks"),
    path("checks/batch/", CheckBatchView.as_view(), name="checks-batch"),
    path("checks/<uuid:check_id>/", CheckDetailView.as_view(), name="check-detail"),
    path("checks/<uuid:check_id>/release/", CheckReleaseView.as_view(), name="check-release"),
]
