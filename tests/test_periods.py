import datetime

import pytest

from plans.periods import is_working_day, nominal_due_date, shift_to_working_day, spans

D = datetime.date


def test_quarters_of_a_year_plan():
    quarters = spans("quarterly", D(2016, 1, 1), D(2016, 12, 31))
    assert [(q.label, q.start, q.end) for q in quarters] == [
        ("2016Q1", D(2016, 1, 1), D(2016, 3, 31)),
        ("2016Q2", D(2016, 4, 1), D(2016, 6, 30)),
        ("2016Q3", D(2016, 7, 1), D(2016, 9, 30)),
        ("2016Q4", D(2016, 10, 1), D(2016, 12, 31)),
    ]


def test_periods_overlapping_a_partial_span_are_all_included():
    months = spans("monthly", D(2024, 2, 5), D(2024, 4, 1))
    assert [m.label for m in months] == ["2024-02", "2024-03", "2024-04"]
    assert [h.label for h in spans("half-yearly", D(2024, 1, 1), D(2025, 12, 31))] == ["2024H1", "2024H2", "2025H1", "2025H2"]


def test_hebi_due_date_is_the_23rd_of_the_last_month_of_the_quarter():
    assert nominal_due_date(D(2016, 7, 1), 3, 23) == D(2016, 9, 23)


def test_due_date_without_a_day_is_the_month_end_and_may_fall_after_the_period():
    assert nominal_due_date(D(2016, 1, 1), 3, None) == D(2016, 3, 31)
    assert nominal_due_date(D(2016, 10, 1), 4, 10) == D(2017, 1, 10)
    assert nominal_due_date(D(2024, 1, 1), 2, 31) == D(2024, 2, 29)


def test_national_day_holiday_moves_to_the_make_up_working_saturday():
    # 2016-10-01..07 were holidays; Saturday 2016-10-08 was a 调休 working day.
    assert shift_to_working_day(D(2016, 10, 3), "next") == D(2016, 10, 8)
    assert is_working_day(D(2016, 10, 8)) is True


def test_holiday_can_move_to_the_previous_working_day_or_stay():
    assert shift_to_working_day(D(2016, 10, 3), "previous") == D(2016, 9, 30)
    assert shift_to_working_day(D(2016, 10, 3), "none") == D(2016, 10, 3)


def test_working_day_stays_where_it_is():
    assert shift_to_working_day(D(2016, 9, 23), "next") == D(2016, 9, 23)


@pytest.mark.parametrize("day, expected", [(D(2099, 3, 21), D(2099, 3, 23)), (D(2099, 3, 23), D(2099, 3, 23))])
def test_years_the_holiday_calendar_does_not_cover_fall_back_to_weekends(day, expected):
    assert shift_to_working_day(day, "next") == expected
