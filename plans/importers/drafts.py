"""The drafts of a plan's nodes as the builder grows them (`DraftTree`): where each one sits
under the open headings, the assignments and blanket units applied to them, and the frozen
`ParsedNode`s with their deadlines and targets at the end.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .assignments import Assignment
from .cleanup import Paragraph
from .deadlines import is_unresolved, parse_deadline_cell, parse_deadlines
from .targets import parse_targets
from .types import ParsedNode, ParsedWarning


# a note stating that after the first unit the others support: 注：主要责任单位第一个为牵头单位，其余为主要配合单位
REST_SUPPORTING = re.compile(
    r"(?:第一个|第一位|首位|第一)[^。；;]{0,8}为牵头(?:单位|部门)[，,；;]\s*其[余他](?:单位|部门)?(?:均)?为(?:主要)?(?:配合|协办|参与)(?:单位|部门)"
)


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


class DraftTree:
    """The drafts of the paragraphs' nodes, the stack of the open ones and the blanket units
    declared so far; `nodes()` freezes them into ParsedNodes."""

    def __init__(self, paragraphs: list[Paragraph]):
        self.paragraphs = paragraphs
        self.drafts: list[Draft] = []
        self.stack: list[int] = []
        self.blanket: dict[str, list[str]] = {"implementing": [], "supporting": []}  # role → units of every later task
        self.warnings: list[ParsedWarning] = []
        self.blanket_from: dict[str, int] = {}  # role → index of the draft that declared its blanket units

    def warn(self, line: int, reason: str, text: str = "") -> None:
        self.warnings.append(ParsedWarning(reason, line, text))

    def apply(self, draft: Draft, assignment: Assignment | None, line: int) -> None:
        if assignment is None:
            return
        if assignment.guessed:
            self.warn(
                line,
                "括号里只有单位名称，没有“负责/牵头/配合”等字样，按责任单位处理 "
                "(units without a role word taken as responsible)",
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
            self.warn(line, "分工没有对应的任务内容 (an assignment without task text)")

    def push(self, draft: Draft) -> None:
        self.drafts.append(draft)
        self.stack.append(len(self.drafts) - 1)

    def pop_to_parent(self, level: int) -> int | None:
        while self.stack and self.drafts[self.stack[-1]].level >= level:
            self.stack.pop()
        return self.stack[-1] if self.stack else None

    def heading_parent(self) -> int | None:
        """The innermost open node that is a section heading (carries no assignment)."""
        for index in reversed(self.stack):
            if not self.drafts[index].assigned:
                return index
        return None

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
                    self.warn(
                        draft.line,
                        "时限没有年份，文件中也找不到年份，未能确定日期，请核对 "
                        "(a deadline without a year; confirm its date)",
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
