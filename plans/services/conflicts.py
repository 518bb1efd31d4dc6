"""Writers that meet on the same rows: a lock conflict is retried once, then refused with a
sentence, never a 500.

The services lock rows in one global order (see `plans.services` "Lock order"), so two of
them do not deadlock each other. PostgreSQL may still abort a transaction as a deadlock
victim (40P01) or, under a stricter isolation level, as a serialization failure (40001) —
when code outside the services holds locks, say. Such a failure says nothing about the
input: the same call a moment later succeeds. Services are pure database work (no e-mail,
no files), so running the whole call again is safe; `retry_on_conflict` does that once,
from the start of the call, never inside a transaction PostgreSQL has already aborted.

SQLite is another matter: it has one writer at a time. Writers queue (busy timeout and
immediate transactions in tracker/settings.py); one that waited in vain gets "database is
locked", which `is_database_locked` recognises so the API and the pages answer 503 with
Retry-After instead of a 500."""
from __future__ import annotations

import functools
import logging
import random
import time

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

DEADLOCK_DETECTED = "40P01"
SERIALIZATION_FAILURE = "40001"
RETRY_AFTER_SECONDS = 5  # what a client is told to wait after "database is locked"
RETRY_PAUSE = (0.05, 0.25)  # seconds before the retry: the winner takes the rows first


CONFLICT_MESSAGE = _(
    "其他用户正在同时修改相关记录，本次修改未保存，请稍后重试 "
    "(another user was changing the same records at the same moment; nothing was saved, try again)"
)
LOCKED_MESSAGE = _(
    "数据库正忙，本次修改未保存，请稍后重试 "
    "(the database is busy; nothing was saved, try again shortly)"
)


class WriteConflict(ValidationError):
    """The write collided with another one twice: nothing was saved; trying again works. A
    ValidationError, so every entry point that shows a service's refusal shows this one (the
    API answers it with 409)."""

    def __init__(self):
        super().__init__(CONFLICT_MESSAGE, code="write_conflict")


def _sqlstate(error: BaseException) -> str | None:
    cause = error.__cause__
    return getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)


def is_lock_conflict(error: BaseException) -> bool:
    """A PostgreSQL deadlock victim or serialization failure: the same call can succeed later."""
    return isinstance(error, DatabaseError) and _sqlstate(error) in (DEADLOCK_DETECTED, SERIALIZATION_FAILURE)


def is_database_locked(error: BaseException) -> bool:
    """SQLite's "database is locked" (or "database table is locked"): another writer held the
    database for the whole busy timeout."""
    return isinstance(error, DatabaseError) and "is locked" in str(error) and _sqlstate(error) is None


def retry_on_conflict(service):
    """Run the service in its own transaction (a savepoint inside a caller's); if PostgreSQL
    aborts it as a deadlock victim or a serialization failure, roll that back and, after a
    short random pause (else the retry can take a row back before the winner, which was
    waiting for it, wakes up: the same deadlock again), run the call once more; a second
    failure becomes WriteConflict. A service called by another
    decorated service retries on its own first; the outer one retries the whole call."""

    @functools.wraps(service)
    def retried(*args, **kwargs):
        for last in (False, True):
            try:
                with transaction.atomic():
                    return service(*args, **kwargs)
            except DatabaseError as error:
                if not is_lock_conflict(error):
                    raise
                if last:
                    raise WriteConflict() from error
                logger.warning("%s: %s; running it again", service.__qualname__, str(error).splitlines()[0])
            time.sleep(random.uniform(*RETRY_PAUSE))

    return retried
