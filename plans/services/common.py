"""What every write service shares: the lock order, the stale-version refusal and the
permission refusal. It imports no other service module; they all build on it."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


# Lock order. A service that locks several rows locks them in this order, so two services
# never wait for each other in a circle (PostgreSQL would abort one as a deadlock victim):
#
#     sheet import → plan → period → task → assignment / deadline → reports (by id)
#
# and locks only the rows it names: `select_for_update(of=("self",))` where it also reads
# related rows with select_related (a bare select_for_update() would lock those too, in the
# join's order — the report PATCH used to lock its period and task that way, after the report,
# and deadlocked with a sheet apply that had locked the period first). Rows that are changed
# but not deleted are locked FOR NO KEY UPDATE (no_key=True): inserting a row that refers to
# them (a report of the period, a history record) does not wait for the lock. Every write
# service is wrapped in retry_on_conflict: a deadlock that still happens is retried once.


class StaleVersion(Exception):
    """The caller changed a row from an out-of-date copy (its version moved on meanwhile)."""

    def __init__(self, current: int):
        super().__init__(_("版本已变化（当前版本 %(version)d），请刷新后重试 (stale version)") % {"version": current})
        self.current = current


def check_version(row, expected: int | None) -> None:
    """Refuse (StaleVersion) when `expected` is given and the row's version moved on."""
    if expected is not None and row.version != expected:
        raise StaleVersion(row.version)


def deny(reason: str) -> None:
    """Refuse (PermissionDenied) when a permission rule gave a reason."""
    if reason:
        raise PermissionDenied(reason)
