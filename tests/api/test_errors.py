"""Every error the API gives answers JSON in one shape, {"detail", "code"} plus "errors"
({field: [messages]}) for invalid input: 400, 401, 403, 404, 405, 409, 412, 413, 415, 429.
Each failed write also leaves the report as it was."""
from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.core.cache import cache

from plans.api.auth import TokenThrottle
from plans.models import ProgressReport, ReportState
from tests.api.fuzz_conftest import PASSWORD, build_api_world
from tests.factories import DeadlineFactory

RESOURCES = ["units", "plans", "tasks", "periods", "reports"]
CONTENT = {"progress": "已完成燃煤锅炉拆改12台。", "percent": 40}


@pytest.fixture
def err_world(db):
    return build_api_world()


def url(report, action: str = "") -> str:
    return f"/api/reports/{report.pk}/" + (f"{action}/" if action else "")


def assert_error(response, status: int, code: str | None = None) -> dict:
    """The documented error shape: JSON, a non-empty detail sentence and a code; "errors"
    (a dict of lists) only where fields are named."""
    body_preview = response.content[:400]
    assert response.status_code == status, (response.status_code, body_preview)
    assert response["Content-Type"].split(";")[0] == "application/json", (response["Content-Type"], body_preview)
    body = json.loads(response.content)
    assert isinstance(body, dict), body
    assert set(body) <= {"detail", "code", "errors"}, body
    assert isinstance(body.get("detail"), str) and body["detail"].strip(), body
    assert isinstance(body.get("code"), str) and body["code"], body
    if "errors" in body:
        assert isinstance(body["errors"], dict) and body["errors"], body
        assert all(isinstance(messages, (list, dict)) for messages in body["errors"].values()), body
    if code is not None:
        assert body["code"] == code, body
    return body


def snapshot(report):
    report = ProgressReport.objects.get(pk=report.pk)
    return (report.version, report.state, report.status, report.percent, report.progress, report.problems, report.next_steps)


def etag_version(client, report) -> int:
    """The version the contract sends on a detail GET, as ETag: "<version>"."""
    response = client.get(url(report))
    assert response.status_code == 200, response.content[:400]
    assert response["ETag"] == f'"{response.json()["version"]}"', (response.get("ETag"), response.json().get("version"))
    return response.json()["version"]


def if_match(version) -> dict:
    return {"HTTP_IF_MATCH": f'"{version}"'}


def submitted(report):
    ProgressReport.objects.filter(pk=report.pk).update(progress="已完成燃煤锅炉拆改12台。", state=ReportState.SUBMITTED)
    report.refresh_from_db()
    return report


# --- 401 ------------------------------------------------------------------------------------
@pytest.mark.parametrize("resource", RESOURCES)
def test_anonymous_gets_401_json(err_world, resource):
    response = err_world.client().get(f"/api/{resource}/")
    assert_error(response, 401, "not_authenticated")
    assert response.has_header("WWW-Authenticate")


def test_anonymous_write_gets_401_not_403(err_world):
    before = snapshot(err_world.report_a)
    response = err_world.client().patch(url(err_world.report_a), CONTENT, format="json", **if_match(err_world.report_a.version))
    assert_error(response, 401)
    assert snapshot(err_world.report_a) == before


ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]
@pytest.mark.parametrize(
    "header",
    [
        "Token not-a-real-token", "Token ", "Token a b", "Bearer abc", "Token 这不是令牌", "Token " + "f" * 400,
        "Token \x00", "Token abc\x00def",
    ],
)
def test_bad_token_gets_401_json(err_world, header):
    client = err_world.client()
    # A WSGI server hands header bytes over as latin-1 strings (PEP 3333): UTF-8 arrives as mojibake.
    client.credentials(HTTP_AUTHORIZATION=header.encode("utf-8").decode("latin-1"))
    response = client.get("/api/reports/")
    assert response.status_code != 500
    if header.startswith("Bearer"):
        # Not our scheme: the request is simply anonymous.
        assert_error(response, 401, "not_authenticated")
    else:
        assert_error(response, 401)
    assert response.has_header("WWW-Authenticate")


@pytest.mark.parametrize(
    "cookie", ["not-a-session-key", "x" * 5000, "abcdefgh\x00"],
)
def test_bogus_session_cookie_is_just_anonymous(err_world, cookie):
    client = err_world.client()
    client.cookies["sessionid"] = cookie
    assert_error(client.get("/api/reports/"), 401)


def test_inactive_users_token_gets_401(err_world):
    user = err_world.users["official_a"]
    user.is_active = False
    user.save()
    assert_error(err_world.client("official_a").get("/api/reports/"), 401)


# --- 403 ------------------------------------------------------------------------------------
def test_unit_official_approving_gets_403(err_world):
    report = submitted(err_world.report_a)
    before = snapshot(report)
    client = err_world.client("official_a")
    response = client.post(url(report, "approve"), {"comment": "同意"}, format="json", **if_match(report.version))
    assert_error(response, 403, "permission_denied")
    assert snapshot(report) == before


def test_unit_official_returning_gets_403(err_world):
    report = submitted(err_world.report_a)
    before = snapshot(report)
    response = err_world.client("leader_a").post(
        url(report, "return"), {"comment": "请补充"}, format="json", **if_match(report.version),
    )
    assert_error(response, 403, "permission_denied")
    assert snapshot(report) == before


def test_official_submitting_gets_403_only_leaders_submit(err_world):
    report = err_world.report_a
    ProgressReport.objects.filter(pk=report.pk).update(progress="已完成。")
    report.refresh_from_db()
    before = snapshot(report)
    response = err_world.client("official_a").post(url(report, "submit"), {}, format="json", **if_match(report.version))
    assert_error(response, 403, "permission_denied")
    assert snapshot(report) == before


def test_editing_an_approved_report_gets_403(err_world):
    report = err_world.report_a
    ProgressReport.objects.filter(pk=report.pk).update(state=ReportState.APPROVED)
    report.refresh_from_db()
    before = snapshot(report)
    response = err_world.client("office").patch(url(report), CONTENT, format="json", **if_match(report.version))
    assert_error(response, 403, "permission_denied")
    assert snapshot(report) == before


# --- 404 ------------------------------------------------------------------------------------
def test_another_units_report_is_404_not_403(err_world):
    client = err_world.client("official_a")
    report = err_world.report_b
    before = snapshot(report)
    assert_error(client.get(url(report)), 404, "not_found")
    assert_error(client.patch(url(report), CONTENT, format="json", **if_match(report.version)), 404, "not_found")
    assert_error(client.post(url(report, "submit"), {}, format="json", **if_match(report.version)), 404, "not_found")
    assert snapshot(report) == before


def test_other_plans_office_gets_404(err_world):
    report = submitted(err_world.report_a)
    client = err_world.client("other_office")
    assert_error(client.get(url(report)), 404, "not_found")
    assert_error(client.post(url(report, "approve"), {"comment": ""}, format="json", **if_match(report.version)), 404)
    assert snapshot(report)[1] == ReportState.SUBMITTED


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("key", ["999999999", "abc", "0", "-1", "1.5", "%E4%B8%AD", "99999999999999999999999"])
def test_unknown_or_malformed_id_is_404_json(err_world, resource, key):
    response = err_world.client("office").get(f"/api/{resource}/{key}/")
    assert_error(response, 404)


# --- 405 ------------------------------------------------------------------------------------
def test_creating_a_report_is_405(err_world):
    count = ProgressReport.objects.count()
    response = err_world.client("office").post(
        "/api/reports/",
        {"task": err_world.task_t.pk, "unit": err_world.report_a.unit_id, "period": err_world.report_a.period_id},
        format="json",
    )
    body = assert_error(response, 405, "method_not_allowed")
    assert "POST" not in response.get("Allow", ""), body
    assert ProgressReport.objects.count() == count


def test_deleting_a_report_is_405(err_world):
    response = err_world.client("office").delete(url(err_world.report_a), **if_match(err_world.report_a.version))
    assert_error(response, 405, "method_not_allowed")
    assert ProgressReport.objects.filter(pk=err_world.report_a.pk).exists()


# --- 400 ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "field, value",
    [
        ("percent", "abc"),
        ("percent", 150),
        ("percent", -1),
        ("percent", 12.5),
        ("status", "bogus"),
        ("status", ""),
        ("progress", ["a", "list"]),
    ],
)
def test_invalid_field_is_400_naming_the_field(err_world, field, value):
    report = err_world.report_a
    before = snapshot(report)
    client = err_world.client("official_a")
    response = client.patch(url(report), {field: value}, format="json", **if_match(etag_version(client, report)))
    body = assert_error(response, 400, "invalid")
    assert field in body.get("errors", {}), body
    assert snapshot(report) == before


def test_write_without_any_version_is_400(err_world):
    report = err_world.report_a
    before = snapshot(report)
    client = err_world.client("official_a")
    body = assert_error(client.patch(url(report), CONTENT, format="json"), 400, "invalid")
    assert "version" in body["errors"], body
    assert snapshot(report) == before
    report_s = submitted(err_world.report_a)
    before = snapshot(report_s)
    assert_error(err_world.client("office").post(url(report_s, "approve"), {"comment": "同意"}, format="json"), 400)
    assert snapshot(report_s) == before


@pytest.mark.parametrize("header", ['"abc"', "abc", "", "*", '"1", "2"', 'W/"1"', '"-1"', '"99999999999999999999999"'])
def test_malformed_if_match_is_never_a_500(err_world, header):
    report = err_world.report_a
    before = snapshot(report)
    response = err_world.client("official_a").patch(url(report), CONTENT, format="json", HTTP_IF_MATCH=header)
    assert response.status_code in (200, 400, 412), (header, response.status_code, response.content[:300])
    if response.status_code != 200:
        assert_error(response, response.status_code)
        assert snapshot(report) == before


@pytest.mark.parametrize("version", ["abc", None, -1, 1.5, [1], {"v": 1}, 10**30])
def test_malformed_body_version_is_400_or_409(err_world, version):
    report = err_world.report_a
    before = snapshot(report)
    response = err_world.client("official_a").patch(url(report), {**CONTENT, "version": version}, format="json")
    assert response.status_code in (400, 409), (version, response.status_code, response.content[:300])
    assert_error(response, response.status_code)
    assert snapshot(report) == before


def test_malformed_json_is_400(err_world):
    report = err_world.report_a
    before = snapshot(report)
    response = err_world.client("official_a").patch(
        url(report), data=b'{"progress": "unterminated', content_type="application/json", **if_match(report.version),
    )
    assert_error(response, 400)
    assert snapshot(report) == before


@pytest.mark.parametrize("body", [b"[]", b'"text"', b"null", b"123", b"\xff\xfe\x00"])
def test_json_that_is_not_an_object_is_400(err_world, body):
    report = err_world.report_a
    before = snapshot(report)
    response = err_world.client("official_a").patch(
        url(report), data=body, content_type="application/json", **if_match(report.version),
    )
    assert_error(response, 400)
    assert snapshot(report) == before


def test_wrong_content_type_is_415(err_world):
    report = err_world.report_a
    before = snapshot(report)
    response = err_world.client("official_a").patch(
        url(report), data="progress=hello", content_type="text/plain", **if_match(report.version),
    )
    assert_error(response, 415, "unsupported_media_type")
    assert snapshot(report) == before


def test_return_without_comment_is_400(err_world):
    report = submitted(err_world.report_a)
    before = snapshot(report)
    response = err_world.client("office").post(url(report, "return"), {"comment": "  "}, format="json", **if_match(report.version))
    assert_error(response, 400, "invalid")
    assert snapshot(report) == before


def test_submitting_an_empty_report_is_400(err_world):
    report = err_world.report_a
    before = snapshot(report)
    response = err_world.client("leader_a").post(url(report, "submit"), {}, format="json", **if_match(report.version))
    assert_error(response, 400, "invalid")
    assert snapshot(report) == before


# --- 409 / 412 ------------------------------------------------------------------------------
def test_stale_if_match_is_412(err_world):
    report = err_world.report_a
    client = err_world.client("official_a")
    version = etag_version(client, report)
    assert client.patch(url(report), {"progress": "第一次"}, format="json", **if_match(version)).status_code == 200
    before = snapshot(report)
    response = client.patch(url(report), {"progress": "基于旧版本的修改"}, format="json", **if_match(version))
    assert_error(response, 412, "precondition_failed")
    assert snapshot(report) == before


def test_stale_body_version_is_409(err_world):
    report = err_world.report_a
    client = err_world.client("official_a")
    version = etag_version(client, report)
    assert client.patch(url(report), {"progress": "第一次", "version": version}, format="json").status_code == 200
    before = snapshot(report)
    response = client.patch(url(report), {"progress": "基于旧版本的修改", "version": version}, format="json")
    assert_error(response, 409, "conflict")
    assert snapshot(report) == before


def test_stale_version_on_an_action_is_refused(err_world):
    report = submitted(err_world.report_a)
    client = err_world.client("office")
    stale = report.version - 1 if report.version > 1 else report.version + 5
    before = snapshot(report)
    assert_error(client.post(url(report, "approve"), {"comment": "同意"}, format="json", **if_match(stale)), 412)
    assert_error(client.post(url(report, "return"), {"comment": "补充", "version": stale}, format="json"), 409)
    assert snapshot(report) == before


# --- 413 ------------------------------------------------------------------------------------
def test_body_over_the_upload_limit_is_413(err_world):
    report = err_world.report_a
    before = snapshot(report)
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert limit == 10 * 1024 * 1024
    body = json.dumps({"progress": "进" * (limit // 3 + 1024)}).encode()  # 3 bytes a character in UTF-8
    assert len(body) > limit
    response = err_world.client("official_a").patch(url(report), data=body, content_type="application/json", **if_match(report.version))
    assert_error(response, 413, "payload_too_large")
    assert snapshot(report) == before


def test_body_just_under_the_limit_is_not_413(err_world):
    """The limit is on the body's size, not a lower, arbitrary one: 1 MiB of progress text is accepted."""
    report = err_world.report_a
    response = err_world.client("official_a").patch(
        url(report), {"progress": "进" * (1024 * 1024 // 3)}, format="json", **if_match(report.version),
    )
    assert response.status_code == 200, response.content[:300]


# --- a browser on the API --------------------------------------------------------------------
@pytest.mark.parametrize(
    "path",
    [
        "/api/", "/api/reports/", "/api/reports/{report}/", "/api/tasks/{task}/", "/api/periods/", "/api/plans/{plan}/",
        "/api/tasks/{task}/assignments/{assignment}/", "/api/tasks/{task}/deadlines/{deadline}/",
    ],
)
def test_a_browser_on_the_api_never_gets_a_500(err_world, path):
    """Signed in to the admin, an official may follow an API link in the browser: the API
    answers JSON (people browse it at /api/docs/), never an error page."""
    task = err_world.task_t
    url_ = path.format(
        report=err_world.report_a.pk, task=task.pk, plan=err_world.plan.pk,
        assignment=task.assignments.first().pk, deadline=DeadlineFactory(task=task).pk,
    )
    response = err_world.client("office").get(
        url_, HTTP_ACCEPT="text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    )
    assert response.status_code == 200, (url_, response.status_code)
    assert response["Content-Type"] == "application/json"


# --- the token endpoint ----------------------------------------------------------------------
@pytest.fixture
def fresh_throttle():
    cache.clear()
    yield
    cache.clear()


def test_token_for_right_credentials(err_world, fresh_throttle):
    response = err_world.client().post("/api/auth/token/", {"username": "official_a", "password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content[:300]
    assert response.json()["token"] == err_world.tokens["official_a"]
    me = err_world.client()
    me.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert me.get(url(err_world.report_a)).status_code == 200


@pytest.mark.parametrize(
    "payload",
    [
        {"username": "official_a", "password": "wrong"},
        {"username": "nobody", "password": PASSWORD},
        {"username": "official_a"},
        {},
        {"username": ["official_a"], "password": PASSWORD},
        {"username": "official_a", "password": None},
    ],
)
def test_token_for_wrong_credentials_is_400_json(err_world, fresh_throttle, payload):
    response = err_world.client().post("/api/auth/token/", payload, format="json")
    body = assert_error(response, 400, "invalid")
    assert "token" not in body


def test_token_endpoint_is_throttled(err_world, fresh_throttle, monkeypatch):
    assert "token" in settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    # DRF reads the rates once, when the throttle class is defined: patch the class, not settings.
    monkeypatch.setattr(TokenThrottle, "THROTTLE_RATES", {**TokenThrottle.THROTTLE_RATES, "token": "3/min"})
    client = err_world.client()
    statuses = [
        client.post("/api/auth/token/", {"username": "official_a", "password": "wrong"}, format="json").status_code
        for _ in range(3)
    ]
    assert statuses == [400, 400, 400]
    response = client.post("/api/auth/token/", {"username": "official_a", "password": PASSWORD}, format="json")
    assert_error(response, 429, "throttled")
    assert int(response["Retry-After"]) > 0


def test_unknown_api_path_answers_json_404(err_world):
    response = err_world.client("office").get("/api/nonexistent/")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到 (not found)", "code": "not_found"}
