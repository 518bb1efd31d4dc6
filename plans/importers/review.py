"""What an office should look at in a parsed plan before confirming it, beyond what the parse
itself warned about: names read as units that do not look like units, tasks that look like
two run together or one cut in two. Hints, never corrections: the office decides."""
from __future__ import annotations

import re

from django.utils.translation import gettext as _

from plans.importers.types import ParsedNode, ParsedPlan, ParsedWarning
from plans.importers.unit_kinds import looks_like_unit

LONG_UNIT_NAME = 30  # characters; official names of Chinese units are rarely longer
UNIT_PUNCTUATION = re.compile(r"[。，,；;：:！？!?“”\"]")
UNIT_VERBS = re.compile(r"(加强|推进|落实|完成|开展|组织|建立|实施|负责|督促|确保|做好|提高|加快)")
RUN_ON_ITEM = re.compile(r"[。；;]\s*(?:\d{1,2}[.．、]|[（(]\d{1,2}[)）]|[一二三四五六七八九十]+、)")
LONG_TASK = 800  # characters of one task's text
SHORT_TASK = 6


def review_warnings(parsed: ParsedPlan) -> list[ParsedWarning]:
    """Hints on unit names and task boundaries, in document order."""
    warnings: list[ParsedWarning] = []
    first_line: dict[str, int] = {}
    for node in parsed.tasks:
        for name in node.responsible + node.supporting + node.implementing:
            first_line.setdefault(name, node.line)
    for name, line in first_line.items():
        reason = unit_name_problem(name)
        if reason:
            warnings.append(ParsedWarning(reason, line, name))
    nodes = parsed.nodes
    for index, node in enumerate(nodes):
        if not node.is_task:
            continue
        following = nodes[index + 1] if index + 1 < len(nodes) else None
        warnings.extend(_boundary_warnings(node, following))
    return sorted(warnings, key=lambda warning: warning.line or 0)


def unit_name_problem(name: str) -> str:
    """Why `name` does not look like a unit's name, or ""."""
    if len(name) > LONG_UNIT_NAME:
        return _("单位名称过长，可能混入了任务文字，请核对 (a unit name this long may hold task words)")
    if UNIT_PUNCTUATION.search(name):
        return _("单位名称含标点，可能是几个单位或一句话，请核对 (a unit name with punctuation)")
    if UNIT_VERBS.search(name):
        return _("单位名称含动词，可能混入了任务文字，请核对 (a unit name with a verb in it)")
    if not looks_like_unit(name):
        return _("不像单位名称，请核对 (does not read as a unit's name)")
    return ""


def _boundary_warnings(node: ParsedNode, following: ParsedNode | None) -> list[ParsedWarning]:
    warnings = []
    if RUN_ON_ITEM.search(node.text) or len(node.text) > LONG_TASK or len({d.date for d in node.deadlines}) > 3:
        warnings.append(ParsedWarning(
            _("这项任务可能由几项合并而成（文中另有编号、很长或时限很多），请核对 "
              "(this may be several tasks run together)"),
            node.line, node.title,
        ))
    if len(node.title) < SHORT_TASK or (
        following is not None and not following.label and following.parent == node.parent
        and node.text.rstrip()[-1:] in ("，", "、", ",", "")
    ):
        warnings.append(ParsedWarning(
            _("这项任务可能被拆开了（文字很短或句子未完），可与下一项合并 (this task may be cut in two)"),
            node.line, node.title,
        ))
    return warnings
