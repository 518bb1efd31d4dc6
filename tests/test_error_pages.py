"""The 403, 404 and CSRF-failure pages: Chinese (English by the language cookie), the admin's
look, a way back, the right status; with DEBUG on as `make run` serves as with it off. The
API keeps answering its errors in JSON."""
from __future__ import annotations

import sys

import pytest
from django.test import Client

from plans.models import MemberRole
from plans.roles import GROUP_OF_ROLE, OFFICE_GROUP, groups_ensure
from tests.factories import MembershipFactory, PlanFactory, UserFactory

DEBUG_MODES = pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])


@pytest.fixture
def official(db):
    user = MembershipFactory(user=UserFactory(username="tianbao"), role=MemberRole.OFFICIAL).user
    user.groups.add(groups_ensure()[GROUP_OF_ROLE[MemberRole.OFFICIAL]])
    return user


@pytest.fixture
def office(db):
    user = UserFactory(username="duban")
    user.groups.add(groups_ensure()[OFFICE_GROUP])
    PlanFactory().office_staff.add(user)
    return user


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def page(response) -> str:
    return response.content.decode()


@DEBUG_MODES
def test_an_unknown_page_is_our_chinese_404_with_a_way_back(settings, official, debug):
    settings.DEBUG = debug
    for path in ["/nowhere/at/all", "/admin/plans/nothing-here/", "/admin/plans/plan/999999/change/"]:
        response = signed_in(official).get(path, HTTP_REFERER="http://testserver/admin/inbox/")
        html = page(response)
        assert response.status_code == 404, path
        assert "页面不存在" in html, path
        assert 'href="/admin/"' in html and "返回首页" in html, path
        assert 'href="http://testserver/admin/inbox/"' in html and "返回上一页" in html, path
        assert "Django" not in html and "URLconf" not in html, path  # not the technical 404 page
        assert "script-src 'self'" in response["Content-Security-Policy"]


@DEBUG_MODES
def test_a_404_raised_by_a_page_outside_the_admin_is_ours_too(settings, db, debug):
    settings.DEBUG = debug
    response = Client(raise_request_exception=False).get("/public/plans/999999/")
    assert response.status_code == 404
    html = page(response)
    assert "页面不存在" in html and "Django" not in html
    assert 'href="/admin/login/"' in html  # not signed in: the login page is a way back


@DEBUG_MODES
def test_an_official_opening_an_office_only_admin_page_gets_the_chinese_403(settings, official, debug):
    settings.DEBUG = debug
    response = signed_in(official).get("/admin/auth/user/")
    html = page(response)
    assert response.status_code == 403
    assert "无权访问" in html and "没有打开此页面的权限" in html
    assert "403 Forbidden" not in html
    assert 'href="/admin/"' in html and "返回首页" in html
    assert 'id="user-tools"' in html and "tianbao" in html  # the admin's header: who is signed in


def test_a_foreign_referer_is_no_way_back(official):
    response = signed_in(official).get("/nowhere", HTTP_REFERER="https://evil.example/x")
    assert response.status_code == 404 and "evil.example" not in page(response)
    assert "返回上一页" not in page(response)


def test_the_pages_are_in_english_with_the_language_cookie(settings, official):
    settings.DEBUG = True
    client = signed_in(official)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert '<html lang="en"' in page(response)
    assert 'name="language"' in page(response)  # the switch back to Chinese is on the page


@DEBUG_MODES
def test_a_form_posted_without_its_csrf_token_gets_the_chinese_page(settings, official, debug):
    settings.DEBUG = debug
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(official)
    response = client.post("/admin/logout/", HTTP_REFERER="http://testserver/admin/")
    html = page(response)
    assert response.status_code == 403
    assert "表单已失效" in html and "内容未保存" in html
    assert 'href="/admin/"' in html and "返回首页" in html
    assert "CSRF verification failed" not in html and "403 Forbidden" not in html


@DEBUG_MODES
def test_the_api_still_answers_json(settings, official, office, debug):
    settings.DEBUG = debug
    missing = signed_in(office).get("/api/nowhere/")
    assert missing.status_code == 404 and missing["Content-Type"] == "application/json"
    assert missing.json()["code"] == "not_found"
    no_plan = signed_in(office).get("/api/plans/999999/")
    assert no_plan.status_code == 404 and no_plan["Content-Type"] == "application/json"
    refused = signed_in(official).post("/api/plan-imports/", {})
    assert refused.status_code == 403 and refused["Content-Type"] == "application/json"
    assert "detail" in refused.json()


def test_a_server_error_keeps_django_s_technical_page_with_debug_on(settings, official, monkeypatch):
    settings.DEBUG = True

    def broken(*args, **kwargs):
        raise RuntimeError("boom for the test")

    monkeypatch.setattr(sys.modules["plans.views.inbox"], "render", broken)
    response = signed_in(official).get("/admin/inbox/")
    assert response.status_code == 500
    assert "boom for the test" in page(response)  # Django's technical 500 page, not ours
