"""Dates and plan periods written in words (2024年2月5日, 二〇一六年三月十日, 2024—2025年), and
the normalised text every phrase parser of the importer reads. Pure functions, no Django.
"""
from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

# ---------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------

_FULL_WIDTH_TO_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}


@dataclass(frozen=True)
class NormalisedText:
    """`text` is `source` with full-width ASCII folded to half-width (２０１６，（）％ →
    2016,()%) and every space except line breaks dropped; `positions[i]` is the index in
    `source` of `text[i]`."""

    source: str
    text: str
    positions: tuple[int, ...]

    def source_slice(self, start: int, end: int) -> str:
        """The original text behind `text[start:end]`, spaces inside it included."""
        if start >= end:
            return ""
        return self.source[self.positions[start] : self.positions[end - 1] + 1]


def normalise(source: str) -> NormalisedText:
    chars: list[str] = []
    positions: list[int] = []
    for position, char in enumerate(source.translate(_FULL_WIDTH_TO_ASCII)):
        if char.isspace() and char != "\n":
            continue
        chars.append(char)
        positions.append(position)
    return NormalisedText(source, "".join(chars), tuple(positions))


# ---------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------

_FIRST_YEAR, _LAST_YEAR = 1949, 2100


def valid_date(year: int, month: int, day: int | None) -> datetime.date | None:
    """A valid date, `day` None meaning the last day of the month; None when impossible."""
    if not (_FIRST_YEAR <= year <= _LAST_YEAR and 1 <= month <= 12):
        return None
    last_day = calendar.monthrange(year, month)[1]
    day = last_day if day is None else day
    if not 1 <= day <= last_day:
        return None
    return datetime.date(year, month, day)


# ---------------------------------------------------------------------------------------
# Written dates and plan periods
# ---------------------------------------------------------------------------------------

# 2024年2月5日, 2024年2月5号
ARABIC_DATE = re.compile(r"(?<!\d)(?P<year>\d{4})年(?P<month>\d{1,2})月(?P<day>\d{1,2})[日号]")
# 2016.3.10, 2016-03-10, 2016/3/10
NUMERIC_DATE = re.compile(r"(?<![\d.])(?P<year>\d{4})(?P<sep>[./-])(?P<month>\d{1,2})(?P=sep)(?P<day>\d{1,2})(?!\d)")
# 二〇一六年三月十日
CHINESE_DATE = re.compile(
    r"(?P<year>[〇○零O0一二三四五六七八九]{4})年(?P<month>[一二三四五六七八九十]{1,2})月(?P<day>[一二三四五六七八九十]{1,3})[日号]"
)
_CHINESE_DIGITS = {"〇": 0, "○": 0, "零": 0, "O": 0, "0": 0, "一": 1, "二": 2, "三": 3, "四": 4,
                   "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def _chinese_number(numeral: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十三 → 23, 三十 → 30."""
    if "十" not in numeral:
        return _CHINESE_DIGITS[numeral]
    tens, _, units = numeral.partition("十")
    return (_CHINESE_DIGITS[tens] if tens else 1) * 10 + (_CHINESE_DIGITS[units] if units else 0)


def _chinese_date(match: re.Match) -> datetime.date | None:
    year = int("".join(str(_CHINESE_DIGITS[digit]) for digit in match["year"]))
    try:
        return valid_date(year, _chinese_number(match["month"]), _chinese_number(match["day"]))
    except KeyError:  # 十十, 一十十: not a numeral
        return None


def _arabic_date(match: re.Match) -> datetime.date | None:
    return valid_date(int(match["year"]), int(match["month"]), int(match["day"]))


def parse_cn_date(text: str) -> datetime.date | None:
    """The first full written date in `text`: 2024年2月5日, 2024 年 2 月 5 日, 二〇一六年三月十日,
    2016.3.10, 2016-03-10 (full-width digits too). None when there is no valid one."""
    normalised = normalise(text).text
    dated = [
        (match.start(), day)
        for pattern, read in ((ARABIC_DATE, _arabic_date), (NUMERIC_DATE, _arabic_date), (CHINESE_DATE, _chinese_date))
        for match in pattern.finditer(normalised)
        if (day := read(match))
    ]
    return min(dated)[1] if dated else None


# 2024—2025年, (2024-2025年), 2021～2025, 2021年至2025年
YEAR_RANGE = re.compile(r"(?<![\dA-Za-z/])(?P<start>\d{4})年?(?:[-—–―‐~〜]+|至|到)(?P<end>\d{4})(?!\d)")
# 2016年度
YEAR_OF_PLAN = re.compile(r"(?<!\d)(?P<year>\d{4})年度")
# (2024年)
BRACKETED_YEAR = re.compile(r"\((?P<year>\d{4})年\)")


def _year_span(first: int, last: int) -> tuple[datetime.date, datetime.date] | None:
    if _FIRST_YEAR <= first <= last <= _LAST_YEAR:
        return datetime.date(first, 1, 1), datetime.date(last, 12, 31)
    return None


def parse_period(text: str) -> tuple[datetime.date | None, datetime.date | None]:
    """A plan's own period from its title or heading: 2024—2025年 → (2024-01-01, 2025-12-31);
    2016年度 or (2016年) → (2016-01-01, 2016-12-31); (None, None) when none is stated."""
    normalised = normalise(text).text
    for match in YEAR_RANGE.finditer(normalised):
        if span := _year_span(int(match["start"]), int(match["end"])):
            return span
    for pattern in (YEAR_OF_PLAN, BRACKETED_YEAR):
        for match in pattern.finditer(normalised):
            if span := _year_span(int(match["year"]), int(match["year"])):
                return span
    return None, None
