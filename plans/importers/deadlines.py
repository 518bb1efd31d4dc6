"""Deadlines and reporting rules written in words in Chinese plan text (written dates and
plan periods: `dates`).

Pure functions, no Django. Every parser works on a normalised copy of the text (full-width
digits and punctuation folded to ASCII, spaces and tabs dropped, line breaks kept as
sentence breaks) and reports phrases as they stand in the original text.

How a phrase becomes a deadline (plan year 2016):

- due: 6月15日前, 2024年2月5日前, 到6月30日; 10月底前, 2016年6月底前, 到6月 (last day of
  the month); 2017年底前, 到2016年底, 年底前, 今年年底 (12-31); 到2025年, 力争到2025年,
  力争2025年, 2025年前, 2016年内, 年内 (12-31); 一季度/第一季度(末/前) (quarter end);
  上半年 (06-30), 下半年 (12-31).
- start: 从2016年11月1日起, 2016年起 (01-01), 2016年11月起 (11-01).
- a range, 2016年11月1日至2017年3月31日: a start and a period_end, both with the whole
  range as text. An end without its own year takes the start's year, or the next one
  when it would fall before the start (11月1日至3月31日).
- recurring: 每季度最后一月的23日前 (quarterly:3:23), 每季度末 (quarterly:3:end),
  每季度结束后10日内 (quarterly:4:10), 每月5日前 (monthly:1:5), 每月底前
  (monthly:1:end), 次月/下月5日前 and 每月结束后5日内 (monthly:2:5), 每半年末
  (half-yearly:6:end), 每半年结束后15日内 (half-yearly:7:15), 每年12月20日前
  (yearly:12:20), 每年年底前 (yearly:12:end); the date is the first occurrence in the
  plan year. A bare frequency (每年, 每半年, 每季度, 每月) gives rule "yearly",
  "half-yearly", "quarterly" or "monthly" with no date, and is left out when the same
  text states a precise rule of that frequency.

A month or day without a year takes the plan year. A bare year is a deadline only when
the wording makes it one: after 到/力争, before 前/底/起/内, or at the head of a clause
followed by a comma or by 完成/实现/力争/全面/基本/确保 (2016年,新增… / 2016年完成…).
A year used as a baseline or an adjective (比2012年下降, 较2015年, 2016年河南省出台的,
完成2016年省政府下达的) gives nothing, and so does a bare full date (an issue date).
"""
from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import NamedTuple

from .dates import NormalisedText, normalise, parse_cn_date, parse_period, valid_date
from .types import DeadlineKind, ParsedDeadline, ParsedReporting

# the parsers of this module, and parse_cn_date and parse_period that callers take from here
__all__ = [
    "is_unresolved", "parse_cn_date", "parse_deadline_cell", "parse_deadlines", "parse_period", "parse_reporting",
]


def _group_int(match: re.Match, name: str, default: int | None = None) -> int | None:
    """The number in group `name`, or `default` when the group is absent or did not match."""
    value = match.groupdict().get(name)
    return int(value) if value else default


# ---------------------------------------------------------------------------------------
# Deadline phrases
# ---------------------------------------------------------------------------------------

_BEFORE = r"(?:之前|以前|前)"
_YEAR = r"(?P<year>\d{4})年"
_MONTH = r"(?P<month>\d{1,2})月"
_DAY = r"(?P<day>\d{1,2})日"
_TOWARDS = r"(?:力争)?到"

# 2016年11月1日至2017年3月31日, 11月1日至次年3月31日
DATE_RANGE = re.compile(
    rf"(?:从|自)?(?:{_YEAR})?{_MONTH}(?:{_DAY})?"
    r"(?:至|到|[-—–~〜])+(?:次年|翌年|(?P<end_year>\d{4})年)?"
    r"(?P<end_month>\d{1,2})月(?:(?P<end_day>\d{1,2})日)?止?"
)
# 从2016年11月1日起, 2016年起, 自11月1日起
START_DATE = re.compile(rf"(?:从|自)?(?=\d)(?:{_YEAR})?(?:{_MONTH}(?:{_DAY})?)?(?:起(?!草)|开始)")
# 6月15日前, 2024年2月5日前
DUE_DAY = re.compile(rf"(?:{_YEAR})?{_MONTH}{_DAY}{_BEFORE}")
# 到6月30日
DUE_DAY_TOWARDS = re.compile(rf"{_TOWARDS}(?:{_YEAR})?{_MONTH}{_DAY}")
# 10月底前, 2016年6月底前, 到8月底
DUE_MONTH_END = re.compile(rf"(?:{_TOWARDS})?(?:{_YEAR})?{_MONTH}(?:底|末){_BEFORE}?")
# 到2016年6月
DUE_MONTH_TOWARDS = re.compile(rf"{_TOWARDS}(?:{_YEAR})?{_MONTH}(?![\d底末])")
# 2017年底前, 到2016年底, 2016年末, 2016年年底
DUE_YEAR_END = re.compile(rf"(?:{_TOWARDS})?{_YEAR}年?(?:底|末){_BEFORE}?")
# 年底前, 今年年底, 当年底 (no year: the plan year; not 每年底, 去年底, 明年底)
DUE_THIS_YEAR_END = re.compile(rf"(?<![\d每去上前明后])(?:今年|当年|本年|今|当|本)?年(?:底|末){_BEFORE}?")
# 到2025年, 力争到2025年, 力争2025年
DUE_YEAR_TOWARDS = re.compile(rf"(?:力争到|力争在|力争|到){_YEAR}(?!度)")
# 2025年前 (not 2016年前三季度)
DUE_YEAR_BEFORE = re.compile(rf"{_YEAR}{_BEFORE}(?![一二三四五六七八九十两\d])")
# 2016年内
DUE_YEAR_WITHIN = re.compile(rf"{_YEAR}内")
# 年内, 今年内 (not 三年内, 两年内, 每年内, 明年内)
DUE_WITHIN_THIS_YEAR = re.compile(r"(?:今|当|本)?(?<![\d〇一二三四五六七八九十两几多数每半近去上前明后])年内")
# 2016年,…  2016年完成… at the head of a clause
DUE_CLAUSE_YEAR = re.compile(rf"(?:^|(?<=[。;,:!?\n()])){_YEAR}(?=[,:]|完成|实现|力争|全面|基本|确保)")
# 一季度, 第一季度末, 2016年第三季度前, 前三季度 (not 每一季度)
DUE_QUARTER = re.compile(rf"(?:{_YEAR})?(?<!每)[第前]?(?P<quarter>[一二三四1-4])季度(?:末|底)?{_BEFORE}?")
# 上半年, 2016年下半年
DUE_HALF_YEAR = re.compile(rf"(?:{_YEAR})?(?P<half>上|下)半年(?:末|底)?{_BEFORE}?")

_EVERY_QUARTER = r"每个?季度的?"
_EVERY_MONTH = r"每个?月的?"
_EVERY_HALF_YEAR = r"每半年的?"
_DAYS_AFTER = r"(?:结束|终了)?后的?(?P<day>\d{1,2})(?:日|天)(?:以内|内|前)"

# 每季度最后一月的23日前
QUARTERLY_LAST_MONTH_DAY = re.compile(rf"{_EVERY_QUARTER}(?:最后一个?月|末月)的?{_DAY}{_BEFORE}?")
# 每季度第一个月10日前
QUARTERLY_FIRST_MONTH_DAY = re.compile(rf"{_EVERY_QUARTER}(?:第一个?月|首月)的?{_DAY}{_BEFORE}?")
# 每季度结束后10日内
QUARTERLY_DAYS_AFTER = re.compile(rf"{_EVERY_QUARTER}{_DAYS_AFTER}")
# 每季度末
QUARTERLY_END = re.compile(rf"{_EVERY_QUARTER}(?:末|底){_BEFORE}?")
# 每月5日前
MONTHLY_DAY = re.compile(rf"{_EVERY_MONTH}{_DAY}{_BEFORE}?")
# 每月底前
MONTHLY_END = re.compile(rf"{_EVERY_MONTH}(?:底|末){_BEFORE}?")
# 次月5日前, 下月5日前
NEXT_MONTH_DAY = re.compile(rf"(?:次月|下月|下个月){_DAY}{_BEFORE}?")
# 每月结束后5日内
MONTHLY_DAYS_AFTER = re.compile(rf"{_EVERY_MONTH}{_DAYS_AFTER}")
# 每半年结束后15日内
HALF_YEARLY_DAYS_AFTER = re.compile(rf"{_EVERY_HALF_YEAR}{_DAYS_AFTER}")
# 每半年末
HALF_YEARLY_END = re.compile(rf"{_EVERY_HALF_YEAR}(?:末|底){_BEFORE}?")
# 每年12月20日前, 每年6月底前
YEARLY_MONTH_DAY = re.compile(rf"每年的?{_MONTH}(?:{_DAY}|底|末){_BEFORE}?")
# 每年年底前, 每年底
YEARLY_END = re.compile(rf"每年的?年?(?:底|末){_BEFORE}?")
# bare frequencies: 每年推动30家…, 每半年检查一次
EVERY_QUARTER = re.compile(r"每个?季度")
EVERY_MONTH = re.compile(r"每个?月")
EVERY_HALF_YEAR = re.compile(r"每半年")
EVERY_YEAR = re.compile(r"每年")

_QUARTER_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}

# Months counted from the start of each period at which a bare frequency falls due.
_PERIOD_LAST_MONTH = {"monthly": 1, "quarterly": 3, "half-yearly": 6, "yearly": 12}

_Found = tuple[tuple[str, datetime.date | None, str], ...]  # (kind, date, rule) per deadline
_Builder = Callable[[re.Match, int], _Found]


def _one(kind: str, day: datetime.date | None, rule: str = "") -> _Found:
    return ((kind, day, rule),) if day else ()


def _build_due(match: re.Match, plan_year: int) -> _Found:
    """Groups year/month/day; a missing month is December, a missing day the month's last."""
    year = _group_int(match, "year", plan_year)
    month = _group_int(match, "month", 12)
    return _one(DeadlineKind.DUE, valid_date(year, month, _group_int(match, "day")))


def _build_start(match: re.Match, plan_year: int) -> _Found:
    year = _group_int(match, "year", plan_year)
    month = _group_int(match, "month", 1)
    return _one(DeadlineKind.START, valid_date(year, month, _group_int(match, "day", 1)))


def _build_range(match: re.Match, plan_year: int) -> _Found:
    start = valid_date(_group_int(match, "year", plan_year), int(match["month"]), _group_int(match, "day", 1))
    if start is None:
        return ()
    end_year = _group_int(match, "end_year", start.year)
    end_month, end_day = int(match["end_month"]), _group_int(match, "end_day")
    end = valid_date(end_year, end_month, end_day)
    if end is not None and end < start and not match["end_year"]:
        end = valid_date(end_year + 1, end_month, end_day)
    if end is None or end < start:
        return ()
    return ((DeadlineKind.START, start, ""), (DeadlineKind.PERIOD_END, end, ""))


def _build_quarter(match: re.Match, plan_year: int) -> _Found:
    year = _group_int(match, "year", plan_year)
    return _one(DeadlineKind.DUE, valid_date(year, 3 * _QUARTER_NUMBERS[match["quarter"]], None))


def _build_half_year(match: re.Match, plan_year: int) -> _Found:
    year = _group_int(match, "year", plan_year)
    return _one(DeadlineKind.DUE, valid_date(year, 6 if match["half"] == "上" else 12, None))


def _rule(frequency: str, month: int, day: int | None) -> str:
    return ParsedReporting(frequency, month, day, "").rule


def _recurring(frequency: str, month: int) -> _Builder:
    """A recurring deadline `month` months into each period, on the day the phrase gives."""

    def build(match: re.Match, plan_year: int) -> _Found:
        day = _group_int(match, "day")
        return _one(DeadlineKind.RECURRING, valid_date(plan_year, month, day), _rule(frequency, month, day))

    return build


def _build_yearly(match: re.Match, plan_year: int) -> _Found:
    month, day = _group_int(match, "month", 12), _group_int(match, "day")
    return _one(DeadlineKind.RECURRING, valid_date(plan_year, month, day), _rule("yearly", month, day))


def _bare(frequency: str) -> _Builder:
    def build(match: re.Match, plan_year: int) -> _Found:
        return ((DeadlineKind.RECURRING, None, frequency),)

    return build


_RULES: tuple[tuple[re.Pattern, _Builder], ...] = (
    (DATE_RANGE, _build_range),
    (START_DATE, _build_start),
    (DUE_DAY, _build_due),
    (DUE_DAY_TOWARDS, _build_due),
    (DUE_MONTH_END, _build_due),
    (DUE_MONTH_TOWARDS, _build_due),
    (DUE_YEAR_END, _build_due),
    (DUE_THIS_YEAR_END, _build_due),
    (DUE_YEAR_TOWARDS, _build_due),
    (DUE_YEAR_BEFORE, _build_due),
    (DUE_YEAR_WITHIN, _build_due),
    (DUE_WITHIN_THIS_YEAR, _build_due),
    (DUE_CLAUSE_YEAR, _build_due),
    (DUE_QUARTER, _build_quarter),
    (DUE_HALF_YEAR, _build_half_year),
    (QUARTERLY_LAST_MONTH_DAY, _recurring("quarterly", 3)),
    (QUARTERLY_FIRST_MONTH_DAY, _recurring("quarterly", 1)),
    (QUARTERLY_DAYS_AFTER, _recurring("quarterly", 4)),
    (QUARTERLY_END, _recurring("quarterly", 3)),
    (MONTHLY_DAY, _recurring("monthly", 1)),
    (MONTHLY_END, _recurring("monthly", 1)),
    (NEXT_MONTH_DAY, _recurring("monthly", 2)),
    (MONTHLY_DAYS_AFTER, _recurring("monthly", 2)),
    (HALF_YEARLY_DAYS_AFTER, _recurring("half-yearly", 7)),
    (HALF_YEARLY_END, _recurring("half-yearly", 6)),
    (YEARLY_MONTH_DAY, _build_yearly),
    (YEARLY_END, _build_yearly),
    (EVERY_QUARTER, _bare("quarterly")),
    (EVERY_MONTH, _bare("monthly")),
    (EVERY_HALF_YEAR, _bare("half-yearly")),
    (EVERY_YEAR, _bare("yearly")),
)


class _Hit(NamedTuple):
    start: int
    end: int
    found: _Found


def _hits(text: str, plan_year: int) -> list[_Hit]:
    """Deadline phrases in normalised `text`, in order; of overlapping phrases the longest wins."""
    candidates = [
        _Hit(match.start(), match.end(), found)
        for pattern, build in _RULES
        for match in pattern.finditer(text)
        if (found := build(match, plan_year))
    ]
    candidates.sort(key=lambda hit: (hit.start - hit.end, hit.start))
    chosen: list[_Hit] = []
    for hit in candidates:
        if all(hit.end <= other.start or other.end <= hit.start for other in chosen):
            chosen.append(hit)
    return sorted(chosen, key=lambda hit: hit.start)


def _without_shadowed_frequencies(deadlines: list[ParsedDeadline]) -> list[ParsedDeadline]:
    """Drop a bare 每月/每季度/… when the text also states a precise rule of that frequency."""
    precise = {d.rule.split(":")[0] for d in deadlines if ":" in d.rule}
    return [d for d in deadlines if d.kind != DeadlineKind.RECURRING or ":" in d.rule or d.rule not in precise]


def _unique(deadlines: list[ParsedDeadline]) -> tuple[ParsedDeadline, ...]:
    """The first of deadlines that agree on kind, date and rule (and phrase, when undated)."""
    seen: set[tuple] = set()
    unique = []
    for deadline in deadlines:
        key = (deadline.kind, deadline.date, deadline.rule, "" if deadline.date else deadline.text)
        if key not in seen:
            seen.add(key)
            unique.append(deadline)
    return tuple(unique)


def _deadlines(normalised: NormalisedText, plan_year: int) -> list[ParsedDeadline]:
    return [
        ParsedDeadline(kind, day, normalised.source_slice(hit.start, hit.end), rule)
        for hit in _hits(normalised.text, plan_year)
        for kind, day, rule in hit.found
    ]


# When the plan year is unknown, phrases without a year of their own (10月底前) are read as of
# this stand-in year and then left without a date: a leap year, far enough ahead that no plan
# names it, so its dates (and the year after it, a range's rollover) mark "year unknown".
_STAND_IN_YEAR = 2096


def parse_deadlines(text: str, plan_year: int | None) -> tuple[ParsedDeadline, ...]:
    """Every deadline phrase in one task's text, in order of appearance, without duplicates.

    See the module docstring for the phrases understood. `text` of each deadline is the
    phrase as it stands in `text`; a range gives a start and a period_end sharing its text.
    With `plan_year` None a phrase without its own year keeps its text and gets no date.
    """
    deadlines = _deadlines(normalise(text), plan_year or _STAND_IN_YEAR)
    if plan_year is None:
        deadlines = [_without_stand_in_date(deadline) for deadline in deadlines]
    return _unique(_without_shadowed_frequencies(deadlines))


# a 完成时限 table cell that is only a month or the whole year ("3月", "12月份", "全年"): due at its
# end. Written in a task's sentence, "3月" may be a start or a meeting; alone under 完成时限 it is
# the deadline.
CELL_MONTH = re.compile(rf"^(?:{_YEAR})?{_MONTH}份?$")
CELL_WHOLE_YEAR = re.compile(r"^(?:全年|年内|常年)$")


def parse_deadline_cell(text: str, plan_year: int | None) -> tuple[ParsedDeadline, ...]:
    """The deadlines of a table's 完成时限 cell: its phrases, else a bare month or 全年 as the
    end of that month or of the plan year."""
    found = parse_deadlines(text, plan_year)
    if found:
        return found
    cell = normalise(text).text.strip()
    month, whole_year = CELL_MONTH.match(cell), CELL_WHOLE_YEAR.match(cell)
    year = int(month["year"]) if month and month["year"] else plan_year
    if month and 1 <= int(month["month"]) <= 12:
        day = valid_date(year or _STAND_IN_YEAR, int(month["month"]), None)
    elif whole_year:
        day = datetime.date(year or _STAND_IN_YEAR, 12, 31)
    else:
        return ()
    return (ParsedDeadline(DeadlineKind.DUE, day if year else None, text.strip(), ""),)


def _without_stand_in_date(deadline: ParsedDeadline) -> ParsedDeadline:
    if deadline.date and deadline.date.year in (_STAND_IN_YEAR, _STAND_IN_YEAR + 1):
        return ParsedDeadline(deadline.kind, None, deadline.text, deadline.rule)
    return deadline


def is_unresolved(deadline: ParsedDeadline) -> bool:
    """A one-off deadline whose date could not be told (its phrase names no year and the plan
    year is unknown): an office has to confirm it."""
    return deadline.date is None and deadline.kind != DeadlineKind.RECURRING


# ---------------------------------------------------------------------------------------
# Reporting obligation
# ---------------------------------------------------------------------------------------

_SENTENCE_BREAKS = "。;!?\n"
# 报送, 上报, 报告, 进展情况; 报 followed by its addressee (报市…办公室, 报上级)
REPORTING_WORDS = re.compile(r"报送|上报|报告|汇报|呈报|进展情况|报(?=[市省县区国上各有])")
_ANY_YEAR = 2000  # a leap year: recurring rules are checked against it only


def _sentence_around(text: str, start: int, end: int) -> str:
    first = max(text.rfind(mark, 0, start) for mark in _SENTENCE_BREAKS) + 1
    ends = [position for mark in _SENTENCE_BREAKS if (position := text.find(mark, end)) >= 0]
    return text[first : min(ends, default=len(text))]


def _reporting_of(deadline: ParsedDeadline) -> ParsedReporting:
    frequency, _, rest = deadline.rule.partition(":")
    if not rest:
        return ParsedReporting(frequency, _PERIOD_LAST_MONTH[frequency], None, deadline.text)
    month, _, day = rest.partition(":")
    return ParsedReporting(frequency, int(month), None if day == "end" else int(day), deadline.text)


def parse_reporting(text: str) -> ParsedReporting | None:
    """The plan's recurring reporting obligation, or None.

    A recurring phrase counts only when its sentence has a reporting word (报送, 上报,
    报告, 进展情况, 报 + addressee): 每季度最后一月的23日前,将…进展情况报… → quarterly,
    3, 23. A bare frequency is due at the end of its period: 每半年报送 → half-yearly, 6,
    None. The first such phrase wins.
    """
    normalised = normalise(text)
    reporting = [
        ParsedDeadline(kind, day, normalised.source_slice(hit.start, hit.end), rule)
        for hit in _hits(normalised.text, _ANY_YEAR)
        if REPORTING_WORDS.search(_sentence_around(normalised.text, hit.start, hit.end))
        for kind, day, rule in hit.found
        if kind == DeadlineKind.RECURRING
    ]
    reporting = _without_shadowed_frequencies(reporting)
    return _reporting_of(reporting[0]) if reporting else None

