"""Who does what in plan text: the role labels and verbs, an assignment line (责任单位：…,
牵头单位：…；配合单位：…) and a role sentence (X牵头，Y配合) as an `Assignment`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .cleanup import ROLE_SENTENCE_LABEL, ROLE_WORD
from .gazetteer import is_known_unit
from .unit_kinds import PREFIX as UNIT_PREFIX, all_read_as_units, looks_like_unit
from .units import lead_marked_units, split_units

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
TRAILING_TIME = re.compile(
    r"[，,；;](?P<time>[^，,；;]{0,12}(?:\d{1,2}月|年底|年内|季度|上半年|下半年)[^，,；;]{0,8})$"
)


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
        if not add_role_clauses(found, sentence, default_role):
            return False
    if found.is_empty:
        return False
    for role in ("lead", "responsible", "supporting", "implementing"):
        assignment.add(role, getattr(found, role))
    assignment.leaders.extend(found.leaders)
    assignment.deadline_text = " ".join(filter(None, [assignment.deadline_text, found.deadline_text]))
    return True


def add_role_clauses(assignment: Assignment, sentence: str, default_role: str | None = None) -> bool:
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


def _role_of_label(label: str) -> str:
    for prefix, role in ROLE_OF_LABEL.items():
        if label.startswith(prefix):
            return role
    return "supporting"


def leader_of(text: str) -> str:
    """The person a leader line names: 牵头负责领导：金力。 → 金力."""
    return re.split(r"[:：]", text, maxsplit=1)[1].strip(" 。；;")
