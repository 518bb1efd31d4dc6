"""Settings of the load test: paths, the default operation mix, timeouts, and its two errors."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
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

