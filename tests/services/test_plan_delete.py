"""A plan units have reported on is a record: deleting it is refused whole; an empty plan goes."""
import pytest
from django.core.exceptions import ValidationError

from plans import services
from plans.models import Plan, ProgressReport, Task
from tests.factories import (
    AssignmentFactory, PlanFactory, ReportingPeriodFactory, TaskFactory, UnitFactory, UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    return UserFactory(username="office-del")


def test_a_plan_with_reports_is_refused_with_a_sentence_and_stays_whole(office):
    plan = PlanFactory()
    plan.office_staff.add(office)
    task = TaskFactory(plan=plan)
    AssignmentFactory(task=task, unit=UnitFactory())
    services.period_open(user=office, period=ReportingPeriodFactory(plan=plan))

    with pytest.raises(ValidationError, match="不能删除"):
        services.plan_delete(user=office, plan=plan)

    assert Plan.objects.filter(pk=plan.pk).exists()
    assert Task.objects.filter(plan=plan).count() == 1 and ProgressReport.objects.filter(task=task).count() == 1


def test_a_plan_nobody_reported_on_is_deleted_with_its_tree_and_periods(office):
    plan = PlanFactory()
    plan.office_staff.add(office)
    TaskFactory(plan=plan)
    ReportingPeriodFactory(plan=plan)

    services.plan_delete(user=office, plan=plan)

    assert not Plan.objects.filter(pk=plan.pk).exists() and not Task.objects.filter(plan_id=plan.pk).exists()
