"""Derived, never typed: 序时进度 (expected progress), overdue, due soon and the traffic light.
Pure functions of a task's dates, status and reported percent, the same for the admin, the API
and the sheets."""
from __future__ import annotations

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

DUE_SOON_DAYS = 7
DUE_SOON_SHARE = 0.15


class Light(models.TextChoices):
    RED = "red", _("红灯")
    YELLOW = "yellow", _("黄灯")
    GREEN = "green", _("绿灯")


def expected_percent(start: datetime.date | None, due: datetime.date | None, today: datetime.date) -> int | None:
    """The elapsed share of the task's span, 0–100; None without a span."""
    if start is None or due is None or due <= start:
        return None
    if today <= start:
        return 0
    if today >= due:
        return 100
    return round((today - start).days * 100 / (due - start).days)


def is_overdue(due: datetime.date | None, completed: bool, today: datetime.date) -> bool:
    return due is not None and due < today and not completed


def is_due_soon(start: datetime.date | None, due: datetime.date | None, completed: bool, today: datetime.date) -> bool:
    """临期: not done, not yet late, and at most 7 days or 15 % of the span left."""
    if due is None or completed or due < today:
        return False
    left = (due - today).days
    if left <= DUE_SOON_DAYS:
        return True
    return start is not None and due > start and left <= DUE_SOON_SHARE * (due - start).days


def light(*, start, due, behind: bool, completed: bool, percent: int | None, today: datetime.date) -> str:
    """Red: overdue or > 30 points behind 序时; yellow: reported behind, due soon or 10–30
    points behind; green otherwise."""
    if completed:
        return Light.GREEN
    expected = expected_percent(start, due, today)
    gap = expected - percent if expected is not None and percent is not None else 0
    if is_overdue(due, completed, today) or gap > 30:
        return Light.RED
    if behind or is_due_soon(start, due, completed, today) or gap >= 10:
        return Light.YELLOW
    return Light.GREEN
