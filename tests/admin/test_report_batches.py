"""The report list's batch actions (批量报送 for a leader, 批量审核通过 and 批量退回 for the
office), each through a confirmation page, all or nothing; the change form's 撤回报送 button,
and office staff opening a submitted report closing the way back."""
import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from plans import services
from plans.models import MemberRole, ProgressReport, ReportState, Role, TaskStatus
from plans.roles import GROUP_OF_ROLE, OFFICE_GROUP, groups_ensure
from tests.admin.forms import form_data
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

CHANGELIST = "/admin/plans/progressreport/"


@pytest.fixture
def world():
    groups = groups_ensure()
    plan = PlanFactory()
    office = UserFactory(username="office")
    office.groups.add(groups[OFFICE_GROUP])
    plan.office_staff.add(office)
    unit = UnitFactory(short_name="市环保局")
    people = {}
    for role in (MemberRole.LEADER, MemberRole.OFFICIAL):
        people[role] = MembershipFactory(unit=unit, role=role).user
        people[role].groups.add(groups[GROUP_OF_ROLE[role]])
    period = ReportingPeriodFactory(plan=plan, label="2016Q3", is_open=True)
    for number in range(3):
        task = TaskFactory(plan=plan, path=f"三、(一){number + 1}.")
        AssignmentFactory(task=task, unit=unit, role=Role.RESPONSIBLE)
    for report in services.period_open(user=office, period=period):
        services.report_update(user=people[MemberRole.OFFICIAL], report=report, progress="已完成",
                               status=TaskStatus.ON_TRACK)
    return {"office": office, "leader": people[MemberRole.LEADER], "official": people[MemberRole.OFFICIAL],
            "reports": list(ProgressReport.objects.order_by("pk"))}


def states():
    return list(ProgressReport.objects.order_by("pk").values_list("state", flat=True))


def act(client, action, reports, **extra):
    data = {"action": action, "_selected_action": [str(report.pk) for report in reports], "index": "0", **extra}
    return client.post(CHANGELIST, data)


def confirm(client, action, reports, **extra):
    """The confirmation page's form, posted as shown (plus `extra`)."""
    page = act(client, action, reports)
    assert page.status_code == 200 and page.templates[0].name == "admin/plans/progressreport/batch_confirm.html"
    data = form_data(page.content.decode())
    data.update(extra)
    return client.post(CHANGELIST, data)


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def offered_actions(client):
    form = client.get(CHANGELIST).context["action_form"]  # None: no actions at all
    return [value for value, _label in form.fields["action"].choices if value] if form else []


def test_each_role_is_offered_its_batch_actions(client, world):
    client.force_login(world["leader"])
    assert offered_actions(client) == ["batch_submit"]
    client.force_login(world["official"])
    assert offered_actions(client) == []
    client.force_login(world["office"])
    assert offered_actions(client) == ["batch_approve", "batch_return"]


def test_leader_submits_a_selection_after_one_confirmation(client, world):
    client.force_login(world["leader"])

    page = act(client, "batch_submit", world["reports"])

    html = page.content.decode()
    assert "确认报送以下报告" in html and "三、(一)1." in html and "三、(一)3." in html
    assert states() == [ReportState.PENDING] * 3  # nothing done before the confirmation
    response = confirm(client, "batch_submit", world["reports"])
    assert response.status_code == 302
    assert states() == [ReportState.SUBMITTED] * 3
    assert "已报送 3 份报告，等待督办审核。" in messages_of(response)


def test_a_selection_with_an_empty_report_shows_why_and_submits_nothing(client, world):
    client.force_login(world["leader"])
    ProgressReport.objects.filter(pk=world["reports"][2].pk).update(progress="")

    page = act(client, "batch_submit", world["reports"])

    html = page.content.decode()
    assert "不能办理的原因" in html and 'value="确认"' not in html
    forced = act(client, "batch_submit", world["reports"], post="yes")  # confirmed all the same
    assert states() == [ReportState.PENDING] * 3
    assert any("三、(一)3." in message and "请先填写本期进展情况" in message for message in messages_of(forced))


def test_a_confirmation_for_reports_changed_meanwhile_is_refused(client, world):
    client.force_login(world["leader"])
    page = act(client, "batch_submit", world["reports"])
    data = form_data(page.content.decode())
    services.report_update(user=world["official"], report=world["reports"][0], progress="改过了")

    response = client.post(CHANGELIST, data)

    assert states() == [ReportState.PENDING] * 3
    assert any("版本已变化" in message for message in messages_of(response))


def test_office_approves_a_selection_after_confirming(client, world):
    services.reports_submit(user=world["leader"], reports=world["reports"])
    client.force_login(world["office"])

    response = confirm(client, "batch_approve", world["reports"])

    assert states() == [ReportState.APPROVED] * 3
    assert "已审核通过 3 份报告。" in messages_of(response)


def test_office_returns_a_selection_only_with_a_comment(client, world):
    services.reports_submit(user=world["leader"], reports=world["reports"])
    client.force_login(world["office"])

    empty = confirm(client, "batch_return", world["reports"], batch_comment=" ")
    assert empty.status_code == 200 and "退回时请填写审核意见" in empty.content.decode()
    assert states() == [ReportState.SUBMITTED] * 3

    response = confirm(client, "batch_return", world["reports"], batch_comment="请补充资金到位情况")
    assert response.status_code == 302
    assert set(ProgressReport.objects.values_list("state", "review_comment")) == {
        (ReportState.RETURNED, "请补充资金到位情况"),
    }


def test_a_unit_posting_the_review_action_changes_nothing(client, world):
    services.reports_submit(user=world["leader"], reports=world["reports"])
    client.force_login(world["leader"])

    act(client, "batch_approve", world["reports"], post="yes")

    assert states() == [ReportState.SUBMITTED] * 3


# --- 撤回报送 on the change form -----------------------------------------------------------
def change_url(report):
    return reverse("admin:plans_progressreport_change", args=[report.pk])


def test_leader_withdraws_from_the_change_form(client, world):
    report = world["reports"][0]
    services.report_submit(user=world["leader"], report=report)
    client.force_login(world["leader"])

    page = client.get(change_url(report))
    assert 'name="_withdraw_report" value="撤回报送"' in page.content.decode()
    data = form_data(page.content.decode())
    data["_withdraw_report"] = "撤回报送"
    response = client.post(change_url(report), data)

    assert response.status_code == 302
    assert ProgressReport.objects.get(pk=report.pk).state == ReportState.PENDING
    assert "已撤回报送，报告回到待填报，可修改后重新报送。" in messages_of(response)


def test_office_opening_a_submitted_report_ends_the_withdrawal(client, world):
    report = world["reports"][0]
    services.report_submit(user=world["leader"], report=report)
    client.force_login(world["leader"])
    leader_page = form_data(client.get(change_url(report)).content.decode())
    version = ProgressReport.objects.get(pk=report.pk).version

    client.force_login(world["office"])
    assert client.get(change_url(report)).status_code == 200

    opened = ProgressReport.objects.get(pk=report.pk)
    assert opened.office_opened_at is not None and opened.version == version
    client.force_login(world["leader"])
    assert "_withdraw_report" not in client.get(change_url(report)).content.decode()
    leader_page["_withdraw_report"] = "撤回报送"
    client.post(change_url(report), leader_page)
    assert ProgressReport.objects.get(pk=report.pk).state == ReportState.SUBMITTED


def test_opening_by_the_unit_or_a_pending_report_marks_nothing(client, world):
    submitted, pending = world["reports"][:2]
    services.report_submit(user=world["leader"], report=submitted)
    for user, report in ((world["leader"], submitted), (world["official"], submitted), (world["office"], pending)):
        client.force_login(user)
        assert client.get(change_url(report)).status_code == 200

    assert not ProgressReport.objects.filter(office_opened_at__isnull=False).exists()


def test_the_list_filters_filled_reports_apart_from_empty_ones(client, world):
    empty = world["reports"][2]
    ProgressReport.objects.filter(pk=empty.pk).update(progress="")
    client.force_login(world["leader"])

    filled = client.get(CHANGELIST, {"filled": "yes"}).context["cl"].queryset
    unfilled = client.get(CHANGELIST, {"filled": "no"}).context["cl"].queryset

    assert sorted(report.pk for report in filled) == [report.pk for report in world["reports"][:2]]
    assert [report.pk for report in unfilled] == [empty.pk]
