from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    """The risk managers' pages; no models."""

    name = "riskplatform.web"
    label = "web"
