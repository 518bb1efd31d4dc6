import datetime

import pytest
from django.core.exceptions import ValidationError

from plans.models import Frequency, HolidayShift
from plans.services import periods_generate
from tests.factories import PlanFactory

D = datetime.date


@pytest.mark.django_db
def test_hebi_schedule_gives_four_quarters_due_on_the_23rd():
    plan = PlanFactory(plan_year=2016, period_start=D(2016, 1, 1), period_end=D(2016, 12, 31),
                       reporting_frequency=Frequency.QUARTERLY, reporting_month=3, reporting_day=23)
    periods_generate(user=None, plan=plan)
    assert list(plan.periods.values_list("label", "due_date")) == [
        ("2016Q1", D(2016, 3, 23)), ("2016Q2", D(2016, 6, 23)), ("2016Q3", D(2016, 9, 23)), ("2016Q4", D(2016, 12, 23)),
    ]


@pytest.mark.django_db
def test_due_date_on_a_holiday_moves_to_the_next_working_day():
    plan = PlanFactory(plan_year=2016, period_start=None, period_end=None,
                       reporting_frequency=Frequency.MONTHLY, reporting_month=2, reporting_day=3,
                       holiday_shift=HolidayShift.NEXT)
    periods_generate(user=None, plan=plan)
    # September's report is due 3 October, inside the National Day holiday → Saturday 8 October (调休).
    assert plan.periods.get(label="2016-09").due_date == D(2016, 10, 8)


@pytest.mark.django_db
def test_generating_again_creates_nothing_and_keeps_edited_periods():
    plan = PlanFactory(plan_year=2016, period_start=None, period_end=None, reporting_month=3, reporting_day=23)
    periods_generate(user=None, plan=plan)
    plan.periods.filter(label="2016Q1").update(due_date=D(2016, 3, 25))
    assert periods_generate(user=None, plan=plan) == []
    assert plan.periods.count() == 4
    assert plan.periods.get(label="2016Q1").due_date == D(2016, 3, 25)


@pytest.mark.django_db
def test_plan_ending_before_it_starts_is_refused_and_creates_nothing():
    plan = PlanFactory(plan_year=2016, period_start=D(2016, 12, 1), period_end=D(2016, 12, 1))
    plan.period_end = D(2016, 1, 1)  # unsaved: the database constraint forbids it
    with pytest.raises(ValidationError):
        periods_generate(user=None, plan=plan)
    assert plan.periods.count() == 0
