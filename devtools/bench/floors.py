"""Floors for `manage.py bench`: hand-written SQL that returns the rows a page or API response
shows, serialised with json.dumps. No ORM, no templates, no serializers: what the database and
the json module alone cost for the same rows. Plain SQL that SQLite and PostgreSQL both run."""
from __future__ import annotations

import datetime
import json

from django.db import connection
from django.utils import timezone

from plans import progress
from plans.api.fields import datetime_text
from plans.models import Closure
from plans.api.pagination import COUNT_CAP


def rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def marks(values) -> str:
    return ", ".join(["%s"] * len(values))


def as_datetime(value) -> datetime.datetime | None:
    """SQLite hands timestamps back as naive UTC text."""
    if isinstance(value, str):
        return datetime.datetime.fromisoformat(value).replace(tzinfo=datetime.timezone.utc)
    return value


def as_date(value) -> datetime.date | None:
    """SQLite hands dates back as text (MIN() even loses the column's type)."""
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def dumps(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, default=str).encode("utf-8")


def _visible_tasks(user_id: int) -> tuple[str, list]:
    """The tasks of the plans the user is office staff of (the bench's province office)."""
    return (
        "t.kind = 'task' AND t.plan_id IN "
        "(SELECT plan_id FROM plans_plan_office_staff WHERE user_id = %s)",
        [user_id],
    )


LATEST_REPORT = (
    "(SELECT r.id FROM plans_progressreport r JOIN plans_reportingperiod p ON p.id = r.period_id "
    "WHERE r.task_id = t.id "
    "ORDER BY p.start DESC, EXISTS (SELECT 1 FROM plans_assignment a "
    "WHERE a.task_id = r.task_id AND a.unit_id = r.unit_id "
    "AND a.is_lead) DESC, r.id LIMIT 1)"
)
LATEST_APPROVED_PERCENT = (
    "(SELECT r.percent FROM plans_progressreport r JOIN plans_reportingperiod p ON p.id = r.period_id "
    "WHERE r.task_id = t.id AND r.state = 'approved' ORDER BY p.start DESC, r.reviewed_at DESC LIMIT 1)"
)


def _task_details(ids: list[int], report_ids: list[int]) -> tuple[dict, dict, dict]:
    """Assignments and deadlines of tasks, and reports by id."""
    assignments, deadlines, reports = {}, {}, {}
    if not ids:
        return assignments, deadlines, reports
    for row in rows(
        "SELECT a.task_id, a.id, a.unit_id, u.name, a.role, a.position, a.is_lead, a.version "
        "FROM plans_assignment a "
        f"JOIN plans_unit u ON u.id = a.unit_id WHERE a.task_id IN ({marks(ids)}) "
        "ORDER BY a.task_id, a.role, a.position",
        ids,
    ):
        assignments.setdefault(row[0], []).append(
            {
                "id": row[1], "unit": row[2], "name": row[3], "role": row[4], "position": row[5],
                "is_lead": bool(row[6]), "version": row[7],
            }
        )
    for row in rows(
        "SELECT task_id, id, kind, date, rule, text, original_date, extensions, version FROM plans_deadline "
        f"WHERE task_id IN ({marks(ids)}) ORDER BY task_id, position",
        ids,
    ):
        deadlines.setdefault(row[0], []).append({
            "id": row[1], "kind": row[2], "date": as_date(row[3]), "rule": row[4], "text": row[5],
            "original_date": as_date(row[6]), "extensions": row[7], "version": row[8],
        })
    if report_ids:
        for row in rows(
            "SELECT id, period_id, unit_id, state, status, percent FROM plans_progressreport "
            f"WHERE id IN ({marks(report_ids)})",
            report_ids,
        ):
            reports[row[0]] = dict(zip(("id", "period", "unit", "state", "status", "percent"), row))
    return assignments, deadlines, reports


def task_list(user_id: int, page_size: int, unit: int | None = None, status: str | None = None) -> bytes:
    """GET /api/tasks/: the count (up to COUNT_CAP), a page of tasks in plan order, each with its assignments by
    role, deadlines, due/start dates, light, overdue and latest report (the latest report and
    the latest approved percent as subqueries of the page's rows)."""
    where, params = _visible_tasks(user_id)
    if unit is not None:
        where += " AND t.id IN (SELECT task_id FROM plans_assignment WHERE unit_id = %s)"
        params.append(unit)
    if status is not None:
        where += " AND t.status = %s"
        params.append(status)
    count = rows(
        f"SELECT COUNT(*) FROM (SELECT t.id FROM plans_task t WHERE {where} LIMIT %s) capped",
        [*params, COUNT_CAP + 1],
    )[0][0]
    page = rows(
        "SELECT t.id, t.plan_id, t.parent_id, t.path, t.label, t.title, t.text, t.level, t.status, "
        "t.version, pl.period_start, "
        f"{LATEST_REPORT}, {LATEST_APPROVED_PERCENT}, t.closure, t.closed_at "
        f"FROM plans_task t JOIN plans_plan pl ON pl.id = t.plan_id WHERE {where} "
        "ORDER BY t.plan_id, t.position LIMIT %s",
        [*params, page_size],
    )
    assignments, deadlines, reports = _task_details(
        [row[0] for row in page], [row[11] for row in page if row[11]]
    )
    today = timezone.localdate()
    results = []
    closure_labels = {value: str(label) for value, label in Closure.choices}
    for (task_id, plan, parent, path, label, title, text, level, status_, version, plan_start, report, percent,
         closure, closed_at) in page:
        dates = deadlines.get(task_id, [])
        due = min((d["date"] for d in dates if d["kind"] == "due" and d["date"]), default=None)
        start = min((d["date"] for d in dates if d["kind"] == "start" and d["date"]), default=as_date(plan_start))
        completed = status_ == "completed"
        grouped = {"responsible": [], "supporting": [], "implementing": []}
        for assignment in assignments.get(task_id, []):
            grouped[assignment.pop("role")].append(assignment)
        results.append({
            "id": task_id, "plan": plan, "parent": parent, "path": path, "label": label, "title": title,
            "text": text, "level": level, "status": status_,
            "light": progress.light(start=start, due=due, behind=status_ == "behind", completed=completed,
                                    percent=percent, today=today),
            "overdue": progress.is_overdue(due, completed, today), "due_date": due, "start_date": start,
            "assignments": grouped, "deadlines": dates, "latest_report": reports.get(report),
            "closure": closure, "closure_label": closure_labels.get(closure, closure),
            "closed_at": datetime_text(as_datetime(closed_at)), "version": version,
        })
    return dumps({"count": min(count, COUNT_CAP), "count_exact": count <= COUNT_CAP, "next": None, "previous": None,
                  "results": results})


# who submitted or reviewed a report, named as the pages name people: 张伟（市发改委）
_PERSON = "{who}u.username, {who}p.name, {who}p.position, {who}n.short_name, {who}n.name"
_PEOPLE = (
    "LEFT JOIN auth_user {who}u ON {who}u.id = r.{column} "
    "LEFT JOIN plans_profile {who}p ON {who}p.user_id = {who}u.id "
    "LEFT JOIN plans_membership {who}m ON {who}m.user_id = {who}u.id "
    "LEFT JOIN plans_unit {who}n ON {who}n.id = {who}m.unit_id"
)


def _person(username, name, position, unit_short, unit_name) -> str | None:
    if username is None:
        return None
    name = name or username
    where = unit_short or unit_name or position
    return f"{name}（{where}）" if where else name


def report_list(user_id: int, page_size: int) -> bytes:
    """GET /api/reports/: the count (up to COUNT_CAP) and a page of reports (period, task,
    unit order) with lateness and the supporting units' input."""
    where = "EXISTS (SELECT 1 FROM plans_task t WHERE t.id = r.task_id AND " + _visible_tasks(user_id)[0] + ")"
    count = rows(
        f"SELECT COUNT(*) FROM (SELECT r.id FROM plans_progressreport r WHERE {where} LIMIT %s) capped",
        [user_id, COUNT_CAP + 1],
    )[0][0]
    page = rows(
        "SELECT r.id, r.task_id, r.unit_id, r.period_id, r.status, r.percent, r.progress, r.problems, "
        "r.next_steps, r.state, "
        "r.review_comment, r.submitted_at, r.reviewed_at, r.version, p.due_date, "
        f"{_PERSON.format(who='s')}, {_PERSON.format(who='v')} FROM plans_progressreport r "
        f"JOIN plans_reportingperiod p ON p.id = r.period_id {_PEOPLE.format(who='s', column='submitted_by_id')} "
        f"{_PEOPLE.format(who='v', column='reviewed_by_id')} WHERE {where} "
        "ORDER BY r.period_id, r.task_id, r.unit_id LIMIT %s",
        [user_id, page_size],
    )
    ids = [row[0] for row in page]
    inputs = {}
    if ids:
        for report, unit, text in rows(
            "SELECT report_id, unit_id, text FROM plans_supportinginput "
            f"WHERE report_id IN ({marks(ids)}) ORDER BY unit_id",
            ids,
        ):
            inputs.setdefault(report, []).append({"unit": unit, "text": text})
    today = timezone.localdate()
    names = ("id", "task", "unit", "period", "status", "percent", "progress", "problems", "next_steps", "state",
             "review_comment", "submitted_at", "reviewed_at", "version")
    results = [
        {
            **dict(zip(names, row[:14])),
            "late": as_date(row[14]) < today and row[9] in ("pending", "returned"),
            "submitted_by": _person(*row[15:20]), "reviewed_by": _person(*row[20:25]),
            "inputs": inputs.get(row[0], []),
        }
        for row in page
    ]
    return dumps({"count": min(count, COUNT_CAP), "count_exact": count <= COUNT_CAP, "next": None, "previous": None,
                  "results": results})


def inbox(unit_id: int) -> bytes:
    """本期待办: the unit's reports in open periods with its roles on each task, and the lead
    units' reports it supports."""
    own = rows(
        "SELECT r.id, r.state, r.status, r.percent, r.review_comment, t.id, t.path, t.title, p.label, "
        "p.due_date, pl.title "
        "FROM plans_progressreport r JOIN plans_task t ON t.id = r.task_id "
        "JOIN plans_reportingperiod p ON p.id = r.period_id "
        "JOIN plans_plan pl ON pl.id = p.plan_id WHERE r.unit_id = %s AND p.is_open "
        "ORDER BY p.due_date, pl.title, t.position",
        [unit_id],
    )
    roles = {}
    for task, role, is_lead in rows(
        "SELECT task_id, role, is_lead FROM plans_assignment WHERE unit_id = %s ORDER BY role, position", [unit_id],
    ):
        roles.setdefault(task, []).append("lead" if is_lead else role)
    supported = rows(
        "SELECT r.id, r.state, t.path, t.title, u.name, p.label, p.due_date, pl.title, "
        "EXISTS (SELECT 1 FROM plans_supportinginput i WHERE i.report_id = r.id AND i.unit_id = %s) "
        "FROM plans_progressreport r JOIN plans_task t ON t.id = r.task_id JOIN plans_unit u ON u.id = r.unit_id "
        "JOIN plans_reportingperiod p ON p.id = r.period_id JOIN plans_plan pl ON pl.id = p.plan_id "
        "WHERE p.is_open AND r.task_id IN "
        "(SELECT task_id FROM plans_assignment WHERE unit_id = %s AND role = 'supporting') "
        "AND EXISTS (SELECT 1 FROM plans_assignment a "
        "WHERE a.task_id = r.task_id AND a.unit_id = r.unit_id AND a.is_lead) "
        "ORDER BY p.due_date, pl.title, t.position",
        [unit_id, unit_id],
    )
    return dumps({"own": [[*row, roles.get(row[5], [])] for row in own], "supporting": supported})


def dashboard(plan_id: int, period_id: int) -> bytes:
    """督办看板: report states per unit for the period, lights and completion per top section,
    and the overdue tasks with their lead units."""
    today = timezone.localdate()
    units = rows(
        "SELECT r.unit_id, u.name, r.state, COUNT(*) FROM plans_progressreport r JOIN plans_unit u ON u.id = r.unit_id "
        "WHERE r.period_id = %s GROUP BY r.unit_id, u.name, r.state",
        [period_id],
    )
    nodes = rows(
        "SELECT t.id, t.parent_id, t.kind, t.title, t.status, pl.period_start, "
        "(SELECT MIN(d.date) FROM plans_deadline d WHERE d.task_id = t.id AND d.kind = 'due') "
        "FROM plans_task t JOIN plans_plan pl ON pl.id = t.plan_id WHERE t.plan_id = %s AND t.is_active "
        "ORDER BY t.position",
        [plan_id],
    )
    by_id = {node[0]: node for node in nodes}
    sections = {}
    overdue = []
    for node in nodes:
        if node[2] != "task":
            continue
        top = node
        while top[1] is not None:
            top = by_id[top[1]]
        completed = node[4] == "completed"
        counts = sections.setdefault(top[3], {"tasks": 0, "completed": 0, "red": 0, "yellow": 0, "green": 0})
        counts["tasks"] += 1
        counts["completed"] += completed
        start, due = as_date(node[5]), as_date(node[6])
        light = progress.light(
            start=start, due=due, behind=node[4] == "behind", completed=completed, percent=None, today=today
        )
        counts[light] += 1
        if progress.is_overdue(due, completed, today):
            overdue.append(node[0])
    leads = rows(
        "SELECT a.task_id, u.name FROM plans_assignment a JOIN plans_unit u ON u.id = a.unit_id "
        "WHERE a.is_lead AND a.task_id IN (SELECT id FROM plans_task WHERE plan_id = %s)",
        [plan_id],
    )
    lead_of = dict(leads)
    return dumps(
        {"units": units, "sections": sections, "overdue": [[task, lead_of.get(task)] for task in overdue]}
    )


def admin_tasks(user_id: int, page_size: int) -> bytes:
    """The admin's task list: the count and a page of tasks with plan, parent and units."""
    where, params = _visible_tasks(user_id)
    count = rows(f"SELECT COUNT(*) FROM plans_task t WHERE {where}", params)[0][0]
    page = rows(
        "SELECT t.id, t.path, t.title, t.status, pl.title, parent.title FROM plans_task t "
        "JOIN plans_plan pl ON pl.id = t.plan_id "
        f"LEFT JOIN plans_task parent ON parent.id = t.parent_id WHERE {where} "
        "ORDER BY t.plan_id, t.position LIMIT %s",
        [*params, page_size],
    )
    ids = [row[0] for row in page]
    units = {}
    if ids:
        for task, name, role in rows(
            "SELECT a.task_id, u.name, a.role FROM plans_assignment a JOIN plans_unit u ON u.id = a.unit_id "
            f"WHERE a.task_id IN ({marks(ids)}) ORDER BY a.task_id, a.role, a.position",
            ids,
        ):
            units.setdefault(task, []).append([name, role])
    return dumps({"count": count, "rows": [[*row, units.get(row[0], [])] for row in page]})
