"""Plan importer: a document on disk (or its lines) → a `ParsedPlan`, without the database.

    parse_document(path, *, plan_year=None) -> ParsedPlan
    parse_lines(lines, *, source_name="", plan_year=None) -> ParsedPlan

Both raise `ImportRefused` for anything that is not an action plan with assigned tasks.
The modules: `reader` (files → lines, with `docx_text`, `pdf_text`, `html_text`), `cleanup`
(lines → paragraphs), `units` (unit lists, with `unit_kinds`, `unit_names`, `places`),
`structure` (paragraphs → nodes, with `labels`, `assignments`, `inline_assignments`, `tables`,
`drafts`), `deadlines`, `dates` and `targets` (phrases in task text). This module reads the
plan's metadata (title, number, issuers, dates, jurisdiction, coordinator, reporting rule) and
puts the plan together.
"""
from __future__ import annotations

import datetime
import re

from .assignments import DEADLINE_LABELS, ROLE_LABEL
from .cleanup import (
    BRACKET_OPENERS,
    CLOSING_BRACKETS,
    OPENING_BRACKETS,
    ROLE_WORD,
    Paragraph,
    clean_lines,
    in_simplified_script,
    is_assignment_line,
    normalize_spaces,
)
from .dates import parse_cn_date, parse_period
from .deadlines import parse_reporting
from .reader import read_document
from .flat_tables import rows_from_flattened
from .labels import label_of
from .subjects import assign_by_subjects
from .structure import NodeBuilder, body_start
from .tables import rows_from_cell_paragraphs
from .targets import parse_targets
from .types import ImportRefused, ParsedNode, ParsedPlan, ParsedReporting, ParsedTarget, ParsedWarning
from .places import find_jurisdiction
from .unit_kinds import looks_like_unit
from .units import split_units

__all__ = ["ImportRefused", "ParsedPlan", "parse_document", "parse_lines"]

NO_TASKS = "未找到分配了责任单位的任务 (no task with assigned units found)"
NO_YEAR = (
    "文件中找不到年份：方案年度留待确认，没有年份的时限未定日期 "
    "(the document names no year: set the plan year; deadlines without a year are left undated)"
)

NOTICE_TITLE = re.compile(r"(?:关于印发|(?<=[会委府厅局室])印发)(?P<title>.+?)的通知")  # 管委会印发X的通知 too
TITLE_FIELD = re.compile(r"^标\s*题\s*[:：]\s*(?P<title>\S.{3,})$")
DOC_NUMBER = re.compile(r"^(?P<number>[\u4e00-\u9fff]{1,12}[〔\[［【]\d{4}[〕\]］】]\d{1,4}号)")
DOC_NUMBER_ALONE = re.compile(DOC_NUMBER.pattern + r"(?:签发人[:：].*)?$")
DATE_LINE = re.compile(
    r"^[\d〇零○一二三四五六七八九十]{4}年[\d一二三四五六七八九十]{1,3}月[\d一二三四五六七八九十]{1,3}日$"
)
VALID_UNTIL = re.compile(r"有效期至(?P<date>\d{4}年\d{1,2}月\d{1,2}日)")
YEAR = re.compile(r"(?:19|20)\d{2}")
# Where a document without a year in its title still says when it is from: its number
# (国办发〔2018〕12号, anywhere in the text), a publication line of the site it was taken from
# (发布日期：2018-03-15), a date line of its own (2018年3月15日), or, last, a year its body names.
DOC_NUMBER_YEAR = re.compile(r"[\u4e00-\u9fff][〔\[［【(（](?P<year>(?:19|20)\d{2})[〕\]］】)）]\d{1,4}号")
PUBLISHED_YEAR = re.compile(r"(?:成文日期|发布日期|发布时间|印发日期|公布日期|日期)\s*[:：]\s*(?P<year>(?:19|20)\d{2})")
BODY_YEAR = re.compile(r"(?P<year>(?:19|20)\d{2})\s*年")
COORDINATOR = re.compile(
    r"报(?:送)?(?:至|给)?(?P<office>(?:省|市|县|区)?[\u4e00-\u9fff]{2,30}?(?:办公室|(?:领导小组|指挥部)(?:办公室)?))"
)
LEADING_JURISDICTION = re.compile(r"^(?P<name>[\u4e00-\u9fff]{2,5}?(?:自治区|省|市|县|区))")
NOT_A_PLACE_START = ("全", "本", "我", "城", "各", "该", "关于", "市场")
GOAL_TITLE = re.compile(r"目标")
# 全市各县区(包括开发区、宝山循环经济产业集聚区、城乡一体化示范区,下同)
COLLECTIVE_DEFINITION = re.compile(
    r"(?P<stem>各[\u4e00-\u9fff]{1,8}?)[（(](?:包括|含)(?P<members>[^（()）]+?)[，,]?下同[)）]"
)
TITLE_LINE_MAX = 40


def parse_document(path, *, plan_year: int | None = None) -> ParsedPlan:
    """Read and parse the plan at `path` (.txt or .docx); raise ImportRefused if it is none."""
    lines, _kind = read_document(path)
    return parse_lines(lines, source_name=str(path), plan_year=plan_year)


def parse_lines(lines: list[str], *, source_name: str = "", plan_year: int | None = None) -> ParsedPlan:
    """Parse a document given as its raw lines.

    Guarantees: the plan has at least one task; every task has a path, a line and units;
    `plan_year` is the argument, else the period's start year, else the issue year, else
    the first year in the title, else a year found elsewhere (with a warning), else None:
    a document naming no year is still read, its year-less dates left undated and listed
    as warnings.
    """
    paragraphs = rows_from_cell_paragraphs(clean_lines(rows_from_flattened(in_simplified_script(lines))))
    paragraphs, cut_warning = repaired_end(paragraphs)
    start = body_start(paragraphs)
    preamble = paragraphs[:start]
    builder = NodeBuilder(paragraphs[start:]).build()
    if not builder.has_tasks:
        builder = assign_by_subjects(builder)  # units only as the subjects of sentences (市科委牵头开展……)
    if not builder.has_tasks:
        raise ImportRefused(NO_TASKS)

    title = plan_title(preamble)
    issuers, issued_on = signature(lines)
    period_start, period_end = parse_period(title) if title else (None, None)
    year = plan_year or _first_year(period_start, issued_on, title)
    year_warnings = []
    if year is None:
        year, where = _year_elsewhere(lines)
        year_warnings.append(ParsedWarning(
            f"标题中没有年份，方案年度按{where}取为{year}年，请核对 "
            f"(no year in the title: plan year {year} taken from {where}; please confirm)"
            if year else NO_YEAR
        ))
    target_year = period_end.year if period_end else year
    nodes = builder.nodes(year, target_year)
    warnings = year_warnings + cut_warning + builder.warnings
    reporting, coordinator = reporting_and_coordinator(paragraphs)
    return ParsedPlan(
        title=title,
        doc_number=doc_number(preamble),
        issuers=issuers,
        issued_on=issued_on,
        period_start=period_start,
        period_end=period_end,
        valid_until=valid_until(paragraphs),
        plan_year=year,
        jurisdiction=jurisdiction(title, issuers),
        coordinator=coordinator or (issuers[0] if issuers else ""),
        reporting=reporting,
        targets=goal_targets(nodes, target_year),
        nodes=nodes,
        collective_members=collective_members(paragraphs, nodes),
        warnings=tuple(warnings),
    )


# ---------------------------------------------------------------- a text cut short

CUT_TEXT = (
    "文件在分工中途结束，可能不完整，末尾不完整的单位未计入 "
    "(the text breaks off inside an assignment; its cut end is left out)"
)


def repaired_end(paragraphs: list[Paragraph]) -> tuple[list[Paragraph], list[ParsedWarning]]:
    """A copy that breaks off inside its last assignment (a web page stored in part): the
    bracket closed after its last whole clause (a list cut before its role verb is left out),
    or a label line without its cut last name. Other texts are returned as they are."""
    if not paragraphs:
        return paragraphs, []
    last = paragraphs[-1]
    text = last.text.rstrip("、，,；; \ufffd")
    depth = sum(map(text.count, OPENING_BRACKETS)) - sum(map(text.count, CLOSING_BRACKETS))
    repaired = None
    if depth == 1:
        opened = max(map(text.rfind, OPENING_BRACKETS))
        inner = text[opened + 1 :]
        clauses = re.split(r"[，,；;]", inner)
        if len(clauses) > 1 and not ROLE_WORD.search(clauses[-1]) and not ROLE_LABEL.match(clauses[-1]):
            inner = inner[: len(inner) - len(clauses[-1])].rstrip("，,；;")
        closer = next(closer for closer, openers in BRACKET_OPENERS.items() if text[opened] in openers)
        inner = _without_cut_name(inner)  # (牵头单位:市人力资源社会保 — the cut name goes
        if ROLE_WORD.search(inner):
            repaired = text[: opened + 1] + inner + closer
    elif is_assignment_line(text) and not text.startswith(DEADLINE_LABELS):
        value = re.split(r"[:：]", text, maxsplit=1)[-1]
        names = re.split(r"[、，,；;]", value.rstrip("。. "))
        if not ROLE_WORD.search(value) and names[-1] and not looks_like_unit(names[-1]):
            repaired = text[: len(text) - len(names[-1])].rstrip("、，,；;")  # 牵头单位：区商 (区商务委, cut)
    if repaired is None or repaired == last.text:
        return paragraphs, []
    return paragraphs[:-1] + [Paragraph(repaired, last.line)], [ParsedWarning(CUT_TEXT, last.line, last.text[-40:])]


def _without_cut_name(inner: str) -> str:
    """A bracket's text without the name its last labelled list was cut inside."""
    label = list(re.finditer(r"[\u4e00-\u9fff]{2,6}[:：]", inner))
    if not label:
        return inner
    names = re.split(r"[、，,；;]", inner[label[-1].end():])
    if names[-1] and not looks_like_unit(names[-1]):
        return inner[: len(inner) - len(names[-1])].rstrip("、，,；;")
    return inner


# ---------------------------------------------------------------- metadata


def plan_title(preamble: list[Paragraph]) -> str:
    """The plan's own title: X of 关于印发《X》的通知, else the first block of title lines.

    A title block is a run of short paragraphs without sentence punctuation (a title
    printed on two or three lines), joined without spaces.
    """
    labelled = [found.group("title").strip() for paragraph in preamble if (found := TITLE_FIELD.match(paragraph.text))]
    blocks = labelled + _title_blocks(preamble)  # an archived page's 标题： field first
    for text in blocks + [paragraph.text for paragraph in preamble]:
        for notice in NOTICE_TITLE.finditer(text):
            before = text[: notice.start()]
            if before.count("《") <= before.count("》"):  # not a document cited in 《》
                return notice.group("title").strip("《》〈〉")
    return blocks[0] if blocks else ""


def _title_blocks(preamble: list[Paragraph]) -> list[str]:
    blocks: list[str] = []
    current: list[str] = []
    for paragraph in preamble:
        text = paragraph.text
        is_title_line = (
            len(text) <= TITLE_LINE_MAX
            and not re.search(r"[A-Za-z]{3}|https?:|链接", text)  # 页面链接与图片详见links.tsv: the archive's note
            and not re.search(r"[。，,；;：:]", text)
            and not label_of(text)
            and not DOC_NUMBER.match(text)
            and not DATE_LINE.match(text)
        )
        if is_title_line:
            current.append(text)
        elif current:
            blocks.append(normalize_spaces("".join(current)))
            current = []
    if current:
        blocks.append(normalize_spaces("".join(current)))
    return blocks


def doc_number(preamble: list[Paragraph]) -> str:
    """The document's own number (闽发改规〔2024〕2号) on a short line of its own, or ""."""
    for paragraph in preamble[:6]:
        found = DOC_NUMBER_ALONE.match(re.sub(r"\s+", "", paragraph.text))
        if found:
            return found.group("number")
    return ""


def signature(lines: list[str]) -> tuple[tuple[str, ...], datetime.date | None]:
    """(issuers, issue date): the unit-name lines directly above a date line of its own."""
    compact = [re.sub(r"\s+", "", line) for line in lines]
    for index, text in enumerate(compact):
        if not DATE_LINE.match(text):
            continue
        issuers: list[str] = []
        for above in range(index - 1, -1, -1):
            raw = lines[above].strip()
            if not raw:
                continue
            names = raw.split()
            if not all(looks_like_unit(name) for name in names):
                break
            issuers[:0] = names
        if issuers:
            return tuple(dict.fromkeys(issuers)), parse_cn_date(text)
    return (), None


def valid_until(paragraphs: list[Paragraph]) -> datetime.date | None:
    """The date of 有效期至……, or None."""
    for paragraph in paragraphs:
        found = VALID_UNTIL.search(paragraph.text)
        if found:
            return parse_cn_date(found.group("date"))
    return None


def jurisdiction(title: str, issuers: tuple[str, ...]) -> str:
    """What 市/省 prefixes refer to: the first place in the title, else in the first issuer."""
    for text in (title, *issuers[:1]):
        found = find_jurisdiction(text)
        if found:
            return found
    leading = LEADING_JURISDICTION.match(title)
    if leading and not leading.group("name").startswith(NOT_A_PLACE_START):
        return leading.group("name")
    return ""


def reporting_and_coordinator(paragraphs: list[Paragraph]) -> tuple[ParsedReporting | None, str]:
    """The reporting rule, and the office reports go to (the one named with it, if any)."""
    reporting, coordinator = None, ""
    for paragraph in paragraphs:
        found = parse_reporting(paragraph.text)
        if found and reporting is None:
            reporting = found
            offices = list(COORDINATOR.finditer(paragraph.text))
            if offices:
                return reporting, _office_near(paragraph.text, found.text, offices)
    for paragraph in paragraphs:
        office = COORDINATOR.search(paragraph.text)
        if office:
            coordinator = office.group("office")
            break
    return reporting, coordinator


def _office_near(text: str, phrase: str, offices: list[re.Match]) -> str:
    """The office named after the reporting phrase, else the last one before it."""
    at = text.find(phrase) if phrase else -1
    after = [office for office in offices if office.start() >= at]
    return (after[0] if after else offices[-1]).group("office")


def goal_targets(nodes: tuple[ParsedNode, ...], target_year: int) -> tuple[ParsedTarget, ...]:
    """Targets stated in goal sections (二、工作目标, 一、主要目标, 总体目标) that are not tasks."""
    targets: list[ParsedTarget] = []
    goal_paths: list[tuple[str, ...]] = []
    for node in nodes:
        if node.is_task:
            continue
        inside_goal = any(node.path[: len(path)] == path for path in goal_paths if path)
        if GOAL_TITLE.search(node.title) and node.label:
            goal_paths.append(node.path)
            inside_goal = True
        if inside_goal:
            targets.extend(parse_targets(node.text, target_year))
    return tuple(targets)


def collective_members(
    paragraphs: list[Paragraph], nodes: tuple[ParsedNode, ...]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Members a plan defines for a collective unit (各县区(包括……,下同) → 各县区政府(管委))."""
    units = list(dict.fromkeys(
        unit for node in nodes for unit in node.responsible + node.supporting + node.implementing
    ))
    result: dict[str, tuple[str, ...]] = {}
    for paragraph in paragraphs:
        for found in COLLECTIVE_DEFINITION.finditer(paragraph.text):
            stem = found.group("stem")
            key = next((unit for unit in units if unit.startswith(stem)), stem)
            members = tuple(split_units(found.group("members")))
            if members and key not in result:
                result[key] = members
    return tuple(result.items())


def _year_elsewhere(lines: list[str]) -> tuple[int | None, str]:
    """(year, where it was read) for a document whose title, period and signature name none."""
    text = "\n".join(lines)
    compact = [re.sub(r"\s+", "", line) for line in lines]
    sources = (
        ("文号", DOC_NUMBER_YEAR.search(text)),
        ("发布日期", PUBLISHED_YEAR.search(text)),
        ("成文日期", next((parse_cn_date(line) for line in compact if DATE_LINE.match(line)), None)),
        ("正文中首次出现的年份", BODY_YEAR.search(text)),
    )
    for where, found in sources:
        if isinstance(found, datetime.date):
            return found.year, where
        if found:
            return int(found.group("year")), where
    return None, ""


def _first_year(
    period_start: datetime.date | None, issued_on: datetime.date | None, title: str
) -> int | None:
    if period_start:
        return period_start.year
    if issued_on:
        return issued_on.year
    found = YEAR.search(title or "")
    return int(found.group()) if found else None
