"""Dashboards at the site root."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from analytics import views

app_name = "analytics"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="dashboard"),
    path("accounts/<str:code>/", views.account_detail, name="account"),
    path("alerts/<int:alert_id>/acknowledge/", views.acknowledge, name="acknowledge"),
]
