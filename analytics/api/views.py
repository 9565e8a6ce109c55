"""Risk analytics of an account (viewers) and alerts.

Views validate the query or body, call one selector or service, serialize the answer. Data problems
(too little history, missing marks, FX or implied vols) answer 422 with
`{"code", "detail", ...names}`; malformed input answers 400 naming each field.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db.models import QuerySet
from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from accounts.api.base import AccountScopedView
from accounts.scoping import Action, can
from analytics.api import serializers as s
from analytics.errors import RiskDataError
from analytics.models import Alert, RiskReport
from analytics.scenarios import ShockError
from analytics.selectors import alerts_for_user, reports_for_account
from analytics.selectors.backtest import account_backtest
from analytics.selectors.risk import (
    UnknownScenarios,
    account_concentration,
    account_greeks,
    account_stress,
    account_var,
    custom_scenario,
    stored_scenarios,
)
from analytics.services.alerts import alert_acknowledge

UNPROCESSABLE = status.HTTP_422_UNPROCESSABLE_ENTITY


def _query(request: Request) -> dict[str, str]:
    """The query parameters to validate: all but DRF's renderer override (`?format=json`)."""
    params = request.query_params.dict()
    params.pop(api_settings.URL_FORMAT_OVERRIDE or "format", None)
    return params


def _unprocessable(exc: RiskDataError) -> Response:
    return Response(exc.as_dict(), status=UNPROCESSABLE)


class RiskView(AccountScopedView):
    """Risk figures are reads: every method needs only the viewer role (stress is a POST for its body)."""

    action_for_method: ClassVar[dict[str, Action]] = {
        "GET": Action.VIEW,
        "HEAD": Action.VIEW,
        "OPTIONS": Action.VIEW,
        "POST": Action.VIEW,
    }


class VarView(RiskView):
    """VaR and expected shortfall of the account's current positions, with component VaR.

    parametric: mean-zero normal on the covariance of daily simple returns (sample, or EWMA with
    `covariance=ewma`), sqrt-of-time;
    historical: the book fully revalued under each day of the lookback; monte_carlo: normal scenarios
    on the same covariance, options repriced (`scenarios`, `seed`; a fixed seed by default).
    422 when the data cannot support the figure (too little history, a missing mark, FX rate or
    implied vol), naming the instruments.
    """

    @extend_schema(parameters=[s.VarQuery], responses={200: s.VarOut, 422: s.RiskDataErrorOut})
    def get(self, request: Request, code: str) -> Response:
        account = self.get_account()
        query = s.VarQuery(data=_query(request))
        query.is_valid(raise_exception=True)
        p = query.validated_data
        try:
            answer = account_var(
                account=account,
                method=p["method"],
                confidence=p["confidence"],
                horizon_days=p["horizon_days"],
                lookback_days=p["lookback_days"],
                n_scenarios=p["scenarios"],
                seed=p.get("seed"),
                covariance_method=p["covariance"],
            )
        except RiskDataError as exc:
            return _unprocessable(exc)
        r = answer.result
        body = {
            "method": r.method,
            "confidence": r.confidence,
            "horizon_days": p["horizon_days"],
            "lookback_days": answer.lookback_days,
            "currency": answer.currency,
            "var": r.var,
            "expected_shortfall": r.expected_shortfall,
            "portfolio_value": r.portfolio_value,
            "components": [c.__dict__ for c in r.components],
            "as_of": answer.as_of,
            "scenarios": answer.n_scenarios,
            "seed": answer.seed,
            "covariance": None if p["method"] == "historical" else p["covariance"],
        }
        return Response(s.VarOut(body).data)


class GreeksView(RiskView):
    """Black-Scholes-Merton (Black-76 on futures) Greeks per underlying and in total.

    delta and gamma in underlying units (a linear position: quantity x multiplier); vega per vol
    point, theta per calendar day, rho per 1% rate move and delta_notional in the base currency.
    """

    @extend_schema(responses={200: s.GreeksOut, 422: s.RiskDataErrorOut})
    def get(self, request: Request, code: str) -> Response:
        account = self.get_account()
        try:
            answer = account_greeks(account=account)
        except RiskDataError as exc:
            return _unprocessable(exc)
        total = answer.report.total.__dict__.copy()
        total.pop("underlying")
        body = {
            "currency": answer.currency,
            "as_of": answer.as_of,
            "by_underlying": [row.__dict__ for row in answer.report.by_underlying],
            "total": total,
        }
        return Response(s.GreeksOut(body).data)


class StressView(RiskView):
    """P&L of the account's book under stress scenarios, by full revaluation, in the base currency.

    `{"scenarios": [names]}` runs stored scenarios, `{"shocks": {...}}` an ad-hoc one ("custom"),
    an empty body every active stored scenario. Shock keys: an asset class, a symbol, "vol",
    "rates", "fx" ({"EUR": "-0.15"}). Open to viewers: nothing is changed.
    """

    @extend_schema(request=s.StressIn, responses={200: s.StressOut, 422: s.RiskDataErrorOut})
    def post(self, request: Request, code: str) -> Response:
        account = self.get_account()
        data = s.StressIn(data=request.data if request.data is not None else {})
        data.is_valid(raise_exception=True)
        p = data.validated_data
        try:
            if "shocks" in p:
                scenarios = [custom_scenario(p["shocks"])]
            else:
                scenarios = stored_scenarios(p.get("scenarios"))
        except ShockError as exc:
            return Response({"shocks": exc.errors}, status=status.HTTP_400_BAD_REQUEST)
        except UnknownScenarios as exc:
            return Response(
                {"scenarios": [f"Unknown scenario: {name}." for name in exc.names], "unknown": exc.names},
                status=status.HTTP_400_BAD_REQUEST,
            )
        try:
            answer = account_stress(account=account, scenarios=scenarios)
        except RiskDataError as exc:
            return _unprocessable(exc)
        body = {
            "currency": answer.currency,
            "as_of": answer.as_of,
            "results": [r.__dict__ for r in answer.results],
        }
        return Response(s.StressOut(body).data)


class BacktestView(RiskView):
    """Backtest of the 1-day VaR: exceptions, Kupiec and Christoffersen p-values, Basel traffic light.

    From the stored nightly reports when at least `days` of them have a realized P&L (`source:
    reports`), else by replaying the current book over history with a rolling 250-day historical VaR
    (`source: rolling_historical`).
    """

    @extend_schema(parameters=[s.BacktestQuery], responses={200: s.BacktestOut, 422: s.RiskDataErrorOut})
    def get(self, request: Request, code: str) -> Response:
        account = self.get_account()
        query = s.BacktestQuery(data=_query(request))
        query.is_valid(raise_exception=True)
        try:
            answer = account_backtest(account=account, **query.validated_data)
        except RiskDataError as exc:
            return _unprocessable(exc)
        return Response(s.BacktestOut(answer.__dict__).data)


class ConcentrationView(RiskView):
    """Concentration: the largest delta exposures and their share of gross exposure, the
    diversification ratio (sum of standalone parametric VaRs / portfolio parametric VaR; null when the
    portfolio VaR is 0 but positions are not) and the most correlated pairs of underlyings held."""

    @extend_schema(
        parameters=[s.ConcentrationQuery], responses={200: s.ConcentrationOut, 422: s.RiskDataErrorOut}
    )
    def get(self, request: Request, code: str) -> Response:
        account = self.get_account()
        query = s.ConcentrationQuery(data=_query(request))
        query.is_valid(raise_exception=True)
        try:
            answer = account_concentration(account=account, **query.validated_data)
        except RiskDataError as exc:
            return _unprocessable(exc)
        return Response(s.ConcentrationOut(answer.__dict__).data)


class ReportListView(RiskView, generics.ListAPIView[RiskReport]):
    """The account's nightly risk reports, newest first (limit/offset pagination)."""

    serializer_class = s.ReportOut
    queryset = RiskReport.objects.none()  # for the schema; get_queryset scopes the real one

    def get_queryset(self) -> QuerySet[RiskReport]:
        if getattr(self, "swagger_fake_view", False):
            return RiskReport.objects.none()
        return reports_for_account(account=self.get_account()).select_related("account")


class AlertListView(generics.ListAPIView[Alert]):
    """Alerts on the accounts the caller may see; `?account=CODE&state=open|acknowledged`."""

    serializer_class = s.AlertOut
    queryset = Alert.objects.none()  # for the schema; get_queryset scopes the real one

    @extend_schema(parameters=[s.AlertQuery])
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Alert]:
        query = s.AlertQuery(data=_query(self.request))
        query.is_valid(raise_exception=True)
        p = query.validated_data
        return alerts_for_user(user=self.request.user, account_code=p.get("account"), state=p.get("state"))


class AlertAcknowledgeView(APIView):
    """Acknowledge an alert: risk managers of its account (404 when the caller cannot see it)."""

    @extend_schema(
        request=None,
        responses={200: s.AlertOut},
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH)],
    )
    def post(self, request: Request, id: int) -> Response:
        alert = alerts_for_user(user=request.user).filter(pk=id).first()
        if alert is None:
            raise Http404("No such alert.")
        if not can(request.user, alert.account, Action.MANAGE):
            raise PermissionDenied("Only a risk manager of the account may acknowledge its alerts.")
        alert = alert_acknowledge(alert=alert, user=request.user)  # type: ignore[arg-type]
        return Response(s.AlertOut(alert).data)
