"""Failed admin logins are limited per account (from one address) and per address (over all
accounts), with a Chinese/English message; the office unlocks in the admin or with
`manage.py axes_reset_username`. A forged X-Forwarded-For does not give a fresh count."""
from __future__ import annotations

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from plans.login_limits import ACCOUNT_LIMIT, ADDRESS_LIMIT
from tests.factories import UserFactory

PASSWORD = "pw-for-tests-only"  # tests.factories.UserFactory's password
LOGIN = "/admin/login/?next=/admin/"


def log_in(client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def logged_in(response) -> bool:
    return response.status_code == 302 and response["Location"] == "/admin/"


def assert_locked_out(response):
    assert response.status_code == 429, response.status_code
    text = response.content.decode()
    assert "登录失败次数过多" in text and "Too many failed logins" in text, text[:500]


@pytest.fixture
def official(db):
    return UserFactory(username="official")


def test_limits_are_what_the_readme_says():
    assert (ACCOUNT_LIMIT, ADDRESS_LIMIT) == (5, 20)
    assert settings.AXES_FAILURE_LIMIT == ADDRESS_LIMIT


def test_wrong_passwords_lock_the_account_from_that_address(client, official):
    for _ in range(ACCOUNT_LIMIT - 1):
        response = log_in(client, "official", "wrong")
        assert response.status_code == 200  # the login form again, with its error
    assert_locked_out(log_in(client, "official", "wrong"))
    # now even the right password is refused, with the same message
    assert_locked_out(log_in(client, "official", PASSWORD))
    assert "_auth_user_id" not in client.session


def test_another_account_from_the_same_address_still_logs_in(client, official):
    UserFactory(username="colleague")
    for _ in range(ACCOUNT_LIMIT):
        log_in(client, "official", "wrong")
    assert logged_in(log_in(client, "colleague", PASSWORD))


def test_an_address_trying_many_accounts_is_locked_out(client, official):
    for attempt in range(ADDRESS_LIMIT):
        response = log_in(client, f"guess{attempt}", "wrong")
    assert_locked_out(response)
    assert_locked_out(log_in(client, "official", PASSWORD))


def test_thirty_wrong_passwords_are_not_all_answered(client, official):
    """The attack of the issue: 30 wrong passwords in a row."""
    statuses = [log_in(client, "official", f"guess-{attempt}").status_code for attempt in range(30)]
    assert statuses.count(200) == ACCOUNT_LIMIT - 1
    assert set(statuses[ACCOUNT_LIMIT - 1 :]) == {429}


def test_forged_forwarded_for_does_not_reset_the_count(client, official):
    for attempt in range(ACCOUNT_LIMIT):
        response = log_in(client, "official", "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt}")
    assert_locked_out(response)
    assert_locked_out(log_in(client, "official", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.200"))


def test_a_success_before_the_limit_starts_the_count_again(client, official):
    for _ in range(ACCOUNT_LIMIT - 1):
        log_in(client, "official", "wrong")
    assert logged_in(log_in(client, "official", PASSWORD))
    client.logout()
    for _ in range(ACCOUNT_LIMIT - 1):
        assert log_in(client, "official", "wrong").status_code == 200
    assert logged_in(log_in(client, "official", PASSWORD))


def test_the_office_unlocks_with_the_management_command(client, official):
    for _ in range(ACCOUNT_LIMIT):
        log_in(client, "official", "wrong")
    assert_locked_out(log_in(client, "official", PASSWORD))
    call_command("axes_reset_username", "official")
    assert logged_in(log_in(client, "official", PASSWORD))


def test_a_superuser_unlocks_in_the_admin(client, official):
    from axes.models import AccessAttempt

    for _ in range(ACCOUNT_LIMIT):
        log_in(client, "official", "wrong")
    assert_locked_out(log_in(client, "official", PASSWORD))
    client_class = type(client)
    admin = client_class()
    admin.force_login(UserFactory(username="boss", is_superuser=True))
    attempt = AccessAttempt.objects.get(username="official")
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    row = listing.content.decode().split('class="field-account"')[1].split("</tr>")[0]
    assert "official" in row and 'alt="True"' in row  # 已锁定
    response = admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302, response.content[:300]
    assert logged_in(log_in(client_class(), "official", PASSWORD))


def test_an_office_account_cannot_see_the_login_records(client, official):
    client.force_login(official)  # staff, no superuser
    assert client.get("/admin/axes/accessattempt/").status_code in {302, 403, 404}


def test_the_api_token_is_locked_by_the_same_limits(db):
    from rest_framework.test import APIClient

    UserFactory(username="official")
    client = APIClient()
    statuses = [
        client.post("/api/auth/token/", {"username": "official", "password": "wrong"}, format="json").status_code
        for _ in range(ACCOUNT_LIMIT)
    ]
    assert statuses == [400] * (ACCOUNT_LIMIT - 1) + [429]
    response = client.post("/api/auth/token/", {"username": "official", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
    assert "登录失败次数过多" in response.json()["detail"]
    # the admin's login form from the same address is locked too: one count
    assert_locked_out(log_in(Client(), "official", PASSWORD))


def test_logging_in_to_ones_own_account_does_not_reset_the_count_for_others(client, official):
    """An insider guessing a colleague's password cannot wipe the count with own logins."""
    UserFactory(username="colleague")
    for _ in range(ACCOUNT_LIMIT - 1):
        log_in(client, "colleague", "guess")
    assert logged_in(log_in(client, "official", PASSWORD))
    client.logout()
    assert_locked_out(log_in(client, "colleague", "guess"))
