"""The report changelist for office staff and for a unit: constant queries, late derived."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import MemberRole, ProgressReport, Role
from plans.roles import GROUP_OF_ROLE, OFFICE_GROUP, groups_ensure
from tests.factories import (
    AssignmentFactory,
    MembershipFactory,
    PlanFactory,
    ReportingPeriodFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    groups = groups_ensure()
    plan = PlanFactory()
    office = UserFactory(username="office")
    office.groups.add(groups[OFFICE_GROUP])
    plan.office_staff.add(office)
    unit = UnitFactory(short_name="市环保局")
    official = MembershipFactory(unit=unit, role=MemberRole.OFFICIAL).user
    official.groups.add(groups[GROUP_OF_ROLE[MemberRole.OFFICIAL]])
    period = ReportingPeriodFactory(plan=plan, due_date=datetime.date(2016, 9, 23), is_open=True)
    return plan, office, official, unit, period


def add_reports(plan, unit, period, count):
    for _ in range(count):
        task = TaskFactory(plan=plan)
        AssignmentFactory(task=task, unit=unit, role=Role.RESPONSIBLE)
        AssignmentFactory(task=task, unit=UnitFactory(), role=Role.SUPPORTING)
        ProgressReport.objects.create(task=task, unit=unit, period=period)


def changelist_queries(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:plans_progressreport_changelist"))
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["office", "official"])
def test_report_changelist_queries_do_not_grow_with_reports(client, setting, who):
    plan, office, official, unit, period = setting
    user = office if who == "office" else official
    add_reports(plan, unit, period, 3)
    with_3 = changelist_queries(client, user)
    add_reports(plan, unit, period, 9)
    assert changelist_queries(client, user) == with_3


def test_report_changelist_marks_late_reports(client, setting):
    plan, office, official, unit, period = setting
    add_reports(plan, unit, period, 1)
    client.force_login(office)
    response = client.get(reverse("admin:plans_progressreport_changelist"), {"late": "yes"})
    assert [report.is_late for report in response.context["cl"].result_list] == [True]


def test_unit_official_sees_only_reports_of_its_tasks(client, setting):
    plan, office, official, unit, period = setting
    add_reports(plan, unit, period, 2)
    add_reports(plan, UnitFactory(), period, 3)
    client.force_login(official)
    response = client.get(reverse("admin:plans_progressreport_changelist"))
    assert {report.unit_id for report in response.context["cl"].result_list} == {unit.pk}
