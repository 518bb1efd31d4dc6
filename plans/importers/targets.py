"""Quantitative targets stated in plan text: 细颗粒物(PM2.5)年均浓度 ≤ 67 微克/立方米 (2016).

Pure functions, no Django. The text is normalised first (see `deadlines.normalise`), split
into sentences (。!? and line breaks) and clauses (, ; : outside brackets).

A figure is a number with a unit: value as written (Decimal("2.8")), the Chinese
magnitude kept in the unit (万亿元, 亿美元, 万千瓦). It is a target only when it ends its
clause or list item (followed by nothing or by 、, after an optional 以上/以下/以内/左右),
and when the words before it name what is measured:

- measured: indicator + verb + figure — 年均浓度达到67微克/立方米以下, 优良天数不低于190天,
  营业收入达2.8万亿元, 排污强度比2012年下降20%以上 (indicator 排污强度下降幅度),
  禁燃区面积达到城市建成区面积的80%以上 (indicator 禁燃区面积占城市建成区面积比例);
- counted: verb + indicator + figure — 创建绿色工厂300家, 组织实施省重点技改项目1000项以上,
  and the items that continue its list (、绿色园区20个);
- respectively: A、B、C分别建设达到140个、70个、750个 pairs the lists, when they are as
  long; a clause with 分别 whose lists do not pair up gives nothing.

Indicator: the words before the verb (after a counting verb), without a bracketed scope
definition (全市各县区(包括…,下同)), leading time and modal words (2016年, 到2025年底,
力争, 争取, 确保, 我市) and a trailing baseline (比2012年, 同比); at most 30 characters.

Comparator: 以下/以内/不高于/不超过/控制在 → ≤; 以上/不低于/不少于/超过/至少 → ≥;
左右/接近/约/大约 → ≈; otherwise = (达到, 达, 为, 完成, 创建 …). A word after the figure
wins over the verb before it.

Not targets: a figure followed by more words (6台燃煤发电机组, 30家…基地建设, 2亿元支持…,
65吨/时, 1万平方米及以上的…, 50%的补助), a figure after 高于/低于/最高/单台/单体/在
(硫分高于1%, 使用量在500吨), any figure in a clause about money being allocated or
subsidised or about a rate (安排, 给予, 补助, 补贴, 贴息, 奖励, 费率, 利率, 保费),
standards, document numbers and dates (no unit). A doubtful figure is left out.

Year: the last year named before the figure in its sentence (2016年, 到2025年, 力争2025年)
that is not a baseline (比2012年, 较2015年, 与2015年相比); else `default_year`.
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import NamedTuple

from .dates import normalise
from .types import Comparator, ParsedTarget

SENTENCE = re.compile(r"[^。!?\n]+")
_CLAUSE_BREAKS = ",;:"
_OPENING_BRACKETS = "(《“〈[【"
_CLOSING_BRACKETS = ")》”〉]】"
_MAX_INDICATOR_LENGTH = 30

_MAGNITUDE = r"(?:万亿|千亿|百亿|亿|千万|百万|万)?"
_BASE_UNIT = (
    r"(?:微克/立方米|毫克/立方米|个百分点|百分点|%|‰|吨标准煤|千瓦时|千瓦|美元|元|吨|立方米|平方米|"
    r"平方公里|公里|千米|公顷|亩|天|家|个|项|台|辆|户|人次|人|所|座|条|套|件|处|批|倍)"
)
_QUALIFIER = r"(?:及?以[上下内]|左右)"
_FIGURE_TEXT = rf"\d+(?:\.\d+)?{_MAGNITUDE}{_BASE_UNIT}{_QUALIFIER}?"
# 100微克/立方米以下, 2.8万亿元, 4.8%左右
FIGURE = re.compile(
    rf"(?<![\d.A-Za-z])(?P<value>\d+(?:\.\d+)?)(?P<unit>{_MAGNITUDE}{_BASE_UNIT})(?P<qualifier>{_QUALIFIER})?"
)

_QUALIFIER_COMPARATOR = {
    "以下": Comparator.LTE, "以内": Comparator.LTE, "以上": Comparator.GTE, "左右": Comparator.APPROX,
}
_CHANGE_VERBS = ("下降", "降低", "减少", "提高", "提升", "增长", "增加")
_VERB_COMPARATOR = {
    "不高于": Comparator.LTE, "不超过": Comparator.LTE, "不大于": Comparator.LTE, "控制在": Comparator.LTE,
    "不低于": Comparator.GTE, "不少于": Comparator.GTE, "不小于": Comparator.GTE, "超过": Comparator.GTE,
    "至少": Comparator.GTE, "至少达到": Comparator.GTE, "突破": Comparator.GTE,
    "接近": Comparator.APPROX, "约": Comparator.APPROX, "大约": Comparator.APPROX, "约为": Comparator.APPROX,
    "约达": Comparator.APPROX,
    "达到": Comparator.EQ, "达": Comparator.EQ, "为": Comparator.EQ, "建设达到": Comparator.EQ,
    "完成": Comparator.EQ, "保持在": Comparator.EQ, "稳定在": Comparator.EQ,
    "下降到": Comparator.EQ, "降低到": Comparator.EQ, "降至": Comparator.EQ, "降到": Comparator.EQ,
    "提高到": Comparator.EQ, "提升到": Comparator.EQ, "提高至": Comparator.EQ, "提升至": Comparator.EQ,
    "增长到": Comparator.EQ, "增加到": Comparator.EQ, "增至": Comparator.EQ,
    **dict.fromkeys(_CHANGE_VERBS, Comparator.EQ),
}
_VERBS = "|".join(sorted(_VERB_COMPARATOR, key=len, reverse=True))
# …年均浓度达到 | …优良天数不低于 (the verb ends the words before the figure; not 下达, 到达 …)
MEASURE_VERB_AT_END = re.compile(rf"(?<![下到传送表抵长])(?P<verb>{_VERBS})$")
# 禁燃区面积达到城市建成区面积的 (80%)
SHARE_OF = re.compile(r"^(?P<subject>.+)(?:达到|达|占)(?P<base>[^、]+?)的$")
# 创建绿色工厂 (300家), 组织实施省重点技改项目 (1000项)
COUNT_VERB = re.compile(r"组织实施|创建|建成|新建|建设|培育|新增|实施|打造|认定|引进|淘汰|实现")
# A、B、C分别建设达到140个、70个、750个
RESPECTIVELY = re.compile(
    rf"^(?P<subjects>.+?)分别(?P<verb>{_VERBS})?(?P<figures>{_FIGURE_TEXT}(?:[、和]{_FIGURE_TEXT})+)$"
)
# money allocated or subsidised, rates: 安排2亿元, 给予最高1%贴息, 担保费率不高于1%
POLICY_WORDS = re.compile(r"安排|给予|补助|补贴|贴息|奖励|奖补|资助|费率|利率|税率|保费")
# thresholds describing what is regulated: 硫分高于1%, 使用量在500吨, 单台…
THRESHOLD_AT_END = re.compile(
    r"(?:(?<!不)(?:高于|低于|大于|小于)|最高|最低|单台|单体|共计|合计|(?<!控制|保持|稳定)在)$"
)

# scope defined in brackets ahead of the indicator: 全市各县区(包括开发区、…,下同)
SCOPE_ASIDE = re.compile(r"^.*\([^()]*(?:包括|下同|含|,|、)[^()]*\)")
LEADING_WORD = re.compile(
    r"^(?:力争|争取|确保|预计|其中|我市|我省|到|\d{4}年(?:底|末)?(?:之前|以前|前)?|年底前?|[、,的])"
)
TRAILING_WORD = re.compile(r"(?:(?:比|较)(?:\d{4}年|上年|去年)|同比|与(?:\d{4}年|上年|去年)相比|要|应|需|的|、)$")
# a year the target is for, not a baseline (比2012年, 较2015年, 与2015年相比)
TARGET_YEAR = re.compile(r"(?<![比较与\d])(?P<year>\d{4})年(?!以来|相比)")


class _Found(NamedTuple):
    indicator: str
    comparator: str
    value: Decimal
    unit: str
    offset: int  # where the figure starts in its clause


def _top_level_spans(text: str, breaks: str, start: int, end: int) -> list[tuple[int, int]]:
    """(start, end) of the non-empty pieces of text[start:end] between `breaks` outside brackets."""
    spans, depth, begin = [], 0, start
    for position in range(start, end):
        char = text[position]
        if char in _OPENING_BRACKETS:
            depth += 1
        elif char in _CLOSING_BRACKETS:
            depth = max(0, depth - 1)
        elif depth == 0 and char in breaks:
            spans.append((begin, position))
            begin = position + 1
    spans.append((begin, end))
    return [(first, last) for first, last in spans if last > first]


def _strip_repeatedly(pattern: re.Pattern, phrase: str) -> str:
    previous = None
    while phrase != previous:
        previous, phrase = phrase, pattern.sub("", phrase)
    return phrase


def _clean_indicator(phrase: str) -> str:
    """The measured noun phrase, without scope asides, time words, modal verbs and baselines;
    "" when nothing sensible is left."""
    phrase = SCOPE_ASIDE.sub("", phrase)
    phrase = _strip_repeatedly(LEADING_WORD, phrase)
    phrase = _strip_repeatedly(TRAILING_WORD, phrase)
    return phrase if len(phrase) <= _MAX_INDICATOR_LENGTH else ""


def _comparator(figure: re.Match, default: str) -> str:
    """The comparator of the word after the figure (以上, 及以下, 左右), else `default`."""
    qualifier = (figure["qualifier"] or "").removeprefix("及")
    return _QUALIFIER_COMPARATOR.get(qualifier, default)


def _is_share(unit: str) -> bool:
    return unit in ("%", "‰") or unit.endswith("百分点")


def _measured(lead: str, figure: re.Match) -> tuple[str, str] | None:
    """(indicator, comparator) for indicator + verb + figure, else None."""
    verb_at_end = MEASURE_VERB_AT_END.search(lead)
    if verb_at_end:
        verb = verb_at_end["verb"]
        indicator = _clean_indicator(lead[: verb_at_end.start()])
        if indicator and verb in _CHANGE_VERBS:
            indicator += verb + ("幅度" if _is_share(figure["unit"]) else "量")
        return indicator, _comparator(figure, _VERB_COMPARATOR[verb])
    share = SHARE_OF.match(lead)
    if share and _is_share(figure["unit"]):
        subject, base = _clean_indicator(share["subject"]), _clean_indicator(share["base"])
        indicator = f"{subject}占{base}比例" if subject and base else ""
        return indicator, _comparator(figure, Comparator.EQ)
    return None


def _counted(lead: str) -> tuple[str, str]:
    """(indicator, comparator) of verb + indicator + figure (创建绿色工厂300家, 至少新建
    充电桩100个); ("", "=") when the words before the figure have no such verb."""
    verb = COUNT_VERB.search(lead)
    if not verb:
        return "", Comparator.EQ
    before = MEASURE_VERB_AT_END.search(lead[: verb.start()])
    return _clean_indicator(lead[verb.end() :]), _VERB_COMPARATOR[before["verb"]] if before else Comparator.EQ


def _found(indicator: str, comparator: str, figure: re.Match) -> _Found:
    return _Found(indicator, comparator, Decimal(figure["value"]), figure["unit"], figure.start())


def _excluded(clause: str, lead: str, figure: re.Match) -> bool:
    """A figure that does not end its clause or list item, follows a threshold word, or sits in
    a clause about money given out or a rate."""
    after = clause[figure.end() : figure.end() + 1]
    return after not in ("", "、") or bool(
        THRESHOLD_AT_END.search(lead) or POLICY_WORDS.search(clause[: figure.start()])
    )


def _listed_targets(clause: str) -> list[_Found]:
    """Targets of a clause read figure by figure; items after a 、 continue a counted list."""
    found: list[_Found] = []
    item_start, in_counted_list = 0, False
    for figure in FIGURE.finditer(clause):
        lead = clause[item_start : figure.start()]
        ends_item = clause.startswith("、", figure.end())
        item_start = figure.end() + 1 if ends_item else figure.end()
        in_list, in_counted_list = in_counted_list, False
        if _excluded(clause, lead, figure):
            continue
        measured = _measured(lead, figure)
        if measured:
            found.append(_found(*measured, figure))
            continue
        indicator, default = _counted(lead)
        if not indicator and in_list:
            indicator, default = _clean_indicator(lead), Comparator.EQ
        if indicator:
            found.append(_found(indicator, _comparator(figure, default), figure))
            in_counted_list = ends_item
    return [target for target in found if target.indicator]


def _respective_targets(clause: str) -> list[_Found]:
    """A、B、C分别达到x个、y个、z个: one target per indicator; nothing when the lists do not
    pair up (a clause with 分别 is never read figure by figure)."""
    match = RESPECTIVELY.match(clause)
    if not match or POLICY_WORDS.search(clause):
        return []
    subjects = match["subjects"]
    spans = _top_level_spans(subjects, "、", 0, len(subjects))
    indicators = [_clean_indicator(subjects[first:last]) for first, last in spans]
    figures = list(FIGURE.finditer(clause, match.start("figures")))
    if len(indicators) != len(figures) or not all(indicators):
        return []
    default = _VERB_COMPARATOR.get(match["verb"] or "", Comparator.EQ)
    return [_found(indicator, _comparator(figure, default), figure) for indicator, figure in zip(indicators, figures)]


def _year_before(text: str) -> int | None:
    years = [int(match["year"]) for match in TARGET_YEAR.finditer(text)]
    years = [year for year in years if 1949 <= year <= 2100]
    return years[-1] if years else None


def parse_targets(text: str, default_year: int | None) -> tuple[ParsedTarget, ...]:
    """Quantitative goals stated in `text`, in order (see the module docstring for the rules).

    Each target's `text` is the clause it came from, as it stands in `text`.
    """
    normalised = normalise(text)
    plain = normalised.text
    targets: list[ParsedTarget] = []
    for sentence in SENTENCE.finditer(plain):
        sentence_start, sentence_end = sentence.span()
        for clause_start, clause_end in _top_level_spans(plain, _CLAUSE_BREAKS, sentence_start, sentence_end):
            clause = plain[clause_start:clause_end]
            source = normalised.source_slice(clause_start, clause_end).strip()
            found_in_clause = _respective_targets(clause) if "分别" in clause else _listed_targets(clause)
            for found in found_in_clause:
                year = _year_before(plain[sentence_start : clause_start + found.offset]) or default_year
                targets.append(ParsedTarget(source, found.indicator, found.comparator, found.value, found.unit, year))
    return tuple(targets)
