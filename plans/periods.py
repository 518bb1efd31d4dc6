"""Reporting periods of a plan's schedule and their due dates, with Chinese public holidays
and make-up working days (调休) from the maintained `chinesecalendar` package. No database."""
from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

import chinese_calendar

MONTHS_PER_PERIOD = {"monthly": 1, "quarterly": 3, "half-yearly": 6, "yearly": 12}


@dataclass(frozen=True)
class PeriodSpan:
    label: str  # 2016Q3, 2016-07, 2016H2, 2016
    start: datetime.date
    end: datetime.date


def _label(frequency: str, year: int, index: int) -> str:
    return {
        "monthly": f"{year}-{index + 1:02d}",
        "quarterly": f"{year}Q{index + 1}",
        "half-yearly": f"{year}H{index + 1}",
        "yearly": f"{year}",
    }[frequency]


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.year * 12 + day.month - 1 + months
    return datetime.date(month_index // 12, month_index % 12 + 1, 1)


def spans(frequency: str, first: datetime.date, last: datetime.date) -> list[PeriodSpan]:
    """The calendar periods of `frequency` that overlap first..last, in order."""
    size = MONTHS_PER_PERIOD[frequency]
    result = []
    for year in range(first.year, last.year + 1):
        for index in range(12 // size):
            start = datetime.date(year, index * size + 1, 1)
            end = _add_months(start, size) - datetime.timedelta(days=1)
            if end >= first and start <= last:
                result.append(PeriodSpan(_label(frequency, year, index), start, end))
    return result


def nominal_due_date(start: datetime.date, month: int, day: int | None) -> datetime.date:
    """Day `day` (None: the last day) of the `month`-th month counted from the period start."""
    first_of_month = _add_months(start, month - 1)
    last_day = calendar.monthrange(first_of_month.year, first_of_month.month)[1]
    return first_of_month.replace(day=min(day or last_day, last_day))


def is_working_day(day: datetime.date) -> bool:
    """Official working day: holidays and 调休 from chinesecalendar; outside the years it
    covers, Monday to Friday."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


def shift_to_working_day(day: datetime.date, direction: str) -> datetime.date:
    """`day` itself if it is a working day, else the next ("next") or previous ("previous")
    working day; "none" leaves it as it is."""
    if direction == "none":
        return day
    step = datetime.timedelta(days=1 if direction == "next" else -1)
    while not is_working_day(day):
        day += step
    return day
