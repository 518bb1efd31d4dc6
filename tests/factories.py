"""Factories building the minimal valid object of each model."""
import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from django.contrib.auth import get_user_model

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
    NodeKind,
    Plan,
    PlanIssuer,
    ProgressReport,
    ReportingPeriod,
    SheetImport,
    Role,
    Section,
    Target,
    Task,
    Unit,
    UnitAlias,
)


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"鹤壁市第{n}局")


class UnitAliasFactory(DjangoModelFactory):
    class Meta:
        model = UnitAlias

    unit = factory.SubFactory(UnitFactory)
    jurisdiction = "鹤壁市"
    name = factory.Sequence(lambda n: f"市{n}局")


class PlanFactory(DjangoModelFactory):
    class Meta:
        model = Plan

    key = factory.Sequence(lambda n: f"鹤政办〔2016〕{n}号")
    title = factory.Sequence(lambda n: f"鹤壁市2016年度蓝天工程实施方案（{n}）")
    plan_year = 2016


class PlanIssuerFactory(DjangoModelFactory):
    class Meta:
        model = PlanIssuer

    plan = factory.SubFactory(PlanFactory)
    unit = factory.SubFactory(UnitFactory)
    position = factory.LazyAttribute(lambda issuer: issuer.plan.issuer_links.count())


class TaskFactory(DjangoModelFactory):
    class Meta:
        model = Task

    plan = factory.SubFactory(PlanFactory)
    kind = NodeKind.TASK
    level = 3
    position = factory.Sequence(lambda n: n)
    title = factory.Sequence(lambda n: f"大力推广实施清洁能源{n}")


class SectionFactory(TaskFactory):
    class Meta:
        model = Section

    kind = NodeKind.SECTION
    level = 1
    title = factory.Sequence(lambda n: f"主要任务{n}")


class AssignmentFactory(DjangoModelFactory):
    """Appends the unit to the task's list for its role: the first responsible unit leads."""

    class Meta:
        model = Assignment

    task = factory.SubFactory(TaskFactory)
    unit = factory.SubFactory(UnitFactory)
    role = Role.RESPONSIBLE
    position = factory.LazyAttribute(lambda assignment: assignment.task.assignments.filter(role=assignment.role).count())


class DeadlineFactory(DjangoModelFactory):
    class Meta:
        model = Deadline

    task = factory.SubFactory(TaskFactory)
    kind = DeadlineKind.DUE
    date = datetime.date(2016, 10, 31)
    text = "10月底前"
    position = factory.LazyAttribute(lambda deadline: deadline.task.deadlines.count())


class TargetFactory(DjangoModelFactory):
    class Meta:
        model = Target

    plan = factory.SubFactory(PlanFactory)
    indicator = "细颗粒物(PM2.5)年均浓度"
    comparator = Comparator.LTE
    value = Decimal("67")
    unit = "微克/立方米"
    text = "细颗粒物(PM2.5)年均浓度控制在67微克/立方米以下"
    position = factory.LazyAttribute(lambda target: target.plan.targets.count())


class ReportingPeriodFactory(DjangoModelFactory):
    class Meta:
        model = ReportingPeriod

    plan = factory.SubFactory(PlanFactory)
    label = factory.Sequence(lambda n: f"2016-{n}")
    start = datetime.date(2016, 7, 1)
    end = datetime.date(2016, 9, 30)
    due_date = datetime.date(2016, 9, 23)


class ProgressReportFactory(DjangoModelFactory):
    class Meta:
        model = ProgressReport

    task = factory.SubFactory(TaskFactory)
    unit = factory.SubFactory(UnitFactory)
    period = factory.SubFactory(ReportingPeriodFactory, plan=factory.SelfAttribute("..task.plan"))


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    is_staff = True
    password = factory.django.Password("pw-for-tests-only")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    role = MemberRole.OFFICIAL


class SupportingInputFactory(DjangoModelFactory):
    class Meta:
        model = SupportingInput

    report = factory.SubFactory(ProgressReportFactory)
    unit = factory.SubFactory(UnitFactory)
    text = "已配合完成资金测算。"


class ReminderFactory(DjangoModelFactory):
    class Meta:
        model = Reminder

    unit = factory.SubFactory(UnitFactory)
    rule = ReminderRule.REPORT_LATE
    sent_on = datetime.date(2016, 9, 24)
    subject = "催报"
    body = "请尽快报送。"


class AccountFactory(MembershipFactory):
    """A unit account with an e-mail address: whom reminders (催报) go to."""

    user = factory.SubFactory(UserFactory, email=factory.Sequence(lambda n: f"tianbao{n}@hebi.gov.cn"))


class OpenPeriodFactory(ReportingPeriodFactory):
    is_open = True


class SheetImportFactory(DjangoModelFactory):
    class Meta:
        model = SheetImport

    period = factory.SubFactory(ReportingPeriodFactory)
    uploaded_by = factory.SubFactory(UserFactory)
    file_name = "进展情况表.xlsx"
    content = b"PK"
    sha256 = "0" * 64
    size = 2


class IndicatorValueFactory(DjangoModelFactory):
    """A measured value of a target for a period of the same plan."""

    class Meta:
        model = IndicatorValue

    target = factory.SubFactory(TargetFactory)
    period = factory.SubFactory(ReportingPeriodFactory, plan=factory.SelfAttribute("..target.plan"))
    value = Decimal("70")


class CalendarFeedFactory(DjangoModelFactory):
    class Meta:
        model = CalendarFeed

    unit = factory.SubFactory(UnitFactory)
    token = factory.Sequence(lambda n: f"feed-token-{n:08d}")
