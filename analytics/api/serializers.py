"""Input and output serializers of the risk endpoints and alerts."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.api.base import StrictSerializer
from analytics.compute import COVARIANCE_METHODS, METHODS
from analytics.models import Alert, AlertState, RiskReport
from analytics.riskmath.simulation import DEFAULT_SCENARIOS

MIN_LOOKBACK_DAYS = 20
MAX_LOOKBACK_DAYS = 2520  # ten years of trading days
MIN_SCENARIOS = 100
MAX_SCENARIOS = 200_000
MAX_HORIZON_DAYS = 250


def _confidence(value: float) -> None:
    if not 0.0 < value < 1.0:
        raise serializers.ValidationError("Must be strictly between 0 and 1, e.g. 0.99.")
    if value < 0.5:
        raise serializers.ValidationError("Must be at least 0.5: VaR is a loss quantile, e.g. 0.99.")


class VarQuery(StrictSerializer):
    method = serializers.ChoiceField(choices=METHODS, default="parametric")
    confidence = serializers.FloatField(default=0.99, validators=[_confidence])
    horizon_days = serializers.IntegerField(default=1, min_value=1, max_value=MAX_HORIZON_DAYS)
    lookback_days = serializers.IntegerField(
        default=500, min_value=MIN_LOOKBACK_DAYS, max_value=MAX_LOOKBACK_DAYS
    )
    scenarios = serializers.IntegerField(
        default=DEFAULT_SCENARIOS,
        min_value=MIN_SCENARIOS,
        max_value=MAX_SCENARIOS,
        help_text="Monte Carlo only: number of scenarios.",
    )
    seed = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=2**63 - 1,
        help_text="Monte Carlo only: random seed (a fixed default when absent).",
    )

    covariance = serializers.ChoiceField(
        choices=COVARIANCE_METHODS,
        default="sample",
        help_text="parametric and monte_carlo: sample covariance, or EWMA (RiskMetrics, lambda 0.94).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["method"] == "historical" and "covariance" in self.initial_data:
            raise serializers.ValidationError({"covariance": ["Not used by method=historical."]})
        if attrs["method"] != "monte_carlo":
            named = [f for f in ("scenarios", "seed") if f in self.initial_data]
            if named:
                raise serializers.ValidationError({f: ["Only for method=monte_carlo."] for f in named})
        return attrs


class RiskDataErrorOut(serializers.Serializer[Any]):
    """422: the stored data cannot support the figure; extra keys name what is missing."""

    code = serializers.ChoiceField(
        choices=["insufficient_history", "missing_price", "missing_fx_rate", "missing_implied_vol"]
    )
    detail = serializers.CharField()
    missing = serializers.DictField(child=serializers.IntegerField(), required=False)
    required_days = serializers.IntegerField(required=False)
    symbols = serializers.ListField(child=serializers.CharField(), required=False)
    currencies = serializers.ListField(child=serializers.CharField(), required=False)


class ComponentOut(serializers.Serializer[Any]):
    symbol = serializers.CharField()
    exposure = serializers.FloatField()
    marginal_var = serializers.FloatField()
    component_var = serializers.FloatField()


class VarOut(serializers.Serializer[Any]):
    method = serializers.CharField()
    confidence = serializers.FloatField()
    horizon_days = serializers.IntegerField()
    lookback_days = serializers.IntegerField()
    currency = serializers.CharField()
    var = serializers.FloatField()
    expected_shortfall = serializers.FloatField()
    portfolio_value = serializers.FloatField()
    components = ComponentOut(many=True)
    as_of = serializers.DateField()
    scenarios = serializers.IntegerField(allow_null=True)
    seed = serializers.IntegerField(allow_null=True)
    covariance = serializers.CharField(allow_null=True)


class GreeksRowOut(serializers.Serializer[Any]):
    underlying = serializers.CharField()
    delta = serializers.FloatField()
    gamma = serializers.FloatField()
    vega = serializers.FloatField()
    theta = serializers.FloatField()
    rho = serializers.FloatField()
    delta_notional = serializers.FloatField()


class GreeksTotalOut(serializers.Serializer[Any]):
    delta = serializers.FloatField()
    gamma = serializers.FloatField()
    vega = serializers.FloatField()
    theta = serializers.FloatField()
    rho = serializers.FloatField()
    delta_notional = serializers.FloatField()


class GreeksOut(serializers.Serializer[Any]):
    currency = serializers.CharField()
    as_of = serializers.DateField()
    by_underlying = GreeksRowOut(many=True)
    total = GreeksTotalOut()


class StressIn(StrictSerializer):
    scenarios = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        allow_empty=False,
        max_length=100,
        help_text="Names of stored scenarios.",
    )
    shocks = serializers.DictField(
        required=False,
        allow_empty=False,
        help_text='Ad-hoc shocks, e.g. {"equity": "-0.20", "AAPL": "-0.35", "vol": "0.10", '
        '"fx": {"EUR": "-0.15"}}.',
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "scenarios" in attrs and "shocks" in attrs:
            message = ["Give either scenarios or shocks, not both."]
            raise serializers.ValidationError({"scenarios": message, "shocks": message})
        return attrs


class StressRowOut(serializers.Serializer[Any]):
    scenario = serializers.CharField()
    pnl = serializers.FloatField()
    by_symbol = serializers.DictField(child=serializers.FloatField())


class StressOut(serializers.Serializer[Any]):
    currency = serializers.CharField()
    as_of = serializers.DateField()
    results = StressRowOut(many=True)


class BacktestQuery(StrictSerializer):
    confidence = serializers.FloatField(default=0.99, validators=[_confidence])
    days = serializers.IntegerField(default=250, min_value=20, max_value=MAX_LOOKBACK_DAYS)


class BacktestOut(serializers.Serializer[Any]):
    observations = serializers.IntegerField()
    exceptions = serializers.IntegerField()
    kupiec_p_value = serializers.FloatField()
    christoffersen_p_value = serializers.FloatField()
    traffic_light = serializers.ChoiceField(choices=["green", "yellow", "red"])
    confidence = serializers.FloatField()
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=["reports", "rolling_historical"],
        help_text="reports: stored VaR vs next-day P&L; rolling_historical: the current book replayed.",
    )
    window_days = serializers.IntegerField(allow_null=True)


class ConcentrationQuery(StrictSerializer):
    confidence = serializers.FloatField(default=0.99, validators=[_confidence])
    lookback_days = serializers.IntegerField(
        default=500, min_value=MIN_LOOKBACK_DAYS, max_value=MAX_LOOKBACK_DAYS
    )
    top = serializers.IntegerField(default=5, min_value=1, max_value=50)


class ExposureOut(serializers.Serializer[Any]):
    symbol = serializers.CharField()
    exposure = serializers.FloatField(help_text="Delta exposure in the base currency.")
    share = serializers.FloatField(help_text="|exposure| / gross exposure.")


class PairOut(serializers.Serializer[Any]):
    first = serializers.CharField()
    second = serializers.CharField()
    correlation = serializers.FloatField()


class ConcentrationOut(serializers.Serializer[Any]):
    currency = serializers.CharField()
    as_of = serializers.DateField()
    confidence = serializers.FloatField()
    lookback_days = serializers.IntegerField()
    largest_exposures = ExposureOut(many=True)
    standalone_var_sum = serializers.FloatField()
    portfolio_var = serializers.FloatField()
    diversification_ratio = serializers.FloatField(allow_null=True)
    most_correlated_pairs = PairOut(many=True)


class ReportOut(serializers.ModelSerializer[RiskReport]):
    account = serializers.CharField(source="account.code")

    class Meta:
        model = RiskReport
        fields = [
            "id",
            "account",
            "as_of",
            "status",
            "error_code",
            "error",
            "method",
            "lookback_days",
            "currency",
            "portfolio_value",
            "var_95",
            "var_99",
            "es_975",
            "parametric_var_99",
            "historical_var_99",
            "monte_carlo_var_99",
            "margin_required",
            "realized_pnl",
            "components",
            "greeks",
            "stress",
            "created_at",
            "updated_at",
        ]


class AlertQuery(StrictSerializer):
    account = serializers.CharField(required=False, max_length=64)
    state = serializers.ChoiceField(choices=AlertState.choices, required=False)
    limit = serializers.IntegerField(required=False, min_value=0)
    offset = serializers.IntegerField(required=False, min_value=0)


class AlertOut(serializers.ModelSerializer[Alert]):
    account = serializers.CharField(source="account.code")
    acknowledged_by = serializers.CharField(source="acknowledged_by.username", allow_null=True, default=None)

    class Meta:
        model = Alert
        fields = [
            "id",
            "account",
            "kind",
            "key",
            "severity",
            "message",
            "value",
            "threshold",
            "as_of",
            "state",
            "occurrences",
            "created_at",
            "last_seen_at",
            "acknowledged_by",
            "acknowledged_at",
        ]
