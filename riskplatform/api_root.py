"""`GET /api/v1/`: the resources of the API, so that the base path answers instead of a 404."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

# Collections at the top of the contract (everything else lives under an account, a group or a check).
RESOURCES = {
    "accounts": "accounts/",
    "groups": "groups/",
    "checks": "checks/",
    "fills": "fills/",
    "alerts": "alerts/",
    "instruments": "instruments/",
    "prices": "prices/",
    "fx-rates": "fx-rates/",
    "price-history": "price-history/",
    "rates": "rates/",
    "auth-token": "auth/token/",
    "schema": "schema/",
    "docs": "docs/",
}


class ApiRootView(APIView):
    """Links to every top-level resource; open to anyone (it names paths, never data)."""

    permission_classes = [AllowAny]

    @extend_schema(
        responses=inline_serializer("ApiRoot", {name: serializers.URLField() for name in RESOURCES}),
        auth=[],
    )
    def get(self, request: Request) -> Response:
        base = request.build_absolute_uri("/api/v1/")
        return Response({name: base + path for name, path in RESOURCES.items()})
