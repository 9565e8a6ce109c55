"""Named stress scenarios, edited in admin."""

from __future__ import annotations

from django.db import models


class StressScenario(models.Model):
    """A named set of instantaneous shocks, applied by full revaluation.

    `shocks` maps an asset class (`equity`, `future`, `option`, `fx`, `crypto`) or a symbol to a
    relative price move as a decimal string ("-0.20" = -20%), `"vol"` to an absolute add to implied
    vols ("0.10" = +10 vol points), `"rate"` to an absolute add to risk-free rates and `"fx"` to a
    map of currency -> relative move of that currency against every other ({"EUR": "-0.15"}).
    A symbol shock wins over its asset class's. Validated by `analytics.scenarios.parse_shocks`.
    """

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True, default="")
    shocks = models.JSONField(default=dict)
    is_active = models.BooleanField(default=True)
    builtin = models.BooleanField(default=False, help_text="One of the built-in historical scenarios.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
