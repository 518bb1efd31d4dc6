"""benchmarks/multihost.py run for real: two gunicorn instances behind haproxy, a celery worker,
beats and an SMTP sink on loopback, on a scratch PostgreSQL database and a Redis database of
their own (devtools/cluster.py). Each check of the script is one test here; the script's own
output is the failure message. PostgreSQL, Redis and haproxy only; about 3 minutes (a killed worker's job returns within ~40 s)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]
REDIS = os.environ.get("MULTIHOST_REDIS", "redis://127.0.0.1:6379")
TIMEOUT = 480  # seconds
ENGINE = (ROOT / "tracker" / "celery.py").is_file()


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(f"{REDIS}/0", socket_connect_timeout=2).ping())
    except Exception:
        return False


pytestmark = [
    pytest.mark.skipif(not ON_POSTGRESQL, reason="a real cluster on a scratch PostgreSQL database; runs when the "
                       "suite runs on PostgreSQL (DATABASE_URL=postgres://…)"),
    pytest.mark.skipif(shutil.which("haproxy") is None, reason="haproxy is not installed (apt-get install haproxy)"),
    pytest.mark.skipif(not _redis_up(), reason=f"no Redis at {REDIS}"),
]


def _server_url() -> str:
    db = settings.DATABASES["default"]
    user = quote(db.get("USER") or "postgres", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/postgres"


@pytest.fixture(scope="module")
def run():
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(ROOT)
    process = subprocess.Popen(
        [sys.executable, "benchmarks/multihost.py", "--postgres", _server_url(), "--redis", REDIS],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        output, _ = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.terminate()  # the script stops its processes and drops its database on SIGTERM
        output, _ = process.communicate(timeout=60)
        pytest.fail(f"benchmarks/multihost.py took over {TIMEOUT} s:\n{output[-20000:]}")
    return process.returncode, output


def _check_line(output: str, number: int) -> str:
    found = re.search(rf"^check {number} .*$", output, re.MULTILINE)
    assert found and ": ok — " in found[0], f"check {number} did not pass:\n{output[-20000:]}"
    return found[0]


def test_a_session_made_on_one_instance_works_on_the_other(run):
    _check_line(run[1], 1)


def test_the_failed_login_limit_counts_across_instances(run):
    line = _check_line(run[1], 2)
    assert "[200, 200, 200, 200, 429]" in line and "429 on A and on B" in line


@pytest.mark.skipif(not ENGINE, reason="no job engine in this tree")
def test_an_export_started_on_one_instance_is_polled_and_downloaded_on_the_other(run):
    _check_line(run[1], 3)


@pytest.mark.skipif(not ENGINE, reason="no job engine in this tree")
def test_a_job_whose_worker_is_killed_is_finished_by_another(run):
    _check_line(run[1], 4)


@pytest.mark.skipif(not ENGINE, reason="no job engine in this tree")
def test_two_beats_run_each_slot_once(run):
    _check_line(run[1], 5)


def test_every_request_through_the_load_balancer_is_answered_without_5xx(run):
    _check_line(run[1], 6)


def test_the_whole_run_passes_and_leaves_nothing_behind(run):
    returncode, output = run
    assert returncode == 0 and "all checks passed" in output, output[-20000:]
    found = re.search(r"PostgreSQL (tracker_multihost_\S+),", output)
    assert found, output[:2000]
    import psycopg

    with psycopg.connect(_server_url().replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        left = conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (found[1],)).fetchone()[0]
    assert left == 0, f"database {found[1]} was not dropped"
    logs = re.search(r"logs in (\S+)", output)
    assert logs and not Path(logs[1]).exists(), "the temp dir of logs was not removed"
