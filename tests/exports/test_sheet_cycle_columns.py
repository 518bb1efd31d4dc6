"""The supervision cycle on the progress sheet: 完成时限 moved by an approved 延期申请 shows its
first date and how often it moved; 办结 shows a task past 办理中; 签收 shows the row unit's
(of the period, else of the plan's assignments); 责任人 the lead unit's named 责任领导 and
联系人. They are read in the sheet's streams (the query count does not grow with tasks), are
protected by the row key's digest, and a returned sheet is read back as before — also when
the unit 签收s or the office closes a task after the export."""
from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from plans import services
from plans.exports import layout
from plans.models import Acknowledgement, Assignment, Closure, Deadline, ProgressReport, Role, SheetImportState, Task
from tests.exports.conftest import TODAY, cell, column_of, filled, key_of, load, plan_bytes, unit_bytes
from tests.factories import AssignmentFactory, DeadlineFactory, MembershipFactory, TaskFactory, UnitFactory, UserFactory


def _lead(task) -> Assignment:
    return Assignment.objects.get(task=task, is_lead=True)


def _extend(w, requested: datetime.date, *, approve: bool):
    deadline = Deadline.objects.get(task=w.t1, kind="due")
    request = services.extension_request(
        user=w.users["leader_A"], deadline=deadline, requested_date=requested, reason="资金到位晚", today=TODAY,
    )
    if approve:
        services.extension_approve(user=w.users["office"], request=request)
    else:
        services.extension_reject(user=w.users["office"], request=request, comment="理由不充分")


def _upload(w, user: str, data: bytes):
    return services.sheet_upload(user=w.users[user], period=w.period, file_name="填报.xlsx", data=data)


# --- 完成时限 ----------------------------------------------------------------------------------
def test_an_approved_extension_shows_the_new_date_with_the_first_one_and_the_count(sheet_world):
    w = sheet_world
    assert cell(load(plan_bytes(w)).worksheets[0], key_of(w, w.t1, "A"), "完成时限").value == datetime.datetime(
        2016, 10, 31
    )  # a date cell while it has not moved

    _extend(w, datetime.date(2016, 11, 30), approve=True)
    _extend(w, datetime.date(2016, 12, 31), approve=True)

    sheet = load(plan_bytes(w)).worksheets[0]
    assert cell(sheet, key_of(w, w.t1, "A"), "完成时限").value == "2016-12-31（原定 2016-10-31，延期2次）"
    assert cell(load(unit_bytes(w, "A")).worksheets[0], key_of(w, w.t1, "A"), "完成时限").value == (
        "2016-12-31（原定 2016-10-31，延期2次）"
    )
    assert cell(sheet, key_of(w, w.t2, "B"), "完成时限").value == "长期坚持"  # words, no date


def test_a_rejected_or_pending_extension_leaves_the_deadline_as_it_was(sheet_world):
    w = sheet_world
    _extend(w, datetime.date(2016, 11, 30), approve=False)
    services.extension_request(
        user=w.users["leader_A"], deadline=Deadline.objects.get(task=w.t1), requested_date=datetime.date(2016, 12, 15),
        reason="再申请", today=TODAY,
    )

    value = cell(load(plan_bytes(w)).worksheets[0], key_of(w, w.t1, "A"), "完成时限").value

    assert value == datetime.datetime(2016, 10, 31)


# --- 办结 --------------------------------------------------------------------------------------
def test_办结_shows_a_task_past_办理中_and_is_empty_while_it_is_办理中(sheet_world):
    w = sheet_world
    office, leader = w.users["office"], w.users["leader_A"]
    assert cell(load(plan_bytes(w)).worksheets[0], key_of(w, w.t1, "A"), "办结").value is None

    claim = services.completion_claim(user=leader, task=w.t1, summary="已全部完成")
    shown = [cell(load(plan_bytes(w)).worksheets[0], key_of(w, w.t1, "A"), "办结").value]
    services.claim_accept(user=office, claim=claim)
    shown.append(cell(load(plan_bytes(w)).worksheets[0], key_of(w, w.t1, "A"), "办结").value)
    services.task_close(user=office, task=Task.objects.get(pk=w.t1.pk))
    sheet = load(plan_bytes(w)).worksheets[0]
    shown.append(cell(sheet, key_of(w, w.t1, "A"), "办结").value)

    assert shown == ["办结申请中", "已办结", "已销号"]
    assert cell(sheet, key_of(w, w.t2, "B"), "办结").value is None  # the other task is 办理中


# --- 签收 --------------------------------------------------------------------------------------
def test_签收_shows_each_row_unit_signed_with_its_date_waiting_or_late(sheet_world):
    w = sheet_world
    signed = Acknowledgement.objects.get(period=w.period, unit=w.units["A"])
    services.acknowledge(user=w.users["official_A"], acknowledgement=signed)
    Acknowledgement.objects.filter(period=w.period, unit=w.units["M1"]).update(due_on=TODAY - datetime.timedelta(days=1))
    Acknowledgement.objects.filter(period=w.period, unit=w.units["M2"]).update(due_on=TODAY)

    sheet = load(plan_bytes(w)).worksheets[0]

    assert cell(sheet, key_of(w, w.t1, "A"), "签收").value == f"已签收\n{timezone.localdate().isoformat()}"
    assert cell(sheet, key_of(w, w.t1, "M1"), "签收").value == "未签收\n（超时）"
    assert cell(sheet, key_of(w, w.t1, "M2"), "签收").value == "未签收"  # due today: not late yet


def test_签收_of_the_plan_shows_when_the_unit_has_none_for_the_period_and_none_shows_nothing(sheet_world):
    w = sheet_world
    Acknowledgement.objects.filter(period=w.period, unit__in=[w.units["A"], w.units["B"]]).delete()
    Acknowledgement.objects.create(
        plan=w.plan, unit=w.units["B"], due_on=datetime.date(2016, 7, 10),
        acknowledged_at=timezone.make_aware(datetime.datetime(2016, 7, 8, 10)), acknowledged_by=w.users["official_B"],
    )

    sheet = load(plan_bytes(w)).worksheets[0]
    unit_sheet = load(unit_bytes(w, "B")).worksheets[0]

    assert cell(sheet, key_of(w, w.t2, "B"), "签收").value == "已签收\n2016-07-08"
    assert cell(unit_sheet, key_of(w, w.t2, "B"), "签收").value == "已签收\n2016-07-08"
    assert cell(sheet, key_of(w, w.t1, "A"), "签收").value is None


# --- 责任人 ------------------------------------------------------------------------------------
def test_责任人_names_the_lead_units_leader_and_contact_with_their_phones(sheet_world):
    w = sheet_world
    services.profile_save(user=w.users["leader_A"], account=w.users["leader_A"], name="张伟", phone="0392-3301234")
    services.assignment_person_save(user=w.users["official_A"], assignment=_lead(w.t1), kind="leader",
                                    account=w.users["leader_A"])
    services.assignment_person_save(user=w.users["official_A"], assignment=_lead(w.t1), kind="contact",
                                    name="李娜", phone="13800001234")
    # a person named for a unit that does not lead the task is not the task's 责任人
    services.assignment_person_save(user=w.users["office"], assignment=Assignment.objects.get(
        task=w.t1, unit=w.units["C"]), kind="contact", name="王强")

    sheet = load(plan_bytes(w)).worksheets[0]

    assert cell(sheet, key_of(w, w.t1, "A"), "责任人").value == "责任领导：张伟 0392-3301234\n联系人：李娜 13800001234"
    assert cell(sheet, key_of(w, w.t2, "B"), "责任人").value is None


# --- speed and reading back -------------------------------------------------------------------
def _queries(w) -> int:
    with CaptureQueriesContext(connection) as queries:
        plan_bytes(w)
    return len(queries)


def test_the_new_columns_cost_no_query_per_task(sheet_world):
    w = sheet_world
    before = _queries(w)
    for n in range(4):
        task = TaskFactory(plan=w.plan, path=f"一、(一){n + 3}.", title=f"任务{n}", position=10 + n)
        unit = UnitFactory(name=f"鹤壁市新单位{n}")
        assignment = AssignmentFactory(task=task, unit=unit, role=Role.RESPONSIBLE)
        account = MembershipFactory(user=UserFactory(username=f"lead_{n}"), unit=unit).user
        services.assignment_person_save(user=w.users["office"], assignment=assignment, kind="leader", account=account)
        services.assignment_person_save(user=w.users["office"], assignment=assignment, kind="contact", name=f"联系人{n}")
        deadline = DeadlineFactory(task=task, date=datetime.date(2016, 12, 31))
        Deadline.objects.filter(pk=deadline.pk).update(original_date=datetime.date(2016, 10, 31), extensions=1)
        Task.objects.filter(pk=task.pk).update(closure=Closure.DONE)
        ProgressReport.objects.create(task=task, unit=unit, period=w.period)
        Acknowledgement.objects.create(plan=w.plan, period=w.period, unit=unit, due_on=TODAY)

    after = _queries(w)

    assert after == before
    sheet = load(plan_bytes(w)).worksheets[0]
    column = column_of(sheet, "办结")
    values = [sheet.cell(row, column).value for row in range(layout.FIRST_DATA_ROW, sheet.max_row + 1)]
    assert values.count("已办结") == 4


def test_a_filled_sheet_is_read_back_with_the_new_columns_even_after_签收_and_办结_moved_on(sheet_world):
    w = sheet_world
    services.assignment_person_save(user=w.users["official_B"], assignment=_lead(w.t2), kind="contact", name="赵敏")
    data = filled(unit_bytes(w, "B"), {(key_of(w, w.t2, "B"), "本期进展情况"): "已淘汰黄标车1200辆。"})
    sheet = load(data).worksheets[0]
    assert cell(sheet, key_of(w, w.t2, "B"), "签收").value == "未签收"
    assert cell(sheet, key_of(w, w.t2, "B"), "责任人").value == "联系人：赵敏"
    # after the export the unit 签收s and the lead claims 办结: the sheet says what was true then
    services.acknowledge(
        user=w.users["official_B"], acknowledgement=Acknowledgement.objects.get(period=w.period, unit=w.units["B"]),
    )
    services.completion_claim(user=w.users["leader_B"], task=w.t2, summary="已全部淘汰")

    upload = _upload(w, "official_B", data)

    assert upload.problems == []
    assert [change["fields"] for change in upload.changes] == [{"progress": ["", "已淘汰黄标车1200辆。"]}]


def test_an_edit_to_签收_or_责任人_is_refused_naming_the_column(sheet_world):
    w = sheet_world
    key = key_of(w, w.t2, "B")
    data = filled(unit_bytes(w, "B"), {(key, "签收"): "已签收\n2016-07-01", (key, "责任人"): "联系人：冒名"})

    upload = _upload(w, "official_B", data)

    assert upload.state == SheetImportState.REFUSED
    assert sorted(problem["header"] for problem in upload.problems) == ["签收", "责任人"]
    assert all(problem["message"].startswith("此列由系统生成，不能修改") for problem in upload.problems)
