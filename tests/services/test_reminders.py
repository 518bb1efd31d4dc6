"""send_reminders (催报): which reports and tasks remind their units on which day, one e-mail
per unit × rule × day, dry run, failures and the query budget."""
import datetime
import smtplib
from io import StringIO

import pytest
from django.core.mail import EmailMessage
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from plans.models import DeadlineKind, Reminder, ReminderRule, ReportState, Role, Task, TaskStatus, UnitKind
from plans.reminders import report_rule, task_rule
from plans.services.reminders import reminders_send
from tests.factories import (
    AccountFactory,
    AssignmentFactory,
    DeadlineFactory,
    OpenPeriodFactory,
    PlanFactory,
    ProgressReportFactory,
    ReminderFactory,
    TaskFactory,
    UnitFactory,
)

DUE = datetime.date(2016, 9, 23)  # 2016Q3 reports, due by the 23rd of the quarter's last month
TASK_DUE = datetime.date(2016, 10, 31)  # 10月底前
PLAN_TITLE = "鹤壁市2016年度蓝天工程实施方案"
pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


@pytest.fixture
def plan():
    return PlanFactory(title=PLAN_TITLE, period_start=datetime.date(2016, 1, 1))


@pytest.fixture
def unit():
    unit = UnitFactory(name="鹤壁市发展和改革委员会", short_name="市发改委")
    AccountFactory(unit=unit, user__email="fgw@hebi.gov.cn")
    return unit


@pytest.fixture
def period(plan):
    return OpenPeriodFactory(plan=plan, label="2016Q3", due_date=DUE)


def report(period, unit, number=1, **values):
    task = TaskFactory(plan=period.plan, path=f"三、(一){number}.", title=f"大力推广实施清洁能源{number}")
    return ProgressReportFactory(task=task, unit=unit, period=period, **values)


def task_for(unit, plan, due=TASK_DUE, role=Role.RESPONSIBLE, **values):
    """A task with a 完成时限 and the unit in the given role; span 2016-01-01 … due."""
    task = TaskFactory(plan=plan, path="三、(二)1.", title="强化散煤管控", **values)
    AssignmentFactory(task=task, unit=unit, role=role)
    DeadlineFactory(task=task, kind=DeadlineKind.DUE, date=due)
    return task


def run(*args) -> str:
    out = StringIO()
    call_command("send_reminders", *args, stdout=out, stderr=out)
    return out.getvalue()


def send(today):
    return reminders_send(today=today)


# --- reports ------------------------------------------------------------------------------
@pytest.mark.parametrize("ahead, rule", [
    (7, ReminderRule.REPORT_DUE_7), (3, ReminderRule.REPORT_DUE_3), (1, ReminderRule.REPORT_DUE_1),
])
def test_pending_report_reminds_its_unit_7_3_and_1_days_before_due(period, unit, mailoutbox, ahead, rule):
    report(period, unit)
    send(DUE - days(ahead))
    assert [mail.subject for mail in mailoutbox] == [f"【催报】{PLAN_TITLE}：1项进展报告将于{ahead}天后到期"]
    assert mailoutbox[0].to == ["fgw@hebi.gov.cn"]
    assert list(Reminder.objects.values_list("unit", "rule", "sent_on")) == [(unit.pk, rule, DUE - days(ahead))]


@pytest.mark.parametrize("ahead", [30, 8, 6, 5, 4, 2, 0])
def test_pending_report_does_not_remind_on_other_days_before_due(period, unit, mailoutbox, ahead):
    report(period, unit)
    send(DUE - days(ahead))
    assert mailoutbox == []
    assert not Reminder.objects.exists()


@pytest.mark.parametrize("late", [1, 2, 10])
def test_late_report_reminds_every_day_after_due(period, unit, mailoutbox, late):
    report(period, unit)
    send(DUE + days(late))
    assert [mail.subject for mail in mailoutbox] == [f"【催报】{PLAN_TITLE}：1项进展报告逾期未报"]
    assert Reminder.objects.get().rule == ReminderRule.REPORT_LATE


def test_returned_report_reminds_like_a_pending_one(period, unit, mailoutbox):
    report(period, unit, state=ReportState.RETURNED)
    send(DUE - days(3))
    assert Reminder.objects.get().rule == ReminderRule.REPORT_DUE_3


@pytest.mark.parametrize("state", [ReportState.SUBMITTED, ReportState.APPROVED])
@pytest.mark.parametrize("today", [DUE - days(7), DUE - days(1), DUE + days(1)])
def test_submitted_and_approved_reports_never_remind(period, unit, mailoutbox, state, today):
    report(period, unit, state=state)
    send(today)
    assert mailoutbox == []


@pytest.mark.parametrize("today", [DUE - days(7), DUE - days(3), DUE - days(1), DUE + days(1)])
def test_reports_of_closed_periods_never_remind(period, unit, mailoutbox, today):
    period.is_open = False
    period.save()
    report(period, unit)
    send(today)
    assert mailoutbox == []


def test_reports_of_retired_tasks_never_remind(period, unit, mailoutbox):
    Task.objects.filter(pk=report(period, unit).task_id).update(is_active=False)
    send(DUE + days(1))
    assert mailoutbox == []


# --- tasks --------------------------------------------------------------------------------
def test_task_reminds_responsible_unit_on_the_day_it_becomes_due_soon(plan, unit, mailoutbox):
    task_for(unit, plan, due=datetime.date(2016, 12, 31))  # span 365 days: due soon from 54 days left (15 %)
    send(datetime.date(2016, 11, 7))
    assert [mail.subject for mail in mailoutbox] == [f"【催报】{PLAN_TITLE}：1项任务临近完成时限"]
    assert Reminder.objects.get().rule == ReminderRule.TASK_DUE_SOON


@pytest.mark.parametrize("ahead", [7, 3, 1])
def test_task_due_soon_reminds_again_7_3_and_1_days_ahead(plan, unit, mailoutbox, ahead):
    task_for(unit, plan)
    send(TASK_DUE - days(ahead))
    assert Reminder.objects.get().rule == ReminderRule.TASK_DUE_SOON


@pytest.mark.parametrize("ahead", [60, 46, 20, 6, 2, 0])
def test_task_due_soon_does_not_remind_on_other_days(plan, unit, mailoutbox, ahead):
    task_for(unit, plan)  # span 2016-01-01 … 10-31 (304 days): due soon from 45 days left
    send(TASK_DUE - days(ahead))
    assert mailoutbox == []


@pytest.mark.parametrize("late", [1, 2, 30])
def test_overdue_task_reminds_every_day(plan, unit, mailoutbox, late):
    task_for(unit, plan)
    send(TASK_DUE + days(late))
    assert [mail.subject for mail in mailoutbox] == [f"【催报】{PLAN_TITLE}：1项任务超期未完成"]
    assert Reminder.objects.get().rule == ReminderRule.TASK_OVERDUE


@pytest.mark.parametrize("end_field", ["period_end", "valid_until"])
def test_overdue_tasks_of_a_plan_that_has_ended_are_not_chased(plan, unit, mailoutbox, end_field):
    """A plan whose 实施期 (or 有效期) is over is a record: its overdue tasks stop reminding
    from the day after it ends; up to that day they still remind."""
    setattr(plan, end_field, datetime.date(2016, 12, 31))
    plan.save()
    task_for(unit, plan)

    send(datetime.date(2016, 12, 31))
    send(datetime.date(2017, 1, 1))
    send(datetime.date(2026, 12, 6))

    assert [mail.subject for mail in mailoutbox] == [f"【催报】{PLAN_TITLE}：1项任务超期未完成"]


@pytest.mark.parametrize("today", [TASK_DUE - days(7), TASK_DUE + days(1)])
def test_completed_task_never_reminds(plan, unit, mailoutbox, today):
    task_for(unit, plan, status=TaskStatus.COMPLETED, completed_at=timezone.now())
    send(today)
    assert mailoutbox == []


@pytest.mark.parametrize("role", [Role.SUPPORTING, Role.IMPLEMENTING])
def test_task_deadlines_do_not_remind_units_without_a_responsible_role(plan, unit, mailoutbox, role):
    task_for(unit, plan, role=role)
    send(TASK_DUE + days(1))
    assert mailoutbox == []


def test_task_of_a_collective_unit_reminds_each_member(plan, mailoutbox):
    counties = UnitFactory(name="各县区政府(管委)", kind=UnitKind.COLLECTIVE)
    for name in ("浚县人民政府", "淇县人民政府"):
        member = UnitFactory(name=name)
        counties.members.add(member)
        AccountFactory(unit=member)
    task_for(counties, plan)
    send(TASK_DUE + days(1))
    assert sorted(Reminder.objects.values_list("unit__name", flat=True)) == ["浚县人民政府", "淇县人民政府"]


# --- one e-mail per unit, rule and day ----------------------------------------------------
def test_running_twice_the_same_day_sends_nothing_new(period, unit, mailoutbox):
    report(period, unit)
    send(DUE + days(1))
    summary = send(DUE + days(1))
    assert len(mailoutbox) == 1
    assert Reminder.objects.count() == 1
    assert sum(summary.sent.values()) == 0


def test_next_day_sends_the_daily_reminders_again(period, plan, unit, mailoutbox):
    report(period, unit)
    task_for(unit, plan, due=DUE - days(5))
    send(DUE + days(1))
    send(DUE + days(2))
    assert sorted(Reminder.objects.values_list("sent_on", "rule")) == [
        (DUE + days(1), ReminderRule.REPORT_LATE), (DUE + days(1), ReminderRule.TASK_OVERDUE),
        (DUE + days(2), ReminderRule.REPORT_LATE), (DUE + days(2), ReminderRule.TASK_OVERDUE),
    ]
    assert len(mailoutbox) == 4


def test_a_reminder_already_recorded_today_is_not_sent_again(period, unit, mailoutbox):
    report(period, unit)
    ReminderFactory(unit=unit, rule=ReminderRule.REPORT_LATE, sent_on=DUE + days(1))
    send(DUE + days(1))
    assert mailoutbox == []


def test_one_mail_per_unit_and_rule_lists_every_item(period, unit, mailoutbox):
    for number in (1, 2, 3):
        report(period, unit, number)
    send(DUE - days(3))
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.subject == f"【催报】{PLAN_TITLE}：3项进展报告将于3天后到期"
    for number in (1, 2, 3):
        assert f"{number}. 三、(一){number}. 大力推广实施清洁能源{number}\n" in mail.body


def test_mail_body_names_unit_plan_period_due_date_and_days_left(period, unit, mailoutbox):
    report(period, unit)
    send(DUE - days(3))
    body = mailoutbox[0].body
    assert body.startswith("鹤壁市发展和改革委员会：\n")
    assert "1. 三、(一)1. 大力推广实施清洁能源1\n" in body
    assert f"   所属方案：{PLAN_TITLE}\n" in body
    assert "   报送周期：2016Q3　报送截止日：2016年9月23日　还有3天\n" in body
    assert body == Reminder.objects.get().body


def test_overdue_task_mail_says_how_many_days_late(plan, unit, mailoutbox):
    task_for(unit, plan)
    send(TASK_DUE + days(4))
    assert "   完成时限：2016年10月31日　已逾期4天\n" in mailoutbox[0].body


def test_each_unit_gets_its_own_mail(period, unit, mailoutbox):
    other = UnitFactory(name="鹤壁市环境保护局")
    AccountFactory(unit=other, user__email="hbj@hebi.gov.cn")
    report(period, unit, 1)
    report(period, other, 2)
    send(DUE - days(1))
    assert sorted(mail.to[0] for mail in mailoutbox) == ["fgw@hebi.gov.cn", "hbj@hebi.gov.cn"]


def test_mail_goes_to_every_active_account_of_the_unit_from_the_default_sender(period, unit, mailoutbox, settings):
    AccountFactory(unit=unit, user__email="leader@hebi.gov.cn")
    AccountFactory(unit=unit, user__email="gone@hebi.gov.cn", user__is_active=False)
    AccountFactory(unit=unit, user__email="")
    report(period, unit)
    send(DUE - days(1))
    assert mailoutbox[0].to == ["fgw@hebi.gov.cn", "leader@hebi.gov.cn"]
    assert mailoutbox[0].from_email == settings.DEFAULT_FROM_EMAIL
    assert Reminder.objects.get().recipients == "fgw@hebi.gov.cn\nleader@hebi.gov.cn"


def test_unit_without_an_address_is_skipped_and_reported(period, unit, mailoutbox):
    silent = UnitFactory(name="鹤壁市财政局")
    AccountFactory(unit=silent, user__email="")
    report(period, unit, 1)
    report(period, silent, 2)
    output = run("--today", str(DUE + days(1)))
    assert [mail.to for mail in mailoutbox] == [["fgw@hebi.gov.cn"]]
    assert list(Reminder.objects.values_list("unit__name", flat=True)) == ["鹤壁市发展和改革委员会"]
    assert "无邮箱地址、未能提醒的单位 1 个：鹤壁市财政局" in output


def test_summary_counts_mails_per_rule(period, plan, unit, mailoutbox):
    report(period, unit)
    task_for(unit, plan, due=DUE)
    output = run("--today", str(DUE + days(1)))
    assert output.splitlines() == [
        "2016-09-24 催报邮件 2 封。",
        "  报告逾期未报: 1",
        "  任务超期未完成: 1",
    ]


# --- dry run, failures, bad input ---------------------------------------------------------
def test_dry_run_prints_the_mails_and_writes_and_sends_nothing(period, unit, mailoutbox):
    report(period, unit)
    output = run("--today", str(DUE + days(1)), "--dry-run")
    assert mailoutbox == []
    assert not Reminder.objects.exists()
    assert f"主题 (subject): 【催报】{PLAN_TITLE}：1项进展报告逾期未报" in output
    assert "试运行，未发送、未记录：2016-09-24 催报邮件 1 封。" in output


def test_failing_mail_backend_leaves_no_reminder_row_and_fails_the_command(period, unit, monkeypatch):
    def refuse(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")

    monkeypatch.setattr(EmailMessage, "send", refuse)
    report(period, unit)
    with pytest.raises(CommandError, match="1 封催报邮件发送失败"):
        run("--today", str(DUE + days(1)))
    assert not Reminder.objects.exists()


def test_failed_mail_is_sent_by_the_next_run(period, unit, monkeypatch, mailoutbox):
    report(period, unit)
    with monkeypatch.context() as patch:
        patch.setattr(EmailMessage, "send", lambda self, fail_silently=False: 1 / 0)
        failed = send(DUE + days(1))
    send(DUE + days(1))
    assert failed.failed == ["鹤壁市发展和改革委员会 · 报告逾期未报: ZeroDivisionError: division by zero"]
    assert len(mailoutbox) == 1
    assert Reminder.objects.count() == 1


@pytest.mark.parametrize("raw", ["2016-13-01", "2016-02-30", "yesterday", "24/09/2016", ""])
def test_bad_today_is_refused(raw):
    with pytest.raises(CommandError, match="--today 应为 YYYY-MM-DD"):
        run("--today", raw)


def test_today_defaults_to_the_local_date(period, unit, mailoutbox, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda: DUE + days(1))
    report(period, unit)
    run()
    assert Reminder.objects.get().sent_on == DUE + days(1)


# --- queries ------------------------------------------------------------------------------
def test_query_count_does_not_grow_with_the_number_of_reports_and_tasks(period, plan, unit, mailoutbox):
    def queries(today):
        with CaptureQueriesContext(connection) as context:
            reminders_send(today=today)
        return len(context.captured_queries)

    def add(count, start):
        for number in range(start, start + count):
            task = report(period, unit, number).task
            AssignmentFactory(task=task, unit=unit)
            DeadlineFactory(task=task, date=DUE - days(3))

    add(3, 1)
    with_three = queries(DUE + days(1))
    Reminder.objects.all().delete()
    add(7, 4)
    with_ten = queries(DUE + days(1))
    assert len(mailoutbox) == 4
    assert "10项进展报告逾期未报" in mailoutbox[2].subject + mailoutbox[3].subject
    assert with_ten == with_three


# --- pure rules ---------------------------------------------------------------------------
@pytest.mark.parametrize("ahead, rule", [
    (8, None), (7, ReminderRule.REPORT_DUE_7), (3, ReminderRule.REPORT_DUE_3), (1, ReminderRule.REPORT_DUE_1),
    (0, None), (-1, ReminderRule.REPORT_LATE), (-40, ReminderRule.REPORT_LATE),
])
def test_report_rule_by_days_to_due(ahead, rule):
    assert report_rule(DUE, DUE - days(ahead)) == rule


@pytest.mark.parametrize("start, ahead, rule", [
    (None, 8, None), (None, 7, ReminderRule.TASK_DUE_SOON), (None, 5, None), (None, 0, None),
    (None, -1, ReminderRule.TASK_OVERDUE),
    (datetime.date(2016, 1, 1), 45, ReminderRule.TASK_DUE_SOON),  # 15 % of 304 days = 45.6
    (datetime.date(2016, 1, 1), 44, None),
    (datetime.date(2016, 1, 1), 46, None),
])
def test_task_rule_by_days_to_due(start, ahead, rule):
    assert task_rule(start, TASK_DUE, False, TASK_DUE - days(ahead)) == rule


# --- 签收 ------------------------------------------------------------------------------------
def acknowledgement(plan, unit, due_on, **values):
    from plans.models import Acknowledgement

    return Acknowledgement.objects.create(plan=plan, unit=unit, due_on=due_on, **values)


@pytest.mark.parametrize("late", [1, 5])
def test_an_unsigned_acknowledgement_past_its_days_is_chased_every_day(plan, period, unit, mailoutbox, late):
    due_on = datetime.date(2016, 7, 4)
    acknowledgement(plan, unit, due_on, period=period)
    send(due_on + days(late))
    [mail] = mailoutbox
    assert mail.subject == f"【催报】{PLAN_TITLE}：1项交办或报送事项超时未签收"
    assert "签收：2016Q3报送任务" in mail.body and "签收时限：2016年7月4日" in mail.body and f"已逾期{late}天" in mail.body
    assert Reminder.objects.get().rule == ReminderRule.ACK_LATE


def test_a_signed_or_not_yet_late_acknowledgement_is_not_chased(plan, unit, mailoutbox):
    due_on = datetime.date(2016, 7, 4)
    acknowledgement(plan, unit, due_on)
    send(due_on)  # on its last day: not late yet
    assert mailoutbox == []
    other = UnitFactory()
    AccountFactory(unit=other, user__email="other@hebi.gov.cn")
    acknowledgement(plan, other, due_on, acknowledged_at=timezone.now())
    send(due_on + days(1))
    assert [mail.to for mail in mailoutbox] == [["fgw@hebi.gov.cn"]]  # the signed unit gets nothing


def test_acknowledgements_of_a_plan_that_has_ended_are_not_chased(plan, unit, mailoutbox):
    plan.period_end = datetime.date(2016, 6, 30)
    plan.save()
    acknowledgement(plan, unit, datetime.date(2016, 6, 1))
    send(datetime.date(2016, 7, 10))
    assert mailoutbox == []
