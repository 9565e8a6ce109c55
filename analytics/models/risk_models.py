"""The day's parametric risk model, stored by the nightly run for the pre-trade check."""

from __future__ import annotations

from django.db import models


class DailyRiskModel(models.Model):
    """The sample covariance of the daily simple returns of every factor with a full lookback window,
    as of one trading date: what `GET risk/var/?method=parametric&lookback_days=250` computes for a
    book on those factors, so the pre-trade check can price an order's VaR without the history.

    `covariance` is the k x k matrix as little-endian float64 bytes, row-major, in the order of
    `factors` (instrument symbols: linear instruments and options' underlyings). `missing` names the
    instruments left out and why.
    """

    as_of = models.DateField()
    lookback_days = models.PositiveIntegerField()
    method = models.CharField(max_length=16, default="sample")
    factors = models.JSONField(default=list)
    covariance = models.BinaryField()
    missing = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-as_of"]
        constraints = [
            models.UniqueConstraint(
                fields=["as_of", "lookback_days", "method"], name="dailyriskmodel_unique_day"
            )
        ]

    def __str__(self) -> str:
        return f"risk model {self.as_of} ({len(self.factors)} factors, {self.lookback_days} days)"
