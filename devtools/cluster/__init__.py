"""A real small province on loopback (benchmarks/multihost.py, tests/test_multihost.py): a scratch
PostgreSQL database, Redis, two gunicorn instances behind haproxy, a celery worker and beats, and an
SMTP sink, each a process of its own on 127.0.0.1 with free ports picked at run time.

Nothing here imports Django: every part of the application runs in child processes started with
the environment `Cluster.env` (DEBUG off, SECURE off, a random SECRET_KEY, REDIS_URL and the
broker on a Redis database number of this run's own). Everything is stopped and dropped at the
end, also after a failure or Ctrl-C: processes get SIGTERM, then SIGKILL to their whole process
group; the database is dropped; the Redis database is flushed (that one only). Logs are kept in
`Cluster.log_dir` (a temp dir, removed at the end unless `keep_logs`); `Cluster.log_tails()` gives
their ends for a failure report.

- parts: the errors, free ports, `SmtpSink` (an SMTP server in a thread that keeps every mail),
  `Process` (a child in a session of its own, its output in a log file);
- client: `Http`, HTTP/1.1 with cookies, an API token and the admin's login form;
- environment: `Cluster`, the whole environment as a context manager, and its `Options`;
- traffic: `Traffic`, clients counting every request they send and every answer;
- checks: `Checks`, the six checks of benchmarks/multihost.py.
"""
from .checks import TITLES, Checks
from .client import Http, Response
from .environment import Cluster, Options
from .parts import OFFICE, PASSWORD, CheckFailed, Mail, Process, SetupError, SmtpSink, free_port
from .traffic import READ_PATHS, Traffic, percentile

__all__ = [
    "OFFICE", "PASSWORD", "READ_PATHS", "TITLES", "CheckFailed", "Checks", "Cluster", "Http", "Mail", "Options",
    "Process", "Response", "SetupError", "SmtpSink", "Traffic", "free_port", "percentile",
]
