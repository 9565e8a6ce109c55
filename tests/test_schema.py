"""The OpenAPI schema renders, documents the contract's paths and raises no warnings for our views."""

from __future__ import annotations

import re

import pytest
from django.urls import Resolver404, resolve
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from tests.conftest import client_for

pytestmark = pytest.mark.django_db

# The foundation's paths: present from the start.
FOUNDATION_PATHS = [
    "/api/v1/auth/token/",
    "/api/v1/instruments/",
    "/api/v1/instruments/{symbol}/",
    "/api/v1/prices/",
    "/api/v1/fx-rates/",
    "/api/v1/price-history/",
    "/api/v1/rates/",
    "/api/v1/accounts/",
    "/api/v1/accounts/{code}/",
    "/api/v1/accounts/{code}/strategies/",
    "/api/v1/accounts/{code}/strategies/{strategy}/",
    "/api/v1/accounts/{code}/members/",
    "/api/v1/accounts/{code}/members/{username}/",
]

# Every path of the contract; each one that is routed must also be documented.
CONTRACT_PATHS = [
    *FOUNDATION_PATHS,
    "/api/v1/accounts/{code}/cash-movements/",
    "/api/v1/accounts/{code}/limits/",
    "/api/v1/accounts/{code}/strategies/{strategy}/limits/",
    "/api/v1/groups/",
    "/api/v1/groups/{code}/",
    "/api/v1/groups/{code}/limits/",
    "/api/v1/accounts/{code}/trading-state/",
    "/api/v1/accounts/{code}/strategies/{strategy}/trading-state/",
    "/api/v1/groups/{code}/trading-state/",
    "/api/v1/checks/",
    "/api/v1/checks/batch/",
    "/api/v1/checks/{check_id}/release/",
    "/api/v1/fills/",
    "/api/v1/accounts/{code}/positions/",
    "/api/v1/accounts/{code}/summary/",
    "/api/v1/accounts/{code}/risk/var/",
    "/api/v1/accounts/{code}/risk/greeks/",
    "/api/v1/accounts/{code}/risk/stress/",
    "/api/v1/accounts/{code}/risk/backtest/",
    "/api/v1/accounts/{code}/risk/reports/",
    "/api/v1/alerts/",
    "/api/v1/alerts/{id}/acknowledge/",
]

# Modules whose views this test holds to a warning-free schema.
FOUNDATION_MODULES = ("accounts/api/", "positions/api/reference.py")


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000001", path)


def _routed(path: str) -> bool:
    try:
        resolve(_concrete(path))
    except Resolver404:
        return False
    return True


@pytest.fixture(scope="module")
def schema() -> dict:
    return SchemaGenerator().get_schema(request=None, public=True)


def test_the_schema_endpoint_serves_openapi_3(staff) -> None:
    response = client_for(staff).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    assert response.json()["openapi"].startswith("3.")


def test_the_docs_page_renders_without_a_cdn(staff) -> None:
    response = client_for(staff).get("/api/v1/docs/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "/api/v1/schema/" in page
    assert "cdn.jsdelivr" not in page


def test_the_foundation_paths_are_documented(schema) -> None:
    missing = [path for path in FOUNDATION_PATHS if path not in schema["paths"]]

    assert missing == []


def _shape(path: str) -> str:
    """A path with its parameter names blanked: the contract's {code} may be {group} in the code."""
    return re.sub(r"\{[^}]+\}", "{}", path)


def test_every_routed_contract_path_is_documented(schema) -> None:
    documented = {_shape(path) for path in schema["paths"]}

    undocumented = [path for path in CONTRACT_PATHS if _routed(path) and _shape(path) not in documented]

    assert undocumented == []
    assert sum(_routed(path) for path in CONTRACT_PATHS) >= len(FOUNDATION_PATHS)


def test_list_writes_document_a_list_body(schema) -> None:
    body = schema["paths"]["/api/v1/prices/"]["post"]["requestBody"]["content"]["application/json"]["schema"]

    assert body["type"] == "array"


def test_the_foundation_views_raise_no_schema_warnings() -> None:
    GENERATOR_STATS.reset()
    SchemaGenerator().get_schema(request=None, public=True)
    ours = [
        message for message in GENERATOR_STATS._warn_cache if any(m in message for m in FOUNDATION_MODULES)
    ]
    errors = [
        message for message in GENERATOR_STATS._error_cache if any(m in message for m in FOUNDATION_MODULES)
    ]
    GENERATOR_STATS.reset()

    assert ours == []
    assert errors == []
