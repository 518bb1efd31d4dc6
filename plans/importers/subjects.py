"""Plans that name no unit in brackets, labels or role sentences, only as the subjects of their
sentences: "市发展改革委负责零碳园区申报、评审和验收……", "市科委牵头开展……", "市经济信息化委和市生态
环境局联合推进……", "各园区建设主体负责具体实施". Such a plan would otherwise be refused for
naming no units; read this way, each item's units are the units its sentences open with.

It is a fallback only: a document that assigns units any other way is read that way, since
in those documents a sentence opening with a unit (各区要……) is usually not an assignment.
"""
from __future__ import annotations

import re

from .assignments import Assignment
from .gazetteer import holds_clause_word, is_known_unit, split_run_together
from .structure import NodeBuilder
from .unit_kinds import looks_like_unit

SENTENCE = re.compile(r"[^。；;！？!?]+?(?=[，,]由|[。；;！？!?]|$)")  # ……后，由市发展改革委组织验收
GENERIC = re.compile(r"^(?:有关|相关|其他)(?:部门|单位)$|^(?:各)?(?:有关|相关)方面$")
IMPLEMENTING = re.compile(r"^负责(?:具体)?(?:实施|落实)|^组织实施|^具体实施")
SUPPORTING = re.compile(r"^(?:积极|全力|主动)?(?:配合|协助|参与)")
# what a subject does: the sentence goes on with a verb, not with more of a noun (市民, 市场)
VERB_START = re.compile(
    r"(?:要|应|将|负责|牵头|组织|统筹|推动|推进|指导|支持|制定|建立|完善|开展|加强|加快|落实|研究|发布|做好|"
    r"配合|协助|参与|实施|督促|会同|联合|共同|按照|依托|围绕|聚焦|鼓励|引导|探索|构建|设立|编制|出台|确定|承担)"
)


def subject_units(text: str) -> tuple[list[str], list[str], list[str]]:
    """(responsible, supporting, implementing) named as the subjects of `text`'s sentences."""
    roles: dict[str, list[str]] = {"responsible": [], "supporting": [], "implementing": []}
    for sentence in SENTENCE.finditer(text):
        body = sentence.group().strip().lstrip("，, ")
        body = body[1:] if body.startswith("由") else body
        names, rest = _leading_units(body)
        if not names or not (VERB_START.match(rest) or rest.startswith(("，", ","))):
            continue
        role = "implementing" if IMPLEMENTING.match(rest) else "supporting" if SUPPORTING.match(rest) else "responsible"
        for name in names:
            if not GENERIC.match(name) and all(name not in found for found in roles.values()):
                roles[role].append(name)
    return roles["responsible"], roles["supporting"], roles["implementing"]


def _leading_units(body: str) -> tuple[list[str], str]:
    """The units a sentence opens with — up to the first verb (or a comma), every part a known
    unit — with those after 会同/联合 too, and the rest of the sentence."""
    names, rest = _subject(body)
    while names and rest.startswith(("会同", "联合")):
        more, after = _subject(rest[2:])
        if not more:
            break
        names, rest = names + more, after
    return [name for name in names if not GENERIC.match(name)], rest


def _subject(body: str) -> tuple[list[str], str]:
    for end in range(2, min(len(body), SUBJECT_MAX) + 1):
        if not (VERB_START.match(body, end) or body.startswith(("，", ","), end)):
            continue
        parts = [part for part in re.split(r"[、和与及]", body[:end]) if part]
        names = [name for part in parts for name in (_known(part) or [])]
        if parts and all(_known(part) for part in parts):
            return names, body[end:]
    return [], body


SUBJECT_MAX = 60


def _known(part: str) -> list[str] | None:
    part = TRAILING_ETC.sub("", part) or part  # 市经济信息化委等部门
    if GENERIC.match(part) or EACH_BODY.match(part):
        return [part]  # 有关部门 (dropped later), 各园区建设主体
    return [part] if is_known_unit(part) else split_run_together(part)


TRAILING_ETC = re.compile(r"等(?:有关|相关)?(?:部门|单位)$")
EACH_BODY = re.compile(r"^各[\u4e00-\u9fff]{2,10}$")  # 各园区建设主体, 各区政府


def _heading_unit(title: str) -> str | None:
    """The unit an item's heading consists of (区建管委, 各建设单位), else None."""
    title = title.strip().rstrip("：:。")
    if not 2 <= len(title) <= 20:
        return None
    return title if _known(title) or (looks_like_unit(title) and not holds_clause_word(title)) else None


def assign_by_subjects(builder: NodeBuilder) -> NodeBuilder:
    """Give every item without units the units its sentences open with (see the module)."""
    for draft in builder.drafts:
        if draft.assigned or not draft.text:
            continue
        headed = _heading_unit(draft.title)
        if headed:  # 四、职责分工 (一)区建管委 then its duties: the heading is the unit
            assignment = Assignment()
            assignment.add("responsible", [headed])
            draft.assign(assignment)
            continue
        responsible, supporting, implementing = subject_units(draft.text)
        if responsible or supporting or implementing:
            assignment = Assignment()
            assignment.add("responsible", responsible)
            assignment.add("supporting", supporting)
            assignment.add("implementing", implementing)
            draft.assign(assignment)
    return builder
