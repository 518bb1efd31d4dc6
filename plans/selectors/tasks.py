"""Tasks: the API's list query, the loader of a page's assignments, deadlines and latest reports,
and the task filters the admin's sidebar and the API's query parameters both apply (each takes
a queryset and a value and returns the queryset filtered)."""
from __future__ import annotations

from collections import defaultdict

from django.db.models import Exists, OuterRef, Q

from plans.models import Assignment, Deadline, DeadlineKind, ProgressReport, Task

# A task sits at most four levels deep, with unnumbered paragraphs one level further down;
# five parent hops reach every descendant of a section.
MAX_DEPTH = 5


def tasks_for_api(user):
    """Tasks with their schedule and latest report's id; the API's serializer adds their
    assignments, deadlines and latest report as rows (attach_summaries)."""
    return (
        Task.objects.tasks()
        .visible_to(user)
        .with_schedule()
        .with_latest_report()
        .order_by("plan_id", "position")
    )


def attach_summaries(tasks) -> None:
    """Give each task (annotated by TaskQuerySet.with_latest_report()) its assignments with unit
    names (`assignment_rows`), its deadlines (`deadline_rows`) and its latest report
    (`latest_report_row`, or None) as plain rows: three queries for a whole page, and no model
    instance per row (the API's task list spends more on instances than on its SQL)."""
    ids = [task.pk for task in tasks]
    assignments, deadlines = defaultdict(list), defaultdict(list)
    for row in (
        Assignment.objects.filter(task_id__in=ids).order_by("task_id", "role", "position")
        .values("task_id", "id", "unit_id", "unit__name", "role", "position", "is_lead", "version")
    ):
        assignments[row["task_id"]].append(row)
    for row in (
        Deadline.objects.filter(task_id__in=ids).order_by("task_id", "position")
        .values("task_id", "id", "kind", "date", "rule", "text", "original_date", "extensions", "version")
    ):
        deadlines[row["task_id"]].append(row)
    wanted = {task.latest_report_id for task in tasks} - {None}
    shown = ("id", "period_id", "unit_id", "state", "status", "percent")
    reports = (
        {row["id"]: row for row in ProgressReport.objects.filter(pk__in=wanted).order_by().values(*shown)}
        if wanted else {}
    )
    for task in tasks:
        task.assignment_rows = assignments[task.pk]
        task.deadline_rows = deadlines[task.pk]
        task.latest_report_row = reports.get(task.latest_report_id)


# --- filters ---------------------------------------------------------------------------------
def descendant_of(section) -> Q:
    """Nodes below `section` (an instance, a primary key or an OuterRef), at any depth."""
    return Q(*(Q(**{"__".join(["parent"] * hops): section}) for hops in range(1, MAX_DEPTH + 1)), _connector=Q.OR)


def tasks_of_unit(queryset, unit, role=None):
    """Tasks where the unit (an id) holds any role, or `role` when given."""
    assigned = Assignment.objects.filter(unit_id=unit)
    if role:
        assigned = assigned.filter(role=role)
    return queryset.filter(pk__in=assigned.values("task_id"))


def tasks_with_role(queryset, role):
    """Tasks where some unit holds `role`."""
    return queryset.filter(pk__in=Assignment.objects.filter(role=role).values("task_id"))


def tasks_in_period(queryset, period):
    """Tasks with a report in the reporting period (an id)."""
    return queryset.filter(pk__in=ProgressReport.objects.filter(period_id=period).values("task_id"))


def tasks_under_section(queryset, section):
    """Tasks anywhere below the section (an instance or an id)."""
    return queryset.filter(descendant_of(section))


def tasks_at_level(queryset, level):
    """Nodes at the depth `level` (1 is the top)."""
    return queryset.filter(level=level)


def overdue_tasks(queryset, overdue: bool, today):
    """超期未完成 (TaskQuerySet.overdue) when `overdue`, else the others."""
    matching = Task.objects.overdue(today).values("pk")
    return queryset.filter(pk__in=matching) if overdue else queryset.exclude(pk__in=matching)


def tasks_with_light(queryset, light, today):
    """Tasks whose 红黄绿灯 is `light`. The light is derived in Python (Task.light): one query over
    the tasks filtered so far, whatever their number, without the queryset's prefetches."""
    scheduled = queryset if "due_date" in queryset.query.annotations else queryset.with_schedule()
    ids = [task.pk for task in scheduled.prefetch_related(None).order_by() if task.light(today) == light]
    return queryset.filter(pk__in=ids)


def _due_dates():
    """The outer task's 完成时限 (a correlated subquery)."""
    return Deadline.objects.filter(task=OuterRef("pk"), kind=DeadlineKind.DUE)


# The first due date through the task's own deadlines, not the due_date annotation, which
# would be worked out for every task before filtering: min ≤ d ⟺ some due date ≤ d.
def tasks_due_by(queryset, date):
    """Tasks whose first due date is on or before `date`."""
    return queryset.filter(Exists(_due_dates().filter(date__lte=date)))


def tasks_due_from(queryset, date):
    """Tasks whose first due date is on or after `date`: min ≥ d ⟺ a dated due date exists and
    none is before d."""
    return (
        queryset.filter(Exists(_due_dates().filter(date__isnull=False)))
        .exclude(Exists(_due_dates().filter(date__lt=date)))
    )


def tasks_matching(queryset, text):
    """Tasks whose title, text or a unit's name or short name contains `text`."""
    units = Assignment.objects.filter(Q(unit__name__icontains=text) | Q(unit__short_name__icontains=text))
    return queryset.filter(Q(title__icontains=text) | Q(text__icontains=text) | Q(pk__in=units.values("task_id")))
