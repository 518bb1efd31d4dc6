"""Plan structure edits by office staff: the tree of sections and tasks, each task's
assignments and deadlines, and the targets of the plan and its tasks."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from plans.models import (
    Assignment,
    Deadline,
    DeadlineKind,
    NodeKind,
    Plan,
    Role,
    Target,
    Task,
    TaskStatus,
    Unit,
)
from plans.permissions import can_change_node, can_manage_plan
from plans.services.acknowledgements import acknowledgements_ensure
from plans.services.common import (
    check_version,
    delete_row,
    deny,
    next_position,
    refuse_unknown,
    save_validated,
    write_row,
)
from plans.services.conflicts import retry_on_conflict


TASK_FIELDS = ("title", "text", "status")
NODE_FIELDS = (
    "plan", "parent", "label", "path", "level", "position", "title", "text", "source_line", "status", "completed_at",
    "is_active",
)
ASSIGNMENT_FIELDS = ("task", "unit", "role", "position")
DEADLINE_FIELDS = ("task", "kind", "date", "rule", "text", "position")
TARGET_FIELDS = (
    "plan", "task", "indicator", "comparator", "value", "unit", "year", "owner", "baseline", "is_public", "is_active",
    "text", "position",
)


def _manages_plan_of(user):
    """The permission rule of a row that belongs to a plan (a node, a target): its office staff."""
    return lambda row: can_manage_plan(user, row.plan_id)


def _locked_task(task: Task, user) -> Task:
    task = Task.objects.select_for_update(no_key=True).get(pk=task.pk)
    deny(can_manage_plan(user, task.plan_id))
    return task


def _completion_follows_status(node: Task) -> None:
    """A completed task keeps the moment it was completed (now, the first time); any other
    status clears it. Sections carry no status of their own."""
    if node.kind != NodeKind.TASK:
        return
    if node.status == TaskStatus.COMPLETED:
        node.completed_at = node.completed_at or timezone.now()
    else:
        node.completed_at = None


# --- the tree: what a node's place derives ---------------------------------------------------
# plan_import keeps the nodes a revision dropped (with reports) at this + pk, after every live
# node; a new node goes after the live ones, not after those
RETIRED_POSITION = 1_000_000_000


def _given(values: dict) -> set[str]:
    """The fields a caller set (None leaves a derived field to be derived)."""
    return {name for name, value in values.items() if value is not None}


def _derived_path(parent: Task | None, label: str) -> str:
    """A node's 层级编号: its parent's followed by its own label (an unlabelled node shares its
    parent's), as the importer writes it."""
    return ((parent.path if parent else "") + (label or ""))[:200]


def _check_parent(node: Task) -> None:
    """A parent in the node's own plan, and not the node itself nor one of its descendants."""
    parent = node.parent
    if parent is None:
        return
    if parent.plan_id != node.plan_id:
        raise ValidationError({"parent": _("上级须属于同一行动方案 (the parent belongs to another plan)")})
    seen = set()
    while parent is not None and parent.pk not in seen:
        if node.pk is not None and parent.pk == node.pk:
            raise ValidationError({"parent": _("上级不能是本身或其下级 (a node cannot sit under itself)")})
        seen.add(parent.pk)
        parent = parent.parent


def _placed_new(given: set[str]):
    """A new node's level, path and position, each unless the caller gave it: one below its
    parent (1 at the top), its parent's path and its label, after the plan's last live node."""

    def prepare(node: Task) -> None:
        _check_parent(node)
        if "level" not in given:
            node.level = node.parent.level + 1 if node.parent else 1
        if "path" not in given:
            node.path = _derived_path(node.parent, node.label)
        if "position" not in given:
            node.position = next_position(Task.objects.filter(plan_id=node.plan_id, position__lt=RETIRED_POSITION))
        _completion_follows_status(node)

    return prepare


class _Replaced:
    """A changed node's prepare step: a new parent or label re-derives its level and path
    (unless the caller gave them), a new plan its position; `before` keeps the stored place."""

    def __init__(self, given: set[str]):
        self.given = given
        self.before = None

    def __call__(self, node: Task) -> None:
        self.before = Task.objects.filter(pk=node.pk).values("plan_id", "parent_id", "label", "path", "level").get()
        _check_parent(node)
        if node.parent_id != self.before["parent_id"] or node.label != self.before["label"]:
            if "level" not in self.given:
                node.level = node.parent.level + 1 if node.parent else 1
            if "path" not in self.given:
                node.path = _derived_path(node.parent, node.label)
        if node.plan_id != self.before["plan_id"] and Task.objects.filter(parent_id=node.pk).exists():
            raise ValidationError({"plan": _("有下级的节点不能移到其他方案 (a node with children stays in its plan)")})
        if node.plan_id != self.before["plan_id"] and "position" not in self.given:
            node.position = next_position(Task.objects.filter(plan_id=node.plan_id, position__lt=RETIRED_POSITION))
        _completion_follows_status(node)


def _follow_parent(node: Task, user, level_shift: int) -> None:
    """The descendants of a node whose path or level changed: each path is its parent's and its
    label again, each level moves by the node's shift (the tree keeps its shape)."""
    parents = {node.pk: node}
    while parents:
        below = Task.objects.select_for_update(no_key=True).filter(parent_id__in=list(parents))
        children = list(below.order_by("position"))
        for child in children:
            path, level = _derived_path(parents[child.parent_id], child.label), max(1, child.level + level_shift)
            if (child.path, child.level) != (path, level):
                child.path, child.level = path, level
                save_validated(child, user)
        parents = {child.pk: child for child in children}


def _lock_plans(*plan_ids: int) -> None:
    """Serialises the writers of a plan's order (lock order: plans, by id, before their tasks)."""
    list(Plan.objects.select_for_update(no_key=True).filter(pk__in=plan_ids).order_by("pk").values_list("pk"))


@retry_on_conflict
def node_create(*, user, plan: Plan, kind: str, **values) -> Task:
    """Add a section or task to a plan's tree (office staff of the plan). Its level, path and
    position are derived from its parent and label, at the end of the plan, unless given."""
    refuse_unknown(values, NODE_FIELDS)
    with transaction.atomic():
        _lock_plans(plan.pk)
        node = Task(plan=plan, kind=kind)
        return write_row(node, user, values, permit=_manages_plan_of(user), prepare=_placed_new(_given(values)))


@retry_on_conflict
def node_update(*, user, node: Task, expected_version: int | None = None, **values) -> Task:
    """Change a section or task: its place in the tree (another plan needs that plan's office
    too), its text, its status (completed_at follows the status); a task 已销号 is refused until
    it is reopened. A new parent or label
    re-derives its path and level and its descendants'. Refused if the node changed since
    `expected_version`."""
    refuse_unknown(values, NODE_FIELDS)
    replaced = _Replaced(_given(values))
    with transaction.atomic():
        if {"plan", "parent", "label", "path", "level", "position"} & set(values):
            moved_to = values.get("plan")
            _lock_plans(node.plan_id, *([moved_to.pk] if moved_to is not None else []))
        saved = write_row(
            node, user, values, permit=lambda row: can_change_node(user, row), expected_version=expected_version,
            prepare=replaced,
        )
        before = replaced.before
        if (saved.path, saved.level) != (before["path"], before["level"]):
            _follow_parent(saved, user, saved.level - before["level"])
        return saved


@retry_on_conflict
def task_update(*, user, task: Task, expected_version: int | None = None, **values) -> Task:
    """The office corrects a task's title, text or status (completed_at follows the status)."""
    refuse_unknown(values, TASK_FIELDS)
    return node_update(user=user, node=task, expected_version=expected_version, **values)


@retry_on_conflict
def node_delete(*, user, node: Task, expected_version: int | None = None) -> None:
    """Remove a section or task, and what hangs off it, from the plan (office staff)."""
    with transaction.atomic():
        delete_row(node, user, permit=_manages_plan_of(user), expected_version=expected_version)


def _moved_to_managed_task(row, user, from_task_id: int) -> None:
    """A row given another task: that task is locked too, and its plan must be the user's."""
    if row.task_id != from_task_id:
        row.task = _locked_task(row.task, user)


@retry_on_conflict
def assignment_create(*, user, task: Task, unit: Unit, role: str, position: int | None = None) -> Assignment:
    """Give a unit a role on a task, by default after the units already in that role (the
    first responsible unit, position 0, leads)."""
    with transaction.atomic():
        task = _locked_task(task, user)
        if position is None:
            position = next_position(task.assignments.filter(role=role))
        assignment = Assignment(task=task, unit=unit, role=role, position=position)
        save_validated(assignment, user)
        if role == Role.RESPONSIBLE:  # 交办 to a unit new to the plan: it has it to 签收
            acknowledgements_ensure(plan=task.plan, user=user)
    return assignment


def _locked_assignment(assignment: Assignment, user, expected_version: int | None) -> Assignment:
    Task.objects.select_for_update(no_key=True).filter(pk=assignment.task_id).first()  # serialises writers of one task
    assignment = Assignment.objects.select_for_update(of=("self",)).select_related("task").get(pk=assignment.pk)
    check_version(assignment, expected_version)
    deny(can_manage_plan(user, assignment.task.plan_id))
    return assignment


@retry_on_conflict
def assignment_update(*, user, assignment: Assignment, expected_version: int | None = None, **values) -> Assignment:
    """Change an assignment's unit, role or position, or move it to another task (whose plan
    the user manages too)."""
    refuse_unknown(values, ASSIGNMENT_FIELDS)
    with transaction.atomic():
        assignment = _locked_assignment(assignment, user, expected_version)
        from_task_id = assignment.task_id
        for name, value in values.items():
            setattr(assignment, name, value)
        _moved_to_managed_task(assignment, user, from_task_id)
        save_validated(assignment, user)
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
            position = next_position(task.deadlines.all())
        deadline = Deadline(task=task, kind=kind, date=date, rule=rule, text=text, position=position)
        save_validated(deadline, user)
    return deadline


def _locked_deadline(deadline: Deadline, user, expected_version: int | None) -> Deadline:
    Task.objects.select_for_update(no_key=True).filter(pk=deadline.task_id).first()
    deadline = Deadline.objects.select_for_update(of=("self",)).select_related("task").get(pk=deadline.pk)
    check_version(deadline, expected_version)
    deny(can_manage_plan(user, deadline.task.plan_id))
    return deadline


@retry_on_conflict
def deadline_update(*, user, deadline: Deadline, expected_version: int | None = None, **values) -> Deadline:
    refuse_unknown(values, DEADLINE_FIELDS)
    with transaction.atomic():
        deadline = _locked_deadline(deadline, user, expected_version)
        from_task_id = deadline.task_id
        for name, value in values.items():
            setattr(deadline, name, value)
        _moved_to_managed_task(deadline, user, from_task_id)
        save_validated(deadline, user)
    return deadline


@retry_on_conflict
def deadline_delete(*, user, deadline: Deadline, expected_version: int | None = None) -> None:
    with transaction.atomic():
        deadline = _locked_deadline(deadline, user, expected_version)
        deadline._history_user = user
        deadline.delete()


# --- targets ---------------------------------------------------------------------------------
@retry_on_conflict
def target_save(*, user, target: Target, **values) -> Target:
    """Add a target to a plan (or a task), or change one (office staff of the plan)."""
    refuse_unknown(values, TARGET_FIELDS)
    with transaction.atomic():
        return write_row(target, user, values, permit=_manages_plan_of(user))


def _after_the_plans_targets(target: Target) -> None:
    last = Target.objects.filter(plan_id=target.plan_id).aggregate(last=Max("position"))["last"]
    target.position = 0 if last is None else last + 1


@retry_on_conflict
def task_target_create(*, user, task: Task, **values) -> Target:
    """A target added under a task: it belongs to the task's plan, after the plan's last
    target, and the task's lead unit enters its values unless an owner is given."""
    refuse_unknown(values, TARGET_FIELDS)
    with transaction.atomic():
        task = _locked_task(task, user)
        target = Target(task=task, plan_id=task.plan_id)
        if values.get("owner") is None:
            values["owner_id"] = task.assignments.filter(is_lead=True).values_list("unit_id", flat=True).first()
            values.pop("owner", None)
        return write_row(target, user, values, permit=_manages_plan_of(user), prepare=_after_the_plans_targets)


@retry_on_conflict
def target_delete(*, user, target: Target) -> None:
    with transaction.atomic():
        delete_row(target, user, permit=_manages_plan_of(user))
