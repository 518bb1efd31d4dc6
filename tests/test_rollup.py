"""plans.rollup: a section counts every active task below it at any depth; the plan counts
them all; a completed task without a percent counts as 100; rows may come as objects, dicts or
tuples, and the database's own totals (plan_totals) agree with the Python ones."""
import pytest

from plans.models import ReportState, TaskStatus
from plans.rollup import Rollup, plan_rollups, plan_totals, rollup
from tests.factories import PlanFactory, ProgressReportFactory, ReportingPeriodFactory, SectionFactory, TaskFactory

S, T = "section", "task"
ROWS = [  # id, parent, kind, status, latest percent
    (1, None, S, TaskStatus.NOT_STARTED, None),
    (2, 1, S, TaskStatus.NOT_STARTED, None),
    (3, 2, T, TaskStatus.COMPLETED, None),  # completed without a percent: 100
    (4, 2, T, TaskStatus.ON_TRACK, 40),
    (5, 1, T, TaskStatus.BEHIND, None),  # no percent: not in the average
    (6, None, S, TaskStatus.NOT_STARTED, None),  # a section with no task
    (7, None, T, TaskStatus.ON_TRACK, 20),  # under no section
]


def test_sections_count_tasks_at_any_depth_and_the_plan_counts_every_task():
    result = rollup(ROWS)

    assert result.sections[2] == Rollup(tasks=2, completed=1, reported=2, percent_total=140)
    assert result.sections[1] == Rollup(tasks=3, completed=1, reported=2, percent_total=140)
    assert result.sections[6] == Rollup()
    assert result.plan == Rollup(tasks=4, completed=1, reported=3, percent_total=160)
    assert (result.sections[1].completed_percent, result.sections[1].average_percent) == (33, 70)
    assert (Rollup().completed_percent, Rollup().average_percent) == (None, None)


def test_dicts_and_tuples_give_the_same_roll_up():
    names = ("id", "parent_id", "kind", "status", "latest_percent")
    assert rollup([dict(zip(names, row)) for row in ROWS]) == rollup(ROWS)


def test_a_parent_outside_the_rows_or_a_cycle_ends_the_walk_up():
    rows = [(1, 99, S, "", None), (2, 1, T, TaskStatus.ON_TRACK, 50), (3, 4, S, "", None), (4, 3, S, "", None), (5, 4, T, TaskStatus.ON_TRACK, 10)]

    result = rollup(rows)

    assert result.sections[1].tasks == 1 and result.sections[3].tasks == result.sections[4].tasks == 1


@pytest.mark.django_db
def test_the_databases_plan_totals_equal_the_roll_up_of_the_plans_nodes():
    plan = PlanFactory()
    period = ReportingPeriodFactory(plan=plan)
    section = SectionFactory(plan=plan)
    done = TaskFactory(plan=plan, parent=section, status=TaskStatus.COMPLETED, completed_at="2016-09-01T00:00:00Z")
    reported = TaskFactory(plan=plan, parent=section)
    TaskFactory(plan=plan)
    TaskFactory(plan=plan, is_active=False, status=TaskStatus.ON_TRACK)  # retired: not counted
    ProgressReportFactory(task=reported, period=period, state=ReportState.APPROVED, percent=30)
    ProgressReportFactory(task=done, period=period, state=ReportState.SUBMITTED, percent=90)  # not approved: not read

    totals = plan_totals([plan.pk])[plan.pk]
    full = plan_rollups([plan.pk])[plan.pk]

    assert totals == full.plan == Rollup(tasks=3, completed=1, reported=2, percent_total=130)
    assert full.sections[section.pk] == Rollup(tasks=2, completed=1, reported=2, percent_total=130)
