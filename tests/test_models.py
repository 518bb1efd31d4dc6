"""Every database constraint of plans/models/, both ways: a valid row saves, a violating
row is refused by the database. Invalid choices and a second lead are written past save()
with .update() or bulk_create(), as bulk and imported data would be."""
import datetime
import re
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import UniqueConstraint
from django.utils import timezone

from plans.models import (
    CalendarFeed,
    IndicatorValue,
    MemberRole,
    Membership,
    Reminder,
    ReminderRule,
    SupportingInput,
    Assignment,
    Comparator,
    Deadline,
    DeadlineKind,
    Plan,
    PlanImport,
    PlanImportState,
    PlanIssuer,
    ProgressReport,
    ReportingPeriod,
    ReportState,
    Role,
    SheetImport,
    SheetImportState,
    Target,
    Task,
    TaskStatus,
    Unit,
    UnitAlias,
    UnitKind,
)
from tests.factories import (
    CalendarFeedFactory,
    IndicatorValueFactory,
    MembershipFactory,
    ReminderFactory,
    SupportingInputFactory,
    AssignmentFactory,
    DeadlineFactory,
    PlanFactory,
    PlanIssuerFactory,
    ProgressReportFactory,
    ReportingPeriodFactory,
    SheetImportFactory,
    TargetFactory,
    TaskFactory,
    UnitAliasFactory,
    UnitFactory,
)

pytestmark = pytest.mark.django_db


def _failure_message(model, name) -> str:
    """How the database words a violation of the named constraint: PostgreSQL and SQLite
    name a CHECK constraint; SQLite names a unique constraint's columns instead."""
    constraint = next(constraint for constraint in model._meta.constraints if constraint.name == name)
    if isinstance(constraint, UniqueConstraint):
        columns = ", ".join(f"{model._meta.db_table}.{model._meta.get_field(field).column}" for field in constraint.fields)
        return f"{re.escape(name)}|UNIQUE constraint failed: {re.escape(columns)}$"
    return re.escape(name)


@contextmanager
def refused(model, name):
    """The write inside is rejected by the database for the named constraint of `model`."""
    with pytest.raises(IntegrityError, match=_failure_message(model, name)), transaction.atomic():
        yield


def test_every_constraint_is_tested_both_ways():
    names = {constraint.name for model in apps.get_app_config("plans").get_models() for constraint in model._meta.constraints}
    tests = [name for name in globals() if name.startswith("test_plans_")]

    untested = {
        name for name in names
        if not any(test.startswith(f"test_{name}_accepts") for test in tests)
        or not any(test.startswith(f"test_{name}_refuses") for test in tests)
    }

    assert untested == set()


# --- units --------------------------------------------------------------------------------
def test_plans_unit_kind_valid_accepts_a_listed_kind():
    unit = UnitFactory()

    Unit.objects.filter(pk=unit.pk).update(kind=UnitKind.COLLECTIVE)

    assert Unit.objects.get(pk=unit.pk).kind == "collective"


def test_plans_unit_kind_valid_refuses_an_unlisted_kind():
    unit = UnitFactory()

    with refused(Unit, "plans_unit_kind_valid"):
        Unit.objects.filter(pk=unit.pk).update(kind="ministry")


def test_plans_unitalias_unique_per_jurisdiction_accepts_the_same_alias_in_another_jurisdiction():
    UnitAliasFactory(jurisdiction="鹤壁市", name="市发改委")

    UnitAliasFactory(jurisdiction="安阳市", name="市发改委")

    assert UnitAlias.objects.filter(name="市发改委").count() == 2


def test_plans_unitalias_unique_per_jurisdiction_refuses_a_second_unit_with_the_alias():
    UnitAliasFactory(jurisdiction="鹤壁市", name="市发改委")

    with refused(UnitAlias, "plans_unitalias_unique_per_jurisdiction"):
        UnitAliasFactory(jurisdiction="鹤壁市", name="市发改委")


def test_unit_natural_key_round_trips():
    unit = UnitFactory(name="福建省工业和信息化厅")

    assert Unit.objects.get_by_natural_key(*unit.natural_key()) == unit


# --- plans --------------------------------------------------------------------------------
def test_plan_natural_key_round_trips():
    plan = PlanFactory(key="闽发改规〔2024〕2号")

    assert Plan.objects.get_by_natural_key(*plan.natural_key()) == plan


def test_plans_plan_period_ordered_accepts_a_one_day_period():
    plan = PlanFactory(period_start=datetime.date(2024, 1, 1), period_end=datetime.date(2024, 1, 1))

    assert Plan.objects.filter(pk=plan.pk).exists()


def test_plans_plan_period_ordered_refuses_an_end_before_the_start():
    with refused(Plan, "plans_plan_period_ordered"):
        PlanFactory(period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2024, 12, 31))


def test_plans_plan_frequency_valid_accepts_a_listed_frequency():
    plan = PlanFactory()

    Plan.objects.filter(pk=plan.pk).update(reporting_frequency="half-yearly")

    assert Plan.objects.get(pk=plan.pk).reporting_frequency == "half-yearly"


def test_plans_plan_frequency_valid_refuses_an_unlisted_frequency():
    plan = PlanFactory()

    with refused(Plan, "plans_plan_frequency_valid"):
        Plan.objects.filter(pk=plan.pk).update(reporting_frequency="weekly")


@pytest.mark.parametrize("month", [1, 12])
def test_plans_plan_reporting_month_range_accepts_months_1_to_12(month):
    plan = PlanFactory(reporting_month=month)

    assert Plan.objects.get(pk=plan.pk).reporting_month == month


@pytest.mark.parametrize("month", [0, 13])
def test_plans_plan_reporting_month_range_refuses_months_outside_1_to_12(month):
    with refused(Plan, "plans_plan_reporting_month_range"):
        PlanFactory(reporting_month=month)


@pytest.mark.parametrize("day", [None, 1, 31])
def test_plans_plan_reporting_day_range_accepts_days_1_to_31_or_none(day):
    plan = PlanFactory(reporting_day=day)

    assert Plan.objects.get(pk=plan.pk).reporting_day == day


@pytest.mark.parametrize("day", [0, 32])
def test_plans_plan_reporting_day_range_refuses_days_outside_1_to_31(day):
    with refused(Plan, "plans_plan_reporting_day_range"):
        PlanFactory(reporting_day=day)


def test_plans_planissuer_unique_unit_accepts_the_unit_on_another_plan():
    unit = UnitFactory()
    PlanIssuerFactory(unit=unit)

    PlanIssuerFactory(unit=unit)

    assert unit.issued_plans.count() == 2


def test_plans_planissuer_unique_unit_refuses_the_unit_twice_on_a_plan():
    issuer = PlanIssuerFactory()

    with refused(PlanIssuer, "plans_planissuer_unique_unit"):
        PlanIssuerFactory(plan=issuer.plan, unit=issuer.unit, position=1)


def test_plans_planissuer_unique_position_accepts_consecutive_positions():
    plan = PlanFactory()

    PlanIssuerFactory(plan=plan, position=0)
    PlanIssuerFactory(plan=plan, position=1)

    assert list(plan.issuer_links.values_list("position", flat=True)) == [0, 1]


def test_plans_planissuer_unique_position_refuses_two_units_at_one_position():
    issuer = PlanIssuerFactory(position=0)

    with refused(PlanIssuer, "plans_planissuer_unique_position"):
        PlanIssuerFactory(plan=issuer.plan, position=0)


# --- tasks --------------------------------------------------------------------------------
def test_task_str_shows_path_and_title():
    task = TaskFactory(path="三、(一)1.(1)", title="积极采取清洁能源替代")

    assert str(task) == "三、(一)1.(1) 积极采取清洁能源替代"


def test_plans_task_unique_position_accepts_the_position_in_another_plan():
    TaskFactory(position=1)

    TaskFactory(position=1)

    assert Task.objects.filter(position=1).count() == 2


def test_plans_task_unique_position_refuses_two_nodes_at_one_position_of_a_plan():
    task = TaskFactory(position=1)

    with refused(Task, "plans_task_unique_position"):
        TaskFactory(plan=task.plan, position=1)


def test_plans_task_kind_valid_accepts_section():
    task = TaskFactory()

    Task.objects.filter(pk=task.pk).update(kind="section")

    assert Task.objects.get(pk=task.pk).kind == "section"


def test_plans_task_kind_valid_refuses_an_unlisted_kind():
    task = TaskFactory()

    with refused(Task, "plans_task_kind_valid"):
        Task.objects.filter(pk=task.pk).update(kind="chapter")


def test_plans_task_status_valid_accepts_a_listed_status():
    task = TaskFactory()

    Task.objects.filter(pk=task.pk).update(status=TaskStatus.BEHIND)

    assert Task.objects.get(pk=task.pk).status == "behind"


def test_plans_task_status_valid_refuses_an_unlisted_status():
    task = TaskFactory()

    with refused(Task, "plans_task_status_valid"):
        Task.objects.filter(pk=task.pk).update(status="overdue")


def test_plans_task_completed_at_iff_completed_accepts_a_completed_task_with_its_time():
    task = TaskFactory(status=TaskStatus.COMPLETED, completed_at=timezone.now())

    assert Task.objects.get(pk=task.pk).status == "completed"


def test_plans_task_completed_at_iff_completed_accepts_an_open_task_without_a_time():
    task = TaskFactory(status=TaskStatus.ON_TRACK, completed_at=None)

    assert Task.objects.get(pk=task.pk).completed_at is None


def test_plans_task_completed_at_iff_completed_refuses_a_completed_task_without_a_time():
    with refused(Task, "plans_task_completed_at_iff_completed"):
        TaskFactory(status=TaskStatus.COMPLETED, completed_at=None)


def test_plans_task_completed_at_iff_completed_refuses_a_time_on_an_open_task():
    with refused(Task, "plans_task_completed_at_iff_completed"):
        TaskFactory(status=TaskStatus.ON_TRACK, completed_at=timezone.now())


# --- assignments --------------------------------------------------------------------------
def test_assignment_first_responsible_unit_is_the_lead():
    task = TaskFactory()

    first = AssignmentFactory(task=task, role=Role.RESPONSIBLE)
    second = AssignmentFactory(task=task, role=Role.RESPONSIBLE)
    supporting = AssignmentFactory(task=task, role=Role.SUPPORTING)

    assert (first.is_lead, second.is_lead, supporting.is_lead) == (True, False, False)


def test_plans_assignment_unique_unit_role_accepts_the_unit_in_two_roles():
    assignment = AssignmentFactory(role=Role.RESPONSIBLE)

    AssignmentFactory(task=assignment.task, unit=assignment.unit, role=Role.IMPLEMENTING)

    assert assignment.task.assignments.filter(unit=assignment.unit).count() == 2


def test_plans_assignment_unique_unit_role_refuses_the_unit_twice_in_one_role():
    assignment = AssignmentFactory(role=Role.SUPPORTING)

    with refused(Assignment, "plans_assignment_unique_unit_role"):
        AssignmentFactory(task=assignment.task, unit=assignment.unit, role=Role.SUPPORTING, position=1)


def test_plans_assignment_unique_position_accepts_position_0_in_each_role():
    task = TaskFactory()

    AssignmentFactory(task=task, role=Role.RESPONSIBLE, position=0)
    AssignmentFactory(task=task, role=Role.SUPPORTING, position=0)

    assert list(task.assignments.values_list("position", flat=True)) == [0, 0]


def test_plans_assignment_unique_position_refuses_two_units_at_one_position_of_a_role():
    assignment = AssignmentFactory(role=Role.SUPPORTING, position=0)

    with refused(Assignment, "plans_assignment_unique_position"):
        AssignmentFactory(task=assignment.task, role=Role.SUPPORTING, position=0)


def test_plans_assignment_one_lead_accepts_one_lead_per_task():
    first = AssignmentFactory(role=Role.RESPONSIBLE)
    other_task_lead = AssignmentFactory(role=Role.RESPONSIBLE)

    assert Assignment.objects.filter(is_lead=True).count() == 2
    assert first.task != other_task_lead.task


def test_plans_assignment_one_lead_refuses_a_second_lead_on_a_task():
    lead = AssignmentFactory(role=Role.RESPONSIBLE)
    second = Assignment(task=lead.task, unit=UnitFactory(), role=Role.RESPONSIBLE, position=1, is_lead=True)

    with refused(Assignment, "plans_assignment_one_lead"):
        Assignment.objects.bulk_create([second])


def test_plans_assignment_role_valid_accepts_a_listed_role():
    assignment = AssignmentFactory(role=Role.SUPPORTING)

    Assignment.objects.filter(pk=assignment.pk).update(role=Role.IMPLEMENTING)

    assert Assignment.objects.get(pk=assignment.pk).role == "implementing"


def test_plans_assignment_role_valid_refuses_an_unlisted_role():
    assignment = AssignmentFactory(role=Role.SUPPORTING)

    with refused(Assignment, "plans_assignment_role_valid"):
        Assignment.objects.filter(pk=assignment.pk).update(role="host")


def test_plans_assignment_lead_is_responsible_accepts_a_responsible_lead():
    lead = AssignmentFactory(role=Role.RESPONSIBLE, position=0)

    assert Assignment.objects.get(pk=lead.pk).is_lead is True


def test_plans_assignment_lead_is_responsible_refuses_a_supporting_lead():
    supporting = AssignmentFactory(role=Role.SUPPORTING, position=0)

    with refused(Assignment, "plans_assignment_lead_is_responsible"):
        Assignment.objects.filter(pk=supporting.pk).update(is_lead=True)


# --- deadlines and targets ----------------------------------------------------------------
def test_plans_deadline_kind_valid_accepts_a_listed_kind():
    deadline = DeadlineFactory()

    Deadline.objects.filter(pk=deadline.pk).update(kind=DeadlineKind.START)

    assert Deadline.objects.get(pk=deadline.pk).kind == "start"


def test_plans_deadline_kind_valid_refuses_an_unlisted_kind():
    deadline = DeadlineFactory()

    with refused(Deadline, "plans_deadline_kind_valid"):
        Deadline.objects.filter(pk=deadline.pk).update(kind="someday")


def test_plans_deadline_unique_position_accepts_consecutive_positions():
    task = TaskFactory()

    DeadlineFactory(task=task, position=0)
    DeadlineFactory(task=task, position=1)

    assert list(task.deadlines.values_list("position", flat=True)) == [0, 1]


def test_plans_deadline_unique_position_refuses_two_deadlines_at_one_position_of_a_task():
    deadline = DeadlineFactory(position=0)

    with refused(Deadline, "plans_deadline_unique_position"):
        DeadlineFactory(task=deadline.task, position=0)


def test_plans_deadline_date_or_phrase_accepts_a_recurring_deadline_without_a_date():
    deadline = DeadlineFactory(kind=DeadlineKind.RECURRING, date=None, rule="yearly", text="每年")

    assert Deadline.objects.get(pk=deadline.pk).date is None


def test_plans_deadline_date_or_phrase_accepts_a_due_deadline_with_its_phrase_to_date_later():
    deadline = DeadlineFactory(kind=DeadlineKind.DUE, date=None, text="10月底前")

    assert Deadline.objects.get(pk=deadline.pk).text == "10月底前"


def test_plans_deadline_date_or_phrase_refuses_a_due_deadline_with_neither():
    with refused(Deadline, "plans_deadline_date_or_phrase"):
        DeadlineFactory(kind=DeadlineKind.DUE, date=None, text="")


def test_plans_target_unique_position_accepts_the_position_in_another_plan():
    TargetFactory(position=0)

    TargetFactory(position=0)

    assert Target.objects.filter(position=0).count() == 2


def test_plans_target_unique_position_refuses_two_targets_at_one_position_of_a_plan():
    target = TargetFactory(position=0)

    with refused(Target, "plans_target_unique_position"):
        TargetFactory(plan=target.plan, task=TaskFactory(plan=target.plan), position=0)


def test_plans_target_comparator_valid_accepts_a_listed_comparator():
    target = TargetFactory()

    Target.objects.filter(pk=target.pk).update(comparator=Comparator.GTE)

    assert Target.objects.get(pk=target.pk).comparator == "≥"


def test_plans_target_comparator_valid_refuses_an_unlisted_comparator():
    target = TargetFactory()

    with refused(Target, "plans_target_comparator_valid"):
        Target.objects.filter(pk=target.pk).update(comparator="<")


# --- reporting ----------------------------------------------------------------------------
def test_plans_reportingperiod_unique_label_accepts_the_label_in_another_plan():
    ReportingPeriodFactory(label="2016Q3")

    ReportingPeriodFactory(label="2016Q3")

    assert Plan.objects.filter(periods__label="2016Q3").count() == 2


def test_plans_reportingperiod_unique_label_refuses_the_label_twice_in_a_plan():
    period = ReportingPeriodFactory(label="2016Q3")

    with refused(ReportingPeriod, "plans_reportingperiod_unique_label"):
        ReportingPeriodFactory(plan=period.plan, label="2016Q3")


def test_plans_reportingperiod_ordered_accepts_a_one_day_period():
    period = ReportingPeriodFactory(start=datetime.date(2016, 9, 23), end=datetime.date(2016, 9, 23))

    assert ReportingPeriod.objects.filter(pk=period.pk).exists()


def test_plans_reportingperiod_ordered_refuses_an_end_before_the_start():
    with refused(ReportingPeriod, "plans_reportingperiod_ordered"):
        ReportingPeriodFactory(start=datetime.date(2016, 10, 1), end=datetime.date(2016, 9, 30))


def test_plans_progressreport_unique_task_unit_period_accepts_the_unit_in_another_period():
    report = ProgressReportFactory()

    ProgressReportFactory(task=report.task, unit=report.unit)

    assert ProgressReport.objects.filter(task=report.task, unit=report.unit).count() == 2


def test_plans_progressreport_unique_task_unit_period_refuses_a_second_report():
    report = ProgressReportFactory()

    with refused(ProgressReport, "plans_progressreport_unique_task_unit_period"):
        ProgressReportFactory(task=report.task, unit=report.unit, period=report.period)


def test_plans_progressreport_status_valid_accepts_a_listed_status():
    report = ProgressReportFactory()

    ProgressReport.objects.filter(pk=report.pk).update(status=TaskStatus.AHEAD)

    assert ProgressReport.objects.get(pk=report.pk).status == "ahead"


def test_plans_progressreport_status_valid_refuses_an_unlisted_status():
    report = ProgressReportFactory()

    with refused(ProgressReport, "plans_progressreport_status_valid"):
        ProgressReport.objects.filter(pk=report.pk).update(status="late")


def test_plans_progressreport_state_valid_accepts_a_listed_state():
    report = ProgressReportFactory()

    ProgressReport.objects.filter(pk=report.pk).update(state=ReportState.RETURNED)

    assert ProgressReport.objects.get(pk=report.pk).state == "returned"


def test_plans_progressreport_state_valid_refuses_an_unlisted_state():
    report = ProgressReportFactory()

    with refused(ProgressReport, "plans_progressreport_state_valid"):
        ProgressReport.objects.filter(pk=report.pk).update(state="late")


@pytest.mark.parametrize("percent", [None, 0, 100])
def test_plans_progressreport_percent_range_accepts_up_to_100(percent):
    report = ProgressReportFactory(percent=percent)

    assert ProgressReport.objects.get(pk=report.pk).percent == percent


def test_plans_progressreport_percent_range_refuses_more_than_100():
    with refused(ProgressReport, "plans_progressreport_percent_range"):
        ProgressReportFactory(percent=101)


# --- accounts and the reporting cycle ------------------------------------------------------
def test_plans_membership_role_valid_accepts_a_leader():
    membership = MembershipFactory()

    Membership.objects.filter(pk=membership.pk).update(role=MemberRole.LEADER)

    assert Membership.objects.get(pk=membership.pk).role == "leader"


def test_plans_membership_role_valid_refuses_an_unlisted_role():
    membership = MembershipFactory()

    with refused(Membership, "plans_membership_role_valid"):
        Membership.objects.filter(pk=membership.pk).update(role="director")


def test_plans_supportinginput_unique_unit_accepts_inputs_of_two_units():
    first = SupportingInputFactory()

    SupportingInputFactory(report=first.report)

    assert first.report.inputs.count() == 2


def test_plans_supportinginput_unique_unit_refuses_a_second_input_of_one_unit():
    first = SupportingInputFactory()

    with refused(SupportingInput, "plans_supportinginput_unique_unit"):
        SupportingInputFactory(report=first.report, unit=first.unit)


def test_plans_reminder_once_per_day_accepts_the_same_rule_next_day():
    first = ReminderFactory()

    ReminderFactory(unit=first.unit, sent_on=first.sent_on + datetime.timedelta(days=1))

    assert Reminder.objects.count() == 2


def test_plans_reminder_once_per_day_refuses_the_same_rule_twice_a_day():
    first = ReminderFactory()

    with refused(Reminder, "plans_reminder_once_per_day"):
        ReminderFactory(unit=first.unit, sent_on=first.sent_on)


def test_plans_reminder_rule_valid_accepts_a_listed_rule():
    reminder = ReminderFactory()

    Reminder.objects.filter(pk=reminder.pk).update(rule=ReminderRule.TASK_OVERDUE)

    assert Reminder.objects.get(pk=reminder.pk).rule == "task_overdue"


def test_plans_reminder_rule_valid_refuses_an_unlisted_rule():
    reminder = ReminderFactory()

    with refused(Reminder, "plans_reminder_rule_valid"):
        Reminder.objects.filter(pk=reminder.pk).update(rule="whenever")


# --- returned sheets --------------------------------------------------------------------------
def test_plans_sheetimport_state_valid_accepts_a_listed_state():
    sheet_import = SheetImportFactory(state=SheetImportState.REFUSED)

    assert SheetImport.objects.get(pk=sheet_import.pk).state == "refused"


def test_plans_sheetimport_state_valid_refuses_an_unlisted_state():
    sheet_import = SheetImportFactory()

    with refused(SheetImport, "plans_sheetimport_state_valid"):
        SheetImport.objects.filter(pk=sheet_import.pk).update(state="half-done")


# --- plan documents imported in the browser ---------------------------------------------------
def _plan_import(**fields):
    return PlanImport.objects.create(
        source_name="方案.txt", source_kind="txt", source_sha256="0" * 64, source_text="方案", uploaded_by=MembershipFactory().user,
        **fields,
    )


def test_plans_planimport_state_valid_accepts_a_listed_state():
    draft = _plan_import(state=PlanImportState.APPLIED)

    assert PlanImport.objects.get(pk=draft.pk).state == "applied"


def test_plans_planimport_state_valid_refuses_an_unlisted_state():
    draft = _plan_import()

    with refused(PlanImport, "plans_planimport_state_valid"):
        PlanImport.objects.filter(pk=draft.pk).update(state="half-read")


def test_plans_sheetimport_applied_at_iff_applied_accepts_an_applied_import_with_its_time():
    sheet_import = SheetImportFactory(state=SheetImportState.APPLIED, applied_at=timezone.now())

    assert SheetImport.objects.get(pk=sheet_import.pk).applied_at is not None


def test_plans_sheetimport_applied_at_iff_applied_refuses_an_applied_import_without_a_time():
    with refused(SheetImport, "plans_sheetimport_applied_at_iff_applied"):
        SheetImportFactory(state=SheetImportState.APPLIED, applied_at=None)


def test_plans_sheetimport_applied_at_iff_applied_refuses_a_time_on_a_previewed_import():
    with refused(SheetImport, "plans_sheetimport_applied_at_iff_applied"):
        SheetImportFactory(state=SheetImportState.PREVIEWED, applied_at=timezone.now())


def test_plans_plan_published_at_if_published_accepts_a_published_plan_with_its_time():
    plan = PlanFactory(is_published=True, published_at=timezone.now())

    assert Plan.objects.get(pk=plan.pk).is_published


def test_plans_plan_published_at_if_published_refuses_a_published_plan_without_a_time():
    with refused(Plan, "plans_plan_published_at_if_published"):
        PlanFactory(is_published=True, published_at=None)


def test_plans_indicatorvalue_unique_period_accepts_the_target_in_two_periods():
    value = IndicatorValueFactory()
    IndicatorValueFactory(target=value.target, period=ReportingPeriodFactory(plan=value.target.plan))

    assert value.target.values.count() == 2


def test_plans_indicatorvalue_unique_period_refuses_two_values_of_a_target_in_one_period():
    value = IndicatorValueFactory()
    with refused(IndicatorValue, "plans_indicatorvalue_unique_period"):
        IndicatorValueFactory(target=value.target, period=value.period)


def test_plans_calendarfeed_unit_xor_plan_accepts_a_unit_feed_and_a_plan_feed():
    CalendarFeedFactory()
    CalendarFeedFactory(unit=None, plan=PlanFactory())

    assert CalendarFeed.objects.count() == 2


def test_plans_calendarfeed_unit_xor_plan_refuses_both_or_neither():
    with refused(CalendarFeed, "plans_calendarfeed_unit_xor_plan"):
        CalendarFeedFactory(plan=PlanFactory())
    with refused(CalendarFeed, "plans_calendarfeed_unit_xor_plan"):
        CalendarFeedFactory(unit=None)


# --- the supervision cycle: 签收, 延期申请, 办结申请, 销号, evidence, named people ---------------
def _ack(**values):
    from plans.models import Acknowledgement

    values.setdefault("plan", PlanFactory())
    values.setdefault("unit", UnitFactory())
    return Acknowledgement.objects.create(due_on=datetime.date(2016, 4, 1), **values)


def test_plans_task_closure_valid_accepts_a_listed_closure():
    task = TaskFactory()
    Task.objects.filter(pk=task.pk).update(closure="closed")
    assert Task.objects.get(pk=task.pk).closure == "closed"


def test_plans_task_closure_valid_refuses_an_unlisted_closure():
    task = TaskFactory()
    with refused(Task, "plans_task_closure_valid"):
        Task.objects.filter(pk=task.pk).update(closure="archived")


def test_plans_ack_unique_plan_unit_accepts_the_unit_again_for_a_period():
    plan, unit = PlanFactory(), UnitFactory()
    _ack(plan=plan, unit=unit)
    _ack(plan=plan, unit=unit, period=ReportingPeriodFactory(plan=plan))


def test_plans_ack_unique_plan_unit_refuses_a_second_assignment_acknowledgement():
    from plans.models import Acknowledgement

    plan, unit = PlanFactory(), UnitFactory()
    _ack(plan=plan, unit=unit)
    with refused(Acknowledgement, "plans_ack_unique_plan_unit"):
        _ack(plan=plan, unit=unit)


def test_plans_ack_unique_period_unit_accepts_another_period():
    plan, unit = PlanFactory(), UnitFactory()
    _ack(plan=plan, unit=unit, period=ReportingPeriodFactory(plan=plan, label="2016Q1"))
    _ack(plan=plan, unit=unit, period=ReportingPeriodFactory(plan=plan, label="2016Q2"))


def test_plans_ack_unique_period_unit_refuses_the_same_period_twice():
    from plans.models import Acknowledgement

    plan, unit = PlanFactory(), UnitFactory()
    period = ReportingPeriodFactory(plan=plan)
    _ack(plan=plan, unit=unit, period=period)
    with refused(Acknowledgement, "plans_ack_unique_period_unit"):
        _ack(plan=plan, unit=unit, period=period)


def test_plans_ack_signed_with_time_accepts_a_signature_with_its_time():
    from tests.factories import UserFactory

    assert _ack(acknowledged_at=timezone.now(), acknowledged_by=UserFactory()).acknowledged_by_id


def test_plans_ack_signed_with_time_refuses_a_signer_without_a_time():
    from plans.models import Acknowledgement
    from tests.factories import UserFactory

    with refused(Acknowledgement, "plans_ack_signed_with_time"):
        _ack(acknowledged_by=UserFactory())


def _extension(**values):
    from plans.models import ExtensionRequest
    from tests.factories import UserFactory

    deadline = values.pop("deadline", None) or DeadlineFactory(date=datetime.date(2016, 10, 31))
    values.setdefault("current_date", datetime.date(2016, 10, 31))
    values.setdefault("requested_date", datetime.date(2016, 12, 31))
    return ExtensionRequest.objects.create(
        task=deadline.task, deadline=deadline, unit=UnitFactory(), reason="r", requested_by=UserFactory(), **values,
    )


def test_plans_extension_one_open_accepts_a_new_request_once_the_last_is_decided():
    first = _extension(state="rejected")
    assert _extension(deadline=first.deadline).state == "pending"


def test_plans_extension_one_open_refuses_a_second_pending_request():
    from plans.models import ExtensionRequest

    first = _extension()
    with refused(ExtensionRequest, "plans_extension_one_open"):
        _extension(deadline=first.deadline)


def test_plans_extension_state_valid_accepts_a_listed_state():
    assert _extension(state="approved").state == "approved"


def test_plans_extension_state_valid_refuses_an_unlisted_state():
    from plans.models import ExtensionRequest

    with refused(ExtensionRequest, "plans_extension_state_valid"):
        _extension(state="maybe")


def test_plans_extension_later_date_accepts_a_later_date():
    assert _extension(requested_date=datetime.date(2016, 11, 1)).pk


def test_plans_extension_later_date_refuses_the_same_or_an_earlier_date():
    from plans.models import ExtensionRequest

    with refused(ExtensionRequest, "plans_extension_later_date"):
        _extension(requested_date=datetime.date(2016, 10, 31))


def _claim(**values):
    from plans.models import CompletionClaim
    from tests.factories import UserFactory

    values.setdefault("task", TaskFactory())
    return CompletionClaim.objects.create(unit=UnitFactory(), summary="已完成", claimed_by=UserFactory(), **values)


def test_plans_claim_one_open_accepts_a_new_claim_after_a_return():
    first = _claim(state="returned")
    assert _claim(task=first.task).state == "submitted"


def test_plans_claim_one_open_refuses_a_second_open_claim():
    from plans.models import CompletionClaim

    first = _claim()
    with refused(CompletionClaim, "plans_claim_one_open"):
        _claim(task=first.task)


def test_plans_claim_state_valid_accepts_a_listed_state():
    assert _claim(state="accepted").state == "accepted"


def test_plans_claim_state_valid_refuses_an_unlisted_state():
    from plans.models import CompletionClaim

    with refused(CompletionClaim, "plans_claim_state_valid"):
        _claim(state="half")


def _attachment(**owners):
    from plans.models import Attachment
    from tests.factories import UserFactory

    return Attachment.objects.create(
        task=TaskFactory(), file="evidence/x", name="验收报告.pdf", kind="pdf", size=5, sha256="0" * 64,
        uploaded_by=UserFactory(), **owners,
    )


def test_plans_attachment_one_owner_accepts_exactly_one_owner():
    assert _attachment(claim=_claim()).claim_id


def test_plans_attachment_one_owner_refuses_none_or_two_owners():
    from plans.models import Attachment

    with refused(Attachment, "plans_attachment_one_owner"):
        _attachment()
    with refused(Attachment, "plans_attachment_one_owner"):
        _attachment(claim=_claim(), extension=_extension())


def _person(**values):
    from plans.models import AssignmentPerson

    values.setdefault("assignment", AssignmentFactory())
    values.setdefault("kind", "leader")
    return AssignmentPerson.objects.create(**values)


def test_plans_assignmentperson_unique_kind_accepts_a_leader_and_a_contact():
    leader = _person(name="王强")
    assert _person(assignment=leader.assignment, kind="contact", name="李娜").pk


def test_plans_assignmentperson_unique_kind_refuses_two_leaders():
    from plans.models import AssignmentPerson

    leader = _person(name="王强")
    with refused(AssignmentPerson, "plans_assignmentperson_unique_kind"):
        _person(assignment=leader.assignment, name="赵敏")


def test_plans_assignmentperson_kind_valid_accepts_a_listed_kind():
    assert _person(kind="contact", name="李娜").kind == "contact"


def test_plans_assignmentperson_kind_valid_refuses_an_unlisted_kind():
    from plans.models import AssignmentPerson

    with refused(AssignmentPerson, "plans_assignmentperson_kind_valid"):
        _person(kind="secretary", name="李娜")


def test_plans_assignmentperson_named_accepts_an_account_without_a_name():
    from tests.factories import UserFactory

    assert _person(user=UserFactory()).user_id


def test_plans_assignmentperson_named_refuses_neither_account_nor_name():
    from plans.models import AssignmentPerson

    with refused(AssignmentPerson, "plans_assignmentperson_named"):
        _person(name="")


# --- jobs (后台任务) -----------------------------------------------------------------------------
def _job(**values):
    from plans.models import Job

    return Job.objects.create(kind=values.pop("kind", "export"), key=values.pop("key", "export:k"), **values)


def test_plans_job_state_valid_accepts_a_listed_state():
    job = _job(state="running")

    assert job.__class__.objects.get(pk=job.pk).state == "running"


def test_plans_job_state_valid_refuses_an_unlisted_state():
    from plans.models import Job

    job = _job()
    with refused(Job, "plans_job_state_valid"):
        Job.objects.filter(pk=job.pk).update(state="paused")


def test_plans_job_kind_valid_accepts_a_listed_kind():
    job = _job(kind="cleanup", key="cleanup:1")

    assert job.__class__.objects.get(pk=job.pk).kind == "cleanup"


def test_plans_job_kind_valid_refuses_an_unlisted_kind():
    from plans.models import Job

    job = _job()
    with refused(Job, "plans_job_kind_valid"):
        Job.objects.filter(pk=job.pk).update(kind="backup")


def test_plans_job_done_within_total_accepts_all_done_and_a_count_without_a_total():
    finished, counting = _job(done=50_000, total=50_000), _job(key="export:unknown", done=500, total=0)

    assert (finished.done, counting.done) == (50_000, 500)


def test_plans_job_done_within_total_refuses_more_done_than_the_total():
    from plans.models import Job

    job = _job(total=10)
    with refused(Job, "plans_job_done_within_total"):
        Job.objects.filter(pk=job.pk).update(done=11)
