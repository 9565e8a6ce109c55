"""Limits, their history and overrides, trading state (the kill switch) and account groups.

Each resource exists under /accounts/{code}/, /accounts/{code}/strategies/{strategy}/ and
/groups/{code}/; the scope mixins in limits.api.scopes find the target with the 404/403 rules.
Views validate, call one service or selector and serialize.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.models import AccountGroup
from accounts.scoping import is_firm_wide
from limits import selectors, services
from limits.api import serializers as s
from limits.api.scopes import AccountTargetView, GroupTargetView, StrategyTargetView, TargetView, target_code
from limits.models import LIMIT_FIELDS, LimitChange, LimitChangeSource, LimitOverride
from limits.services import Target


def _limits_response(view: TargetView, target: Target) -> Response:
    limit_set = selectors.limit_set_of(target)
    effective = selectors.effective_limits_of(target)
    stored: dict[str, Any]
    if limit_set is None:
        stored = {name: None for name in LIMIT_FIELDS} | {
            "warn_utilization_pct": effective.warn_utilization_pct,
            "restricted_symbols": [],
        }
    else:
        stored = {name: getattr(limit_set, name) for name in LIMIT_FIELDS}
    overrides = s.OverrideOut(selectors.limit_overrides(target=target, active_only=True), many=True).data
    return Response(
        s.limits_payload(
            scope=view.scope_kind,
            code=target_code(target),
            base_currency=view.base_currency(target),
            stored=stored,
            effective=effective.as_dict(),
            overrides=list(overrides),
            updated_at=limit_set.updated_at if limit_set else None,
        )
    )


class LimitsMixin(TargetView):
    """GET the limits (viewers); PUT replaces every field, PATCH only those given (risk managers)."""

    @extend_schema(responses={200: s.LimitsOut})
    def get(self, request: Request, **kwargs: Any) -> Response:
        return _limits_response(self, self.get_target())

    def _write(self, request: Request, *, replace: bool) -> Response:
        target = self.get_target()
        data = s.LimitsIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        reason = values.pop("reason")
        services.limit_set_update(
            target=target,
            values=values,
            reason=reason,
            changed_by=request.user,
            source=LimitChangeSource.API,
            replace=replace,
        )
        return _limits_response(self, target)

    @extend_schema(request=s.LimitsIn, responses={200: s.LimitsOut})
    def put(self, request: Request, **kwargs: Any) -> Response:
        return self._write(request, replace=True)

    @extend_schema(request=s.LimitsIn, responses={200: s.LimitsOut})
    def patch(self, request: Request, **kwargs: Any) -> Response:
        return self._write(request, replace=False)


class AccountLimitsView(LimitsMixin, AccountTargetView):
    pass


class StrategyLimitsView(LimitsMixin, StrategyTargetView):
    pass


class GroupLimitsView(LimitsMixin, GroupTargetView):
    pass


class LimitHistoryMixin(TargetView, generics.ListAPIView[LimitChange]):
    """Every change of the scope's limits, newest first: who, when, old, new, why, from where."""

    serializer_class = s.LimitChangeOut

    def get_queryset(self) -> QuerySet[LimitChange]:
        if getattr(self, "swagger_fake_view", False):
            return LimitChange.objects.none()
        queryset = selectors.limit_history(target=self.get_target())
        field = self.request.query_params.get("field")
        return queryset.filter(field=field) if field else queryset

    @extend_schema(parameters=[OpenApiParameter("field", str, description="Only changes of this field.")])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class AccountLimitHistoryView(LimitHistoryMixin, AccountTargetView):
    pass


class StrategyLimitHistoryView(LimitHistoryMixin, StrategyTargetView):
    pass


class GroupLimitHistoryView(LimitHistoryMixin, GroupTargetView):
    pass


class OverridesMixin(TargetView, generics.ListAPIView[LimitOverride]):
    """Temporary limits: GET lists them (`?active=1` only those in force), POST raises one until
    `expires_at` (risk managers). It lapses at expiry by itself."""

    serializer_class = s.OverrideOut

    def get_queryset(self) -> QuerySet[LimitOverride]:
        if getattr(self, "swagger_fake_view", False):
            return LimitOverride.objects.none()
        active = self.request.query_params.get("active", "").lower() in {"1", "true", "yes"}
        return selectors.limit_overrides(target=self.get_target(), active_only=active)

    @extend_schema(parameters=[OpenApiParameter("active", bool, description="Only overrides in force now.")])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    @extend_schema(request=s.OverrideIn, responses={201: s.OverrideOut})
    def post(self, request: Request, **kwargs: Any) -> Response:
        target = self.get_target()
        data = s.OverrideIn(data=request.data)
        data.is_valid(raise_exception=True)
        override = services.limit_override_create(
            target=target, created_by=request.user, **data.validated_data
        )
        return Response(s.OverrideOut(override).data, status=status.HTTP_201_CREATED)


class OverrideEndMixin(TargetView):
    """POST `{reason}`: end one of the scope's overrides now (risk managers); 409 if it already ended."""

    @extend_schema(request=s.OverrideEndIn, responses={200: s.OverrideOut, 409: None})
    def post(self, request: Request, **kwargs: Any) -> Response:
        target = self.get_target()
        override = selectors.limit_overrides(target=target).filter(pk=kwargs["override_id"]).first()
        if override is None:
            raise Http404("No such override.")
        data = s.OverrideEndIn(data=request.data)
        data.is_valid(raise_exception=True)
        ended = services.limit_override_revert(
            override=override, reverted_by=request.user, reason=data.validated_data["reason"]
        )
        override.refresh_from_db()
        return Response(
            s.OverrideOut(override).data, status=status.HTTP_200_OK if ended else status.HTTP_409_CONFLICT
        )


class AccountOverridesView(OverridesMixin, AccountTargetView):
    pass


class AccountOverrideEndView(OverrideEndMixin, AccountTargetView):
    pass


class StrategyOverrideEndView(OverrideEndMixin, StrategyTargetView):
    pass


class GroupOverrideEndView(OverrideEndMixin, GroupTargetView):
    pass


class StrategyOverridesView(OverridesMixin, StrategyTargetView):
    pass


class GroupOverridesView(OverridesMixin, GroupTargetView):
    pass


class TradingStateMixin(TargetView):
    """The kill switch. GET: current state and its change log (viewers). POST `{state, reason}`:
    `halted` rejects every order, `reduce_only` accepts only orders towards flat (risk managers)."""

    def _response(self, target: Target) -> Response:
        changes = selectors.trading_state_history(target=target)[:100]
        return Response(
            s.TradingStateOut(
                {
                    "scope": self.scope_kind,
                    "code": target_code(target),
                    "trading_state": target.trading_state,
                    "changes": changes,
                }
            ).data
        )

    @extend_schema(responses={200: s.TradingStateOut})
    def get(self, request: Request, **kwargs: Any) -> Response:
        return self._response(self.get_target())

    @extend_schema(request=s.TradingStateIn, responses={200: s.TradingStateOut})
    def post(self, request: Request, **kwargs: Any) -> Response:
        target = self.get_target()
        data = s.TradingStateIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.trading_state_set(
            target=target,
            state=data.validated_data["state"],
            reason=data.validated_data["reason"],
            changed_by=request.user,
        )
        return self._response(target)


class AccountTradingStateView(TradingStateMixin, AccountTargetView):
    pass


class StrategyTradingStateView(TradingStateMixin, StrategyTargetView):
    pass


class GroupTradingStateView(TradingStateMixin, GroupTargetView):
    pass


def _staff_only(request: Request) -> None:
    if not is_firm_wide(request.user):
        raise PermissionDenied("Only staff may create or change account groups.")


class GroupListView(generics.ListAPIView[AccountGroup]):
    """Account groups (desks) the caller may see. Staff create them."""

    serializer_class = s.GroupOut

    def get_queryset(self) -> QuerySet[AccountGroup]:
        return AccountGroup.objects.for_user(self.request.user).prefetch_related("accounts").order_by("code")

    @extend_schema(request=s.GroupCreateIn, responses={201: s.GroupOut})
    def post(self, request: Request) -> Response:
        _staff_only(request)
        data = s.GroupCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        group = services.account_group_create(created_by=request.user, **data.validated_data)
        return Response(s.GroupOut(group).data, status=status.HTTP_201_CREATED)


class GroupDetailView(GroupTargetView):
    @extend_schema(responses={200: s.GroupOut})
    def get(self, request: Request, group: str) -> Response:
        return Response(s.GroupOut(self.get_target()).data)

    @extend_schema(request=s.GroupUpdateIn, responses={200: s.GroupOut})
    def patch(self, request: Request, group: str) -> Response:
        found = self.get_target()  # 404 before 403: never reveal a group the caller cannot see
        _staff_only(request)
        data = s.GroupUpdateIn(data=request.data, context={"group": found})
        data.is_valid(raise_exception=True)
        changes = {k: v for k, v in data.validated_data.items() if k != "code"}
        found = services.account_group_update(group=found, changed_by=request.user, **changes)
        return Response(s.GroupOut(found).data)
