"""From cleaned paragraphs to the plan's section and task nodes.

`build_nodes` walks the paragraphs after the preamble and returns `ParsedNode`s in
document order. It understands

- numbering labels 一、 (一) 1. (1) ①, 第一章/第一节/第一条, and unnumbered paragraphs (placed under the nearest
  preceding heading of a higher level);
- assignment lines under a paragraph (责任单位：…, 牵头单位：…, 配合单位：…, 协办单位：…);
- an assignment parenthesis closing a paragraph (（X等部门按职责分工负责，Y负责落实）,
  （X牵头，Y配合）, （牵头单位：X；配合单位：Y）) and the blanket sentence
  "以下工作均需……负责落实，不再单独列出";
- task tables (序号 | 重点任务 | 牵头单位 | 配合单位 | 完成时限), one task per row.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .cleanup import (
    BRACKET_OPENERS,
    LEADER_LINE,
    OPENING_BRACKETS,
    ROLE_SENTENCE_LABEL,
    ROLE_WORD,
    Paragraph,
    is_assignment_line,
    trailing_parenthesis,
)
from .deadlines import is_unresolved, parse_deadline_cell, parse_deadlines
from .targets import parse_targets
from .types import ParsedNode, ParsedWarning
from .gazetteer import is_known_unit
from .unit_kinds import PREFIX as UNIT_PREFIX, all_read_as_units, looks_like_unit
from .units import lead_marked_units, split_units

# ---------------------------------------------------------------- patterns

CN_DIGITS = "一二三四五六七八九十百零〇"
LABEL_PATTERNS: tuple[tuple[int, re.Pattern], ...] = (
    (1, re.compile(rf"^[{CN_DIGITS}]+[、．.﹒]")),
    (2, re.compile(rf"^[（(][{CN_DIGITS}]+[)）]")),
    (3, re.compile(r"^\d{1,3}(?:[、．﹒]|\.(?!\d)|\.(?=(?:19|20)\d\d年))")),  # 1.2017年10月底前…, not 1.5万
    (4, re.compile(r"^[（(]\d{1,2}[)）]")),
    (5, re.compile(r"^[①-⑳]")),
    # 第一章 / 第一节 / 第一条 (regulation style): chapter, section, article
    (1, re.compile(rf"^第[{CN_DIGITS}\d]+章")),
    (2, re.compile(rf"^第[{CN_DIGITS}\d]+节")),
    (3, re.compile(rf"^第[{CN_DIGITS}\d]+条")),
)
ROLE_LABEL = re.compile(
    # compound labels first: at one position the first alternative that matches wins
    r"(牵头责任单位|牵头责任部门|牵头负责单位|牵头负责部门|协同责任单位|配合责任单位|协同责任部门"
    r"|责任单位|责任部门|牵头单位|牵头部门|主办单位|主办部门|主责单位|主责部门|负责单位|负责部门|承办单位|实施单位|落实单位"
    r"|配合单位|配合部门|协办单位|协办部门|参与单位|参与部门|协同单位|协同部门|支撑单位|支撑部门|支持单位|支持部门"
    r"|完成时限|完成时间|完成期限|时间节点|时限要求)\s*[:：]"
)
DEADLINE_LABELS = ("完成", "时间节点", "时限要求")
ROLE_OF_LABEL = {
    "牵头": "lead", "责任": "responsible", "主办": "responsible", "主责": "responsible", "负责": "responsible",
    "承办": "responsible", "实施": "implementing", "落实": "implementing",
}
# any other label ends a label's list of units: （负责部门：商务部、海关总署；适用范围：上海自贸试验区）
OTHER_LABEL = re.compile(r"[，,；;。]?[\u4e00-\u9fff]{2,6}[:：]")
ROLE_CLAUSE = re.compile(
    r"(?P<units>.+?)(?:全力|积极|主动|密切|具体|结合实际|因地制宜)?"  # 潭城镇人民政府全力配合, X结合实际落实
    r"(?P<verb>负责组织实施|分工组织实施|具体组织实施|牵头组织实施|分工负责牵头|分工落实|按职责分工负责|按职责分工落实|按职责分工推进|按职责负责|分工负责|共同负责|分别负责|牵头负责|负责落实|具体落实|组织落实"
    r"|组织实施|作为(?:项目)?业主(?:单位)?|(?:业务)?检查指导|业务指导"
    r"|牵头|负责|配合|主办|协办|参与|协同|协助|指导|督导|落实|各司其职)(?!单位|部门|领导)(?:[^，,；;]{0,16}?)(?:[，,；;]|$)"
)
ROLE_OF_VERB = {
    "按职责分工负责": "responsible",
    "按职责分工落实": "responsible",  # under the corpus convention, as 按职责分工负责
    "按职责分工推进": "responsible",
    "按职责负责": "responsible",
    "分工负责": "responsible",
    "共同负责": "responsible",
    "分别负责": "responsible",
    "主办": "responsible",  # （省发改委主办，省财政厅协办）
    "督导": "responsible",
    "协同": "supporting",
    "协助": "supporting",
    "负责": "responsible",
    "牵头负责": "lead",
    "牵头": "lead",
    "负责落实": "implementing",
    "具体落实": "implementing",
    "组织落实": "implementing",
    "配合": "supporting",
    "协办": "supporting",
    "参与": "supporting",
    "指导": "responsible",  # （生态环境部指导，试点城市政府负责落实）: the ministry answers for it
    "检查指导": "responsible",
    "业务指导": "responsible",
    "业务检查指导": "responsible",
    "组织实施": "implementing",
    "负责组织实施": "implementing",
    "分工组织实施": "implementing",
    "具体组织实施": "implementing",
    "牵头组织实施": "lead",
    "分工负责牵头": "lead",
    "分工落实": "implementing",
    "各司其职": "supporting",  # 区直各部门各司其职，协同配合
    "落实": "implementing",
    "作为业主单位": "implementing",  # 嘉源公司作为业主单位: the owner builds it
    "作为项目业主单位": "implementing",
    "作为业主": "implementing",
}
# 以下工作均需各设区市人民政府、平潭综合实验区管委会负责落实，不再单独列出
BLANKET = re.compile(
    r"^(?:以下|下列|后续|其余)[\u4e00-\u9fff]{0,6}?(?:均需|均由|均要|均须|需|由)(?P<units>.+?)"
    r"(?P<verb>负责落实|组织落实|具体落实|落实|负责|配合|协助|参与)[，,]?(?:不再单独列出|不再一一列出|不再列出|下同)?$"
)
# 具体任务均涉及相关市(州)人民政府，不再做分工，下同: the units every task involves, left unassigned
# item by item — they carry out each task (implementing)
BLANKET_INVOLVED = re.compile(
    r"^(?:具体|各项|以上|以下|上述|所有)?(?:任务|工作|措施|事项)?(?:均|都)?涉及(?P<units>[^，,]+)[，,]"
    r"(?:均)?不再(?:单独|一一)?(?:做|作|进行)?(?:分工|列出)(?P<verb>)(?:[，,]下同)?$"
)
CARRIED_ON = re.compile(r"[，,]\s*下同$")  # the clause before it holds for the tasks that follow
# A rule written inside an assignment parenthesis, not a unit: （税务总局、财政部负责，排在第一位的
#部门为牵头部门，下同）, （……，列第一位者为牵头单位）, （……，不再单独列出）
CONVENTION_NOTE = re.compile(r"^(?:(?:排|列|位)[在于列]?(?:第一位|首位|前面|第一)|下同$|不再(?:单独|一一)?列出$)")
# a heading that names the lead unit of every item under it: 一、县示范区管委会牵头工作(8项)
# a note stating that after the first unit the others support: 注：主要责任单位第一个为牵头单位，其余为主要配合单位
REST_SUPPORTING = re.compile(
    r"(?:第一个|第一位|首位|第一)[^。；;]{0,8}为牵头(?:单位|部门)[，,；;]\s*其[余他](?:单位|部门)?(?:均)?为(?:主要)?(?:配合|协办|参与)(?:单位|部门)"
)
SECTION_LEAD = re.compile(r"^(?P<units>[^，,。；;]+?)(?:牵头|负责)(?:的)?(?:工作|事项|任务)(?:[（(]\s*\d+\s*项[)）])?[。:：]?$")
SENTENCE_END = "。！？!?"
CLAUSE_END = re.compile(r"[，,；;：:]")
TITLE_MAX = 30
SHORT_TITLE_MAX = 20

# task-table columns, by the words their header cells contain
TABLE_COLUMNS: tuple[tuple[str, re.Pattern], ...] = (
    ("seq", re.compile(r"^(?:序号|编号|序)$")),
    ("kind", re.compile(r"类型$|类别$|^分类$")),  # 任务类型: a group label, merged down its rows
    # a person, not a unit: 责任领导, 牵头领导, 分管领导, 联系领导, 责任人, 联系人
    ("person", re.compile(r"领导|负责人|责任人|联系人|分管|包保")),
    ("lead", re.compile(r"牵头")),
    ("supporting", re.compile(r"配合|协办|参与|协同")),
    ("implementing", re.compile(r"业主单位|项目业主|建设单位")),  # the owner who builds it
    ("responsible", re.compile(r"责任|主办|主责|(?:推进|实施|承办|落实)(?:单位|部门|主体)")),
    ("deadline", re.compile(r"时限|时间|节点|进度")),
    ("measure", re.compile(r"措施|内容|要求|举措")),
    ("task", re.compile(r"任务|事项|项目|工作|实事|指标")),
)
TABLE_ROLES = ("lead", "responsible", "supporting", "implementing")  # the unit columns of a task table, in that order
TABLE_SPLIT = re.compile(r"\t|｜|\|")
UNIT_COLUMN = re.compile(r"(?:单位|部门)$")
HEADER_CELL_MAX = 16  # 申请中央预算内投资（万元）
FORM_TASK = re.compile(r"(?:工作|任务|事项|措施|内容|项目)$")  # 重点工作：, 工作任务：, 具体措施：
FORM_LABEL = re.compile(r"^(?P<label>[\u4e00-\u9fff、，,（）() ]{2,20})[:：]$")  # 牵头单位: in a form's first column


# ---------------------------------------------------------------- assignments


@dataclass
class Assignment:
    lead: list[str] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)
    supporting: list[str] = field(default_factory=list)
    implementing: list[str] = field(default_factory=list)
    blanket_implementing: list[str] = field(default_factory=list)  # 以下……均需Y落实: Y implements every later task
    blanket_supporting: list[str] = field(default_factory=list)  # 以下均需Y配合: Y supports every later task
    leaders: list[str] = field(default_factory=list)  # officials named beside the units (分管副省长)
    guessed: bool = False  # units without a role word, taken as responsible
    deadline_text: str = ""  # 完成时限：2023年12月底 written beside the units

    def add(self, role: str, units: list[str]) -> None:
        target = getattr(self, role)
        target.extend(unit for unit in units if unit not in target)

    @property
    def is_empty(self) -> bool:
        return not (self.lead or self.responsible or self.supporting or self.implementing or self.blanket_implementing
                    or self.blanket_supporting)


def label_of(text: str) -> tuple[str, int, str] | None:
    """(label as written, level, rest of the text) when `text` starts with a numbering label."""
    for level, pattern in LABEL_PATTERNS:
        found = pattern.match(text)
        if found:
            return found.group(), level, text[found.end() :].strip()
    return None


def parse_assignment_line(text: str, *, hosted: bool = False) -> Assignment | None:
    """Units of a line such as 责任单位：X。 / 牵头单位：X；配合单位：Y / 部门分工：X牵头，Y配合。,
    or None if it is not one."""
    sentence = ROLE_SENTENCE_LABEL.match(text)
    if sentence:
        return _role_sentence(text[sentence.end() :])
    found = list(ROLE_LABEL.finditer(text))
    if not found or found[0].start() != 0:
        return None
    assignment = Assignment()
    hosted = hosted or any(match.group(1).startswith("主办") for match in found)
    for index, match in enumerate(found):
        end = found[index + 1].start() if index + 1 < len(found) else len(text)
        value = OTHER_LABEL.split(text[match.end() : end], maxsplit=1)[0].strip("；;。，, ")
        if match.group(1).startswith(DEADLINE_LABELS):
            assignment.deadline_text = value
        else:
            role = _role_of_label(match.group(1))
            if hosted and match.group(1).startswith("承办"):
                role = "implementing"  # 主办单位：X 承办单位：Y — the host answers for it, Y carries it out
            add_labelled_units(assignment, role, value)
    return assignment


def add_labelled_units(assignment: Assignment, role: str, value: str) -> None:
    """Add what a label or a table column of `role` names: a role sentence (X牵头，Y配合) when
    its words make one, else a list of units."""
    if not (ROLE_WORD.search(value) and _add_role_sentence(assignment, value, role)):
        _add_units(assignment, role, value)


# a time phrase closing a list of units without a label of its own: （牵头单位：X；责任单位：Y，6月底完成）
TRAILING_TIME = re.compile(r"[，,；;](?P<time>[^，,；;]{0,12}(?:\d{1,2}月|年底|年内|季度|上半年|下半年)[^，,；;]{0,8})$")


def _add_units(assignment: Assignment, role: str, value: str) -> None:
    """Add the units of a written list in `role`; units marked （牵头） become the lead."""
    time = TRAILING_TIME.search(value)
    if time:
        assignment.deadline_text = " ".join(filter(None, [assignment.deadline_text, time.group("time")]))
        value = value[: time.start()]
    assignment.add("lead", lead_marked_units(value))
    assignment.add(role, _until_clause(split_units(value)))


LIST_NAME_MAX = 8  # 公安、安监部门, 商贸物流园, 区属各重点国企: short names the gazetteer does not know stay names


def _until_clause(names: list[str]) -> list[str]:
    """A labelled list up to where it runs into the text after it (配合单位：区教育局、区农村发展局加大
    人才引进力度。对入选……的，提供资金补助): a longer name that reads as no unit ends the list,
    keeping the unit it opens with."""
    kept = []
    for name in names:
        if NOT_A_UNIT.search(name) and not re.search(r"[。！？!?]", name):
            continue  # a figure or a numbered item in a cell: no name, the list goes on
        if not NOT_A_UNIT.search(name) and (looks_like_unit(name) or len(name) <= LIST_NAME_MAX):
            kept.append(name)
            continue
        head = next((name[:end] for end in range(len(name) - 1, 1, -1) if is_known_unit(name[:end])), None)
        kept += [head] if head else []
        break
    return kept


# what a unit cell or list may hold that names no unit: a figure (250, 60%), a numbered item
# (1.市政公用城学校), a sentence inside a cell (已完工。待验收)
NOT_A_UNIT = re.compile(r"^[\d.,%％()（）]+$|^[（(]?[一二三四五六七八九十\d]{1,3}[)）.、．]|[。！？!?]")


def parse_assignment_parenthesis(inner: str) -> Assignment | None:
    """Units named in an assignment parenthesis (its text without the brackets), or None.

    Guarantees: every unit returned reads as a unit name; a parenthesis that names no
    units (（含自备机组）, （2024—2025年）) gives None.
    """
    inner = re.sub(r"\s+", "", inner)
    if ROLE_LABEL.search(inner):
        return _labelled_parenthesis(inner)
    if not ROLE_WORD.search(inner):
        return _units_only_parenthesis(inner)
    assignment = Assignment()
    for written in filter(None, re.split(r"[。；;]", inner)):
        sentence = _without_convention_notes(written)
        if not sentence:
            continue  # 列第一位者为牵头单位，下同: a convention only
        if CARRIED_ON.search(written) and not CONVENTION_NOTE.match(sentence):  # 各地……结合实际落实，下同
            carried = Assignment()
            if _add_role_clauses(carried, sentence):
                assignment.add("blanket_implementing", carried.implementing)
                assignment.add("blanket_supporting", carried.supporting)
        start, blanket = _blanket_clause(sentence)
        if blanket:
            if not _add_blanket(assignment, blanket):
                return None
            sentence = sentence[:start].rstrip("，,")
            if not sentence:
                continue
        if not _add_role_clauses(assignment, sentence):
            return None
    return None if assignment.is_empty else assignment


def _role_sentence(text: str) -> Assignment:
    """The assignment of a role sentence (省商务厅牵头，各市、省直有关部门配合。); empty when its
    words are not one."""
    assignment = Assignment()
    _add_role_sentence(assignment, text)
    return assignment


def _add_role_sentence(assignment: Assignment, text: str, default_role: str | None = None) -> bool:
    """Add the roles of a role sentence to `assignment`; False (and nothing added) when its words
    are not one. Under a label (责任单位：X牵头，Y) a list without a verb takes the label's role."""
    found = Assignment()
    for sentence in filter(None, re.split(r"[。；;]", re.sub(r"\s+", "", text).rstrip("，,"))):
        if not _add_role_clauses(found, sentence, default_role):
            return False
    if found.is_empty:
        return False
    for role in ("lead", "responsible", "supporting", "implementing"):
        assignment.add(role, getattr(found, role))
    assignment.leaders.extend(found.leaders)
    assignment.deadline_text = " ".join(filter(None, [assignment.deadline_text, found.deadline_text]))
    return True


def _blanket_clause(sentence: str) -> tuple[int, re.Match | None]:
    """(where it starts, the match) of the blanket rule: the whole sentence, or its last clause
    (（X牵头，Y负责落实，以下任务措施均需Y落实）)."""
    cut = max(sentence.rfind("，"), sentence.rfind(","))
    for start in (0, cut + 1) if cut > 0 else (0,):
        found = BLANKET.match(sentence[start:]) or BLANKET_INVOLVED.match(sentence[start:])
        if found:
            return start, found
    return 0, None


def _without_convention_notes(sentence: str) -> str:
    """The sentence without its clauses that state a convention (排在第一位的部门为牵头部门, 下同)."""
    clauses = re.split(r"[，,]", sentence)
    kept = [clause for clause in clauses if not CONVENTION_NOTE.match(clause)]
    return "，".join(kept) if len(kept) < len(clauses) else sentence


def _add_blanket(assignment: Assignment, blanket: re.Match) -> bool:
    """Add a blanket rule's units to `assignment`; False when they are no units."""
    units = split_units(blanket.group("units"))
    if not units or not all(map(looks_like_unit, units)):
        return False
    supporting = blanket.group("verb") in ("配合", "协助", "参与")
    assignment.add("blanket_supporting" if supporting else "blanket_implementing", units)
    return True


def _labelled_parenthesis(inner: str) -> Assignment | None:
    """Labelled lists (责任单位：X、Y按职责分工负责), and a blanket rule in a sentence of its own
    after them (具体任务均涉及相关市(州)人民政府，不再做分工，下同)."""
    start = ROLE_LABEL.search(inner).start()
    kept, blankets = [], []
    for sentence in re.split(r"(?<=[。；;])", inner[start:]):
        at, blanket = _blanket_clause(sentence.rstrip("。；;"))
        if blanket and at == 0 and kept:
            blankets.append(blanket)
        else:
            kept.append(sentence)
    assignment = parse_assignment_line("".join(kept))
    if assignment is not None and not all(_add_blanket(assignment, blanket) for blanket in blankets):
        return None
    return assignment


def _add_role_clauses(assignment: Assignment, sentence: str, default_role: str | None = None) -> bool:
    """Add the role clauses of one sentence; False when the sentence is not an assignment.

    A clause that only says when (年内持续推进, 2025年底前完成) is the deadline; one naming
    officials (分管副省长、协管副秘书长负责) gives the task's leaders, not units."""
    position, roles, prefix, last_units = 0, 0, "", []
    while position < len(sentence):
        time = TIME_CLAUSE.match(sentence, position)
        if time and not ROLE_WORD.search(time.group("time")):
            assignment.deadline_text = " ".join(filter(None, [assignment.deadline_text, time.group("time")]))
            position = time.end()
            continue
        preamble = PREAMBLE_CLAUSE.match(sentence, position)
        if preamble:  # 按照城市片林规划要求，X负责……
            position = preamble.end()
            continue
        bare = BARE_VERB_CLAUSE.match(sentence, position)
        if bare and last_units:  # 区直各部门各司其职，协同配合: the same units, in that role
            assignment.add(ROLE_OF_VERB.get(bare.group("verb"), "supporting"), last_units)
            position = bare.end()
            continue
        clause = ROLE_CLAUSE.match(sentence, position)
        if not clause and default_role:
            clause = VERBLESS_CLAUSE.match(sentence, position)
        if not clause:
            return False
        named = clause.group("units")
        named = named[named.rindex("由") + 1:] if "由" in named else named  # (竹屿湖二期项目)由X负责
        units = split_units(named, prefix)  # 区环保局牵头，经发局参与: the 区 goes on
        prefix = next((found.group(1) for unit in units if (found := UNIT_PREFIX.match(unit))), prefix)
        if units and all(PERSON_TITLE.search(unit) for unit in units):
            assignment.leaders.extend(units)
        elif not all_read_as_units(units, named):
            return False
        else:
            assignment.add(ROLE_OF_VERB.get(clause.group("verb"), default_role), units)
            roles += 1
            last_units = units
        position = clause.end()
    return roles > 0


# a clause before the assignment that says on what basis, naming no unit: 按照城市片林规划要求，
PREAMBLE_CLAUSE = re.compile(r"(?:按照|根据|依据|围绕)[^，,；;]{2,20}[，,]")
# a clause that is only a role, for the units of the clause before: ……各司其职，协同配合
BARE_VERB_CLAUSE = re.compile(r"(?:协同|积极|全力|主动|密切)?(?P<verb>配合|协助|参与)(?:[，,；;]|$)")


# a clause of an assignment that says when, not who: 年内持续推进, 2025年底前完成, 长期坚持
TIME_CLAUSE = re.compile(
    r"(?P<time>[^，,；;]{0,10}(?:\d{1,2}月|年底|年内|季度|上半年|下半年|长期|持续推进|\d{4}年)[^，,；;]{0,8})(?:[，,；;]|$)"
)
# a list without a role verb, in a role sentence under a label: 责任单位：X牵头，区直相关部门
VERBLESS_CLAUSE = re.compile(r"(?P<units>[^，,；;]+)(?P<verb>)(?:[，,；;]|$)")
# officials named as answerable in an assignment: 分管副省长, 协管副秘书长, 市长
PERSON_TITLE = re.compile(r"(?:省长|市长|县长|区长|州长|秘书长|书记|主席|常委|部长)$|领导$")


def _units_only_parenthesis(inner: str) -> Assignment | None:
    """（省商务厅、省财政厅）: a parenthesis made only of unit names."""
    units = split_units(inner)
    if len(units) < 1 or not all(map(looks_like_unit, units)) or not re.search(r"[、，,]|局|厅|委|办", inner):
        return None
    assignment = Assignment(guessed=True)
    assignment.add("responsible", units)
    return assignment


def _role_of_label(label: str) -> str:
    for prefix, role in ROLE_OF_LABEL.items():
        if label.startswith(prefix):
            return role
    return "supporting"


def inner_assignment_segments(text: str) -> list[str]:
    """A paragraph whose measures each close with their own assignment parenthesis
    (……（体育总局、教育部负责）重视和鼓励……（体育总局、网信办负责）), cut after each such
    parenthesis; [text] when none stands inside it. A parenthesis counts only when it names
    roles (负责, 牵头, 配合 …), not units alone; any kind of bracket counts: （）() 〔〕 [] 【】."""
    segments, start, opened = [], 0, []  # opened: (index, opening char) of the brackets still open
    for index, char in enumerate(text):
        if char in OPENING_BRACKETS:
            opened.append((index, char))
        elif char in BRACKET_OPENERS and opened and opened[-1][1] in BRACKET_OPENERS[char]:
            at, _ = opened.pop()
            rest = text[index + 1 :].lstrip("。；; ")
            if not opened and rest and len(rest) > 4:
                found = parse_assignment_parenthesis(text[at + 1 : index])
                if found is not None and not found.guessed:
                    cut = index + 1 + (len(text[index + 1 :]) - len(rest))
                    segments.append(text[start:cut].strip())
                    start = cut
    return segments + [text[start:].strip()] if segments else [text]


def split_trailing_assignment(text: str) -> tuple[str, Assignment | None]:
    """(text without its closing assignment parenthesis, the assignment) — or (text, None)."""
    found = trailing_parenthesis(text)
    if not found:
        return _split_inline_assignment(text)
    start, inner = found
    assignment = parse_assignment_parenthesis(inner)
    if assignment is None:
        return _split_inline_assignment(text)
    return text[:start].rstrip(), assignment


# the closing clause of a 国办函 分工 item: ……的问题，由发展改革委会同农业部、财政部等部门研究提出落实意见。
ASSIGNED_BY = re.compile(
    r"[，,](?:由|请)(?P<units>[^，,。；;（(]{2,120}?)"
    r"(?P<verb>负责落实|具体落实|组织落实|组织实施|牵头负责|负责|牵头|研究提出[^，,。；;]{0,12}|研究制定[^，,。；;]{0,12})[。；;]?$"
)


def _split_assigned_by(text: str) -> tuple[str, Assignment | None]:
    found = ASSIGNED_BY.search(text)
    units = split_units(found.group("units")) if found else []
    if not units or not all(map(looks_like_unit, units)):
        return text, None
    assignment = Assignment()
    assignment.add(ROLE_OF_VERB.get(found.group("verb"), "responsible"), units)  # 研究提出…: responsible
    return text[: found.start()].rstrip("，, "), assignment


def _split_inline_assignment(text: str) -> tuple[str, Assignment | None]:
    """"……完成规划编制。责任单位：市文旅局、市林业局。": the assignment as the last sentence;
    "农村道路畅通工程，牵头部门：市交通局。建设进度……": a labelled clause after a comma, the
    text after its sentence kept.

    The role label must open a sentence or a clause (after 。；!? or a comma) and its list must
    be units only (and a 完成时限), so a sentence that only mentions 责任单位 stays text.
    """
    for label in ROLE_LABEL.finditer(text):
        start = label.start()
        if start == 0 or text[start - 1] not in SENTENCE_END + "；;，,":
            continue
        whole = parse_assignment_line(text[start:])
        if "。" not in text[start:].rstrip("。；; ") and _units_only(whole):
            return text[:start].rstrip("，, "), whole
        end = next((at for at in range(label.end(), len(text)) if text[at] in SENTENCE_END + "；;"), len(text))
        assignment = parse_assignment_line(text[start:end])
        if text[start - 1] in "，," and _units_only(assignment):
            return text[:start].rstrip("，, ") + text[end:], assignment
        return text, None
    return _split_assigned_by(text)


def _units_only(assignment: Assignment | None) -> bool:
    units = assignment.lead + assignment.responsible + assignment.supporting if assignment else []
    return bool(units) and all(map(looks_like_unit, units))


def leader_of(text: str) -> str:
    """The person a leader line names: 牵头负责领导：金力。 → 金力."""
    return re.split(r"[:：]", text, maxsplit=1)[1].strip(" 。；;")


# ---------------------------------------------------------------- titles


def split_title(body: str) -> str:
    """The heading sentence of a paragraph, without its 。.

    The first sentence when it is short (≤ 30 characters); otherwise the first clause,
    cut to 30 characters with "…".
    """
    first = re.split(rf"[{SENTENCE_END}]", body, maxsplit=1)[0].strip()
    if len(first) <= TITLE_MAX:
        return first
    clause = CLAUSE_END.split(first, maxsplit=1)[0]
    return clause if len(clause) <= TITLE_MAX else clause[:TITLE_MAX] + "…"


def is_heading(body: str) -> bool:
    """True for a bare heading: one short sentence ("燃煤烟气治理。", "持续壮大支柱产业出口规模")."""
    core = body.rstrip(SENTENCE_END)
    return bool(core) and len(core) <= TITLE_MAX and not re.search(rf"[{SENTENCE_END}]", core)


def starts_with_short_title(text: str) -> bool:
    """True for "电子信息。加快……" or "主要预期目标：经济增长……": a short title followed by more text."""
    parts = re.split(rf"[{SENTENCE_END}:：]", text, maxsplit=1)
    if len(parts) < 2 or not parts[1].strip():
        return False
    title = parts[0]
    return 0 < len(title) <= SHORT_TITLE_MAX and not re.search(r"[，,、；;：:（(]", title)


# ---------------------------------------------------------------- building


@dataclass
class Draft:
    label: str
    level: int
    path: tuple[str, ...]
    parent: int | None
    title: str
    text: str
    line: int
    heading_only: bool
    lead: list[str] = field(default_factory=list)
    responsible: list[str] = field(default_factory=list)
    supporting: list[str] = field(default_factory=list)
    implementing: list[str] = field(default_factory=list)
    deadline_text: str = ""
    roles_from_lines: set[str] = field(default_factory=set)
    leaders: list[str] = field(default_factory=list)
    hosted: bool = False  # a 主办单位 line named its host: a 承办单位 line then names who carries it out

    @property
    def assigned(self) -> bool:
        return bool(self.lead or self.responsible or self.supporting or self.implementing)

    def assign(self, assignment: Assignment) -> None:
        for role in ("lead", "responsible", "supporting", "implementing"):
            target = getattr(self, role)
            target.extend(unit for unit in getattr(assignment, role) if unit not in target)


def body_start(paragraphs: list[Paragraph]) -> int:
    """Index of the first paragraph of the plan body (after title, notice and signature)."""
    for index, paragraph in enumerate(paragraphs):
        if label_of(paragraph.text) or (TABLE_SPLIT.search(paragraph.text) and table_columns(paragraph.text)):
            return index
        next_text = paragraphs[index + 1].text if index + 1 < len(paragraphs) else ""
        if is_assignment_line(next_text) or split_trailing_assignment(paragraph.text)[1]:
            return index
    return len(paragraphs)


class NodeBuilder:
    """Turns body paragraphs into drafts; `nodes()` freezes them into ParsedNodes."""

    def __init__(self, paragraphs: list[Paragraph]):
        self.paragraphs = paragraphs
        self.drafts: list[Draft] = []
        self.stack: list[int] = []
        self.blanket: dict[str, list[str]] = {"implementing": [], "supporting": []}  # role → units of every later task
        self.warnings: list[ParsedWarning] = []
        self.table_columns: dict[str, int] | None = None
        self.table_width = 0  # cells of the header row
        self.table_units: dict[str, str] = {}  # the unit cells of the last task row, by role
        self.table_merges = False  # the table shows merged cells: an empty units cell continues the one above
        self.table_group: int | None = None  # the open group heading of a table whose measures are numbered
        self.blanket_from: dict[str, int] = {}  # role → index of the draft that declared its blanket units
        self.section_leads: dict[int, list[str]] = {}  # heading draft → the lead unit it names

    # -- walking

    def build(self) -> "NodeBuilder":
        for index, paragraph in enumerate(self.paragraphs):
            text = paragraph.text
            if LEADER_LINE.match(text):  # 牵头负责领导：金力。 names a person, neither a task nor a unit
                if self.drafts:
                    self.drafts[-1].leaders.append(leader_of(text))
                continue
            if TABLE_SPLIT.search(text):
                self._on_table_row(text, paragraph.line)
                continue
            if ATTACHMENT_START.match(text):  # 附件：……分工表 — a document of its own, under no heading above it
                self.stack.clear()
                self.table_columns = None
            labelled = label_of(text)
            if not (labelled and is_heading(labelled[2])):
                self.table_columns = None  # a section heading between table rows keeps the table open
            if is_assignment_line(text):
                self._on_assignment_line(text, paragraph.line)
                continue
            if labelled:
                self._on_labelled(*labelled, paragraph.line)
            else:
                self._on_plain(index, text, paragraph.line)
        parents = {draft.parent for draft in self.drafts}
        for index, draft in enumerate(self.drafts):  # the items under a "X牵头工作" heading, without units of their own
            if draft.parent in self.section_leads and not draft.assigned and index not in parents:
                draft.lead = list(self.section_leads[draft.parent])
        return self

    def _on_labelled(self, label: str, level: int, rest: str, line: int) -> None:
        first, *more = inner_assignment_segments(rest)
        body, assignment = split_trailing_assignment(first)
        parent = self._pop_to_parent(level)
        path = (self.drafts[parent].path if parent is not None else ()) + (label,)
        draft = Draft(label, level, path, parent, split_title(body), body, line, is_heading(body) and not assignment)
        self._push(draft)
        index = len(self.drafts) - 1
        self._apply(draft, assignment, line)
        self._add_segments(more, line, parent=index)
        section_lead = SECTION_LEAD.match(body) if assignment is None else None
        units = split_units(section_lead.group("units")) if section_lead else []
        if units and all(map(looks_like_unit, units)):
            self.section_leads[index] = units

    def _add_segments(self, segments: list[str], line: int, *, parent: int | None, level: int | None = None) -> None:
        """The further measures of one paragraph, each with its own assignment: unnumbered
        tasks (no number is invented) under `parent` at `level` (by default one below it). A
        segment opening with a number is the next item, written on the same line
        (（省发改委负责）(二)公共财政收入……); the segments after it go under that item."""
        for at, segment in enumerate(segments):
            labelled = label_of(segment)
            if labelled:
                self._on_labelled(*labelled, line)
                self._add_segments(segments[at + 1 :], line, parent=len(self.drafts) - 1)
                return
            body, assignment = split_trailing_assignment(segment)
            draft_level = level if level is not None else self.drafts[parent].level + 1
            path = self.drafts[parent].path if parent is not None else ()
            draft = Draft("", draft_level, path, parent, split_title(body), body, line, False)
            self._pop_to_parent(draft_level)
            self._push(draft)
            self._apply(draft, assignment, line)

    def _on_plain(self, index: int, text: str, line: int) -> None:
        first, *more = inner_assignment_segments(text)
        self._on_plain_segment(index, first, line)
        if not more:
            return
        first_draft = self.drafts[-1]
        if first_draft.label:  # the paragraph continued a numbered item: its measures go under it
            self._add_segments(more, line, parent=len(self.drafts) - 1)
        else:  # an unnumbered measure: the further ones stand beside it
            self._add_segments(more, line, parent=first_draft.parent, level=first_draft.level)

    def _on_plain_segment(self, index: int, text: str, line: int) -> None:
        body, assignment = split_trailing_assignment(text)
        previous = self.drafts[-1] if self.drafts else None
        if not body and assignment and (item := self._item_of_parts()) is not None:
            self._apply(self.drafts[item], assignment, line)  # （责任单位：…） after (1)…(4): the item's
            return
        if previous and not previous.assigned and not starts_with_short_title(body):
            if not previous.heading_only:
                previous.text = f"{previous.text}\n{body}" if previous.text else body
                self._apply(previous, assignment, line)
                return
            if self._single_block_follows(index):
                previous.text, previous.heading_only = body, False
                self._apply(previous, assignment, line)
                return
        parent = self._unnumbered_parent(previous)
        level = self.drafts[parent].level + 1 if parent is not None else 1
        path = self.drafts[parent].path if parent is not None else ()
        draft = Draft("", level, path, parent, split_title(body), body, line, is_heading(body) and not assignment)
        self._pop_to_parent(level)
        self._push(draft)
        self._apply(draft, assignment, line)

    def _item_of_parts(self) -> int | None:
        """The item whose numbered parts ((1)…(4), two or more, none assigned) the last draft
        closes, when an assignment on its own follows them; else None."""
        last = self.drafts[-1] if self.drafts else None
        if last is None or not last.label or last.parent is None or last.assigned:
            return None
        parts = [draft for draft in self.drafts if draft.parent == last.parent]
        item = self.drafts[last.parent]
        if len(parts) < 2 or any(part.assigned or not part.label for part in parts) or item.assigned:
            return None
        if any(draft.assigned for draft in self.drafts[last.parent + 1:]):
            return None  # a part's own measures carry units: the assignment is the last part's
        return last.parent

    def _on_assignment_line(self, text: str, line: int) -> None:
        hosted = bool(self.drafts) and self.drafts[-1].hosted  # 主办单位：X on the line above 承办单位：Y
        assignment = parse_assignment_line(text, hosted=hosted)
        if not self.drafts:
            self._warn(line, "分工行前面没有任务段落，已忽略 (assignment line without a task)", text)
            return
        item = self._item_of_parts() if not self.drafts[-1].roles_from_lines else None
        draft = self.drafts[item if item is not None else -1]  # 牵头单位：… after 1．…2．…: the item's
        roles = {role for role in ("lead", "responsible", "supporting") if getattr(assignment, role)}
        if roles & draft.roles_from_lines:
            self._warn(
                line,
                f"同一段落下重复的分工行，已合并到第{draft.line}行的任务 (repeated assignment line merged into the task above)",
                text,
            )
        draft.roles_from_lines |= roles
        draft.hosted = draft.hosted or text.lstrip().startswith("主办")
        if assignment.is_empty and not assignment.deadline_text:
            self._warn(line, "分工行没有列出单位 (assignment line names no unit)", text)
        self._apply(draft, assignment, line)

    def _on_table_row(self, text: str, line: int) -> None:
        cells = [cell.strip() for cell in TABLE_SPLIT.split(text)]
        columns = table_columns(text)
        if columns:
            self.table_columns, self.table_width, self.table_units = columns, len(cells), {}
            self.table_group = None
            self.table_merges = "kind" in columns  # a 任务类型 column spans its rows
            return
        if self.table_columns is None:
            filled = [cell for cell in cells if cell]
            form = FORM_LABEL.match(filled[0]) if len(filled) == 2 else None
            if form:
                self._on_form_row(form.group("label"), filled[1], line)
                return
            self._warn(line, "表格行前没有表头，已忽略 (table row without a header row)", text)
            return
        numbered = "seq" in self.table_columns and SEQ_CELL.match(cells[0])
        if 1 < len(cells) < self.table_width and not cells[0]:  # written from its first column, last cells empty
            cells = cells + [""] * (self.table_width - len(cells))
        elif 1 < len(cells) < self.table_width and not numbered:  # first cells merged with the row above (rowspan)
            cells = [""] * (self.table_width - len(cells)) + cells
            self.table_merges = True
        else:
            cells = _aligned_on_units(cells, self.table_columns, len(cells) != self.table_width)
        filled = [cell for cell in cells if cell]
        if len(filled) == 1:  # a section row such as "一、燃煤烟气治理"
            labelled = label_of(filled[0])
            if labelled:
                self._on_labelled(*labelled, line)
            else:
                self._add_section_row(filled[0], line)
            return
        if filled:
            self._add_table_task(cells, line)

    def _on_form_row(self, label: str, value: str, line: int) -> None:
        """A row of a 督办 form (重点工作： | 135.统筹…… / 牵头单位： | 市城管局 / 年度目标： | 第一季度……):
        the work is a paragraph, a role label assigns it, anything else adds to its text."""
        if ROLE_LABEL.match(f"{label}："):
            self._on_assignment_line(f"{label}：{value}", line)
        elif FORM_TASK.search(label) and not self._form_task_open():
            labelled = label_of(value)
            if labelled:
                self._on_labelled(*labelled, line)
            else:  # no paragraphs of the document follow a form's row: it is read from the end
                self._on_plain(len(self.paragraphs), value, line)
        elif self.drafts:
            self.drafts[-1].text = f"{self.drafts[-1].text}\n{label}：{value}"

    def _form_task_open(self) -> bool:
        """True when the last form task still waits for its units."""
        return bool(self.drafts) and not self.drafts[-1].assigned and not self.drafts[-1].heading_only

    def _add_section_row(self, text: str, line: int) -> None:
        parent = self._heading_parent()
        level = self.drafts[parent].level + 1 if parent is not None else 1
        path = self.drafts[parent].path if parent is not None else ()
        self._pop_to_parent(level)
        self._push(Draft("", level, path, parent, split_title(text), text, line, True))

    def _add_table_task(self, cells: list[str], line: int) -> None:
        def cell(name: str) -> str:
            index = self.table_columns.get(name)
            return cells[index] if index is not None and index < len(cells) else ""

        task, measure = cell("task"), cell("measure")
        label = cell("seq")
        if "task" in self.table_columns and label_of(measure):  # 1 | 推进生态文明建设 | 1、建立…: a group of numbered measures
            if task:
                self._open_table_group(label, task, line)
            if self.table_group is not None:
                label, _, measure = label_of(measure)
                task = ""
        if not label and not measure and label_of(task) and label_of(task)[1] > 1:
            label, _, task = label_of(task)  # 2.纳入…… in a table without 序号: the row's own number
        body = "\n".join(part for part in (task, measure) if part)
        parent = self._heading_parent()
        level = self.drafts[parent].level + 1 if parent is not None else 1
        path = (self.drafts[parent].path if parent is not None else ()) + ((label,) if label else ())
        draft = Draft(label, level, path, parent, split_title(task or measure), body, line, False)
        draft.deadline_text = cell("deadline")
        self._pop_to_parent(level)
        self._push(draft)
        unit_cells = {role: cell(role) for role in TABLE_ROLES}
        # the task cell empty beside a measure: the row sits under merged 事项 and units cells
        under_merged_task = not task and measure and "task" in self.table_columns and "measure" in self.table_columns
        if not any(unit_cells.values()) and self.table_units and (self.table_merges or under_merged_task):
            unit_cells = self.table_units  # a units cell merged down the rows below it
        self.table_units = unit_cells
        assignment = Assignment()
        for role, value in unit_cells.items():
            add_labelled_units(assignment, role, value)
        self._apply(draft, assignment, line)

    def _open_table_group(self, label: str, text: str, line: int) -> None:
        """A table row's task cell over numbered measures: a heading beside the table's last group."""
        if self.table_group is not None:
            self._pop_to_parent(self.drafts[self.table_group].level)
        parent = self._heading_parent()
        level = self.drafts[parent].level + 1 if parent is not None else 1
        path = (self.drafts[parent].path if parent is not None else ()) + ((label,) if label else ())
        self._pop_to_parent(level)
        self._push(Draft(label, level, path, parent, split_title(text), text, line, True))
        self.table_group = len(self.drafts) - 1

    # -- helpers

    def _warn(self, line: int, reason: str, text: str = "") -> None:
        self.warnings.append(ParsedWarning(reason, line, text))

    def _apply(self, draft: Draft, assignment: Assignment | None, line: int) -> None:
        if assignment is None:
            return
        if assignment.guessed:
            self._warn(
                line,
                "括号里只有单位名称，没有“负责/牵头/配合”等字样，按责任单位处理 (units without a role word taken as responsible)",
                "、".join(assignment.responsible),
            )
        draft.assign(assignment)
        draft.leaders.extend(leader for leader in assignment.leaders if leader not in draft.leaders)
        if assignment.deadline_text:
            draft.deadline_text = " ".join(filter(None, [draft.deadline_text, assignment.deadline_text]))
        for role in ("implementing", "supporting"):
            units = getattr(assignment, f"blanket_{role}")
            if units and role not in self.blanket_from:
                self.blanket_from[role] = next(index for index, other in enumerate(self.drafts) if other is draft)
            self.blanket[role].extend(unit for unit in units if unit not in self.blanket[role])
        if draft.assigned and not draft.text and not draft.title:
            self._warn(line, "分工没有对应的任务内容 (an assignment without task text)")

    def _push(self, draft: Draft) -> None:
        self.drafts.append(draft)
        self.stack.append(len(self.drafts) - 1)

    def _pop_to_parent(self, level: int) -> int | None:
        while self.stack and self.drafts[self.stack[-1]].level >= level:
            self.stack.pop()
        return self.stack[-1] if self.stack else None

    def _heading_parent(self) -> int | None:
        """The innermost open node that is a section heading (carries no assignment)."""
        for index in reversed(self.stack):
            if not self.drafts[index].assigned:
                return index
        return None

    def _unnumbered_parent(self, previous: Draft | None) -> int | None:
        if previous is None:
            return None
        if previous.heading_only and not previous.assigned:
            return len(self.drafts) - 1
        return previous.parent

    def _single_block_follows(self, index: int) -> bool:
        """True when at most one assigned paragraph follows before the next numbered one."""
        blocks, in_lines = 0, False
        for paragraph in self.paragraphs[index:]:
            text = paragraph.text
            if label_of(text) or TABLE_SPLIT.search(text):
                break
            if is_assignment_line(text):
                blocks += 0 if in_lines else 1
                in_lines = True
                continue
            in_lines = False
            if split_trailing_assignment(text)[1]:
                blocks += 1
        return blocks <= 1

    # -- result

    @property
    def has_tasks(self) -> bool:
        return any(draft.assigned for draft in self.drafts)

    def _with_blanket(self, index: int, draft: Draft, role: str) -> list[str]:
        """The draft's units in `role`, with the blanket units of that role declared at or before it."""
        units = list(getattr(draft, role))
        start = self.blanket_from.get(role)
        if start is not None and index >= start and draft.assigned:
            units += [unit for unit in self.blanket[role] if unit not in units and unit not in draft.responsible]
        return units

    def nodes(self, plan_year: int | None, target_year: int | None) -> tuple[ParsedNode, ...]:
        """The frozen nodes; blanket implementing units added to every later task."""
        result = []
        rest_supporting = any(REST_SUPPORTING.search(paragraph.text) for paragraph in self.paragraphs)
        for index, draft in enumerate(self.drafts):
            implementing = self._with_blanket(index, draft, "implementing")
            supporting = self._with_blanket(index, draft, "supporting")
            responsible = draft.lead + [unit for unit in draft.responsible if unit not in draft.lead]
            if rest_supporting and not draft.lead and len(responsible) > 1:
                responsible, supporting = responsible[:1], responsible[1:] + supporting
            is_task = bool(responsible or supporting or implementing)
            deadlines = ()
            targets = ()
            if is_task:
                deadlines = tuple(parse_deadlines(draft.text, plan_year))
                if draft.deadline_text:
                    deadlines += tuple(
                        found for found in parse_deadline_cell(draft.deadline_text, plan_year) if found not in deadlines
                    )  # a 完成时限 cell often repeats the phrase of the text
                targets = tuple(parse_targets(draft.text, target_year))
                for deadline in filter(is_unresolved, deadlines):
                    self._warn(
                        draft.line,
                        "时限没有年份，文件中也找不到年份，未能确定日期，请核对 (a deadline without a year; confirm its date)",
                        deadline.text,
                    )
            result.append(
                ParsedNode(
                    label=draft.label,
                    level=draft.level,
                    path=draft.path,
                    parent=draft.parent,
                    title=draft.title,
                    text=draft.text,
                    line=draft.line,
                    responsible=tuple(responsible),
                    supporting=tuple(supporting),
                    implementing=tuple(implementing),
                    deadlines=deadlines,
                    targets=targets,
                    leaders=tuple(draft.leaders),
                )
            )
        return tuple(result)

def table_columns(text: str) -> dict[str, int] | None:
    """Column index by role when `text` is a task-table header row, else None."""
    cells = [cell.strip() for cell in TABLE_SPLIT.split(text)]
    if any(not is_header_cell(cell) for cell in cells):
        return None  # a task row ("市商务局（牵头）", "新建项目5个") is never a header
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        compact = re.sub(r"\s+", "", cell)
        for name, pattern in TABLE_COLUMNS:
            if pattern.search(compact) and name not in columns:
                columns[name] = index
                break
    has_task = "task" in columns or "measure" in columns
    has_units = any(name in columns for name in TABLE_ROLES)
    if not has_task and has_units and "seq" in columns and columns["seq"] + 1 not in columns.values() \
            and columns["seq"] + 1 < len(cells):
        columns["task"], has_task = columns["seq"] + 1, True  # 序号 | 交通子行业 | …: the column after the number
    if has_task and not has_units:  # 监考单位, 考核单位: the table's only column of units answers for its rows
        only = [index for index, cell in enumerate(cells) if index not in columns.values() and UNIT_COLUMN.search(cell)]
        if len(only) == 1:
            columns["responsible"], has_units = only[0], True
    return columns if has_task and has_units else None


def _aligned_on_units(cells: list[str], columns: dict[str, int], misfit: bool) -> list[str]:
    """A row that lost a cell (or has one too many) before its units: its cells from the first
    cell of unit names on moved so that cell sits in the first unit column. Units left of the
    unit columns always move; units right of them only in a row of the wrong length (`misfit`),
    as a row may leave its lead cell empty."""
    unit_columns = unit_column_indexes(columns)
    text_column = columns.get("task", columns.get("measure", 0))
    if not unit_columns:
        return cells
    first = next((index for index, cell in enumerate(cells) if index > text_column and _cell_kind(cell) == "units"), None)
    if first is None or first == min(unit_columns) or (first > min(unit_columns) and not misfit):
        return cells
    shift = min(unit_columns) - first
    return cells[:first] + [""] * shift + cells[first:] if shift > 0 else cells[: first + shift] + cells[first:]


# what a table cell pasted on its own line holds, when nothing separates the cells
SEQ_CELL = re.compile(r"^\d{1,3}[.、．]?$")
DEADLINE_CELL = re.compile(r"(?:\d{1,2}月|年底|年内|全年|季度|上半年|下半年|月底|日前|以前|投入使用|长期|持续|完成$)")
DEADLINE_CELL_MAX = 20


def rows_from_cell_paragraphs(paragraphs: list[Paragraph]) -> list[Paragraph]:
    """A task table pasted one cell a paragraph with nothing between the cells (序号 / 民生实事 /
    责任单位 / 完成时限 / 1 / 启动建设…… / 县水务局 / 县住建局 / 12月底前 …): its rows rebuilt as
    "cell | cell" paragraphs, each cell placed by what it holds — a number is 序号, unit
    names go to the unit column, a short time phrase to the deadline column, other text is
    the task (a new row once the row has its units). Other paragraphs are left as they are."""
    result, index = [], 0
    while index < len(paragraphs):
        header = _header_run(paragraphs, index)
        if not header:
            result.append(paragraphs[index])
            index += 1
            continue
        columns = table_columns("\t".join(header))
        result.append(Paragraph(" | ".join(header), paragraphs[index].line))
        rows, index = _cell_rows(paragraphs, index + len(header), columns, len(header))
        result.extend(rows)
    return result


def _header_run(paragraphs: list[Paragraph], index: int) -> list[str]:
    cells = []
    for at, paragraph in enumerate(paragraphs[index:], start=index):
        if TABLE_SPLIT.search(paragraph.text) or not is_header_cell(paragraph.text):
            break
        numbered_next = at + 1 < len(paragraphs) and SEQ_CELL.match(paragraphs[at + 1].text.strip())
        group_label = numbered_next and not COLUMN_WORD.search(paragraph.text)
        if group_label and len(cells) >= 3 and table_columns("\t".join(cells)):
            break  # 养老方面 then 1: the group label of the first rows, not a column (参考文件 is one)
        if len(cells) >= 3 and table_columns("\t".join(cells)) and not _names_a_column(paragraph.text):
            break  # 宏观调控 after 项目 | 分值 | 目标任务 | 监考单位: the first group, not a column
        cells.append(paragraph.text.strip())
    seq = next((at for at, cell in enumerate(cells) if TABLE_COLUMNS[0][1].match(cell)), 0)
    if any(TABLE_TITLE_CELL.search(cell) for cell in cells[:seq]):
        return []  # 任务分工表 / 打*的为具体项目 / 序号 / 事项 …: the table's title and note, not columns
    return cells if len(cells) >= 3 and table_columns("\t".join(cells)) else []


def _names_a_column(cell: str) -> bool:
    compact = re.sub(r"\s+", "", cell)
    return any(pattern.search(compact) for _name, pattern in TABLE_COLUMNS) or bool(
        COLUMN_WORD.search(compact) or UNIT_COLUMN.search(compact))


def unit_column_indexes(columns: dict[str, int]) -> list[int]:
    """The indexes of a table's unit columns (牵头单位, 责任单位, 配合单位), in that order."""
    return [columns[name] for name in TABLE_ROLES if name in columns]


def _cell_rows(paragraphs, index, columns, width) -> tuple[list[Paragraph], int]:
    unit_columns = unit_column_indexes(columns)
    text_column = columns.get("task", columns.get("measure"))
    measure_column = columns["measure"] if "task" in columns and "measure" in columns else None
    # a column after the units that is none of ours (参考文件, 备注): text there once a row has its units
    ours = set(columns.values())
    after_units = next((at for at in range(max(unit_columns, default=width), width) if at not in ours), None)
    # a column none of ours (2025年目标值, 备注): where a figure that is not the next 序号 goes
    other = next((at for at in range(width) if at not in ours), None)
    rows, row, line, number = [], None, 0, None
    merged_from: list[str] | None = None  # the row above, when this one has no 序号 of its own

    def close():
        if row is None or not any(row):
            return
        task_text = row[text_column] if text_column is not None else ""
        dated = "deadline" in columns and row[columns["deadline"]]
        # a sentence or a dated line, not a group label over the next rows (旧住房更新改造 then 5)
        merged = merged_from and MERGED_ROW_TEXT.match(task_text) and (task_text.endswith("。") or dated)
        if merged and "seq" in columns and not any(row[column] for column in unit_columns):
            for column in (columns["seq"], *unit_columns):  # its 序号 and units cells merged with the row above
                row[column] = row[column] or merged_from[column]
        elif measure_column is not None and not row[measure_column] and not any(row[c] for c in unit_columns) \
                and rows and "seq" in columns and row[columns["seq"]]:
            row[measure_column], row[text_column] = row[text_column], ""  # 2 | 新建……: under a merged 事项
        if "seq" not in columns and not any(row[c] for c in unit_columns) and row[text_column] and rows_units \
                and any(row[c] for c in range(width) if c != text_column):
            for column, value in zip(unit_columns, rows_units[-1]):
                row[column] = value  # a row without its units cell, in a table without 序号: merged from above
        if any(row[c] for c in unit_columns):
            rows_units.append([row[c] for c in unit_columns])
        rows.append(Paragraph(" | ".join(cell or "" for cell in row), line))

    rows_units: list[list[str]] = []
    while index < len(paragraphs):
        text = paragraphs[index].text.strip()
        following = paragraphs[index + 1].text.strip() if index + 1 < len(paragraphs) else ""
        after_next = paragraphs[index + 2].text.strip() if index + 2 < len(paragraphs) else ""
        numbered_next = SEQ_CELL.match(following) or (
            label_of(following) and label_of(following)[1] > 1 and _cell_kind(after_next) == "units")
        if label_of(text) and label_of(text)[1] == 1 and not numbered_next:
            break  # the next section (一、养老项目 then 1, or then (一)… and its units cell, is a group row of the table)
        if ATTACHMENT.match(text) or _header_run(paragraphs, index) or (
                TABLE_TITLE_CELL.search(text) and _header_run(paragraphs, index + 1)):
            break  # 附件2, or the title and header of the next table
        kind = _cell_kind(text)
        if kind == "seq" and "seq" not in columns:
            kind = "figure"  # 3, 186: a score or a target, no row number in a table without 序号
        if kind == "text" and measure_column is not None and row is not None and row[text_column] \
                and not any(row[c] for c in unit_columns) and SEQ_CELL.match(
                    paragraphs[index + 1].text.strip() if index + 1 < len(paragraphs) else ""):
            close()  # 29 / 推动…… / 建立健全“光伏+”推进机制 / 30: the title of the rows that follow
            rows.append(Paragraph(" | ".join(text if at == text_column else "" for at in range(width)), paragraphs[index].line))
            row = None
            index += 1
            continue
        next_kind = _cell_kind(paragraphs[index + 1].text.strip()) if index + 1 < len(paragraphs) else ""
        if kind == "text" and "seq" not in columns and other is not None and next_kind in ("seq", "figure") \
                and row is not None and row[text_column] and (row[other] or GROUP_LABEL.match(row[text_column])):
            close()  # 地区生产总值增长率 then 3: a row's name and its figure open the next row
            merged_from, row, line = None, [""] * width, paragraphs[index].line
        if kind == "seq":
            value = int(text.rstrip(".、．"))
            restarts = value == 1 and GROUP_LABEL.match(paragraphs[index - 1].text.strip())  # 托育方面 then 1
            if number is not None and other is not None and value != number + 1 and not restarts:
                kind = "other"  # 60, 100: a figure in the row, not the next row's number
            else:
                number = value
        if kind == "units" and row is not None and text_column is not None and not row[text_column] \
                and unit_columns and text_column < min(unit_columns) and any(row):
            kind = "text"  # 平潭怡馨养老服务中心 right after the 序号: the project's name, not its units
        has_units = row is not None and any(row[column] for column in unit_columns)
        if kind == "text" and has_units and after_units is not None and "seq" in columns:
            row[after_units] = "".join(filter(None, [row[after_units], text]))
            index += 1
            continue
        if row is None or kind == "seq" or (kind == "text" and has_units):
            close()
            merged_from = row if kind == "text" and has_units else None
            row, line = [""] * width, paragraphs[index].line
        if kind == "seq" and "seq" in columns:
            row[columns["seq"]] = text.rstrip(".、．")
        elif kind == "units" and unit_columns:
            filled = [column for column in unit_columns if row[column]]
            column = unit_columns[0] if not filled or len(unit_columns) == 1 else unit_columns[min(len(filled), len(unit_columns) - 1)]
            row[column] = "、".join(filter(None, [row[column], text]))
        elif kind == "deadline" and "deadline" in columns:
            row[columns["deadline"]] = text
        elif kind in ("other", "figure") and other is not None:
            row[other] = " ".join(filter(None, [row[other], text]))
        elif kind == "blank":
            pass
        elif measure_column is not None and row[text_column] and not row[measure_column] and not has_units:
            row[measure_column] = text  # 事项 then 工作措施: the second text cell is the measure
        elif text_column is not None:
            column = measure_column if measure_column is not None and row[measure_column] else text_column
            row[column] = "".join(filter(None, [row[column], text]))
        index += 1
    close()
    return rows, index


# the task of a row whose 序号 and units cells are merged with the row above: a sentence, not
# the page's furniture after the table (分享到：)
MERGED_ROW_TEXT = re.compile(r"^[^:：]{6,}$")
# words of a column heading that is none of the roles: 参考文件, 备注, 2025年目标值, 建设地点
COLUMN_WORD = re.compile(r"文件|依据|来源|说明|备注|情况|标准|值$|率$|数$|名称|类型|类别|地点|金额|投资|资金|规模|期限|时间|时限|进度|成效")
ATTACHMENT_START = re.compile(r"^附件\s*\d{0,2}(?:[:：]|$|\s|[\u4e00-\u9fff《“(（])")
ATTACHMENT = re.compile(r"^附[件表]\s*\d{0,2}[:：]?$")
TABLE_TITLE_CELL = re.compile(r"(?:表|清单|一览)$|[*＊]|的为|^注")  # a table's title or note above its header
GROUP_LABEL = re.compile(r"^[\u4e00-\u9fff]{2,10}$")  # 养老方面, 旧区改造: a label over the rows below it


def _cell_kind(text: str) -> str:
    if SEQ_CELL.match(text):
        return "seq"
    if re.fullmatch(r"[-—－–/／\\]+|无", text):
        return "blank"  # a cell left empty on purpose
    if re.fullmatch(r"[\d.,，%％]+", text):
        return "figure"  # 4.5, 99.9%, 1,782: a value of the row
    names = split_units(text) if not NOT_A_UNIT.search(text.split("、")[0] + "、") else []  # 7、分解细化……: a measure
    if names and all(map(looks_like_unit, names)) and not re.search(r"[。；;：:！？]$", text):
        return "units"  # not "建成县残疾人综合服务中心。": a sentence; a wrapped list may end in 、 or ，
    if len(text) <= DEADLINE_CELL_MAX and DEADLINE_CELL.search(text):
        return "deadline"
    return "text"


def is_header_cell(cell: str) -> bool:
    """A header cell is a short label: no figures, no sentence or list punctuation."""
    compact = re.sub(r"\s+", "", cell)
    if len(compact) > HEADER_CELL_MAX or re.search(r"[。，,、；;：:]", compact):
        return False
    if re.search(r"\d", compact) and not re.fullmatch(r"[\d\-—－~至年月季度第]+[\u4e00-\u9fff]{1,8}[%％]?|\d{1,2}[-—－~]", compact):
        return False  # figures only as a time span heading a column: 1-10月推进情况, 2024年度, 1-8月完成率%, 1- (cut)
    return not (looks_like_unit(compact) or looks_like_unit(re.sub(r"[（(][^（()）]*[)）]$", "", compact)))


def build_nodes(
    paragraphs: list[Paragraph], *, plan_year: int, target_year: int | None = None
) -> tuple[tuple[ParsedNode, ...], tuple[str, ...]]:
    """(nodes, warnings) for the plan body in `paragraphs` (preamble is skipped)."""
    start = body_start(paragraphs)
    builder = NodeBuilder(paragraphs[start:]).build()
    return builder.nodes(plan_year, target_year or plan_year), tuple(builder.warnings)
