"""Withdrawing a submitted report until the office opened it, marking it opened, and the
batch steps (submit, approve, return several reports at once), all or nothing."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from plans import services
from plans.models import MemberRole, ProgressReport, ReportState, Role, TaskStatus
from plans.permissions import can_withdraw_report
from tests.factories import (
    AssignmentFactory,
    MembershipFactory,
    PlanFactory,
    ReportingPeriodFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)


@pytest.fixture
def world(db):
    plan = PlanFactory()
    office = UserFactory(username="office")
    plan.office_staff.add(office)
    unit = UnitFactory(short_name="市环保局")
    leader = MembershipFactory(unit=unit, role=MemberRole.LEADER).user
    official = MembershipFactory(unit=unit, role=MemberRole.OFFICIAL).user
    period = ReportingPeriodFactory(plan=plan, label="2016Q3", is_open=True)
    tasks = []
    for number in range(3):
        task = TaskFactory(plan=plan, path=f"三、(一){number + 1}.")
        AssignmentFactory(task=task, unit=unit, role=Role.RESPONSIBLE)
        tasks.append(task)
    reports = services.period_open(user=office, period=period)
    for report in reports:
        services.report_update(user=official, report=report, progress="已完成", status=TaskStatus.ON_TRACK)
    reports = list(ProgressReport.objects.filter(period=period).order_by("pk"))
    return {"plan": plan, "office": office, "unit": unit, "leader": leader, "official": official,
            "period": period, "reports": reports}


def fresh(report):
    return ProgressReport.objects.get(pk=report.pk)


def submitted(world, report):
    services.report_submit(user=world["leader"], report=report)
    return fresh(report)


# --- withdraw -----------------------------------------------------------------------------
def test_leader_withdraws_a_submitted_report_back_to_pending_keeping_its_content(world):
    report = submitted(world, world["reports"][0])
    assert can_withdraw_report(world["leader"], report) == ""

    services.report_withdraw(user=world["leader"], report=report, expected_version=report.version)

    report = fresh(report)
    assert (report.state, report.progress, report.submitted_by, report.submitted_at) == (
        ReportState.PENDING, "已完成", None, None,
    )
    last = report.history.first()
    assert (last.history_user, last.history_change_reason) == (world["leader"], "撤回报送")
    services.report_update(user=world["official"], report=report, progress="已完成，补充数据")  # editable again


def test_withdraw_is_refused_once_the_office_opened_the_report(world):
    report = submitted(world, world["reports"][0])
    assert services.report_mark_opened(user=world["office"], report=report) is True

    report = fresh(report)
    assert report.office_opened_at is not None
    assert can_withdraw_report(world["leader"], report) == "督办已查阅该报告，不能撤回"
    with pytest.raises(PermissionDenied, match="督办已查阅"):
        services.report_withdraw(user=world["leader"], report=report)
    assert fresh(report).state == ReportState.SUBMITTED


@pytest.mark.parametrize("who, reason", [
    ("official", "只有单位负责人才能撤回报送"),
    ("office", "只能撤回本单位的报告"),
    ("other_leader", "只能撤回本单位的报告"),
])
def test_only_the_units_leader_withdraws(world, who, reason):
    report = submitted(world, world["reports"][0])
    users = {"official": world["official"], "office": world["office"],
             "other_leader": MembershipFactory(role=MemberRole.LEADER).user}

    assert reason in can_withdraw_report(users[who], report)
    with pytest.raises(PermissionDenied):
        services.report_withdraw(user=users[who], report=report)
    assert fresh(report).state == ReportState.SUBMITTED


def test_withdraw_needs_a_submitted_report_in_an_open_period(world):
    pending = world["reports"][1]
    assert "只能撤回已报送" in can_withdraw_report(world["leader"], pending)
    report = submitted(world, world["reports"][0])
    world["period"].is_open = False
    world["period"].save()
    report = fresh(report)

    assert "未开放填报" in can_withdraw_report(world["leader"], report)
    with pytest.raises(PermissionDenied):
        services.report_withdraw(user=world["leader"], report=report)


def test_withdraw_from_a_stale_copy_is_refused(world):
    report = submitted(world, world["reports"][0])
    with pytest.raises(services.StaleVersion):
        services.report_withdraw(user=world["leader"], report=report, expected_version=report.version - 1)


# --- marking opened -------------------------------------------------------------------------
def test_marking_opened_keeps_the_version_and_is_set_once(world):
    report = submitted(world, world["reports"][0])

    assert services.report_mark_opened(user=world["office"], report=report) is True
    first = fresh(report)
    assert first.version == report.version  # open forms of the report stay valid
    assert services.report_mark_opened(user=world["office"], report=fresh(report)) is False
    assert fresh(report).office_opened_at == first.office_opened_at
    services.report_approve(user=world["office"], report=first, expected_version=report.version)


def test_only_office_staff_opening_a_submitted_report_mark_it(world):
    report = submitted(world, world["reports"][0])
    other_office = UserFactory()
    PlanFactory().office_staff.add(other_office)

    for user in (world["leader"], world["official"], other_office):
        assert services.report_mark_opened(user=user, report=report) is False
    assert services.report_mark_opened(user=world["office"], report=world["reports"][1]) is False  # pending
    assert not ProgressReport.objects.filter(office_opened_at__isnull=False).exists()


def test_a_new_submission_is_unopened_again(world):
    report = submitted(world, world["reports"][0])
    services.report_mark_opened(user=world["office"], report=report)
    services.report_return(user=world["office"], report=fresh(report), comment="请补充")

    report = submitted(world, report)

    assert report.office_opened_at is None
    assert can_withdraw_report(world["leader"], report) == ""


# --- batches --------------------------------------------------------------------------------
def test_leader_submits_several_reports_at_once(world):
    versions = {report.pk: report.version for report in world["reports"]}

    done = services.reports_submit(user=world["leader"], reports=world["reports"], expected_versions=versions)

    assert len(done) == 3
    assert set(ProgressReport.objects.values_list("state", flat=True)) == {ReportState.SUBMITTED}


def test_a_batch_with_one_refused_report_changes_nothing_and_names_it(world):
    empty = world["reports"][2]
    ProgressReport.objects.filter(pk=empty.pk).update(progress="")
    before = list(ProgressReport.objects.order_by("pk").values_list("state", "version"))

    with pytest.raises(ValidationError) as refusal:
        services.reports_submit(user=world["leader"], reports=world["reports"])

    message = " ".join(refusal.value.messages)
    assert "任务 三、(一)3. · 市环保局 · 2016Q3" in message and "请先填写本期进展情况" in message
    assert list(ProgressReport.objects.order_by("pk").values_list("state", "version")) == before


def test_a_batch_submitted_by_an_official_is_refused_whole(world):
    with pytest.raises(PermissionDenied, match="只有单位负责人才能报送"):
        services.reports_submit(user=world["official"], reports=world["reports"])
    assert set(ProgressReport.objects.values_list("state", flat=True)) == {ReportState.PENDING}


def test_a_batch_confirmed_from_an_older_copy_is_refused(world):
    versions = {report.pk: report.version for report in world["reports"]}
    services.report_update(user=world["official"], report=world["reports"][1], progress="又改了")

    with pytest.raises(ValidationError, match="三、\\(一\\)2.*版本已变化"):
        services.reports_submit(user=world["leader"], reports=world["reports"], expected_versions=versions)
    assert set(ProgressReport.objects.values_list("state", flat=True)) == {ReportState.PENDING}


def test_office_approves_several_and_each_task_takes_its_status(world):
    services.reports_submit(user=world["leader"], reports=world["reports"])

    services.reports_approve(user=world["office"], reports=world["reports"])

    assert set(ProgressReport.objects.values_list("state", flat=True)) == {ReportState.APPROVED}
    assert {report.task.status for report in ProgressReport.objects.select_related("task")} == {TaskStatus.ON_TRACK}


def test_approving_a_selection_with_one_not_submitted_changes_nothing(world):
    services.reports_submit(user=world["leader"], reports=world["reports"][:2])

    with pytest.raises(PermissionDenied, match="三、\\(一\\)3.*只能审核已报送的报告"):
        services.reports_approve(user=world["office"], reports=world["reports"])
    assert list(ProgressReport.objects.order_by("pk").values_list("state", flat=True)) == [
        ReportState.SUBMITTED, ReportState.SUBMITTED, ReportState.PENDING,
    ]


def test_office_returns_several_with_one_comment(world):
    services.reports_submit(user=world["leader"], reports=world["reports"])

    services.reports_return(user=world["office"], reports=world["reports"], comment="请补充资金到位情况")

    assert set(ProgressReport.objects.values_list("state", "review_comment")) == {
        (ReportState.RETURNED, "请补充资金到位情况"),
    }


def test_returning_without_a_comment_changes_nothing(world):
    services.reports_submit(user=world["leader"], reports=world["reports"])

    with pytest.raises(ValidationError, match="退回时请填写审核意见"):
        services.reports_return(user=world["office"], reports=world["reports"], comment="  ")
    assert set(ProgressReport.objects.values_list("state", flat=True)) == {ReportState.SUBMITTED}


def test_a_unit_cannot_review_a_batch(world):
    services.reports_submit(user=world["leader"], reports=world["reports"])

    with pytest.raises(PermissionDenied, match="只有督办人员才能审核"):
        services.reports_approve(user=world["leader"], reports=world["reports"])
    assert set(ProgressReport.objects.values_list("state", flat=True)) == {ReportState.SUBMITTED}


def test_an_empty_selection_is_refused(world):
    with pytest.raises(ValidationError, match="请至少选择一份报告"):
        services.reports_submit(user=world["leader"], reports=[])
