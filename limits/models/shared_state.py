"""Generation tokens kept in the database (settings.RISK_SHARED_STATE = "database")."""

from __future__ import annotations

from django.db import models


class GenerationToken(models.Model):
    """The current token of something every process caches (a scope's limits, the instrument table).

    Replaced in the writer's own transaction (limits/shared_state/database_state.py), so a reader sees
    the new token exactly when it sees the new data. With Redis the tokens live there instead and
    this table stays empty.
    """

    name = models.CharField(max_length=100, unique=True)
    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return f"{self.name} = {self.token}"
