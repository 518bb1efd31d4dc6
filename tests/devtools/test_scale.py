"""Province-scale synthetic data (devtools.scale, `manage.py generate_scale_data`) and the floors
`manage.py bench` compares the API with (devtools.bench.floors): the data has the promised shape
and the floors return exactly what the API returns."""
import datetime
import json
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from devtools.bench import floors
from plans.models import (
    Assignment,
    Deadline,
    NodeKind,
    Plan,
    ProgressReport,
    ReportingPeriod,
    ReportState,
    Role,
    SupportingInput,
    Task,
    TaskStatus,
    Unit,
)
from devtools.scale import JURISDICTION, OFFICE_USERNAME, ScaleGenerator, Sizes
from tests.factories import PlanFactory

SMALL = Sizes(plans=3, tasks=90, units=12, years=2)


@pytest.fixture
def generated(db):
    return ScaleGenerator(SMALL, seed=7).run()


def test_sizes_are_exact_and_the_counts_reported_are_the_rows_written(generated):
    plans = Plan.objects.filter(jurisdiction=JURISDICTION)
    assert plans.count() == SMALL.plans == generated.plans
    assert Task.objects.tasks().filter(plan__in=plans).count() == SMALL.tasks == generated.tasks
    assert Unit.objects.filter(name__startswith=f"{JURISDICTION}第").count() == SMALL.units
    assert ProgressReport.objects.count() == generated.reports > 0
    assert Assignment.objects.count() == generated.assignments
    assert SupportingInput.objects.count() == generated.inputs
    assert ReportingPeriod.objects.count() == generated.periods


def test_each_task_has_one_lead_among_one_to_three_responsible_and_up_to_four_supporting(generated):
    for task in Task.objects.tasks().prefetch_related("assignments"):
        roles = Counter(assignment.role for assignment in task.assignments.all())
        leads = [assignment for assignment in task.assignments.all() if assignment.is_lead]
        assert 1 <= roles[Role.RESPONSIBLE] <= 3
        assert 0 <= roles[Role.SUPPORTING] <= 4
        assert len(leads) == 1 and leads[0].role == Role.RESPONSIBLE and leads[0].position == 0


def test_tree_is_nested_and_numbered_in_document_order(generated):
    for plan in Plan.objects.all():
        nodes = list(Task.objects.filter(plan=plan).order_by("position"))
        assert [node.position for node in nodes] == list(range(len(nodes)))
        by_id = {node.pk: node for node in nodes}
        assert nodes[0].kind == NodeKind.SECTION and nodes[0].level == 1 and nodes[0].parent_id is None
        for node in nodes[1:]:
            parent = by_id[node.parent_id] if node.parent_id else None
            assert node.level == (parent.level + 1 if parent else 1)
            assert node.path.startswith(parent.path) if parent else node.path.endswith("、")
            if node.kind == NodeKind.TASK:
                assert parent is not None and parent.kind == NodeKind.SECTION


def test_quarterly_periods_run_to_the_current_quarter_which_alone_is_open(generated):
    today = timezone.localdate()
    for plan in Plan.objects.all():
        periods = list(plan.periods.order_by("start"))
        assert len(periods) >= 2
        assert [period.is_open for period in periods] == [False] * (len(periods) - 1) + [True]
        assert periods[-1].start <= today <= periods[-1].end
        for before, after in zip(periods, periods[1:]):
            assert after.start == before.end + datetime.timedelta(days=1)


def test_every_responsible_unit_reports_every_period_and_sent_reports_have_chinese_text(generated):
    responsible = Counter(Assignment.objects.filter(role=Role.RESPONSIBLE).values_list("task__plan", flat=True))
    periods = Counter(ReportingPeriod.objects.values_list("plan", flat=True))
    assert ProgressReport.objects.count() == sum(responsible[plan] * periods[plan] for plan in periods)
    sent = ProgressReport.objects.exclude(state=ReportState.PENDING)
    assert sent.exists()
    for report in sent[:50]:
        assert len(report.progress) >= 90 and all("\u4e00" <= ch <= "\u9fff" or not ch.isalpha() for ch in report.progress)
        assert report.submitted_at is not None


def test_task_status_is_its_leads_latest_approved_report(generated):
    for task in Task.objects.tasks()[:60]:
        lead = task.assignments.get(is_lead=True).unit_id
        approved = (
            ProgressReport.objects.filter(task=task, unit_id=lead, state=ReportState.APPROVED).order_by("-period__start").first()
        )
        assert task.status == (approved.status if approved else TaskStatus.NOT_STARTED)
        assert (task.completed_at is not None) == (task.status == TaskStatus.COMPLETED)


def test_new_rows_after_generation_get_fresh_ids(generated):
    """Ids were handed out by the generator: the database's own sequences must have moved past them."""
    plan = Plan.objects.filter(jurisdiction=JURISDICTION).first()
    task = Task.objects.create(plan=plan, kind=NodeKind.TASK, label="新", path="新", level=1, position=10_000, title="新增任务")
    assert task.pk > Task.objects.exclude(pk=task.pk).order_by("-pk").values_list("pk", flat=True)[0]
    assert Deadline.objects.create(task=task, date=datetime.date(2026, 12, 31)).pk


def _snapshot():
    return (
        list(Task.objects.order_by("plan__title", "position").values_list("path", "title", "status")),
        list(ProgressReport.objects.order_by("task__plan__title", "task__position", "period__start", "unit__name")
             .values_list("unit__name", "status", "percent", "state", "progress")),
    )


def test_same_seed_same_data(db):
    sizes = Sizes(plans=2, tasks=20, units=4, years=1)
    ScaleGenerator(sizes, seed=3).run()
    first = _snapshot()
    SupportingInput.objects.all().delete()
    ProgressReport.objects.all().delete()
    Plan.objects.all().delete()
    ScaleGenerator(sizes, seed=3).run()
    assert _snapshot() == first
    SupportingInput.objects.all().delete()
    ProgressReport.objects.all().delete()
    Plan.objects.all().delete()
    ScaleGenerator(sizes, seed=4).run()
    assert _snapshot() != first


def test_command_refuses_a_database_with_real_plans_and_writes_nothing(db):
    PlanFactory(jurisdiction="鹤壁市")
    with pytest.raises(CommandError, match="真实方案"):
        call_command("generate_scale_data", "--plans", "1", "--tasks", "5", "--units", "2", "--years", "1")
    assert not Plan.objects.filter(jurisdiction=JURISDICTION).exists()
    assert not Unit.objects.filter(jurisdiction=JURISDICTION).exists()


def test_command_with_consent_generates_beside_real_plans_and_appends_only_when_told(db, capsys):
    PlanFactory(jurisdiction="鹤壁市")
    args = ["--plans", "2", "--tasks", "12", "--units", "3", "--years", "1", "--allow-real-data"]
    call_command("generate_scale_data", *args)
    assert "完成" in capsys.readouterr().out
    assert Task.objects.tasks().filter(plan__jurisdiction=JURISDICTION).count() == 12
    with pytest.raises(CommandError, match="--append"):
        call_command("generate_scale_data", *args)
    call_command("generate_scale_data", *args, "--append")
    assert Task.objects.tasks().filter(plan__jurisdiction=JURISDICTION).count() == 24
    assert Unit.objects.filter(name__startswith=f"{JURISDICTION}第").count() == 3  # units are reused


@pytest.mark.parametrize("option", ["--tasks=0", "--plans=x", "--units=-3"])
def test_command_refuses_bad_sizes(db, option):
    with pytest.raises(CommandError):
        call_command("generate_scale_data", option)
    assert not Plan.objects.exists()


def test_more_plans_than_tasks_is_refused(db):
    with pytest.raises(CommandError, match="cannot fill"):
        call_command("generate_scale_data", "--plans", "5", "--tasks", "3")


# --- the floors return what the API returns ----------------------------------------------------
def _api(url):
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username=OFFICE_USERNAME))
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def _office_id():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username=OFFICE_USERNAME).pk


@pytest.mark.parametrize("page_size, filtered", [(25, False), (40, True)])
def test_task_list_floor_returns_the_apis_rows(generated, page_size, filtered):
    unit = Assignment.objects.values_list("unit_id", flat=True).first()
    query = f"&unit={unit}&status={TaskStatus.ON_TRACK}" if filtered else ""
    api = _api(f"/api/tasks/?page_size={page_size}{query}")
    floor = json.loads(floors.task_list(_office_id(), page_size, **({"unit": unit, "status": TaskStatus.ON_TRACK} if filtered else {})))
    assert (floor["count"], floor["count_exact"]) == (api["count"], api["count_exact"])
    assert floor["results"] == api["results"]
    assert len(api["results"]) == min(page_size, api["count"]) > 0


def test_report_list_floor_returns_the_apis_rows(generated):
    api = _api("/api/reports/?page_size=30")
    floor = json.loads(floors.report_list(_office_id(), 30))
    assert (floor["count"], floor["count_exact"]) == (api["count"], api["count_exact"])
    normalise = [{**row, "submitted_at": row["submitted_at"] and row["submitted_at"][:10],
                  "reviewed_at": row["reviewed_at"] and row["reviewed_at"][:10]} for row in api["results"]]
    floor_rows = [{**row, "submitted_at": row["submitted_at"] and row["submitted_at"][:10],
                   "reviewed_at": row["reviewed_at"] and row["reviewed_at"][:10]} for row in floor["results"]]
    assert floor_rows == normalise


def test_floor_sql_runs_on_this_database(generated):
    """The inbox, dashboard and admin floors are plain SQL for both engines."""
    unit = Assignment.objects.values_list("unit_id", flat=True).first()
    plan = Plan.objects.filter(jurisdiction=JURISDICTION).first()
    period = plan.periods.get(is_open=True)
    inbox = json.loads(floors.inbox(unit))
    assert len(inbox["own"]) == ProgressReport.objects.filter(unit_id=unit, period__is_open=True).count()
    dashboard = json.loads(floors.dashboard(plan.pk, period.pk))
    assert sum(section["tasks"] for section in dashboard["sections"].values()) == Task.objects.tasks().filter(plan=plan).count()
    admin = json.loads(floors.admin_tasks(_office_id(), 100))
    assert admin["count"] == SMALL.tasks and len(admin["rows"]) == SMALL.tasks
