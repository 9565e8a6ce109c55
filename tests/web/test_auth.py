"""The site's own login for every role, logout, password change, and a safe `next`."""

from __future__ import annotations

import pytest

from tests.web.conftest import login

pytestmark = pytest.mark.django_db


def test_the_pages_send_anonymous_users_to_the_sites_login_with_next(client, firm):
    response = client.get("/accounts/ACC-1/")

    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/accounts/ACC-1/"


def test_a_non_staff_risk_manager_logs_in_through_the_login_page(client, manager):
    response = login(client, "risk")

    assert response.status_code == 302
    assert response["Location"] == "/"
    page = client.get("/")
    assert page.status_code == 200
    assert b"ACC-1" in page.content
    assert b'id="current-user">risk<' in page.content


@pytest.mark.parametrize("fixture", ["desk_viewer", "desk_trader", "manager"])
def test_every_role_logs_in(client, request, fixture):
    user = request.getfixturevalue(fixture)

    assert login(client, user.username).status_code == 302
    assert client.get("/accounts/ACC-1/").status_code == 200


def test_a_wrong_password_is_refused_on_the_page(client, manager):
    response = login(client, "risk", password="wrong")

    assert response.status_code == 200
    assert b"Please enter a correct username and password" in response.content
    assert "staff" not in response.content.decode()
    assert client.get("/").status_code == 302


def test_next_is_followed_to_this_site_only(client, manager):
    assert login(client, "risk", next_url="/accounts/ACC-1/")["Location"] == "/accounts/ACC-1/"
    client.post("/logout/")
    assert login(client, "risk", next_url="https://evil.example/steal")["Location"] == "/"
    client.post("/logout/")
    assert login(client, "risk", next_url="//evil.example/")["Location"] == "/"


def test_the_login_page_carries_next_into_its_form(client, manager):
    page = client.get("/login/?next=/accounts/ACC-1/")

    assert b'name="next" value="/accounts/ACC-1/"' in page.content


def test_logout_is_a_post_from_every_page(client, manager):
    login(client, "risk")
    page = client.get("/").content.decode()
    assert 'action="/logout/"' in page

    assert client.get("/logout/").status_code == 405  # a link cannot log anyone out
    assert client.post("/logout/")["Location"] == "/login/"
    assert client.get("/").status_code == 302


def test_a_user_changes_their_password_and_logs_in_with_the_new_one(client, manager):
    login(client, "risk")
    response = client.post(
        "/password/",
        {
            "old_password": "pw-for-tests-1",
            "new_password1": "a-new-long-passphrase-9",
            "new_password2": "a-new-long-passphrase-9",
        },
    )
    assert response["Location"] == "/password/done/"
    client.post("/logout/")

    assert login(client, "risk").status_code == 200  # the old one no longer works
    assert login(client, "risk", password="a-new-long-passphrase-9").status_code == 302


def test_a_wrong_old_password_changes_nothing(client, manager):
    login(client, "risk")
    response = client.post(
        "/password/",
        {"old_password": "nope", "new_password1": "x-long-pass-123", "new_password2": "x-long-pass-123"},
    )

    assert response.status_code == 200
    assert b"Your old password was entered incorrectly" in response.content


def test_a_deactivated_user_cannot_log_in(client, manager):
    manager.is_active = False
    manager.save()

    assert login(client, "risk").status_code == 200
