"""Progress roll-up in the API: each plan's `progress` in /api/plans/, each section's in the plan
detail, and /api/plans/{id}/progress/, checked against a count made by hand from the ORM on
the seed plans (with some tasks completed, some reports approved with a percent)."""
import datetime

import pytest
from django.utils import timezone

from plans.models import (
    NodeKind,
    Plan,
    ProgressReport,
    ReportingPeriod,
    ReportState,
    Task,
    TaskStatus,
)
from tests.api.conftest import count_queries
from tests.factories import (
    AssignmentFactory,
    PlanFactory,
    ProgressReportFactory,
    ReportingPeriodFactory,
    SectionFactory,
    TaskFactory,
    UserFactory,
)


# --- the hand count ---------------------------------------------------------------------------
def _percent(task):
    """The task's latest approved report's percent; 100 for a completed task without one."""
    approved = ProgressReport.objects.filter(task=task, state=ReportState.APPROVED).order_by("-period__start", "-reviewed_at")
    latest = approved.first()
    percent = latest.percent if latest else None
    return 100 if percent is None and task.status == TaskStatus.COMPLETED else percent


def _count(tasks):
    percents = [_percent(task) for task in tasks]
    reported = [percent for percent in percents if percent is not None]
    completed = sum(task.status == TaskStatus.COMPLETED for task in tasks)
    return {
        "tasks": len(tasks),
        "completed": completed,
        "completed_percent": round(completed * 100 / len(tasks)) if tasks else None,
        "reported": len(reported),
        "average_percent": round(sum(reported) / len(reported)) if reported else None,
        "average_based_on": len(reported),
        "average_out_of": len(tasks),
        "coverage_percent": round(len(reported) * 100 / len(tasks)) if tasks else None,
    }


def _below(section, tasks):
    """The tasks with `section` among their ancestors (any depth)."""
    found = []
    for task in tasks:
        node = task.parent
        while node is not None and node.pk != section.pk:
            node = node.parent
        if node is not None:
            found.append(task)
    return found


def hand_count(plan):
    """{"plan": …, "sections": {section id: …}} counted straight from the rows."""
    tasks = list(Task.objects.filter(plan=plan, kind=NodeKind.TASK, is_active=True).select_related("parent__parent__parent"))
    sections = Task.objects.filter(plan=plan, kind=NodeKind.SECTION, is_active=True)
    return {"plan": _count(tasks), "sections": {section.pk: _count(_below(section, tasks)) for section in sections}}


@pytest.fixture
def progressed(seed):
    """The seed plans with work done: every fourth task completed, every third one's lead report
    of the open period approved with a percent, one task with an older approved report too
    (the latest period's percent counts) and one task retired (it does not count)."""
    now = timezone.now()
    for plan in Plan.objects.all():
        tasks = list(Task.objects.filter(plan=plan, kind=NodeKind.TASK).order_by("position"))
        open_period = ReportingPeriod.objects.get(plan=plan, is_open=True)
        earlier = ReportingPeriod.objects.filter(plan=plan, start__lt=open_period.start).order_by("-start").first()
        for n, task in enumerate(tasks):
            if n % 4 == 1:
                Task.objects.filter(pk=task.pk).update(status=TaskStatus.COMPLETED, completed_at=now)
            if n % 3 == 0:
                lead = task.assignments.get(is_lead=True).unit
                ProgressReport.objects.filter(task=task, unit=lead, period=open_period).update(
                    state=ReportState.APPROVED, percent=(n * 37) % 101, reviewed_at=now,
                )
                if n == 3:
                    ProgressReport.objects.create(
                        task=task, unit=lead, period=earlier, state=ReportState.APPROVED, percent=1, reviewed_at=now,
                    )
        Task.objects.filter(pk=tasks[-2].pk).update(is_active=False)
    return seed


def test_the_fixture_makes_the_numbers_worth_checking(progressed):
    counts = hand_count(progressed["plan"])["plan"]
    assert counts["completed"] > 0 and counts["reported"] > counts["completed"] and counts["average_percent"] not in (None, 0, 100)
    assert any(section["tasks"] for section in hand_count(progressed["plan"])["sections"].values())


# --- /api/plans/ ------------------------------------------------------------------------------
def test_each_plan_in_the_list_has_its_progress(progressed, api):
    rows = api(UserFactory(is_superuser=True)).get("/api/plans/").json()["results"]
    assert len(rows) == 2
    for row in rows:
        assert row["progress"] == hand_count(Plan.objects.get(pk=row["id"]))["plan"]


def test_plan_detail_has_its_progress_and_each_sections(progressed, api):
    plan = progressed["plan"]
    body = api(progressed["office"]).get(f"/api/plans/{plan.pk}/").json()
    counted = hand_count(plan)
    assert body["progress"] == counted["plan"]
    seen = []

    def walk(sections):
        for section in sections:
            assert section["progress"] == counted["sections"][section["id"]], section["path"]
            seen.append(section["id"])
            walk(section["children"])

    walk(body["sections"])
    assert sorted(seen) == sorted(counted["sections"])


def test_progress_action_lists_every_section_in_document_order(progressed, api):
    plan = progressed["plan"]
    body = api(progressed["office"]).get(f"/api/plans/{plan.pk}/progress/").json()
    counted = hand_count(plan)
    assert body["plan"] == counted["plan"]
    sections = list(Task.objects.filter(plan=plan, kind=NodeKind.SECTION, is_active=True).order_by("position"))
    assert [row["id"] for row in body["sections"]] == [section.pk for section in sections]
    for row, section in zip(body["sections"], sections):
        assert row == {
            "id": section.pk, "path": section.path, "title": section.title, "level": section.level,
            "parent": section.parent_id, "progress": counted["sections"][section.pk],
        }


def test_a_unit_account_sees_the_sections_of_the_plans_it_may_see(progressed, api, unit_account):
    plan = progressed["plan"]
    user = unit_account("鹤壁市发展和改革委员会")
    body = api(user).get(f"/api/plans/{plan.pk}/progress/").json()
    visible = Task.objects.sections().active().visible_to(user).filter(plan=plan).order_by("position")
    assert [row["id"] for row in body["sections"]] == list(visible.values_list("pk", flat=True))
    assert body["plan"] == hand_count(plan)["plan"]
    fujian = Plan.objects.exclude(pk=plan.pk).get()
    assert api(user).get(f"/api/plans/{fujian.pk}/progress/").status_code == 404


def test_a_plan_without_tasks_has_empty_progress(api, db):
    plan = PlanFactory()
    SectionFactory(plan=plan)
    client = api(UserFactory(is_superuser=True))
    empty = {
        "tasks": 0, "completed": 0, "completed_percent": None, "reported": 0, "average_percent": None,
        "average_based_on": 0, "average_out_of": 0, "coverage_percent": None,
    }
    assert client.get("/api/plans/").json()["results"][0]["progress"] == empty
    body = client.get(f"/api/plans/{plan.pk}/progress/").json()
    assert body["plan"] == empty and body["sections"][0]["progress"] == empty


def test_progress_of_an_invisible_plan_is_404(world, as_actor):
    assert as_actor("other_office").get(f"/api/plans/{world.task_t.plan_id}/progress/").status_code == 404
    assert as_actor("office").get("/api/plans/abc/progress/").status_code == 404


def test_completed_task_without_a_percent_counts_as_100(api, db):
    plan = PlanFactory()
    section = SectionFactory(plan=plan)
    TaskFactory(plan=plan, parent=section, status=TaskStatus.COMPLETED, completed_at=timezone.now())
    half = TaskFactory(plan=plan, parent=section)
    ProgressReportFactory(task=half, period=ReportingPeriodFactory(plan=plan), state=ReportState.APPROVED, percent=50, reviewed_at=timezone.now())
    body = api(UserFactory(is_superuser=True)).get(f"/api/plans/{plan.pk}/").json()
    assert body["progress"] == {
        "tasks": 2, "completed": 1, "completed_percent": 50, "reported": 2, "average_percent": 75,
        "average_based_on": 2, "average_out_of": 2, "coverage_percent": 100,
    }
    assert body["sections"][0]["progress"] == body["progress"]


# --- queries ----------------------------------------------------------------------------------
def test_plan_list_with_progress_runs_the_same_queries_for_3_and_12_rows(api, db):
    office = UserFactory()
    for n in range(12):
        plan = PlanFactory()
        plan.office_staff.add(office)
        section = SectionFactory(plan=plan)
        period = ReportingPeriodFactory(plan=plan, start=datetime.date(2016, 1, 1), end=datetime.date(2016, 3, 31))
        for m in range(3):
            task = TaskFactory(plan=plan, parent=section)
            AssignmentFactory(task=task)
            ProgressReportFactory(task=task, period=period, state=ReportState.APPROVED, percent=5 * (n + m), reviewed_at=timezone.now())
    client = api(office)
    assert count_queries(client, "/api/plans/?page_size=3") == count_queries(client, "/api/plans/?page_size=12")
    body = client.get("/api/plans/?page_size=12").json()
    assert all(row["progress"]["tasks"] == 3 and row["progress"]["reported"] == 3 for row in body["results"])
