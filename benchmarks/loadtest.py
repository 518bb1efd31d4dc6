"""Load test of the REST API (not a test itself): gunicorn with several workers on a scratch
PostgreSQL database, many concurrent clients reading, editing, submitting, reviewing and
deliberately colliding on the same reports; afterwards every acknowledged write is looked up
in the database.

    .venv/bin/python benchmarks/loadtest.py [--clients 50] [--duration 60] [--workers 4]
        [--database-url postgres://postgres@127.0.0.1:5432/postgres] [--port 0] [--keep]
        [--units 8] [--hot 2] [--seed 1] [--mix read=55,edit=18,submit=7,review=6,race=9,stale=5]

Steps:
1. CREATE DATABASE tracker_load_<pid> on the server of --database-url; migrate it and load the
   seed data as `make run` does (migrate, loaddata of the two fixtures, demo_accounts,
   demo_periods: the same commands, run by one `manage.py shell` child process with
   DATABASE_URL set). The database is dropped at the end
   (also after a failure or Ctrl-C) unless --keep.
2. Start `python -m gunicorn tracker.wsgi` (with -c gunicorn.conf.py when the project has one;
   --workers and --bind given here win) with DEBUG=false, SECURE=false, a random SECRET_KEY,
   ALLOWED_HOSTS=127.0.0.1; wait until /healthz (or /api/schema/) answers; SIGTERM it at the
   end, SIGKILL after a bound.
3. Tokens for the demo accounts (POST /api/auth/token/): the open period with the most
   reports, its plan's office, an official (填报人) and a leader (单位负责人) of the units with
   the most reports in it.
4. N client threads for D seconds, each with its own connection (kept alive as long as the
   server allows; gunicorn's sync workers close it after every response), each picking its
   next operation by weight: list reads (tasks with and without unit/status filters, reports of
   the period by state, task and report details), edits (PATCH with the version read and a
   progress text unique to the write), submissions (leader), reviews (office: return, sometimes
   approve; a returned report is editable again), races (every client edits the same few "hot"
   reports from the version it read: one wins, the others must get 412/409) and known-stale
   writes (a version older than one already read: must get 412 with If-Match, 409 with a body
   `version`).
5. Verification in the database (psycopg): each acknowledged write is the history row
   (plans_historicalprogressreport) of version `sent version + 1` with exactly the values
   written; each report's current row is its acknowledged write of the highest version; no
   two acknowledged writes share a (report, version) and no history row is duplicated; no
   change appears that no acknowledged write explains (a refused write's text is nowhere);
   every stale write was refused with 412/409.

Prints the setup, a progress line every 10 s and a table of requests, requests/s, p50/p95/p99
latency per kind, status codes, errors and the verification. Exit status 1 on any 5xx,
connection error, lost update or accepted conflict; 2 when the setup fails; 130 on Ctrl-C."""
from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ("fixtures/hebi-2016-blue-sky-plan.json", "fixtures/fujian-2024-export-industries-plan.json")
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/postgres"

# Operation weights (here they add up to 100: percent of a client's operations); --mix replaces them.
WEIGHTS = {"read": 55, "edit": 18, "submit": 7, "review": 6, "race": 9, "stale": 5}
# Kinds of requests the latency table distinguishes. Every GET is a read, also the one before a write.
KINDS = ("read", "edit", "submit", "review", "conflict")
APPROVE_SHARE = 0.15  # of reviews; the rest return the report, so the cycle goes on
EDITABLE = ("pending", "returned")
TASK_STATUSES = ("not_started", "on_track", "ahead", "behind", "completed", "suspended")
REPORT_STATES = ("pending", "submitted", "approved", "returned")
IDLE_RECONNECT = 1.0  # seconds: a keep-alive connection idle longer is replaced before use (gunicorn keepalive is 2 s)
REQUEST_TIMEOUT = 60.0
READY_TIMEOUT = 60.0
STOP_TIMEOUT = 15.0
PROGRESS_EVERY = 10.0


class SetupError(Exception):
    """The database, the seed data or the server could not be set up."""


class ConnectionFailed(Exception):
    """No HTTP answer: refused, reset, closed or timed out."""


# --- the scratch database ------------------------------------------------------------------
def database_url_for(server_url: str, name: str) -> str:
    """The URL of database `name` on the server of `server_url`."""
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def pg_connect(url: str, autocommit: bool = True):
    import psycopg

    scheme = urlsplit(url).scheme
    if scheme not in ("postgres", "postgresql", "pgsql"):
        raise SetupError(f"--database-url must be a PostgreSQL URL (postgres://user@host:port/db), not {scheme}://…")
    return psycopg.connect(urlunsplit(("postgresql", *urlsplit(url)[1:])), autocommit=autocommit, connect_timeout=10)


def psycopg_errors():
    import psycopg

    return psycopg.errors


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def drop_database(server_url: str, name: str) -> None:
    with contextlib.closing(pg_connect(server_url)) as conn:
        try:
            conn.execute(f"DROP DATABASE IF EXISTS {_quote_ident(name)} WITH (FORCE)")
        except psycopg_errors().SyntaxError:  # PostgreSQL < 13: no WITH (FORCE)
            conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
            conn.execute(f"DROP DATABASE IF EXISTS {_quote_ident(name)}")


@contextlib.contextmanager
def scratch_database(server_url: str, name: str, keep: bool = False):
    """CREATE DATABASE `name` (dropping a leftover of that name first); yields its URL; drops it
    afterwards unless `keep`, also when the body fails or is interrupted."""
    try:
        with contextlib.closing(pg_connect(server_url)) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {_quote_ident(name)}")
            conn.execute(f"CREATE DATABASE {_quote_ident(name)}")
    except SetupError:
        raise
    except Exception as exc:
        raise SetupError(f"cannot create database {name} on {urlsplit(server_url).netloc}: {exc}") from exc
    try:
        yield database_url_for(server_url, name)
    finally:
        if not keep:
            drop_database(server_url, name)


# --- the application's environment, seed data and server -----------------------------------
def app_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url, DEBUG="false", SECURE="false", SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1", PYTHONUNBUFFERED="1",
        CACHE_KEY_PREFIX=f"loadtest-{secrets.token_hex(4)}",  # the token throttle counts for this run alone
    )
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 900) -> str:
    """Run `manage.py args` as a child process; its stdout, or SetupError with its stderr."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False,
    )
    if result.returncode:
        raise SetupError(f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-4000:]}")
    return result.stdout


# The Makefile's `seed` target (migrate, loaddata of the fixtures, demo_accounts, demo_periods),
# command by command, in one `manage.py shell` process: Django starts once instead of four times.
SEED_COMMANDS = [
    ("migrate", [], {"interactive": False, "verbosity": 0}),
    ("loaddata", list(FIXTURES), {"verbosity": 0}),
    ("demo_accounts", [], {"json": True}),
    ("demo_periods", [], {}),
]
_SEED_SCRIPT = """
import io, json
from django.core.management import call_command
outputs = []
for name, args, options in json.loads(COMMANDS):
    out = io.StringIO()
    call_command(name, *args, stdout=out, **options)
    outputs.append(out.getvalue())
print(json.dumps(outputs))
"""


def seed(env: dict[str, str]) -> list[dict]:
    """Migrate and load the data of `make run` (Makefile target `seed`); the demo accounts as
    `demo_accounts --json` lists them."""
    script = f"COMMANDS = {json.dumps(SEED_COMMANDS)!r}\n{_SEED_SCRIPT}"
    output = manage(env, "shell", "-c", script)
    outputs = json.loads(output.strip().splitlines()[-1])
    return json.loads(outputs[2])


def free_port() -> int:
    with contextlib.closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving tracker.wsgi on 127.0.0.1:port, its output in `log_path`."""

    def __init__(self, env: dict[str, str], workers: int, port: int, log_path: Path):
        self.env, self.workers, self.port, self.log_path = env, workers, port or free_port(), log_path
        self.process: subprocess.Popen | None = None
        self.load_offset = 0
        self.config = ROOT / "gunicorn.conf.py"

    @property
    def command(self) -> list[str]:
        command = [sys.executable, "-m", "gunicorn"]
        if self.config.is_file():
            command += ["-c", str(self.config)]
        return command + ["--workers", str(self.workers), "--bind", f"127.0.0.1:{self.port}", "tracker.wsgi"]

    def __enter__(self) -> Self:
        try:
            import gunicorn  # noqa: F401
        except ImportError as exc:
            raise SetupError(f"gunicorn is not installed in {sys.prefix}: {sys.executable} -m pip install gunicorn") from exc
        log = open(self.log_path, "wb")
        try:
            # A session of its own: Ctrl-C reaches this script only, which stops the server in order.
            self.process = subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        finally:
            log.close()
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        http = Http(self.port, timeout=10)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SetupError(f"gunicorn exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                if http.request("GET", "/healthz").status == 200 or http.request("GET", "/api/schema/").status == 200:
                    return
            except ConnectionFailed:
                pass
            time.sleep(0.2)
        raise SetupError(f"gunicorn did not answer within {READY_TIMEOUT:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        """SIGTERM to the master (graceful: workers finish their request), SIGKILL to its
        process group after STOP_TIMEOUT."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=STOP_TIMEOUT)

    def log_text(self) -> str:
        try:
            return self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def log_findings(self) -> dict[str, int]:
        text = self.log_text()
        return {
            "tracebacks": text.count("Traceback (most recent call last)"),
            "worker timeouts": text.count("WORKER TIMEOUT"),
            "worker boots": len(re.findall(r"Booting worker with pid", text)),
        }

    def request_times(self) -> list[float]:
        """Milliseconds each API request spent in a worker, ascending, from an access log in
        gunicorn.conf.py's format (`... "%(r)s" %(s)s %(b)s %(M)sms ...`); [] without one."""
        text = self.log_text()[self.load_offset:]
        return sorted(float(found[1]) for found in re.finditer(r'"[A-Z]+ /api/\S* HTTP/[\d.]+" \d{3} \S+ (\d+)ms', text))

    def mark_load_start(self) -> None:
        """Only requests logged from now on count in request_times."""
        self.load_offset = len(self.log_text())

    def cpu(self) -> dict[int, float]:
        """pid → CPU seconds of the master and its live workers."""
        master = self.process.pid if self.process is not None else -1
        return process_cpu(lambda pid, parent, cmdline: master in (pid, parent))

    def worker_class(self) -> str:
        found = re.search(r"Using worker: (\S+)", self.log_text())
        return found[1] if found else "?"


# --- HTTP ----------------------------------------------------------------------------------
@dataclass
class Reply:
    status: int
    data: object
    etag: int | None


class Http:
    """One keep-alive connection to 127.0.0.1:port (http.client reopens it when the server
    closed it). A GET is retried once on a fresh connection; a write never is."""

    def __init__(self, port: int, timeout: float = REQUEST_TIMEOUT):
        self.port, self.timeout = port, timeout
        self.conn: http.client.HTTPConnection | None = None
        self.last_used = 0.0

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method: str, path: str, token: str | None = None, body: dict | None = None,
                headers: dict[str, str] | None = None) -> Reply:
        sent = {"Accept": "application/json", **(headers or {})}
        if token:
            sent["Authorization"] = f"Token {token}"
        payload = None
        if body is not None:
            payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
            sent["Content-Type"] = "application/json"
        attempts = 2 if method == "GET" else 1
        for attempt in range(attempts):
            if self.conn is not None and time.monotonic() - self.last_used > IDLE_RECONNECT:
                self.close()  # the server may be closing it right now: a write must not go out on it
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=payload, headers=sent)
                response = self.conn.getresponse()
                raw = response.read()
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                if attempt + 1 < attempts:
                    continue
                raise ConnectionFailed(f"{type(exc).__name__}: {exc}") from exc
            self.last_used = time.monotonic()
            if response.will_close:
                self.close()
            try:
                data = json.loads(raw) if raw and "json" in (response.getheader("Content-Type") or "") else None
            except ValueError:
                data = None
            tag = re.fullmatch(r'\s*(?:W/)?"(\d+)"\s*', response.getheader("ETag") or "")
            return Reply(response.status, data, int(tag[1]) if tag else None)
        raise AssertionError("unreachable")


# --- the world the clients act in ------------------------------------------------------------
@dataclass
class Actors:
    """A unit of the plan with its official's and leader's tokens and its reports in the period."""

    id: int
    name: str
    official: str
    leader: str
    reports: list[int]
    tasks: list[int]


@dataclass
class World:
    plan: int
    plan_title: str
    period: int
    period_label: str
    office: str
    office_username: str
    units: list[Actors]
    hot: list[int]
    hot_official: str
    tasks: list[int]
    report_count: int


def _all_pages(http: Http, path: str, token: str) -> list[dict]:
    rows = []
    while path:
        reply = http.request("GET", path, token)
        if reply.status != 200:
            raise SetupError(f"GET {path}: {reply.status} {reply.data}")
        rows.extend(reply.data["results"])
        following = reply.data.get("next")
        path = urlunsplit(("", "", *urlsplit(following)[2:4], "")) if following else None
    return rows


def get_tokens(port: int, accounts: list[dict], budget: float = 120.0) -> dict[str, str]:
    """username → API token (POST /api/auth/token/, a few in parallel). The endpoint is
    throttled (20/min per address, counted across the workers): a 429 is retried every 5 s,
    within `budget` seconds."""
    deadline = time.monotonic() + budget

    def one(account: dict) -> tuple[str, str]:
        http = Http(port)
        while True:
            reply = http.request("POST", "/api/auth/token/", body={"username": account["username"], "password": account["password"]})
            if reply.status == 200:
                return account["username"], reply.data["token"]
            if reply.status == 429 and time.monotonic() < deadline:
                time.sleep(min(5.0, max(0.5, deadline - time.monotonic())))
                continue
            raise SetupError(f"token for {account['username']}: {reply.status} {reply.data}")

    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(pool.map(one, accounts))


def prepare_world(port: int, accounts: list[dict], units: int = 8, hot: int = 2) -> World:
    """The open period with the most reports, its plan's office and the `units` units with the
    most reports in it (each with an official and a leader); `hot` reports of the first unit
    are raced on by every client."""
    by_name = {account["username"]: account for account in accounts}
    admin = next(account for account in accounts if account["role"] == "superuser")
    token = get_tokens(port, [admin])[admin["username"]]
    http = Http(port)
    periods = _all_pages(http, "/api/periods/?is_open=true&page_size=100", token)
    if not periods:
        raise SetupError("no open reporting period (demo_periods opens one per plan)")
    reports_of = {period["id"]: _all_pages(http, f"/api/reports/?period={period['id']}&page_size=500", token) for period in periods}
    period = max(periods, key=lambda period: len(reports_of[period["id"]]))
    reports = reports_of[period["id"]]
    plan = http.request("GET", f"/api/plans/{period['plan']}/", token).data
    unit_names = {unit["id"]: unit["name"] for unit in _all_pages(http, "/api/units/?page_size=500", token)}
    office = next(
        (account for account in accounts if account["role"] == "office" and plan["title"] in account["plans"]), None,
    )
    if office is None:
        raise SetupError(f"no office account for {plan['title']}")
    accounts_of_unit = defaultdict(dict)
    for account in accounts:
        if account["role"] in ("official", "leader") and account["unit"]:
            accounts_of_unit[account["unit"]][account["role"]] = account["username"]
    per_unit = Counter(report["unit"] for report in reports)
    chosen = [
        unit for unit, _count in sorted(per_unit.items(), key=lambda item: (-item[1], item[0]))
        if {"official", "leader"} <= set(accounts_of_unit[unit_names[unit]])
    ][:units]
    if not chosen:
        raise SetupError("no unit with an official and a leader has reports in the open period")
    wanted = [by_name[office["username"]]] + [
        by_name[accounts_of_unit[unit_names[unit]][role]] for unit in chosen for role in ("official", "leader")
    ]
    tokens = get_tokens(port, wanted)
    actors = []
    for unit in chosen:
        rows = sorted((report for report in reports if report["unit"] == unit), key=lambda report: report["id"])
        names = accounts_of_unit[unit_names[unit]]
        actors.append(Actors(
            id=unit, name=unit_names[unit], official=tokens[names["official"]], leader=tokens[names["leader"]],
            reports=[report["id"] for report in rows], tasks=sorted({report["task"] for report in rows}),
        ))
    hot_reports = actors[0].reports[:hot]
    actors[0].reports = actors[0].reports[hot:] or actors[0].reports  # the hot ones are only raced on
    return World(
        plan=plan["id"], plan_title=plan["title"], period=period["id"], period_label=period["label"],
        office=tokens[office["username"]], office_username=office["username"], units=actors, hot=hot_reports,
        hot_official=actors[0].official, tasks=sorted({report["task"] for report in reports}), report_count=len(reports),
    )


# --- the clients ---------------------------------------------------------------------------
@dataclass
class Write:
    """A write the load test sent, and what became of it."""

    purpose: str  # edit, race, submit, return, approve, stale-edit, stale-submit, stale-review
    report: int
    base: int  # the version it was made from (If-Match or body `version`)
    via: str  # "If-Match" or "body"
    fields: dict  # the values the report has after it, if it is applied
    client: int = -1
    status: int | None = None  # None: no answer (its outcome is unknown)
    etag: int | None = None  # version in the answer's ETag

    @property
    def deliberate_conflict(self) -> bool:
        return self.purpose.startswith("stale")

    @property
    def acknowledged(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def refusal(self) -> int:
        """The answer a stale version must get."""
        return 412 if self.via == "If-Match" else 409

    @property
    def refused_as_conflict(self) -> bool:
        return self.status in (409, 412)

    @property
    def outcome_unknown(self) -> bool:
        return self.status is None or self.status >= 500

    @property
    def version(self) -> int:
        """The version the report has after this write: each save adds exactly one."""
        return self.base + 1


@dataclass
class Known:
    state: str
    version: int
    has_progress: bool


class Client(threading.Thread):
    """One simulated user session mix: its own connection, random generator and records."""

    def __init__(self, index: int, world: World, port: int, deadline: float, stop: threading.Event, seed: int, run_id: str,
                 weights: dict[str, int] | None = None):
        super().__init__(name=f"client-{index}", daemon=True)
        self.index, self.world, self.deadline, self.stop = index, world, deadline, stop
        self.http = Http(port)
        self.rng = random.Random(seed)
        self.run_id = run_id
        self.unit = world.units[index % len(world.units)]
        self.samples: list[tuple[str, int, float]] = []  # (kind, status or 0 for no answer, seconds)
        self.writes: list[Write] = []
        self.unexpected: list[str] = []  # answers no rule explains (first few kept)
        self.failures: list[str] = []  # connection errors, 5xx (first few kept)
        self.requests = self.server_errors = self.connection_errors = self.refused = 0
        self.sequence = 0
        self.known: dict[int, Known] = {}
        self.crashed: BaseException | None = None
        weights = weights or WEIGHTS
        self.operations = [name for name in weights if weights[name] > 0]
        self.weights = [weights[name] for name in self.operations]

    # plumbing ----------------------------------------------------------------------------
    def call(self, kind: str, method: str, path: str, token: str, body: dict | None = None,
             headers: dict[str, str] | None = None) -> Reply | None:
        started = time.perf_counter()
        try:
            reply = self.http.request(method, path, token, body, headers)
        except ConnectionFailed as exc:
            self.samples.append((kind, 0, time.perf_counter() - started))
            self.requests += 1
            self.connection_errors += 1
            if len(self.failures) < 5:
                self.failures.append(f"{method} {path}: {exc}")
            return None
        self.samples.append((kind, reply.status, time.perf_counter() - started))
        self.requests += 1
        if reply.status >= 500:
            self.server_errors += 1
            if len(self.failures) < 5:
                self.failures.append(f"{method} {path}: {reply.status} {str(reply.data)[:300]}")
        return reply

    def note_unexpected(self, message: str) -> None:
        if len(self.unexpected) < 5:
            self.unexpected.append(message)

    def remember(self, data) -> None:
        if isinstance(data, dict) and "id" in data and "version" in data and "state" in data:
            self.known[data["id"]] = Known(data["state"], data["version"], bool((data.get("progress") or "").strip()))

    def read_report(self, report: int, token: str) -> Reply | None:
        reply = self.call("read", "GET", f"/api/reports/{report}/", token)
        if reply is None:
            return None
        if reply.status != 200:
            if reply.status < 500:
                self.note_unexpected(f"GET /api/reports/{report}/: {reply.status} {str(reply.data)[:200]}")
            return None
        self.remember(reply.data)
        return reply

    def pick(self, reports: list[int], wanted) -> int:
        """A report the client believes `wanted(known)` of (unknown ones count), else any."""
        candidates = [report for report in reports if report not in self.known or wanted(self.known[report])]
        return self.rng.choice(candidates or reports)

    def text(self, what: str) -> str:
        self.sequence += 1
        return f"负载测试 {what} run {self.run_id} client {self.index:03d} write {self.sequence:06d}"

    def via(self) -> str:
        return "If-Match" if self.rng.random() < 0.6 else "body"

    def write(self, kind: str, purpose: str, method: str, path: str, token: str, report: int, base: int, via: str,
              payload: dict, expected: dict) -> Write:
        body, headers = dict(payload), {}
        if via == "If-Match":
            headers["If-Match"] = f'"{base}"'
        else:
            body["version"] = base
        record = Write(purpose, report, base, via, expected, client=self.index)
        reply = self.call(kind, method, path, token, body, headers)
        if reply is not None:
            record.status, record.etag = reply.status, reply.etag
            if reply.status in (409, 412):
                self.refused += 1
            elif 200 <= reply.status < 300:
                self.remember(reply.data)
            elif reply.status < 500:
                self.note_unexpected(f"{purpose} {method} {path} ({via} {base}): {reply.status} {str(reply.data)[:200]}")
        self.writes.append(record)
        return record

    def edit_payload(self, what: str) -> tuple[dict, dict]:
        payload = {"progress": self.text(what), "percent": self.rng.randint(0, 100), "status": self.rng.choice(TASK_STATUSES)}
        return payload, dict(payload)

    # operations --------------------------------------------------------------------------
    def op_read(self) -> None:
        world, unit, rng = self.world, self.unit, self.rng
        token = rng.choice((world.office, unit.official, unit.leader))
        choice = rng.randrange(7)
        if choice == 0:
            path = "/api/tasks/?page_size=100"
        elif choice == 1:
            path = f"/api/tasks/?page_size=100&unit={unit.id}"
        elif choice == 2:
            path = f"/api/tasks/?page_size=100&status={rng.choice(TASK_STATUSES)}"
        elif choice == 3:
            path = f"/api/tasks/?page_size=100&plan={world.plan}&unit={unit.id}&status={rng.choice(TASK_STATUSES)}"
        elif choice == 4:
            path = f"/api/reports/?period={world.period}&state={rng.choice(REPORT_STATES)}&page_size=100"
        elif choice == 5:
            path = f"/api/tasks/{rng.choice(unit.tasks)}/"
        else:
            path = f"/api/reports/?period={world.period}&unit={unit.id}&page_size=100"
        reply = self.call("read", "GET", path, token)
        if reply is not None and reply.status != 200 and reply.status < 500:
            self.note_unexpected(f"GET {path}: {reply.status} {str(reply.data)[:200]}")

    def op_edit(self) -> None:
        unit = self.unit
        report = self.pick(unit.reports, lambda known: known.state in EDITABLE)
        reply = self.read_report(report, unit.official)
        if reply is None or reply.data["state"] not in EDITABLE:
            return
        payload, expected = self.edit_payload("edit")
        self.write("edit", "edit", "PATCH", f"/api/reports/{report}/", unit.official, report, reply.data["version"], self.via(), payload, expected)

    def op_submit(self) -> None:
        """The leader looks at the unit's filled-in reports and sends one of them."""
        unit, world = self.unit, self.world
        state = "returned" if self.rng.random() < 0.3 else "pending"
        path = f"/api/reports/?period={world.period}&unit={unit.id}&state={state}&page_size=100"
        reply = self.call("read", "GET", path, unit.leader)
        if reply is None or reply.status != 200:
            return
        for row in reply.data["results"]:
            self.remember(row)
        filled = [row for row in reply.data["results"] if row["progress"].strip() and row["id"] not in world.hot]
        if not filled:
            return
        row = self.rng.choice(filled)
        self.write("submit", "submit", "POST", f"/api/reports/{row['id']}/submit/", unit.leader, row["id"], row["version"],
                   self.via(), {}, {"state": "submitted"})

    def op_review(self) -> None:
        world = self.world
        path = f"/api/reports/?period={world.period}&state=submitted&page_size=100"
        reply = self.call("read", "GET", path, world.office)
        if reply is None or reply.status != 200 or not reply.data["results"]:
            return
        row = self.rng.choice(reply.data["results"])
        comment = self.text("review")
        action = "approve" if self.rng.random() < APPROVE_SHARE else "return"
        state = "approved" if action == "approve" else "returned"
        self.write("review", action, "POST", f"/api/reports/{row['id']}/{action}/", world.office, row["id"], row["version"],
                   self.via(), {"comment": comment}, {"state": state, "review_comment": comment})

    def op_race(self) -> None:
        """Every client edits the same few hot reports from the version it just read: while
        others do the same, only one write per version may win; the rest get 412/409."""
        world = self.world
        report = self.rng.choice(world.hot)
        reply = self.read_report(report, world.hot_official)
        if reply is None or reply.data["state"] not in EDITABLE:
            return
        payload, expected = self.edit_payload("race")
        self.write("conflict", "race", "PATCH", f"/api/reports/{report}/", world.hot_official, report, reply.data["version"],
                   self.via(), payload, expected)

    def op_stale(self) -> None:
        """A write from a version older than one the client has just read: always stale."""
        world, unit, rng = self.world, self.unit, self.rng
        own = [report for report in unit.reports if report in self.known and self.known[report].version >= 2]
        if own and rng.random() < 0.5:
            report, token = rng.choice(own), unit.official
        else:
            report, token = rng.choice(world.hot), world.hot_official
        reply = self.read_report(report, token)
        if reply is None or reply.data["version"] < 2:
            return
        base, via = rng.randint(max(1, reply.data["version"] - 3), reply.data["version"] - 1), self.via()
        action = rng.random() if report not in world.hot else 0.0
        if action < 0.6:
            payload, expected = self.edit_payload("stale")
            self.write("conflict", "stale-edit", "PATCH", f"/api/reports/{report}/", token, report, base, via, payload, expected)
        elif action < 0.8:
            self.write("conflict", "stale-submit", "POST", f"/api/reports/{report}/submit/", unit.leader, report, base, via,
                       {}, {"state": "submitted"})
        else:
            comment = self.text("stale review")
            self.write("conflict", "stale-review", "POST", f"/api/reports/{report}/return/", world.office, report, base, via,
                       {"comment": comment}, {"state": "returned", "review_comment": comment})

    def run(self) -> None:
        try:
            while not self.stop.is_set() and time.monotonic() < self.deadline:
                operation = self.rng.choices(self.operations, self.weights)[0]
                getattr(self, f"op_{operation}")()
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            self.crashed = exc
        finally:
            self.http.close()


@dataclass
class LoadResult:
    clients: list[Client]
    seconds: float
    unfinished: int = 0

    @property
    def samples(self) -> list[tuple[str, int, float]]:
        return [sample for client in self.clients for sample in client.samples]

    @property
    def writes(self) -> list[Write]:
        return [write for client in self.clients for write in client.writes]


def run_clients(world: World, port: int, clients: int, duration: float, seed: int = 0,
                progress=print, every: float = PROGRESS_EVERY, weights: dict[str, int] | None = None) -> LoadResult:
    """Run `clients` Client threads for `duration` seconds, printing a line every `every` s;
    `weights` replaces WEIGHTS (operation → weight)."""
    stop = threading.Event()
    run_id = uuid.uuid4().hex[:8]
    started = time.monotonic()
    deadline = started + duration
    threads = [Client(index, world, port, deadline, stop, seed * 1_000_003 + index, run_id, weights) for index in range(clients)]
    try:
        for thread in threads:
            thread.start()
        next_line = started + every
        while any(thread.is_alive() for thread in threads):
            time.sleep(min(0.2, max(0.01, next_line - time.monotonic())))
            now = time.monotonic()
            if now >= next_line and now < deadline + every / 2:
                requests = sum(thread.requests for thread in threads)
                progress(
                    f"  {now - started:5.0f} s  {requests:8,d} requests  {requests / (now - started):7.1f}/s  "
                    f"5xx {sum(t.server_errors for t in threads)}  no answer {sum(t.connection_errors for t in threads)}  "
                    f"conflicts refused {sum(t.refused for t in threads):,d}"
                )
                next_line += every
            if now > deadline + REQUEST_TIMEOUT + 10:
                break
    except BaseException:
        stop.set()  # interrupted: clients stop after their current request; they are daemon threads
        for thread in threads:
            thread.join(timeout=0.5)
        raise
    stop.set()
    for thread in threads:
        thread.join(timeout=max(0.1, deadline + REQUEST_TIMEOUT + 10 - time.monotonic()))
    seconds = time.monotonic() - started
    return LoadResult(threads, seconds, unfinished=sum(thread.is_alive() for thread in threads))


def process_cpu(select) -> dict[int, float]:
    """pid → CPU seconds (user + system) of the processes `select(pid, parent, cmdline)` picks (Linux /proc)."""
    found, tick = {}, os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, IndexError):
            continue
        pid = int(stat.parent.name)
        if select(pid, int(fields[1]), cmdline):
            found[pid] = (int(fields[11]) + int(fields[12])) / tick
    return found


def machine_cpu() -> tuple[float, float, float]:
    """(busy, stolen, total) CPU time of the whole machine so far, in clock ticks (/proc/stat):
    stolen is time a virtual machine's host gave to someone else."""
    try:
        values = [int(value) for value in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    except (OSError, ValueError, IndexError):
        return 0.0, 0.0, 0.0
    values += [0] * (8 - len(values))  # user nice system idle iowait irq softirq steal (guest is inside user)
    idle, steal = values[3] + values[4], values[7]
    return float(sum(values) - idle - steal), float(steal), float(sum(values))


@dataclass
class CpuUse:
    """CPU seconds used during the load: by this script (the clients), by gunicorn, by the
    PostgreSQL backends of the scratch database, by the whole machine (the rest is everything
    else that ran meanwhile: other jobs, the kernel's loopback networking)."""

    seconds: float
    clients: float
    server: float
    database: float  # PostgreSQL backends connected to the scratch database
    machine_busy: float  # share of all cores, 0..1
    stolen: float = 0.0  # share of all cores the VM's host took

    @property
    def others(self) -> float:
        """CPU seconds of everything else on the machine meanwhile."""
        busy = self.machine_busy * (os.cpu_count() or 1) * self.seconds
        return max(0.0, busy - self.clients - self.server - self.database)

    @classmethod
    def measure(cls, server: Server, database: str, body):
        """Run `body()` and measure it; (its result, CpuUse)."""
        import resource

        def own() -> float:
            usage = resource.getrusage(resource.RUSAGE_SELF)
            return usage.ru_utime + usage.ru_stime

        def backends() -> dict[int, float]:
            title = f" {database} "  # a backend's title: "postgres: 15/main: user database host(port) state"
            return process_cpu(lambda pid, parent, cmdline: cmdline.startswith("postgres:") and title in cmdline)

        def delta(before: dict[int, float], after: dict[int, float]) -> float:
            return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())

        started, clients, served, db, machine = time.monotonic(), own(), server.cpu(), backends(), machine_cpu()
        result = body()
        busy, stolen, total = (after - before for after, before in zip(machine_cpu(), machine))
        use = cls(
            seconds=time.monotonic() - started, clients=own() - clients, server=delta(served, server.cpu()),
            database=delta(db, backends()), machine_busy=busy / total if total > 0 else 0.0,
            stolen=stolen / total if total > 0 else 0.0,
        )
        return result, use


# --- verification ----------------------------------------------------------------------------
ROW_FIELDS = ("version", "progress", "percent", "status", "state", "review_comment")


@dataclass
class Verification:
    acknowledged: int = 0
    reports: int = 0
    history_rows: int = 0
    lost: list[str] = field(default_factory=list)  # an acknowledged write missing or different in the database
    duplicates: list[str] = field(default_factory=list)  # two writes got one (report, version)
    unacknowledged: list[str] = field(default_factory=list)  # a change no acknowledged write explains
    accepted_conflicts: list[str] = field(default_factory=list)  # a stale write answered 2xx
    wrong_refusals: list[str] = field(default_factory=list)  # a stale write refused other than 409/412
    overtaken: int = 0  # 2xx whose ETag is past the write's own version (the answer re-reads after commit)

    @property
    def lost_updates(self) -> int:
        return len(self.lost) + len(self.duplicates) + len(self.unacknowledged)

    @property
    def ok(self) -> bool:
        return not (self.lost_updates or self.accepted_conflicts or self.wrong_refusals)


def report_versions(database_url: str) -> dict[int, int]:
    """report id → version, now (the baseline before the load)."""
    with contextlib.closing(pg_connect(database_url)) as conn:
        return dict(conn.execute("SELECT id, version FROM plans_progressreport").fetchall())


def verify(database_url: str, writes: list[Write], baseline: dict[int, int]) -> Verification:
    """Check the writes against the database (see the module's docstring, step 5)."""
    result = Verification()
    reports = sorted({write.report for write in writes})
    result.reports = len(reports)
    columns = ", ".join(("id",) + ROW_FIELDS)
    with contextlib.closing(pg_connect(database_url)) as conn:
        history_rows = conn.execute(
            f"SELECT {columns} FROM plans_historicalprogressreport WHERE id = ANY(%s) ORDER BY history_id", (reports,),
        ).fetchall()
        current_rows = conn.execute(f"SELECT {columns} FROM plans_progressreport WHERE id = ANY(%s)", (reports,)).fetchall()
        tasks = [task for (task,) in conn.execute("SELECT DISTINCT task_id FROM plans_progressreport WHERE id = ANY(%s)", (reports,))]
        task_duplicates = conn.execute(
            "SELECT id, version, count(*) FROM plans_historicaltask WHERE id = ANY(%s) GROUP BY id, version HAVING count(*) > 1",
            (tasks,),
        ).fetchall()
        refused_texts = [
            write.fields["progress"] for write in writes
            if "progress" in write.fields and write.status is not None and 400 <= write.status < 500
        ]
        refused_found = conn.execute(
            "SELECT id, version, progress FROM plans_historicalprogressreport WHERE progress = ANY(%s)", (refused_texts,),
        ).fetchall()
    result.history_rows = len(history_rows)
    history: dict[tuple[int, int], list[dict]] = defaultdict(list)
    for row in history_rows:
        history[(row[0], row[1])].append(dict(zip(ROW_FIELDS, row[1:])))
    current = {row[0]: dict(zip(ROW_FIELDS, row[1:])) for row in current_rows}

    for (report, version), rows in sorted(history.items()):
        if len(rows) > 1:
            result.duplicates.append(f"report {report}: {len(rows)} history rows of version {version}")
    for task, version, count in task_duplicates:
        result.duplicates.append(f"task {task}: {count} history rows of version {version}")

    acknowledged = [write for write in writes if write.acknowledged]
    result.acknowledged = len(acknowledged)
    by_version: dict[tuple[int, int], list[Write]] = defaultdict(list)
    for write in acknowledged:
        by_version[(write.report, write.version)].append(write)
    for (report, version), same in sorted(by_version.items()):
        if len(same) > 1:
            result.duplicates.append(
                f"report {report}: {len(same)} acknowledged writes from version {version - 1} "
                f"({', '.join(f'{w.purpose} by client {w.client}' for w in same)})"
            )
    for write in acknowledged:
        if write.etag is not None and write.etag != write.version:
            result.overtaken += 1
        rows = history.get((write.report, write.version))
        if not rows:
            result.lost.append(f"report {write.report}: acknowledged {write.purpose} of version {write.version} is not in its history")
            continue
        different = {name: (value, rows[0].get(name)) for name, value in write.fields.items() if rows[0].get(name) != value}
        if different:
            result.lost.append(f"report {write.report} version {write.version}: {write.purpose} wrote {different} (written, found)")

    unknown = Counter(write.report for write in writes if write.outcome_unknown)
    top: dict[int, Write] = {}
    for write in acknowledged:
        if write.report not in top or write.version > top[write.report].version:
            top[write.report] = write
    for report, write in sorted(top.items()):
        row = current.get(report)
        if row is None:
            result.lost.append(f"report {report}: no longer in the database")
        elif row["version"] < write.version:
            result.lost.append(f"report {report}: current version {row['version']} is older than acknowledged {write.version}")
        elif row["version"] == write.version:
            snapshot = (history.get((report, write.version)) or [None])[0]
            if snapshot is not None and snapshot != row:
                result.lost.append(f"report {report}: current row differs from its history row of version {write.version}")
            different = {name: (value, row.get(name)) for name, value in write.fields.items() if row.get(name) != value}
            if different:
                result.lost.append(f"report {report}: current row is not the last acknowledged write {different}")
        elif not unknown[report]:
            result.unacknowledged.append(
                f"report {report}: current version {row['version']} is past the last acknowledged write ({write.version})"
            )
    for report in reports:
        if report not in top and current.get(report, {}).get("version", 0) > baseline.get(report, 0) and not unknown[report]:
            result.unacknowledged.append(f"report {report}: changed to version {current[report]['version']} by no acknowledged write")
    explained = set(by_version)
    extra = Counter(
        report for (report, version) in history if version > baseline.get(report, 0) and (report, version) not in explained
    )
    for report, count in sorted(extra.items()):
        if count > unknown[report]:
            result.unacknowledged.append(f"report {report}: {count - unknown[report]} history rows no acknowledged write explains")
    for report, version, text in refused_found:
        result.unacknowledged.append(f"report {report} version {version}: a refused write is in the database ({text[-40:]})")

    for write in writes:
        if not write.deliberate_conflict or write.status is None:
            continue
        if write.acknowledged:
            result.accepted_conflicts.append(f"report {write.report}: {write.purpose} from stale version {write.base} got {write.status}")
        elif write.status < 500 and write.status != write.refusal:
            result.wrong_refusals.append(
                f"report {write.report}: {write.purpose} with stale {write.via} version got {write.status}, not {write.refusal}"
            )
    return result


# --- figures ----------------------------------------------------------------------------------
def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), int(-(-share * len(sorted_values) // 1))))
    return sorted_values[rank - 1]


@dataclass
class Summary:
    requests: int
    per_second: float
    latency: dict[str, dict[str, float]]  # kind (and "all") → n, p50, p95, p99, max (ms)
    statuses: Counter
    server_errors: int
    connection_errors: int
    acknowledged: Counter  # purpose → count
    refused: Counter  # purpose → count of 409/412
    unexpected: list[str]
    failures: list[str]
    crashed: list[str]


def summarize(load: LoadResult) -> Summary:
    samples = load.samples
    latency = {}
    for kind in (*KINDS, "all"):
        values = sorted(seconds for sample_kind, _status, seconds in samples if kind in ("all", sample_kind))
        latency[kind] = {
            "n": len(values),
            **{name: percentile(values, share) * 1000 for name, share in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99))},
            "max": (values[-1] * 1000) if values else 0.0,
        }
    statuses = Counter(status for _kind, status, _seconds in samples)
    writes = load.writes
    return Summary(
        requests=len(samples),
        per_second=len(samples) / load.seconds if load.seconds else 0.0,
        latency=latency,
        statuses=statuses,
        server_errors=sum(count for status, count in statuses.items() if status >= 500),
        connection_errors=statuses.get(0, 0),
        acknowledged=Counter(write.purpose for write in writes if write.acknowledged),
        refused=Counter(write.purpose for write in writes if write.refused_as_conflict),
        unexpected=[message for client in load.clients for message in client.unexpected],
        failures=[message for client in load.clients for message in client.failures],
        crashed=[f"{client.name}: {client.crashed!r}" for client in load.clients if client.crashed],
    )


def passed(summary: Summary, verification: Verification, load: LoadResult) -> bool:
    return (
        verification.ok and not summary.server_errors and not summary.connection_errors and not summary.crashed
        and not load.unfinished
    )


def print_results(summary: Summary, verification: Verification, load: LoadResult, out=print, server: Server | None = None,
                  cpu: CpuUse | None = None) -> None:
    out("")
    out(f"Results ({load.seconds:.1f} s)")
    out(f"  {'kind':<10}{'requests':>10}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}{'max ms':>10}")
    for kind in (*KINDS, "all"):
        row = summary.latency[kind]
        out(f"  {kind:<10}{row['n']:>10,d}{row['p50']:>10.1f}{row['p95']:>10.1f}{row['p99']:>10.1f}{row['max']:>10.1f}")
    out(f"  requests: {summary.requests:,d}, {summary.per_second:.1f} per second")
    codes = ", ".join(f"{status or 'no answer'}: {count:,d}" for status, count in sorted(summary.statuses.items()))
    out(f"  status codes: {codes}")
    out(f"  errors: 5xx {summary.server_errors}, connection errors {summary.connection_errors}, "
        f"clients crashed {len(summary.crashed)}, unfinished {load.unfinished}")
    if server is not None:
        findings = server.log_findings()
        out(f"  server log: {findings['tracebacks']} tracebacks, {findings['worker timeouts']} worker timeouts, "
            f"{max(0, findings['worker boots'] - server.workers)} worker restarts")
        inside = server.request_times()
        if inside:
            out(f"  time inside the workers (access log %(M)s): p50 {percentile(inside, 0.5):.0f} ms, "
                f"p95 {percentile(inside, 0.95):.0f} ms, p99 {percentile(inside, 0.99):.0f} ms over {len(inside):,d} requests; "
                "the rest of a client's latency is waiting for a free worker")
    if cpu is not None:
        cores = os.cpu_count() or 1
        out(f"  CPU seconds during the load ({cores} cores × {cpu.seconds:.0f} s = {cores * cpu.seconds:.0f}, "
            f"busy {cpu.machine_busy:.0%}): gunicorn {cpu.server:.0f}, PostgreSQL {cpu.database:.0f} (backends alive at the end), "
            f"clients {cpu.clients:.0f}, other processes on the machine {cpu.others:.0f}"
            + (f"; the VM's host took {cpu.stolen:.0%} of the cores" if cpu.stolen >= 0.01 else ""))
    ack = summary.acknowledged
    out(f"  acknowledged writes: {sum(ack.values()):,d} (" + ", ".join(f"{name} {ack[name]:,d}" for name in
        ("edit", "race", "submit", "return", "approve")) + ")")
    refused = summary.refused
    stale = [write for write in load.writes if write.deliberate_conflict]
    stale_header = sum(1 for write in stale if write.via == "If-Match" and write.status == 412)
    stale_body = sum(1 for write in stale if write.via == "body" and write.status == 409)
    race_total = sum(1 for write in load.writes if write.purpose == "race")
    out(f"  conflicts refused: {sum(refused.values()):,d} — races {refused['race']:,d} of {race_total:,d} lost to another writer, "
        f"stale writes {len(stale):,d} sent: {stale_header:,d} × 412 (If-Match), {stale_body:,d} × 409 (body version); "
        f"other writes overtaken between read and write {sum(refused[p] for p in ('edit', 'submit', 'return', 'approve')):,d}")
    out(f"  unexpected 4xx: {len(summary.unexpected)}" + "".join(f"\n    {message}" for message in summary.unexpected[:10]))
    for message in (summary.failures + summary.crashed)[:10]:
        out(f"    {message}")
    out(f"Verification ({verification.reports:,d} reports written, {verification.history_rows:,d} history rows read)")
    out(f"  acknowledged writes found in the database: {verification.acknowledged - len(verification.lost):,d} of {verification.acknowledged:,d}")
    out(f"  lost updates: {verification.lost_updates} (missing or different {len(verification.lost)}, "
        f"duplicate versions {len(verification.duplicates)}, unacknowledged changes {len(verification.unacknowledged)})")
    out(f"  accepted conflicts: {len(verification.accepted_conflicts)}, stale writes refused with a wrong status: "
        f"{len(verification.wrong_refusals)}")
    out(f"  answers whose ETag was already past the write (re-read after commit): {verification.overtaken}")
    for message in (verification.lost + verification.duplicates + verification.unacknowledged
                    + verification.accepted_conflicts + verification.wrong_refusals)[:20]:
        out(f"    {message}")
    out("PASS" if passed(summary, verification, load) else "FAIL")


# --- the whole run --------------------------------------------------------------------------
@dataclass
class Setup:
    database_url: str
    server: Server
    world: World
    accounts: list[dict]
    data: dict[str, int]
    postgres_version: str


def data_size(database_url: str) -> tuple[dict[str, int], str]:
    with contextlib.closing(pg_connect(database_url)) as conn:
        counts = {
            name: conn.execute(query).fetchone()[0]
            for name, query in (
                ("plans", "SELECT count(*) FROM plans_plan"),
                ("tasks", "SELECT count(*) FROM plans_task WHERE kind = 'task'"),
                ("units", "SELECT count(*) FROM plans_unit"),
                ("reports", "SELECT count(*) FROM plans_progressreport"),
                ("accounts", "SELECT count(*) FROM auth_user"),
            )
        }
        version = conn.execute("SHOW server_version").fetchone()[0]
    return counts, version


@contextlib.contextmanager
def prepared(database_url: str, workers: int, port: int = 0, keep: bool = False, name: str | None = None,
             units: int = 8, hot: int = 2, out=print):
    """Scratch database, seed data, gunicorn and the world; everything undone on the way out."""
    name = name or f"tracker_load_{os.getpid()}"
    with tempfile.TemporaryDirectory(prefix="loadtest-") as work, scratch_database(database_url, name, keep=keep) as url:
        started = time.monotonic()
        env = app_env(url)
        accounts = seed(env)
        out(f"  seeded {name} in {time.monotonic() - started:.1f} s (migrate, loaddata, demo_accounts, demo_periods)")
        with Server(env, workers, port, Path(work) / "gunicorn.log") as server:
            world = prepare_world(server.port, accounts, units=units, hot=hot)
            data, version = data_size(url)
            yield Setup(url, server, world, accounts, data, version)
        if keep:
            out(f"  kept database {name}: DATABASE_URL={url}")


def run(options, out=print) -> int:
    """The whole load test; the exit status."""
    where = urlsplit(options.database_url)
    out(f"Load test: {options.clients} clients for {options.duration:g} s against gunicorn with {options.workers} workers, "
        f"PostgreSQL at {where.hostname}:{where.port or 5432}; {os.cpu_count()} CPU cores shared by clients, server and database")
    with prepared(options.database_url, options.workers, options.port, options.keep, units=options.units, hot=options.hot, out=out) as setup:
        world, server = setup.world, setup.server
        out(f"  server: {' '.join(Path(part).name if part == sys.executable else part for part in server.command)} "
            f"(worker class {server.worker_class()})")
        data = setup.data
        out(f"  data: PostgreSQL {setup.postgres_version}, {data['plans']} plans, {data['tasks']} tasks, {data['units']} units, "
            f"{data['reports']} reports, {data['accounts']} accounts")
        out(f"  acting on: {world.plan_title} {world.period_label} ({world.report_count} reports); office {world.office_username}; "
            f"{len(world.units)} units (official + leader each), {sum(len(u.reports) for u in world.units) + len(world.hot)} of their reports; "
            f"hot reports {', '.join(map(str, world.hot))}")
        mix = options.mix or WEIGHTS
        out("  mix (weights): " + ", ".join(f"{name} {weight}" for name, weight in mix.items())
            + f" (reviews approve {APPROVE_SHARE:.0%}, return the rest)")
        baseline = report_versions(setup.database_url)
        server.mark_load_start()
        out("Running")
        load, cpu = CpuUse.measure(server, urlsplit(setup.database_url).path.lstrip("/"), lambda: run_clients(
            world, server.port, options.clients, options.duration, seed=options.seed, progress=out, weights=options.mix,
        ))
        summary = summarize(load)
        verification = verify(setup.database_url, load.writes, baseline)
        print_results(summary, verification, load, out=out, server=server, cpu=cpu)
        return 0 if passed(summary, verification, load) else 1


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (threads), default 50")
    parser.add_argument("--duration", type=float, default=60, help="seconds of load, default 60")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers, default 4")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                        help=f"a PostgreSQL server (any database on it); the scratch database is made there. Default {DEFAULT_DATABASE_URL}")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 for gunicorn; 0 (default): a free one")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    parser.add_argument("--units", type=int, default=8, help="units whose official and leader act, default 8")
    parser.add_argument("--hot", type=int, default=2, help="hot reports every client races on, default 2")
    parser.add_argument("--seed", type=int, default=1, help="seed of the clients' random choices, default 1")
    parser.add_argument("--mix", type=_mix, default=None,
                        help="operation weights, e.g. read=55,edit=18,submit=7,review=6,race=9,stale=5 (the default); "
                        "operations left out get 0")
    options = parser.parse_args(argv)
    if options.clients < 1 or options.duration <= 0 or options.workers < 1 or options.units < 1 or options.hot < 1:
        parser.error("--clients, --duration, --workers, --units and --hot must be positive")
    return options


def _mix(text: str) -> dict[str, int]:
    weights = {}
    for item in text.split(","):
        name, _, weight = item.partition("=")
        if name.strip() not in WEIGHTS or not weight.strip().isdigit():
            raise argparse.ArgumentTypeError(f"expected name=weight with a name of {', '.join(WEIGHTS)}, not {item!r}")
        weights[name.strip()] = int(weight)
    if not any(weights.values()):
        raise argparse.ArgumentTypeError("at least one weight must be positive")
    return weights


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    options = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # clean up (server, database) as on Ctrl-C

    def out(line: str) -> None:
        print(line, flush=True)

    try:
        return run(options, out=out)
    except KeyboardInterrupt:
        out("interrupted: server stopped" + ("" if options.keep else ", scratch database dropped"))
        return 130
    except SetupError as error:
        out(f"setup failed: {error}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
