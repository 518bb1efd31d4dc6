"""Simultaneous writers on the embedded SQLite database (issue 13): rounds of N API clients
PATCH N different reports at the same instant through gunicorn (sync workers, each with its
own connection to one SQLite file); prints, per round, how many answered 200, 503 (database
busy, with Retry-After) and 500. SQLite has one writer at a time: the writers must queue
(busy timeout, immediate transactions, WAL: tracker/settings.py), not fail.

    .venv/bin/python benchmarks/sqlite_writers.py [--rounds 10] [--writers 20] [--workers 8]

Builds a scratch SQLite file in a temporary directory (migrated and seeded with one plan of
N tasks, one office account with a token), so it needs no running server or database.
tests/test_sqlite_writers.py runs a few rounds and asserts that none answers 500."""
from __future__ import annotations

import argparse
import collections
import contextlib
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Environment that .env or a developer's shell may set and the scratch server must not inherit.
_DROP = {
    "DEBUG", "SECURE", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL", "STATIC_ROOT", "ALLOWED_HOSTS",
    "LANGUAGE_CODE", "CONN_MAX_AGE", "HOST", "PORT", "WEB_CONCURRENCY", "GUNICORN_TIMEOUT", "GUNICORN_CMD_ARGS",
    "REDIS_URL", "CACHE_DIR", "DJANGO_SETTINGS_MODULE",
}

# Run by `manage.py shell`: one plan with `writers` tasks of one unit, its period open (so each
# task has a pending report), its office account's token; prints them as JSON.
SEED = """
import json
from rest_framework.authtoken.models import Token
from plans import services
from plans.models import ProgressReport, Role
from tests.factories import (
    AssignmentFactory, PlanFactory, ReportingPeriodFactory, TaskFactory, UnitFactory, UserFactory,
)
plan, unit = PlanFactory(), UnitFactory()
for number in range({writers}):
    AssignmentFactory(task=TaskFactory(plan=plan, title=f"任务{{number}}"), unit=unit, role=Role.RESPONSIBLE)
office = UserFactory(username="office")
plan.office_staff.add(office)
period = ReportingPeriodFactory(plan=plan)
services.period_open(user=office, period=period)
print(json.dumps({{
    "token": Token.objects.create(user=office).key,
    "reports": sorted(ProgressReport.objects.filter(period=period).values_list("pk", flat=True)),
}}))
"""


@dataclass
class Setup:
    port: int
    token: str
    reports: list[int]
    log: Path


def environment(directory: Path, workers: int) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _DROP}
    env.update(
        DEBUG="false", SECURE="false", SECRET_KEY="sqlite-writers-" + "x" * 40,
        DATABASE_URL=f"sqlite:///{directory / 'tracker.sqlite3'}", ALLOWED_HOSTS="127.0.0.1", LANGUAGE_CODE="zh-hans",
        HOST="127.0.0.1", PORT="0", WEB_CONCURRENCY=str(workers), REDIS_URL="", CACHE_DIR=str(directory / "cache"),
        STATIC_ROOT=str(directory / "static"),
    )
    return env


def _manage(env: dict[str, str], *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, input=stdin, capture_output=True, text=True,
        timeout=600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def _wait_for_port(log: Path, process: subprocess.Popen, workers: int, seconds: float = 60) -> int:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = log.read_text(encoding="utf-8", errors="replace")
        port = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", text)
        if port and text.count("Booting worker with pid") >= workers:
            return int(port.group(1))
        if process.poll() is not None:
            break
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not start:\n{log.read_text(errors='replace')}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


@contextlib.contextmanager
def prepared(directory: Path, writers: int = 20, workers: int = 8):
    """A migrated, seeded SQLite file in `directory` and gunicorn serving it; stopped on exit."""
    env = environment(directory, workers)
    _manage(env, "migrate", "--noinput", "-v0")
    seeded = json.loads(_manage(env, "shell", stdin=SEED.format(writers=writers)).strip().splitlines()[-1])
    log = directory / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "tracker.wsgi"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        yield Setup(
            port=_wait_for_port(log, process, workers), token=seeded["token"], reports=seeded["reports"], log=log,
        )
    finally:
        _stop(process)


def _request(port: int, method: str, path: str, token: str, body: dict | None = None) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        headers = {"Host": "127.0.0.1", "Authorization": f"Token {token}", "Accept": "application/json"}
        data = None
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@dataclass
class Answer:
    status: int
    headers: dict
    body: bytes


def write_round(setup: Setup, number: int) -> list[Answer]:
    """Every writer reads its report's version, then all PATCH at once (a barrier)."""
    barrier = threading.Barrier(len(setup.reports), timeout=120)
    answers: list[Answer] = []

    def write(report: int) -> None:
        try:
            status, headers, body = _request(setup.port, "GET", f"/api/reports/{report}/", setup.token)
            version = json.loads(body)["version"] if status == 200 else 0
            barrier.wait()
            status, headers, body = _request(
                setup.port, "PATCH", f"/api/reports/{report}/", setup.token,
                {"progress": f"第{number}轮：本期完成燃煤锅炉拆改{report}台。", "version": version},
            )
            answers.append(Answer(status, headers, body))
        except Exception as exc:  # noqa: BLE001 - a failed connection counts as an answer of its own
            answers.append(Answer(0, {}, repr(exc).encode()))

    threads = [threading.Thread(target=write, args=(report,)) for report in setup.reports]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return answers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--writers", type=int, default=20)
    parser.add_argument("--workers", type=int, default=8, help="gunicorn worker processes")
    options = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="sqlite-writers-") as directory, \
            prepared(Path(directory), options.writers, options.workers) as setup:
        print(
            f"{options.rounds} rounds of {options.writers} simultaneous PATCHes, "
            f"gunicorn with {options.workers} workers"
        )
        totals: collections.Counter = collections.Counter()
        rounds_with_500 = 0
        for number in range(1, options.rounds + 1):
            started = time.monotonic()
            counts = collections.Counter(answer.status for answer in write_round(setup, number))
            totals.update(counts)
            rounds_with_500 += bool(counts[500] or counts[0])
            line = ", ".join(f"{status or 'no answer'}: {count}" for status, count in sorted(counts.items()))
            print(f"round {number:2d}: {line}  ({time.monotonic() - started:.1f} s)")
        print(f"total: {dict(sorted(totals.items()))}; rounds with a 500: {rounds_with_500} of {options.rounds}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
