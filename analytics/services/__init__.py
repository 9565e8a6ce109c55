"""Writes of the analytics app: nightly reports, alerts, scenarios."""
