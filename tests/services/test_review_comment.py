"""An approved report does not show the old return comment as its 审核意见: the comment was
answered by the resubmission, which clears it; the report's history keeps it (the trail)."""
import datetime

import pytest
from django.urls import reverse

from plans import services
from plans.models import MemberRole, ReportState, Role, TaskStatus
from plans.roles import GROUP_OF_ROLE, OFFICE_GROUP, groups_ensure
from tests.admin.forms import get_form
from tests.factories import (
    AssignmentFactory,
    MembershipFactory,
    PlanFactory,
    ReportingPeriodFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)

RETURN_COMMENT = "请补充已验收粉磨站数量甲乙"


@pytest.fixture
def returned_then_resubmitted(db):
    """A report the office returned with a comment and the unit fixed and submitted again."""
    groups = groups_ensure()
    plan = PlanFactory(period_start=datetime.date(2016, 1, 1), period_end=datetime.date(2016, 12, 31))
    office = UserFactory(username="office")
    office.groups.add(groups[OFFICE_GROUP])
    plan.office_staff.add(office)
    unit = UnitFactory(short_name="市环保局")
    task = TaskFactory(plan=plan)
    AssignmentFactory(task=task, unit=unit, role=Role.RESPONSIBLE)
    official = MembershipFactory(unit=unit, role=MemberRole.OFFICIAL).user
    leader = MembershipFactory(unit=unit, role=MemberRole.LEADER).user
    for user, role in ((official, MemberRole.OFFICIAL), (leader, MemberRole.LEADER)):
        user.groups.add(groups[GROUP_OF_ROLE[role]])
    period = ReportingPeriodFactory(plan=plan, label="2016Q3")
    [report] = services.period_open(user=office, period=period)
    services.report_update(user=official, report=report, status=TaskStatus.ON_TRACK, progress="完成8座粉磨站提标改造")
    services.report_submit(user=leader, report=report)
    services.report_return(user=office, report=report, comment=RETURN_COMMENT)
    report.refresh_from_db()
    assert (report.state, report.review_comment) == (ReportState.RETURNED, RETURN_COMMENT)
    services.report_update(user=official, report=report, progress="完成8座粉磨站提标改造，已验收6座")
    services.report_submit(user=leader, report=report)
    report.refresh_from_db()
    return report, office, official


def history_comments(report) -> list[str]:
    return list(report.history.order_by("history_date").values_list("review_comment", flat=True))


def test_resubmitting_clears_the_return_comment_and_the_history_keeps_it(returned_then_resubmitted):
    report, office, official = returned_then_resubmitted
    assert (report.state, report.review_comment) == (ReportState.SUBMITTED, "")
    assert RETURN_COMMENT in history_comments(report)


def test_an_approval_without_a_comment_leaves_no_comment(returned_then_resubmitted):
    report, office, official = returned_then_resubmitted
    services.report_approve(user=office, report=report)
    report.refresh_from_db()
    assert (report.state, report.review_comment) == (ReportState.APPROVED, "")
    history = report.history.order_by("history_date")
    # the return and the unit's edit of the returned report carry it; nothing after the resubmission
    assert {row.state for row in history if row.review_comment == RETURN_COMMENT} == {ReportState.RETURNED}
    assert history.last().state == ReportState.APPROVED and history.last().review_comment == ""


def test_an_approval_with_its_own_comment_keeps_that_one(returned_then_resubmitted):
    report, office, official = returned_then_resubmitted
    services.report_approve(user=office, report=report, comment=" 同意，已核实 ")
    report.refresh_from_db()
    assert report.review_comment == "同意，已核实"
    assert RETURN_COMMENT in history_comments(report)


def test_the_office_approving_on_the_admin_page_does_not_carry_the_old_comment(client, returned_then_resubmitted):
    report, office, official = returned_then_resubmitted
    url = reverse("admin:plans_progressreport_change", args=[report.pk])
    client.force_login(office)
    data = get_form(client, url)  # the page as the office sees it, posted as a browser would
    assert data["review_comment"] == ""
    response = client.post(url, {**data, "_approve_report": "审核通过"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.state, report.review_comment) == (ReportState.APPROVED, "")

    for user in (office, official):
        client.force_login(user)
        page = client.get(url)
        assert page.status_code == 200
        assert RETURN_COMMENT not in page.content.decode()
    history = client.get(reverse("admin:plans_progressreport_history", args=[report.pk]))
    assert history.status_code == 200  # the trail is still there to read
    assert RETURN_COMMENT in history_comments(report)
