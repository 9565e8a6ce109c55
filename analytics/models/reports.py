"""The nightly risk report of one account for one day."""

from __future__ import annotations

from django.db import models

from accounts.models import Account
from analytics.models.fields import BulkJSONField


class ReportStatus(models.TextChoices):
    OK = "ok", "OK"
    FAILED = "failed", "Failed"


class RiskReport(models.Model):
    """VaR, ES, Greeks, worst stress scenario and margin of one account as of one day.

    One row per (account, as_of): a rerun of the same day replaces the row (upsert), so the nightly
    task is safe to run twice. Figures are 1-day, in the account's base currency (`currency`);
    `var_95`, `var_99` and `es_975` come from `method` (historical simulation by default), the
    `*_var_99` fields give the 99% VaR of each method side by side. A failed report keeps the error
    (`error_code`, `error`) and null figures, so the dashboards show why a number is missing.
    """

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="risk_reports")
    as_of = models.DateField()
    status = models.CharField(max_length=8, choices=ReportStatus.choices, default=ReportStatus.OK)
    error_code = models.CharField(max_length=64, blank=True, default="")
    error = BulkJSONField(default=dict, blank=True, help_text="The data problem of a failed report.")
    method = models.CharField(max_length=32, default="historical")
    lookback_days = models.PositiveIntegerField()
    currency = models.CharField(max_length=10)
    portfolio_value = models.FloatField(null=True, blank=True)
    var_95 = models.FloatField(null=True, blank=True)
    var_99 = models.FloatField(null=True, blank=True)
    es_975 = models.FloatField(null=True, blank=True)
    parametric_var_99 = models.FloatField(null=True, blank=True)
    historical_var_99 = models.FloatField(null=True, blank=True)
    monte_carlo_var_99 = models.FloatField(null=True, blank=True)
    margin_required = models.FloatField(
        null=True,
        blank=True,
        help_text="Initial margin by the method the pre-trade check enforces (positions/ledger/margin.py).",
    )
    scenario_margin = models.FloatField(
        null=True,
        blank=True,
        help_text="Margin by the scenario grid (worst loss of each option over price and vol moves).",
    )
    realized_pnl = models.FloatField(
        null=True,
        blank=True,
        help_text="P&L of the positions over the next day (set by the next report), for backtests.",
    )
    components = BulkJSONField(default=list, blank=True, help_text="Component VaR (99%) per symbol.")
    greeks = BulkJSONField(default=dict, blank=True, help_text="Greeks by underlying and total.")
    stress = BulkJSONField(default=dict, blank=True, help_text="P&L per stored scenario and the worst.")
    positions = BulkJSONField(default=dict, blank=True, help_text="Quantity per symbol when computed.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["account__code", "-as_of"]
        constraints = [models.UniqueConstraint(fields=["account", "as_of"], name="riskreport_unique_day")]
        indexes = [models.Index(fields=["account", "-as_of"], name="riskreport_account_recent")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.as_of} {self.status}"
