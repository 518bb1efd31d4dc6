"""Running for real: /healthz tells a load balancer whether this process can use its
database, and gunicorn with several workers serves the site and its static files (WhiteNoise)
with DEBUG off."""
import gzip
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import django.contrib.admin
import pytest
from django.conf import settings
from django.db import OperationalError, connections
from django.db.migrations.recorder import MigrationRecorder

from tracker.settings import _env

SECRET = "s3cret-db-password"


# --- /healthz in this process ---------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_ok_with_json_without_login_or_session(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # SELECT 1 and the applied migrations, nothing per task
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "none (in-process)"}
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies  # no session, no CSRF cookie: nothing to log in to


@pytest.mark.django_db
def test_healthz_answers_head_and_refuses_post(client):
    head = client.head("/healthz")
    assert head.status_code == 200
    assert head.content == b""
    post = client.post("/healthz")
    assert post.status_code == 405  # not 403 from the CSRF check
    assert post["Allow"] == "GET, HEAD"


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_fails_and_names_no_credentials(client, caplog):
    failure = OperationalError(
        f'connection to server at "db.internal" (10.0.0.5), port 5432 failed: '
        f'password authentication failed for user "tracker" (password {SECRET})'
    )
    with mock.patch.object(connections["default"], "cursor", side_effect=failure):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    body = response.json()
    assert body == {
        "status": "error",
        "database": "cannot query the database (OperationalError); details in the server log",
        "cache": "ok",
        "broker": "none (in-process)",
    }
    assert SECRET not in response.content.decode() and "db.internal" not in response.content.decode()
    assert "health check: the database query failed" in caplog.text  # the details are in the log
    assert SECRET in caplog.text


@pytest.mark.django_db
def test_healthz_answers_503_while_a_migration_is_not_applied(client):
    """New code on an old schema would fail on first use: keep the worker out of rotation."""
    latest = MigrationRecorder.Migration.objects.filter(app="plans").order_by("-name").first()
    latest.delete()  # rolled back with the test
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": f"1 migration not applied (plans.{latest.name}); run manage.py migrate",
        "cache": "ok",
        "broker": "none (in-process)",
    }


@pytest.mark.django_db
def test_healthz_answers_plain_http_when_https_redirects_are_on(client, settings):
    """A load balancer probes a worker over http; every other page still redirects to https."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/admin/login/").status_code == 301


# --- settings for several processes ------------------------------------------------------------


def test_database_connections_are_kept_and_checked_before_reuse():
    database = settings.DATABASES["default"]
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["CONN_MAX_AGE"] == int(_env("CONN_MAX_AGE") or 60)
    assert settings.MIDDLEWARE[:2] == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
    ]


def _clean_environment(**values):
    """This process's environment without what pytest-env and a developer's shell set for the
    tests, plus values: the child is configured by the test alone (the process environment
    wins over a local .env)."""
    drop = {
        "DEBUG", "SECURE", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL", "STATIC_ROOT",
        "ALLOWED_HOSTS", "LANGUAGE_CODE", "CONN_MAX_AGE", "HOST", "PORT", "WEB_CONCURRENCY",
        "GUNICORN_TIMEOUT", "GUNICORN_CMD_ARGS",
    }
    environment = {key: value for key, value in os.environ.items() if key not in drop}
    environment.update(values)
    return environment


@pytest.mark.parametrize("value", ["forever", "-1", "1.5"])
def test_invalid_conn_max_age_stops_start_up_naming_the_variable(value):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=settings.BASE_DIR,
        env=_clean_environment(DEBUG="true", CONN_MAX_AGE=value), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "CONN_MAX_AGE must be a number of seconds" in result.stderr


@pytest.mark.parametrize("relative", [False, True])
def test_static_root_comes_from_the_environment(tmp_path, relative):
    value = "collected-static" if relative else str(tmp_path / "static")
    expected = settings.BASE_DIR / "collected-static" if relative else tmp_path / "static"
    result = subprocess.run(
        [sys.executable, "manage.py", "diffsettings", "--all"], cwd=settings.BASE_DIR,
        env=_clean_environment(DEBUG="true", STATIC_ROOT=value), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert f"STATIC_ROOT = PosixPath('{expected}')" in result.stdout


# --- gunicorn, for real -------------------------------------------------------------------------


def _wait_for(pattern, log, process, count=1, seconds=30):
    """The first `count` matches of pattern in gunicorn's log, waiting at most `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        matches = re.findall(pattern, log.read_text(encoding="utf-8", errors="replace"))
        if len(matches) >= count:
            return matches
        if process.poll() is not None:
            break
        time.sleep(0.1)
    raise AssertionError(f"gunicorn never logged {pattern!r} {count}×:\n{log.read_text(errors='replace')}")


def _request(port, method, path, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request(method, path, headers={"Host": "127.0.0.1", **(headers or {})})
        response = connection.getresponse()
        return response.status, response, response.read()
    finally:
        connection.close()


def _stop(process):
    """SIGTERM to the master (workers finish and exit); anything left after 30 s is killed."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)
    return process.returncode


@pytest.fixture
def production_environment(tmp_path):
    """A migrated SQLite file of its own and collected static files, in both test runs (SQLite
    and PostgreSQL): the test never touches the suite's database."""
    environment = _clean_environment(
        DEBUG="false", SECURE="false", SECRET_KEY="test-production-" + "x" * 40,
        DATABASE_URL=f"sqlite:///{tmp_path / 'tracker.sqlite3'}", STATIC_ROOT=str(tmp_path / "static"),
        ALLOWED_HOSTS="127.0.0.1", LANGUAGE_CODE="zh-hans",
        HOST="127.0.0.1", PORT="0", WEB_CONCURRENCY="2",
    )
    steps = [
        subprocess.Popen(
            [sys.executable, "manage.py", *command, "--noinput", "-v0"], cwd=settings.BASE_DIR, env=environment,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        for command in (["migrate"], ["collectstatic"])
    ]
    try:
        for step in steps:
            output, _ = step.communicate(timeout=120)
            assert step.returncode == 0, output
    finally:
        for step in steps:
            if step.poll() is None:
                step.kill()
                step.wait()
    return environment


@pytest.fixture
def gunicorn(production_environment, tmp_path):
    """gunicorn -c gunicorn.conf.py tracker.wsgi on a free port; stopped whatever happens."""
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "tracker.wsgi"],
            cwd=settings.BASE_DIR, env=production_environment, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so a stuck worker can be killed with it
        )
    try:
        yield process, log
    finally:
        _stop(process)


def test_gunicorn_serves_the_site_and_its_static_files_with_debug_off(gunicorn):
    process, log = gunicorn
    port = int(_wait_for(r"Listening at: http://127\.0\.0\.1:(\d+)", log, process)[0])
    assert len(_wait_for(r"Booting worker with pid", log, process, count=2)) == 2

    status, response, body = _request(port, "GET", "/healthz")
    assert status == 200, body
    assert json.loads(body) == {"status": "ok", "database": "ok", "cache": "ok", "broker": "none (in-process)"}
    status, response, body = _request(port, "HEAD", "/healthz")
    assert (status, body) == (200, b"")

    # WhiteNoise serves the file collectstatic compressed; Django alone serves no static file
    # with DEBUG off.
    status, response, body = _request(port, "GET", "/static/admin/css/base.css", {"Accept-Encoding": "gzip"})
    assert status == 200, body
    assert response.getheader("Content-Type").startswith("text/css")
    assert response.getheader("Content-Encoding") == "gzip"
    assert "max-age=60" in response.getheader("Cache-Control")
    original = Path(django.contrib.admin.__file__).parent / "static" / "admin" / "css" / "base.css"
    assert gzip.decompress(body) == original.read_bytes()

    status, response, body = _request(port, "GET", "/admin/login/")
    assert status == 200, body
    page = body.decode()
    assert '<html lang="zh-hans"' in page and "行动方案督办系统" in page
    assert '/static/admin/css/base.css"' in page
    assert "Traceback" not in log.read_text(errors="replace")
    assert "no-body response" not in log.read_text(errors="replace")  # HEAD probes log no warning

    assert _stop(process) == 0  # SIGTERM: workers finish and the master exits cleanly
    assert "Shutting down: Master" in log.read_text(errors="replace")


# --- /healthz: the cache and the broker ---------------------------------------------------------
@pytest.mark.django_db
def test_healthz_checks_the_real_broker_and_answers_503_when_it_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/9"  # the machine's Redis
    from tracker.celery import app

    before = app.conf.broker_url
    app.conf.broker_url = settings.CELERY_BROKER_URL
    try:
        assert client.get("/healthz").json()["broker"] == "ok"
        app.conf.broker_url = settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens there
        response = client.get("/healthz")
    finally:
        app.conf.broker_url = before
    assert response.status_code == 503
    assert response.json()["broker"].startswith("cannot reach the job queue's broker")


@pytest.mark.django_db
def test_healthz_answers_503_when_the_cache_fails(client):
    with mock.patch("plans.views.health.cache.set", side_effect=ConnectionError("redis down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "cannot use the cache (ConnectionError); details in the server log"
    assert response.json()["database"] == "ok"
