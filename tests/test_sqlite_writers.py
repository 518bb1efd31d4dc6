"""Simultaneous writes never answer 500 (issue 13).

On the embedded SQLite database writers queue for its one write lock (busy timeout,
immediate transactions, WAL: tracker/settings.py). The gunicorn test sends rounds of 20
PATCHes at the same instant to a server of its own on a SQLite file (where most of them
used to answer 500 "database is locked"); each must wait its turn and succeed (200, not
even 503: the busy timeout is far longer than 20 short writes), and be in the database.
The other tests show
what a write that still cannot get the lock (or a PostgreSQL deadlock that reaches a view)
answers: 503 with Retry-After / 409, as JSON in the API, as a message or a short page in
the admin."""
from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import OperationalError

from plans import services
from tests.test_permissions import _change_url, _form, unit_groups, world  # noqa: F401  (fixtures)

ROOT = Path(__file__).resolve().parent.parent
ON_SQLITE = "sqlite" in settings.DATABASES["default"]["ENGINE"]
WRITERS, ROUNDS, WORKERS = 20, 3, 4


def _benchmark():
    spec = importlib.util.spec_from_file_location("benchmarks_sqlite_writers", ROOT / "benchmarks" / "sqlite_writers.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(not ON_SQLITE, reason="starts gunicorn on a SQLite file of its own; runs in the SQLite pass")
def test_twenty_simultaneous_writers_on_sqlite_never_get_a_500(tmp_path):
    bench = _benchmark()
    with bench.prepared(tmp_path, writers=WRITERS, workers=WORKERS) as setup:
        assert len(setup.reports) == WRITERS
        for number in range(1, ROUNDS + 1):
            answers = bench.write_round(setup, number)
            assert len(answers) == WRITERS
            failures = [(a.status, a.body[:300]) for a in answers if a.status != 200]
            assert not failures, f"round {number}: {failures}\n{setup.log.read_text(errors='replace')[-3000:]}"
            written = 0
            for report in setup.reports:
                status, _headers, body = bench._request(setup.port, "GET", f"/api/reports/{report}/", setup.token)
                assert status == 200, body
                written += json.loads(body)["progress"].startswith(f"第{number}轮")
            assert written == WRITERS  # every acknowledged write is there
        assert "Traceback" not in setup.log.read_text(errors="replace")


def test_sqlite_connections_queue_for_the_write_lock():
    if not ON_SQLITE:
        pytest.skip("the SQLite options apply to SQLite")
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 20
    assert "journal_mode=WAL" in options["init_command"]


def _locked():
    return OperationalError("database is locked")


def _deadlock():
    cause = Exception("deadlock detected")
    cause.sqlstate = "40P01"
    error = OperationalError("deadlock detected")
    error.__cause__ = cause
    return error


def _failing(error):
    def fail(**kwargs):
        raise error
    return fail


@pytest.mark.django_db
def test_api_answers_503_with_retry_after_when_the_database_stays_locked(client, world, monkeypatch):
    monkeypatch.setattr(services, "report_update", _failing(_locked()))
    client.force_login(world.users["official_a"])
    report = world.report_a
    response = client.patch(
        f"/api/reports/{report.pk}/", {"progress": "填写"}, content_type="application/json", HTTP_IF_MATCH=f'"{report.version}"',
    )
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["code"] == "database_busy"
    assert "请稍后重试" in response.json()["detail"]


@pytest.mark.django_db
def test_admin_answers_a_short_503_page_with_retry_after_when_the_database_stays_locked(client, world, unit_groups, monkeypatch):  # noqa: F811
    monkeypatch.setattr(services, "report_update", _failing(_locked()))
    client.force_login(world.users["official_a"])
    response = client.post(_change_url(world.report_a), _form(world.report_a, progress="通过后台填写的进展"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "数据库正忙" in response.content.decode()


@pytest.mark.django_db
def test_admin_sends_a_deadlocked_save_back_with_an_error_message(client, world, unit_groups, monkeypatch):  # noqa: F811
    monkeypatch.setattr(services, "report_update", _failing(_deadlock()))
    client.force_login(world.users["official_a"])
    url = _change_url(world.report_a)
    response = client.post(url, _form(world.report_a, progress="通过后台填写的进展"), follow=True)
    assert response.redirect_chain == [(url, 302)]
    assert response.status_code == 200
    assert "其他用户正在同时修改相关记录" in response.content.decode()
    world.report_a.refresh_from_db()
    assert world.report_a.progress == ""


@pytest.mark.django_db
def test_api_answers_a_deadlock_that_reached_the_view_with_409(client, world, monkeypatch):
    monkeypatch.setattr(services, "report_update", _failing(_deadlock()))
    client.force_login(world.users["official_a"])
    report = world.report_a
    response = client.patch(
        f"/api/reports/{report.pk}/", {"progress": "填写"}, content_type="application/json", HTTP_IF_MATCH=f'"{report.version}"',
    )
    assert response.status_code == 409
    assert response.json()["code"] == "write_conflict"
