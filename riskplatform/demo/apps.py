from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo loader: no models, one management command (`load_demo`)."""

    name = "riskplatform.demo"
    label = "demo"
