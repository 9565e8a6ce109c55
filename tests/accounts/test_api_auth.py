from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/auth/token/"


def test_it_returns_a_token_that_authenticates_later_requests(api_client: APIClient) -> None:
    user = UserFactory(username="oms")

    response = api_client.post(URL, {"username": "oms", "password": "pw-for-tests-1"}, format="json")

    assert response.status_code == 200
    key = response.json()["token"]
    assert Token.objects.get(user=user).key == key
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/accounts/").status_code == 200


def test_it_returns_the_same_token_twice(api_client: APIClient) -> None:
    UserFactory(username="oms")
    body = {"username": "oms", "password": "pw-for-tests-1"}

    first = api_client.post(URL, body, format="json").json()["token"]
    second = api_client.post(URL, body, format="json").json()["token"]

    assert first == second


def test_it_rejects_bad_credentials_with_non_field_errors(api_client: APIClient) -> None:
    UserFactory(username="oms")

    response = api_client.post(URL, {"username": "oms", "password": "wrong"}, format="json")

    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert not Token.objects.exists()


def test_it_names_missing_fields(api_client: APIClient) -> None:
    response = api_client.post(URL, {"username": "oms"}, format="json")

    assert response.status_code == 400
    assert "password" in response.json()


def test_it_throttles_repeated_attempts(api_client: APIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "auth", "3/min")
    body = {"username": "nobody", "password": "wrong"}

    codes = [api_client.post(URL, body, format="json").status_code for _ in range(4)]

    assert codes == [400, 400, 400, 429]


def test_a_bad_token_is_401() -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")

    assert client.get("/api/v1/accounts/").status_code == 401


def test_a_token_of_an_inactive_user_is_401_with_drfs_message() -> None:
    user = UserFactory(is_active=False)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

    response = client.get("/api/v1/accounts/")

    assert response.status_code == 401
    assert response.json() == {"detail": "User inactive or deleted."}


def test_a_token_authenticates_as_its_own_user_with_every_field_loaded() -> None:
    from accounts.authentication import TokenAuthentication

    user = UserFactory(username="ops-7", is_staff=True, email="ops7@example.com")
    key = Token.objects.create(user=user).key

    found, token = TokenAuthentication().authenticate_credentials(key)

    assert (found.pk, found.username, found.is_staff) == (user.pk, "ops-7", True)
    assert found.email == "ops7@example.com"
    assert token.key == key
    assert token.user == user
    found.first_name = "Renamed"
    found.save()  # a real, saved instance: the ORM can write it back
    user.refresh_from_db()
    assert user.first_name == "Renamed"
