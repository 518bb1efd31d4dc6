"""A task's trail (plans.timeline): a whole supervision cycle made through the services reads
back as one chronological list, each entry with its person by name and what came with it."""
import datetime

import pytest

from plans import services
from plans.models import MemberRole, NodeKind, Role, TaskStatus
from plans.timeline import task_timeline
from tests.factories import MembershipFactory, PlanFactory, ReportingPeriodFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def named(user, name):
    services.profile_save(user=user, account=user, name=name)
    return user


@pytest.fixture
def people():
    plan = PlanFactory(period_start=datetime.date(2016, 1, 1), period_end=datetime.date(2016, 12, 31))
    office = named(UserFactory(username="office"), "李娜")
    plan.office_staff.add(office)
    lead = UnitFactory(name="鹤壁市环境保护局", short_name="市环保局")
    official = named(MembershipFactory(unit=lead, role=MemberRole.OFFICIAL).user, "王芳")
    leader = named(MembershipFactory(unit=lead, role=MemberRole.LEADER).user, "张伟")
    return plan, office, lead, official, leader


def full_cycle(plan, office, lead, official, leader, other_unit):
    task = services.node_create(user=office, plan=plan, kind=NodeKind.TASK, title="强化水泥粉磨站治理", label="1.")
    services.assignment_create(user=office, task=task, unit=lead, role=Role.RESPONSIBLE)
    services.assignment_create(user=office, task=task, unit=other_unit, role=Role.SUPPORTING)
    deadline = services.deadline_create(user=office, task=task, text="10月底前", date=datetime.date(2016, 10, 31))
    [ack] = plan.acknowledgements.filter(unit=lead)
    services.acknowledge(user=official, acknowledgement=ack)
    period = ReportingPeriodFactory(plan=plan, label="2016Q3")
    [report] = services.period_open(user=office, period=period)
    services.report_update(user=official, report=report, status=TaskStatus.ON_TRACK, progress="完成8座")
    services.report_submit(user=leader, report=report)
    services.report_return(user=office, report=report, comment="请补充验收数据")
    services.report_update(user=official, report=report, progress="完成8座，已验收6座")
    services.report_submit(user=leader, report=report)
    services.report_approve(user=office, report=report)
    today = datetime.date(2016, 9, 1)
    first = services.extension_request(user=leader, deadline=deadline, requested_date=datetime.date(2016, 12, 31),
                                       reason="设备到货延迟", today=today)
    services.extension_reject(user=office, request=first, comment="理由不充分")
    second = services.extension_request(user=leader, deadline=deadline, requested_date=datetime.date(2016, 11, 30),
                                        reason="设备到货延迟一个月", today=today)
    services.extension_approve(user=office, request=second)
    claim = services.completion_claim(user=leader, task=task, summary="全部完成并验收")
    services.claim_return(user=office, claim=claim, comment="缺验收报告")
    claim = services.completion_claim(user=leader, task=task, summary="全部完成，附验收报告")
    services.claim_accept(user=office, claim=claim)
    services.task_close(user=office, task=task)
    services.task_reopen(user=office, task=task, reason="群众反映仍有扬尘")
    return task


def test_a_full_cycle_reads_back_in_order_with_people_and_reasons(people):
    plan, office, lead, official, leader = people
    other = UnitFactory(name="鹤壁市住房和城乡建设局", short_name="市住建局")
    task = full_cycle(plan, office, lead, official, leader, other)

    events = task_timeline(task)

    assert [event.kind for event in events] == [
        "assigned", "unit_assigned", "unit_assigned", "acknowledged",
        "report_submitted", "report_returned", "report_submitted", "report_approved",
        "extension_requested", "extension_rejected", "extension_requested", "extension_approved",
        "claim_filed", "claim_returned", "claim_filed", "claim_accepted",
        "closed", "reopened",
    ]
    assert [event.at for event in events] == sorted(event.at for event in events)
    by_kind = {}
    for event in events:
        by_kind.setdefault(event.kind, []).append(event)
    office_name, leader_name = "李娜", "张伟（市环保局）"
    assert by_kind["assigned"][0].person == office_name
    assert "强化水泥粉磨站治理" in by_kind["assigned"][0].what
    assert [e.what for e in by_kind["unit_assigned"]] == ["交办给 市环保局（责任单位）", "交办给 市住建局（配合单位）"]
    assert by_kind["acknowledged"][0].person == "王芳（市环保局）"
    assert by_kind["acknowledged"][0].what == "市环保局 签收交办任务"
    assert [e.person for e in by_kind["report_submitted"]] == [leader_name, leader_name]
    assert by_kind["report_returned"][0].person == office_name
    assert by_kind["report_returned"][0].detail == "请补充验收数据"
    assert by_kind["report_approved"][0].what == "审核通过进展报告（2016Q3，市环保局）"
    assert [e.detail for e in by_kind["extension_requested"]] == ["设备到货延迟", "设备到货延迟一个月"]
    assert by_kind["extension_requested"][1].what == "市环保局 申请延期：2016-10-31 → 2016-11-30"
    assert by_kind["extension_rejected"][0].detail == "理由不充分"
    assert by_kind["extension_approved"][0].what == "批准延期：2016-10-31 → 2016-11-30"
    assert [e.detail for e in by_kind["claim_filed"]] == ["全部完成并验收", "全部完成，附验收报告"]
    assert by_kind["claim_returned"][0].detail == "缺验收报告"
    assert by_kind["closed"][0].person == office_name
    assert by_kind["reopened"][0].detail == "群众反映仍有扬尘"
    assert all(len(event.time) == 16 for event in events)


def test_withdrawal_and_a_claim_from_an_approved_completed_report(people):
    plan, office, lead, official, leader = people
    task = services.node_create(user=office, plan=plan, kind=NodeKind.TASK, title="推进燃煤锅炉拆改", label="2.")
    services.assignment_create(user=office, task=task, unit=lead, role=Role.RESPONSIBLE)
    period = ReportingPeriodFactory(plan=plan, label="2016Q4", is_open=False)
    [report] = services.period_open(user=office, period=period)
    services.report_update(user=official, report=report, status=TaskStatus.COMPLETED, percent=100, progress="全部完成")
    services.report_submit(user=leader, report=report)
    services.report_withdraw(user=leader, report=report)
    services.report_submit(user=leader, report=report)
    services.report_approve(user=office, report=report)

    kinds = [event.kind for event in task_timeline(task)]

    assert kinds == [
        "assigned", "unit_assigned", "report_submitted", "report_withdrawn", "report_submitted", "report_approved",
        "claim_filed",
    ]
    assert "acknowledged" not in kinds  # assigned but not signed yet: no 签收 entry


def test_another_tasks_steps_are_not_in_the_trail(people):
    plan, office, lead, official, leader = people
    mine = services.node_create(user=office, plan=plan, kind=NodeKind.TASK, title="任务甲", label="1.")
    theirs = services.node_create(user=office, plan=plan, kind=NodeKind.TASK, title="任务乙", label="2.")
    services.assignment_create(user=office, task=theirs, unit=lead, role=Role.RESPONSIBLE)
    services.completion_claim(user=leader, task=theirs, summary="完成")

    assert [event.kind for event in task_timeline(mine)] == ["assigned"]
