"""Gunicorn settings for running the tracker for real: `gunicorn -c gunicorn.conf.py tracker.wsgi`
(or `make serve`). Put it behind an HTTPS reverse proxy (nginx, the load balancer) that
sets X-Forwarded-Proto; see README "Running for a province".

Read from the environment, then the project's .env, like the Django settings: HOST
(127.0.0.1), PORT (8000; 0 picks a free port), WEB_CONCURRENCY (worker processes; default
2 × cores + 1, at most 8), GUNICORN_TIMEOUT (seconds, default 120). The workers read the
Django settings (DATABASE_URL, SECRET_KEY, ...) themselves; this file does not import them,
so `kill -HUP` (systemctl reload) starts workers with a freshly read .env."""
import multiprocessing
import os
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(_ROOT))  # wherever gunicorn was started from
from tracker.dotenv import read_dotenv  # noqa: E402  (plain Python: does not load Django)

try:
    _DOTENV = read_dotenv(_ROOT / ".env")
except ValueError as exc:
    raise SystemExit(f"gunicorn.conf.py: {exc}") from None


def _env(name: str) -> str:
    value = os.environ.get(name)
    return (value if value is not None else _DOTENV.get(name, "")).strip()


def _int(name: str, default: int, minimum: int, maximum: int) -> int:
    raw = _env(name)
    if not raw:
        return default
    if not raw.isdigit() or not minimum <= int(raw) <= maximum:
        raise SystemExit(f"gunicorn.conf.py: {name} must be a whole number from {minimum} to {maximum}, not {raw!r}")
    return int(raw)


_host = _env("HOST") or "127.0.0.1"
_port = _int("PORT", 8000, 0, 65535)
bind = [f"[{_host}]:{_port}" if ":" in _host else f"{_host}:{_port}"]  # an IPv6 address in brackets

# Synchronous workers, one request at a time each: the work is CPU and database bound (the
# Excel export of a large plan). Each worker holds its own database connection, so
# PostgreSQL's max_connections must cover workers × servers, plus cron's send_reminders.
# The cap keeps a many-core machine from opening dozens of connections and copies of Django.
workers = _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8), 1, 64)
worker_class = "sync"

# A worker silent for this long is killed and replaced. The progress sheet of a 50,000-task
# plan takes about 20 s on a 2-core machine (benchmarks/README.md), more with one sheet per
# unit or on a loaded server; 120 s leaves room without letting a stuck request live forever.
timeout = _int("GUNICORN_TIMEOUT", 120, 10, 3600)
# On SIGTERM (systemctl stop/restart) a worker finishes the request in hand, such as a
# large export, before it exits.
graceful_timeout = 60
keepalive = 5  # seconds; the proxy in front reuses connections

# Recycle each worker after about a thousand requests (jittered so they do not all restart
# together): bounds the memory a long-lived process can accumulate.
max_requests = 1000
max_requests_jitter = 100

# Access log to stdout and errors to stderr: systemd's journal (or the container) keeps them.
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

# Gunicorn's control socket (gunicornc) defaults to one path per user, which two instances
# on one machine (two provinces, or a test next to the real one) would fight over. Unused here.
control_socket_disable = True
proc_name = "tracker"
