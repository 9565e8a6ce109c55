"""Top-level routes: admin, the v1 API (each app contributes its routes), schema and docs, and the
risk managers' pages at the root."""

from __future__ import annotations

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from riskplatform.api_root import ApiRootView

api_v1: list[URLPattern | URLResolver] = [
    path("", ApiRootView.as_view(), name="api-root"),
    path("", include("accounts.api.urls")),
    path("", include("positions.api.urls")),
    path("", include("limits.api.urls")),
    path("", include("analytics.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    # The risk managers' pages and the site's own login (riskplatform/web).
    path("", include("riskplatform.web.urls")),
]
