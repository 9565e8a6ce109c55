"""The API's one exception handler: service validation errors are 400s, unreachable services 503s."""

from __future__ import annotations

import pytest
import redis
from django.db import OperationalError
from django.urls import reverse

from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "error", [OperationalError("server closed the connection"), redis.ConnectionError("down")]
)
def test_an_unreachable_backing_service_answers_503_not_500(account, owner, monkeypatch, error) -> None:
    def unreachable(**kwargs: object) -> None:
        raise error

    monkeypatch.setattr("accounts.services.account_update", unreachable)

    response = client_for(owner).patch(
        reverse("account-detail", args=[account.code]), {"name": "x"}, format="json"
    )

    assert response.status_code == 503
    assert response.json()["detail"].startswith("A backing service")
