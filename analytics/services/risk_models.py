"""The day's risk model: the nightly run stores it before the reports; the pre-trade check reads it
(analytics/risk_model_source.py) to price every order's VaR without reading the history."""

from __future__ import annotations

import logging
from datetime import date

import numpy as np
from django.db import transaction

from analytics.models import DailyRiskModel
from analytics.riskmath.covariance import sample_covariance
from analytics.snapshot import factor_returns
from limits.risk_figures import RISK_MODEL_GENERATION
from limits.shared_state import shared_state
from positions.models import Instrument

logger = logging.getLogger(__name__)

# The contract's check model: GET risk/var/?method=parametric&confidence=0.99&horizon_days=1 and
# lookback_days=250.
MODEL_LOOKBACK_DAYS = 250


def risk_model_store(*, as_of: date, lookback_days: int = MODEL_LOOKBACK_DAYS) -> DailyRiskModel:
    """Compute and store (replace) the covariance of every factor with a full window ending `as_of`.

    Factors are the instruments that are not options (an option is driven by its underlying); the
    returns are those `analytics.snapshot` gives books, so a book on these factors has exactly this
    covariance in `GET risk/var/`. Safe to run twice.
    """
    linear = Instrument.objects.exclude(asset_class="option").order_by("symbol")
    factors = list(linear.values_list("id", "symbol"))
    returns, lacking = factor_returns([pk for pk, _ in factors], as_of, lookback_days)
    complete = [j for j in range(len(factors)) if lacking[j] == 0]
    covariance = sample_covariance(returns[:, complete]) if complete else np.zeros((0, 0))
    missing = {
        symbol: f"{int(lacking[j])} of the {lookback_days} days of history are missing"
        for j, (_, symbol) in enumerate(factors)
        if lacking[j] != 0
    }
    with transaction.atomic():
        model, _ = DailyRiskModel.objects.update_or_create(
            as_of=as_of,
            lookback_days=lookback_days,
            method="sample",
            defaults={
                "factors": [factors[j][1] for j in complete],
                "covariance": np.ascontiguousarray(covariance, dtype="<f8").tobytes(),
                "missing": missing,
            },
        )
        shared_state().replace_token(RISK_MODEL_GENERATION)
    logger.info("risk model %s: %d factors, %d without a full window", as_of, len(complete), len(missing))
    return model
