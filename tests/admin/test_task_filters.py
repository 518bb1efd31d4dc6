"""The task changelist's derived filters: light, overdue, period, unit."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from plans.models import ProgressReport, Role, TaskStatus
from tests.factories import AssignmentFactory, DeadlineFactory, PlanFactory, ReportingPeriodFactory, TaskFactory, UnitFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks():
    today = timezone.localdate()
    plan = PlanFactory(period_start=today - datetime.timedelta(days=300))
    late = TaskFactory(plan=plan, title="超期的任务")
    DeadlineFactory(task=late, date=today - datetime.timedelta(days=1))
    soon = TaskFactory(plan=plan, title="临期的任务")
    DeadlineFactory(task=soon, date=today + datetime.timedelta(days=3))
    calm = TaskFactory(plan=plan, title="从容的任务")
    DeadlineFactory(task=calm, date=today + datetime.timedelta(days=300))
    done = TaskFactory(plan=plan, title="完成的任务", status=TaskStatus.COMPLETED, completed_at=timezone.now())
    DeadlineFactory(task=done, date=today - datetime.timedelta(days=5))
    unit = UnitFactory(short_name="市环保局")
    AssignmentFactory(task=calm, unit=unit, role=Role.RESPONSIBLE)
    AssignmentFactory(task=late, unit=UnitFactory(short_name="市公安局"), role=Role.RESPONSIBLE)
    period = ReportingPeriodFactory(plan=plan)
    ProgressReport.objects.create(task=soon, unit=unit, period=period)
    return {"late": late, "soon": soon, "calm": calm, "done": done, "unit": unit, "period": period}


def titles(admin_client, **params):
    response = admin_client.get(reverse("admin:plans_task_changelist"), params)
    assert response.status_code == 200
    return {task.title for task in response.context["cl"].result_list}


def test_light_filter_sorts_tasks_by_derived_light(admin_client, tasks):
    assert titles(admin_client, light="red") == {"超期的任务"}
    assert titles(admin_client, light="yellow") == {"临期的任务"}
    assert titles(admin_client, light="green") == {"从容的任务", "完成的任务"}


def test_overdue_filter_excludes_completed_tasks(admin_client, tasks):
    assert titles(admin_client, overdue="yes") == {"超期的任务"}


def test_period_and_unit_filters(admin_client, tasks):
    assert titles(admin_client, period=tasks["period"].pk) == {"临期的任务"}
    assert titles(admin_client, assignments__unit__id__exact=tasks["unit"].pk) == {"从容的任务"}


def test_light_column_is_shown_in_chinese(admin_client, tasks):
    html = admin_client.get(reverse("admin:plans_task_changelist")).content.decode()
    assert '<span class="light light-red" title="红灯">●</span> 红灯' in html


def _filter_choices(admin_client, title, **params):
    response = admin_client.get(reverse("admin:plans_task_changelist"), params)
    assert response.status_code == 200
    specs = [spec for spec in response.context["cl"].filter_specs if str(spec.title) == title]
    return [str(choice["display"]) for spec in specs for choice in spec.choices(response.context["cl"])][1:]  # without 全部


def test_unit_period_and_level_filters_offer_the_chosen_plans_choices_only(admin_client, tasks):
    """A province has hundreds of units and years of periods: the sidebar lists them per plan."""
    other = TaskFactory(title="别的方案的任务")
    AssignmentFactory(task=other, unit=UnitFactory(name="别的单位"), role=Role.RESPONSIBLE)
    ReportingPeriodFactory(plan=other.plan, label="2099Q1")
    assert _filter_choices(admin_client, "单位") == []
    assert _filter_choices(admin_client, "报送周期") == []
    plan = tasks["calm"].plan
    units = _filter_choices(admin_client, "单位", plan__id__exact=plan.pk)
    assert str(tasks["unit"]) in units and "别的单位" not in units and len(units) == 2
    periods = _filter_choices(admin_client, "报送周期", plan__id__exact=plan.pk)
    assert len(periods) == 1 and "2099Q1" not in periods[0]
    # a chosen unit stays shown (and applied) without a plan
    assert _filter_choices(admin_client, "单位", assignments__unit__id__exact=tasks["unit"].pk) == [str(tasks["unit"])]
    assert _filter_choices(admin_client, "层级") == ["1", "2", "3", "4"]
    assert titles(admin_client, level__exact=tasks["calm"].level) >= {"从容的任务"}
