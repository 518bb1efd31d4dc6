"""The environment (`Cluster`): a scratch PostgreSQL database with generated data, a Redis
database of its own, two gunicorn instances behind haproxy, celery workers and beats on demand,
all stopped and removed when the block is left."""
from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .client import Http
from .parts import ROOT, Process, SetupError, SmtpSink, free_port, tail

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379"
REDIS_DATABASES = range(8, 16)  # a run claims the first of these that is empty
READY_TIMEOUT = 90.0


@dataclass
class Options:
    tasks: int = 3000
    units: int = 20
    postgres: str = DEFAULT_POSTGRES
    redis: str = DEFAULT_REDIS
    web_concurrency: int = 2
    env: dict[str, str] = field(default_factory=dict)  # added to the application's environment
    keep_logs: bool = False


def _pg_connect(url: str):
    import psycopg

    return psycopg.connect(urlunsplit(("postgresql", *urlsplit(url)[1:])), autocommit=True, connect_timeout=10)


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Cluster:
    """The environment. `with Cluster(options, out=print) as cluster:` builds the database and
    starts the sink, Redis's database, both instances and the load balancer; `start_worker()`,
    `start_beat()` add job processes. Leaving the block stops and removes everything."""

    def __init__(self, options: Options, out=print):
        self.options, self.out = options, out
        self.stack = contextlib.ExitStack()
        self.processes: list[Process] = []
        self.log_dir = Path(tempfile.mkdtemp(prefix="multihost-"))
        self.media_root = self.log_dir / "media"
        self.database_name = f"tracker_multihost_{os.getpid()}_{secrets.token_hex(3)}"
        self.database_url = ""
        self.redis_db: int | None = None
        self.redis_url = ""
        self.sink: SmtpSink | None = None
        self.ports: dict[str, int] = {}
        self.env: dict[str, str] = {}
        self.plan_id = self.period_id = 0
        self.period_label = ""
        self._workers = 0
        self._beats = 0

    # -- life cycle --
    def __enter__(self) -> Cluster:
        try:
            self._build()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        for process in reversed(self.processes):
            with contextlib.suppress(Exception):
                process.stop()
        self.stack.close()
        if not self.options.keep_logs:
            shutil.rmtree(self.log_dir, ignore_errors=True)

    def _build(self) -> None:
        started = time.monotonic()
        self.media_root.mkdir()
        self.sink = self.stack.enter_context(SmtpSink())
        self._claim_redis()
        self._create_database()
        self.ports = {"a": free_port(), "b": free_port(), "lb": free_port()}
        self.env = self._app_env()
        self.out(
            f"setup: PostgreSQL {self.database_name}, Redis db {self.redis_db}, SMTP sink :{self.sink.port}, "
            f"logs in {self.log_dir}"
        )
        self.manage("migrate", "--noinput", "-v0")
        generated = self.manage(
            "generate_scale_data", "--plans", "1", "--tasks", str(self.options.tasks),
            "--units", str(self.options.units), "--years", "1", timeout=1800,
        )
        self._find_plan()
        self.out(f"setup: data {generated.strip().splitlines()[-2] if generated.strip() else ''}")
        for name in ("a", "b"):
            self.start_web(name)
        for name in ("a", "b"):
            self.wait_healthy(self.ports[name], name)
        self.start_haproxy()
        self.out(
            f"setup: instance A :{self.ports['a']}, B :{self.ports['b']}, haproxy :{self.ports['lb']} "
            f"(ready in {time.monotonic() - started:.0f} s)"
        )

    def _claim_redis(self) -> None:
        import redis

        for number in REDIS_DATABASES:
            client = redis.Redis.from_url(f"{self.options.redis}/{number}")
            try:
                claimed = client.set("multihost:owner", f"{os.getpid()}", nx=True, ex=6 * 3600)
                if claimed and client.dbsize() == 1:
                    self.redis_db = number
                    self.redis_url = f"{self.options.redis}/{number}"
                    self.stack.callback(client.flushdb)  # this database only
                    return
                if claimed:
                    client.delete("multihost:owner")
            except redis.RedisError as exc:
                raise SetupError(f"Redis at {self.options.redis} is not reachable: {exc}") from exc
            finally:
                if self.redis_db != number:
                    client.close()
        raise SetupError(f"no empty Redis database among {REDIS_DATABASES.start}–{REDIS_DATABASES.stop - 1}")

    def _create_database(self) -> None:
        try:
            with contextlib.closing(_pg_connect(self.options.postgres)) as conn:
                conn.execute(f"CREATE DATABASE {_quote(self.database_name)}")
        except Exception as exc:
            raise SetupError(f"cannot create a database on {self.options.postgres}: {exc}") from exc
        self.stack.callback(self._drop_database)
        parts = urlsplit(self.options.postgres)
        self.database_url = urlunsplit((parts.scheme, parts.netloc, "/" + self.database_name, parts.query, ""))

    def _drop_database(self) -> None:
        with contextlib.closing(_pg_connect(self.options.postgres)) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {_quote(self.database_name)} WITH (FORCE)")

    def _app_env(self) -> dict[str, str]:
        env = dict(os.environ)
        for name in list(env):  # the test run's own settings must not leak into the servers
            if name.startswith(("PYTEST_", "DJANGO_SETTINGS_MODULE")):
                env.pop(name)
        env.update(
            DATABASE_URL=self.database_url, DEBUG="false", SECURE="false", SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="127.0.0.1,localhost", PYTHONUNBUFFERED="1", REDIS_URL=self.redis_url,
            CACHE_KEY_PREFIX=f"multihost-{secrets.token_hex(4)}", MEDIA_ROOT=str(self.media_root),
            EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(self.sink.port), CELERY_BROKER_URL=self.redis_url,
            CELERY_RESULT_BACKEND=self.redis_url, WEB_CONCURRENCY=str(self.options.web_concurrency),
            HOST="127.0.0.1", NUM_PROXIES="0",
        )
        env.update(self.options.env)
        return env

    def manage(self, *args: str, timeout: float = 600) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env or self._app_env(), capture_output=True,
            text=True, timeout=timeout, check=False,
        )
        if result.returncode:
            raise SetupError(f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-4000:]}")
        return result.stdout

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        with contextlib.closing(_pg_connect(self.database_url)) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def _find_plan(self) -> None:
        rows = self.sql(
            "SELECT p.id, r.id, r.label FROM plans_plan p JOIN plans_reportingperiod r ON r.plan_id = p.id "
            "ORDER BY r.is_open DESC, r.start DESC LIMIT 1"
        )
        if not rows:
            raise SetupError("generate_scale_data made no plan with a period")
        self.plan_id, self.period_id, self.period_label = rows[0]

    # -- processes --
    def spawn(self, name: str, command: list[str], env: dict[str, str] | None = None) -> Process:
        process = Process(name, command, env or self.env, self.log_dir / f"{name}.log").start()
        self.processes.append(process)
        return process

    def start_web(self, name: str) -> Process:
        env = dict(self.env, PORT=str(self.ports[name]))
        return self.spawn(f"web-{name}", [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "tracker.wsgi"],
                          env)

    def wait_healthy(self, port: int, name: str) -> None:
        deadline = time.monotonic() + READY_TIMEOUT
        http = Http(port, timeout=10)
        last = ""
        while time.monotonic() < deadline:
            for process in self.processes:
                if process.name in (f"web-{name}", name) and not process.alive():
                    raise SetupError(f"{process.name} exited with {process.popen.returncode}:\n{tail(process.text())}")
            try:
                answer = http.get("/healthz")
                if answer.status == 200:
                    return
                last = f"{answer.status} {answer.text[:200]}"
            except OSError as exc:
                last = repr(exc)
            http.close()
            time.sleep(0.3)
        raise SetupError(f"{name} on :{port} not healthy within {READY_TIMEOUT:.0f} s (last: {last})")

    def start_haproxy(self) -> Process:
        haproxy = shutil.which("haproxy")
        if not haproxy:
            raise SetupError("haproxy is not installed (Debian: apt-get install -y haproxy)")
        self.haproxy_socket = self.log_dir / "haproxy.sock"
        config = self.log_dir / "haproxy.cfg"
        config.write_text(HAPROXY_CONFIG.format(
            socket=self.haproxy_socket, lb=self.ports["lb"], a=self.ports["a"], b=self.ports["b"],
        ))
        check = subprocess.run([haproxy, "-c", "-f", str(config)], capture_output=True, text=True, check=False)
        if check.returncode:
            raise SetupError(f"haproxy refused its configuration:\n{check.stdout}{check.stderr}")
        process = self.spawn("haproxy", [haproxy, "-db", "-f", str(config)])
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if not process.alive():
                raise SetupError(f"haproxy exited:\n{tail(process.text())}")
            servers = self.haproxy_stats()
            if servers and all(row["status"] == "UP" for row in servers.values() if row["svname"] in ("a", "b")) \
                    and {"a", "b"} <= {row["svname"] for row in servers.values()}:
                return process
            time.sleep(0.2)
        raise SetupError(f"haproxy did not see both instances up:\n{self.haproxy_stats()}")

    def haproxy_stats(self) -> dict[str, dict[str, str]]:
        """`show stat` over the stats socket: "proxy/server" → its fields ({} while not there)."""
        try:
            with contextlib.closing(socket.socket(socket.AF_UNIX)) as sock:
                sock.settimeout(5)
                sock.connect(str(self.haproxy_socket))
                sock.sendall(b"show stat\n")
                data = b""
                while chunk := sock.recv(65536):
                    data += chunk
        except OSError:
            return {}
        lines = data.decode().splitlines()
        if not lines or not lines[0].startswith("# "):
            return {}
        names = lines[0][2:].split(",")
        rows = {}
        for line in lines[1:]:
            if line.strip():
                row = dict(zip(names, line.split(","), strict=False))
                rows[f"{row['pxname']}/{row['svname']}"] = row
        return rows

    def start_worker(self) -> Process:
        self._workers += 1
        return self.spawn(f"worker-{self._workers}", [
            sys.executable, "-m", "celery", "-A", "tracker", "worker", "--loglevel=info", "--concurrency=1",
            "-n", f"multihost{self._workers}@%h", "--without-gossip", "--without-mingle",
        ])

    def start_beat(self) -> Process:
        self._beats += 1
        number = self._beats
        return self.spawn(f"beat-{number}", [
            sys.executable, "-m", "celery", "-A", "tracker", "beat", "--loglevel=info",
            f"--schedule={self.log_dir / f'beat-{number}-schedule'}",
            f"--pidfile={self.log_dir / f'beat-{number}.pid'}",
        ])

    def log_tails(self, lines: int = 40) -> str:
        parts = []
        for process in self.processes:
            parts.append(f"--- {process.name} ({process.log}) ---\n{tail(process.text(), lines)}")
        return "\n".join(parts)


HAPROXY_CONFIG = """\
global
    maxconn 512
    stats socket {socket} mode 600 level admin
    log stdout format raw local0 info

defaults
    mode http
    log global
    option httplog
    timeout connect 5s
    timeout client 300s
    timeout server 300s
    timeout http-keep-alive 10s
    retries 0

frontend lb
    bind 127.0.0.1:{lb}
    default_backend app

backend app
    balance roundrobin
    option httpchk
    http-check send meth GET uri /healthz ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
    server a 127.0.0.1:{a} check inter 1s fall 2 rise 1
    server b 127.0.0.1:{b} check inter 1s fall 2 rise 1
"""
