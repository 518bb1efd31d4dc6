"""Plan structure edits by office staff: tasks, their assignments and deadlines."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plans.models import (
    Assignment,
    Deadline,
    DeadlineKind,
    Task,
    TaskStatus,
    Unit,
)
from plans.permissions import (
    can_manage_plan,
)
from plans.services.common import check_version, deny
from plans.services.conflicts import retry_on_conflict


# --- plan structure (office staff) ------------------------------------------------------------
TASK_FIELDS = ("title", "text", "status")
ASSIGNMENT_FIELDS = ("unit", "role", "position")
DEADLINE_FIELDS = ("kind", "date", "rule", "text", "position")


def _refuse_unknown(values: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValidationError(_("不能修改的字段 (fields that cannot be changed): %(fields)s") % {"fields": ", ".join(sorted(unknown))})


def _saved(row, user) -> None:
    """Validate and save a structure row; a unique clash that slipped past validation (a
    parallel writer) is refused like any other invalid input."""
    row._history_user = user
    row.full_clean()
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as error:
        raise ValidationError(_("与已有记录冲突，请刷新后重试 (conflicts with an existing row)")) from error


def _locked_task(task: Task, user) -> Task:
    task = Task.objects.select_for_update(no_key=True).get(pk=task.pk)
    deny(can_manage_plan(user, task.plan_id))
    return task


@retry_on_conflict
def task_update(*, user, task: Task, expected_version: int | None = None, **values) -> Task:
    """The office corrects a task's title, text or status (completed_at follows the status)."""
    _refuse_unknown(values, TASK_FIELDS)
    with transaction.atomic():
        task = Task.objects.select_for_update(no_key=True).get(pk=task.pk)
        check_version(task, expected_version)
        deny(can_manage_plan(user, task.plan_id))
        for name, value in values.items():
            setattr(task, name, value)
        if task.status == TaskStatus.COMPLETED:
            task.completed_at = task.completed_at or timezone.now()
        else:
            task.completed_at = None
        _saved(task, user)
    return task


def _next_position(rows) -> int:
    last = rows.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


@retry_on_conflict
def assignment_create(*, user, task: Task, unit: Unit, role: str, position: int | None = None) -> Assignment:
    """Give a unit a role on a task, by default after the units already in that role (the
    first responsible unit, position 0, leads)."""
    with transaction.atomic():
        task = _locked_task(task, user)
        if position is None:
            position = _next_position(task.assignments.filter(role=role))
        assignment = Assignment(task=task, unit=unit, role=role, position=position)
        _saved(assignment, user)
    return assignment


def _locked_assignment(assignment: Assignment, user, expected_version: int | None) -> Assignment:
    Task.objects.select_for_update(no_key=True).filter(pk=assignment.task_id).first()  # serialises writers of one task
    assignment = Assignment.objects.select_for_update(of=("self",)).select_related("task").get(pk=assignment.pk)
    check_version(assignment, expected_version)
    deny(can_manage_plan(user, assignment.task.plan_id))
    return assignment


@retry_on_conflict
def assignment_update(*, user, assignment: Assignment, expected_version: int | None = None, **values) -> Assignment:
    """Change an assignment's unit, role or position."""
    _refuse_unknown(values, ASSIGNMENT_FIELDS)
    with transaction.atomic():
        assignment = _locked_assignment(assignment, user, expected_version)
        for name, value in values.items():
            setattr(assignment, name, value)
        _saved(assignment, user)
    return assignment


@retry_on_conflict
def assignment_delete(*, user, assignment: Assignment, expected_version: int | None = None) -> None:
    with transaction.atomic():
        assignment = _locked_assignment(assignment, user, expected_version)
        assignment._history_user = user
        assignment.delete()


@retry_on_conflict
def deadline_create(
    *, user, task: Task, text: str, kind: str = DeadlineKind.DUE, date: datetime.date | None = None, rule: str = "",
    position: int | None = None,
) -> Deadline:
    """Add a deadline to a task, by default after its existing ones."""
    with transaction.atomic():
        task = _locked_task(task, user)
        if position is None:
            position = _next_position(task.deadlines.all())
        deadline = Deadline(task=task, kind=kind, date=date, rule=rule, text=text, position=position)
        _saved(deadline, user)
    return deadline


def _locked_deadline(deadline: Deadline, user, expected_version: int | None) -> Deadline:
    Task.objects.select_for_update(no_key=True).filter(pk=deadline.task_id).first()
    deadline = Deadline.objects.select_for_update(of=("self",)).select_related("task").get(pk=deadline.pk)
    check_version(deadline, expected_version)
    deny(can_manage_plan(user, deadline.task.plan_id))
    return deadline


@retry_on_conflict
def deadline_update(*, user, deadline: Deadline, expected_version: int | None = None, **values) -> Deadline:
    _refuse_unknown(values, DEADLINE_FIELDS)
    with transaction.atomic():
        deadline = _locked_deadline(deadline, user, expected_version)
        for name, value in values.items():
            setattr(deadline, name, value)
        _saved(deadline, user)
    return deadline


@retry_on_conflict
def deadline_delete(*, user, deadline: Deadline, expected_version: int | None = None) -> None:
    with transaction.atomic():
        deadline = _locked_deadline(deadline, user, expected_version)
        deadline._history_user = user
        deadline.delete()
