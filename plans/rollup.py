"""Progress roll-up: a section's and a plan's completion computed from the active tasks below
them: the share completed and the average reported percent (each task's latest approved
percent; a completed task without one counts as 100). Sections hold tasks at any depth.

The average is taken over the tasks that have a percent only, and always travels with its
coverage: how many of the active tasks it is based on (`reported` of `tasks`, e.g. "80%, based
on 1/480 tasks"). Unreported tasks are not counted as 0: a task nobody has reported on yet is
not known to be at 0%, and an average that silently mixed the two would understate a plan that
reports late and overstate none. A percent is never shown without its coverage (dashboard,
public page, API: `average_based_on` / `average_out_of` / `coverage_percent`), and a section
without an active task below it has no percentage at all (None, shown as "—"), never 0%."""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from plans.models import NodeKind, Task, TaskStatus, latest_approved_percent


@dataclass(frozen=True)
class Rollup:
    tasks: int = 0
    completed: int = 0
    reported: int = 0  # tasks with a percent
    percent_total: int = 0

    def __add__(self, other: Rollup) -> Rollup:
        return Rollup(
            self.tasks + other.tasks, self.completed + other.completed,
            self.reported + other.reported, self.percent_total + other.percent_total,
        )

    @property
    def completed_percent(self) -> int | None:
        """The share of tasks completed, 0–100 (None without tasks)."""
        return round(self.completed * 100 / self.tasks) if self.tasks else None

    @property
    def average_percent(self) -> int | None:
        """The average reported percent of the tasks that have one (None when none has)."""
        return round(self.percent_total / self.reported) if self.reported else None

    @property
    def coverage_percent(self) -> int | None:
        """The share of the active tasks the average is based on, 0–100 (None without tasks)."""
        return round(self.reported * 100 / self.tasks) if self.tasks else None

    @property
    def coverage(self) -> str:
        """“1/480”: the tasks with a percent out of the active tasks ("" without tasks)."""
        return f"{self.reported}/{self.tasks}" if self.tasks else ""

    def as_dict(self) -> dict:
        return {
            "tasks": self.tasks,
            "completed": self.completed,
            "completed_percent": self.completed_percent,
            "reported": self.reported,
            "average_percent": self.average_percent,
            "average_based_on": self.reported,
            "average_out_of": self.tasks,
            "coverage_percent": self.coverage_percent,
        }


def task_percent(status: str, percent: int | None) -> int | None:
    if percent is None and status == TaskStatus.COMPLETED:
        return 100
    return percent


def of_task(status: str, percent: int | None) -> Rollup:
    percent = task_percent(status, percent)
    return Rollup(1, int(status == TaskStatus.COMPLETED), int(percent is not None), percent or 0)


@dataclass(frozen=True)
class PlanRollup:
    plan: Rollup
    sections: dict[int, Rollup]  # section id → roll-up of the tasks below it


def rollup(nodes) -> PlanRollup:
    """From a plan's active nodes, each with id, parent_id, kind, status and latest_percent
    (model objects, dicts, or tuples in the order of ROLLUP_FIELDS): the plan's roll-up and
    every section's. A task counts once for each section above it. Sums are kept as plain
    lists and each section's chain of sections above is worked out once, so 50,000 tasks take
    a fraction of a second."""
    rows = [_as_tuple(node) for node in nodes]
    parent = {row[0]: row[1] for row in rows}
    sums = {row[0]: [0, 0, 0, 0] for row in rows if row[2] == NodeKind.SECTION}
    chains: dict[int | None, tuple[int, ...]] = {None: ()}

    def chain(node_id) -> tuple[int, ...]:
        """The sections above and at `node_id`, each node's chain remembered once worked out."""
        path, current = [], node_id
        while current not in chains and current not in path:  # (a cycle ends the walk)
            path.append(current)
            current = parent.get(current)  # a parent outside `nodes` → None: the top
        known = chains.get(current, ())
        for node in reversed(path):
            known = ((node,) if node in sums else ()) + known
            chains[node] = known
        return chains[node_id]

    total = [0, 0, 0, 0]
    for node_id, parent_id, kind, status, percent in rows:
        if kind != NodeKind.TASK:
            continue
        percent = task_percent(status, percent)
        own = (1, int(status == TaskStatus.COMPLETED), int(percent is not None), percent or 0)
        for target in (total, *(sums[section] for section in chain(parent_id))):
            for index, amount in enumerate(own):
                target[index] += amount
    return PlanRollup(Rollup(*total), {section: Rollup(*values) for section, values in sums.items()})


def _as_tuple(node) -> tuple:
    if isinstance(node, tuple):
        return node
    if isinstance(node, dict):
        return tuple(node[name] for name in ROLLUP_FIELDS)
    return (node.pk, node.parent_id, node.kind, node.status, node.latest_percent)


ROLLUP_FIELDS = ("id", "parent_id", "kind", "status", "latest_percent")


def plan_nodes_for_rollup(plan_ids):
    """The rows `rollup` reads for these plans' active nodes, as tuples: plan_id, then
    ROLLUP_FIELDS (one query)."""
    return (
        Task.objects.filter(plan_id__in=plan_ids, is_active=True)
        .annotate(latest_percent=latest_approved_percent())
        .order_by("plan_id", "position")
        .values_list("plan_id", *ROLLUP_FIELDS)
    )


def plan_rollups(plan_ids) -> dict[int, PlanRollup]:
    """Each plan's PlanRollup, read in one query."""
    by_plan: dict[int, list[tuple]] = {plan_id: [] for plan_id in plan_ids}
    for plan_id, *row in plan_nodes_for_rollup(list(by_plan)):
        by_plan[plan_id].append(tuple(row))
    return {plan_id: rollup(rows) for plan_id, rows in by_plan.items()}


def plan_totals(plan_ids) -> dict[int, Rollup]:
    """Only the plans' own roll-ups, counted by the database: for lists of many plans."""
    percent = Case(
        When(status=TaskStatus.COMPLETED, then=Coalesce(latest_approved_percent(), Value(100))),
        default=latest_approved_percent(),
        output_field=IntegerField(),
    )
    rows = (
        Task.objects.filter(plan_id__in=plan_ids, is_active=True, kind=NodeKind.TASK)
        .annotate(done_percent=percent)
        .order_by()
        .values("plan_id")
        .annotate(
            tasks=Count("pk"),
            completed=Count("pk", filter=Q(status=TaskStatus.COMPLETED)),
            reported=Count("done_percent"),
            percent_total=Sum("done_percent"),
        )
    )
    totals = {plan_id: Rollup() for plan_id in plan_ids}
    for row in rows:
        totals[row["plan_id"]] = Rollup(row["tasks"], row["completed"], row["reported"], row["percent_total"] or 0)
    return totals
