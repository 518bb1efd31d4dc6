"""Progress roll-up: a section's and a plan's completion computed from the active tasks below
them: the share completed and the average reported percent (each task's latest approved
percent; a completed task without one counts as 100). Sections hold tasks at any depth."""
from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from plans.models import NodeKind, Task, TaskStatus, _latest_approved_percent


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

    def as_dict(self) -> dict:
        return {
            "tasks": self.tasks,
            "completed": self.completed,
            "completed_percent": self.completed_percent,
            "reported": self.reported,
            "average_percent": self.average_percent,
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
    """From a plan's active nodes, each with pk, parent_id, kind, status and latest_percent
    (objects or dicts): the plan's roll-up and every section's. A task counts once for each
    section above it."""
    rows = [node if isinstance(node, dict) else vars(node) for node in nodes]
    parent = {row["id"]: row["parent_id"] for row in rows}
    sections = {row["id"]: Rollup() for row in rows if row["kind"] == NodeKind.SECTION}
    total = Rollup()
    for row in rows:
        if row["kind"] != NodeKind.TASK:
            continue
        own = of_task(row["status"], row["latest_percent"])
        total += own
        above, seen = parent.get(row["id"]), set()
        while above is not None and above not in seen:
            seen.add(above)
            if above in sections:
                sections[above] += own
            above = parent.get(above)
    return PlanRollup(total, sections)


ROLLUP_FIELDS = ("id", "parent_id", "kind", "status", "latest_percent")


def plan_nodes_for_rollup(plan_ids):
    """The rows `rollup` reads for these plans' active nodes (one query)."""
    return (
        Task.objects.filter(plan_id__in=plan_ids, is_active=True)
        .annotate(latest_percent=_latest_approved_percent())
        .order_by("plan_id", "position")
        .values("plan_id", *ROLLUP_FIELDS)
    )


def plan_rollups(plan_ids) -> dict[int, PlanRollup]:
    """Each plan's PlanRollup, read in one query."""
    by_plan: dict[int, list[dict]] = {plan_id: [] for plan_id in plan_ids}
    for row in plan_nodes_for_rollup(list(by_plan)):
        by_plan[row["plan_id"]].append(row)
    return {plan_id: rollup(rows) for plan_id, rows in by_plan.items()}


def plan_totals(plan_ids) -> dict[int, Rollup]:
    """Only the plans' own roll-ups, counted by the database: for lists of many plans."""
    percent = Case(
        When(status=TaskStatus.COMPLETED, then=Coalesce(_latest_approved_percent(), Value(100))),
        default=_latest_approved_percent(),
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
