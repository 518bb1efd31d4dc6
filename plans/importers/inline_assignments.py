"""Assignments written inside a paragraph: a closing parenthesis (（X牵头，Y配合）, （牵头单位：X；
配合单位：Y）), a labelled clause after the text (……。责任单位：X。), a closing 由X负责 clause,
and the blanket sentence "以下工作均需……负责落实，不再单独列出".
"""
from __future__ import annotations

import re

from .assignments import ROLE_LABEL, ROLE_OF_VERB, Assignment, add_role_clauses, parse_assignment_line
from .cleanup import BRACKET_OPENERS, OPENING_BRACKETS, ROLE_WORD, trailing_parenthesis
from .labels import SENTENCE_END
from .unit_kinds import looks_like_unit
from .units import split_units


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
            if add_role_clauses(carried, sentence):
                assignment.add("blanket_implementing", carried.implementing)
                assignment.add("blanket_supporting", carried.supporting)
        start, blanket = _blanket_clause(sentence)
        if blanket:
            if not _add_blanket(assignment, blanket):
                return None
            sentence = sentence[:start].rstrip("，,")
            if not sentence:
                continue
        if not add_role_clauses(assignment, sentence):
            return None
    return None if assignment.is_empty else assignment


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


def _units_only_parenthesis(inner: str) -> Assignment | None:
    """（省商务厅、省财政厅）: a parenthesis made only of unit names."""
    units = split_units(inner)
    if len(units) < 1 or not all(map(looks_like_unit, units)) or not re.search(r"[、，,]|局|厅|委|办", inner):
        return None
    assignment = Assignment(guessed=True)
    assignment.add("responsible", units)
    return assignment


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

