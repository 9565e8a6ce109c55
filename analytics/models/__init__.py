"""Stored risk reports, stress scenarios and alerts."""

from __future__ import annotations

from analytics.models.alerts import Alert, AlertKind, AlertSeverity, AlertState
from analytics.models.reports import ReportStatus, RiskReport
from analytics.models.risk_models import DailyRiskModel
from analytics.models.scenarios import StressScenario

__all__ = [
    "Alert",
    "AlertKind",
    "AlertSeverity",
    "AlertState",
    "DailyRiskModel",
    "ReportStatus",
    "RiskReport",
    "StressScenario",
]
