"""What every write service shares: the stale-version refusal and the permission refusal.

It imports nothing from the other service modules, so `plans.services` and the modules it
re-exports (sheets, indicators) all build on it without importing each other."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


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
