"""From cleaned paragraphs to the plan's section and task nodes.

`build_nodes` walks the paragraphs after the preamble and returns `ParsedNode`s in
document order. It understands

- numbering labels 一、 (一) 1. (1) ①, 第一章/第一节/第一条, and unnumbered paragraphs (placed under the nearest
  preceding heading of a higher level) (`labels`);
- assignment lines under a paragraph (责任单位：…, 牵头单位：…, 配合单位：…, 协办单位：…) (`assignments`);
- an assignment parenthesis closing a paragraph (（X等部门按职责分工负责，Y负责落实）,
  （X牵头，Y配合）, （牵头单位：X；配合单位：Y）) and the blanket sentence
  "以下工作均需……负责落实，不再单独列出" (`inline_assignments`);
- task tables (序号 | 重点任务 | 牵头单位 | 配合单位 | 完成时限), one task per row (`tables`).

The drafts and their freezing into nodes are `drafts.DraftTree`'s.
"""
from __future__ import annotations

import re

from .assignments import ROLE_LABEL, Assignment, add_labelled_units, leader_of, parse_assignment_line
from .cleanup import LEADER_LINE, Paragraph, is_assignment_line
from .drafts import Draft, DraftTree
from .inline_assignments import inner_assignment_segments, parse_assignment_parenthesis, split_trailing_assignment
from .labels import is_heading, label_of, split_title, starts_with_short_title
from .tables import SEQ_CELL, TABLE_ROLES, TABLE_SPLIT, aligned_on_units, table_columns
from .types import ParsedNode
from .unit_kinds import looks_like_unit
from .units import split_units

# the builder, and the parsers the tests take from here
__all__ = [
    "NodeBuilder", "body_start", "build_nodes", "label_of", "parse_assignment_line", "parse_assignment_parenthesis",
    "split_title",
]

# a heading that names the lead unit of every item under it: 一、县示范区管委会牵头工作(8项)
SECTION_LEAD = re.compile(
    r"^(?P<units>[^，,。；;]+?)(?:牵头|负责)(?:的)?(?:工作|事项|任务)(?:[（(]\s*\d+\s*项[)）])?[。:：]?$"
)
FORM_TASK = re.compile(r"(?:工作|任务|事项|措施|内容|项目)$")  # 重点工作：, 工作任务：, 具体措施：
FORM_LABEL = re.compile(r"^(?P<label>[\u4e00-\u9fff、，,（）() ]{2,20})[:：]$")  # 牵头单位: in a form's first column
ATTACHMENT_START = re.compile(r"^附件\s*\d{0,2}(?:[:：]|$|\s|[\u4e00-\u9fff《“(（])")


def body_start(paragraphs: list[Paragraph]) -> int:
    """Index of the first paragraph of the plan body (after title, notice and signature)."""
    for index, paragraph in enumerate(paragraphs):
        if label_of(paragraph.text) or (TABLE_SPLIT.search(paragraph.text) and table_columns(paragraph.text)):
            return index
        next_text = paragraphs[index + 1].text if index + 1 < len(paragraphs) else ""
        if is_assignment_line(next_text) or split_trailing_assignment(paragraph.text)[1]:
            return index
    return len(paragraphs)


class NodeBuilder(DraftTree):
    """Turns body paragraphs into drafts; `nodes()` freezes them into ParsedNodes."""

    def __init__(self, paragraphs: list[Paragraph]):
        super().__init__(paragraphs)
        self.table_columns: dict[str, int] | None = None
        self.table_width = 0  # cells of the header row
        self.table_units: dict[str, str] = {}  # the unit cells of the last task row, by role
        self.table_merges = False  # the table shows merged cells: an empty units cell continues the one above
        self.table_group: int | None = None  # the open group heading of a table whose measures are numbered
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
        parent = self.pop_to_parent(level)
        path = (self.drafts[parent].path if parent is not None else ()) + (label,)
        draft = Draft(label, level, path, parent, split_title(body), body, line, is_heading(body) and not assignment)
        self.push(draft)
        index = len(self.drafts) - 1
        self.apply(draft, assignment, line)
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
            self.pop_to_parent(draft_level)
            self.push(draft)
            self.apply(draft, assignment, line)

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
            self.apply(self.drafts[item], assignment, line)  # （责任单位：…） after (1)…(4): the item's
            return
        if previous and not previous.assigned and not starts_with_short_title(body):
            if not previous.heading_only:
                previous.text = f"{previous.text}\n{body}" if previous.text else body
                self.apply(previous, assignment, line)
                return
            if self._single_block_follows(index):
                previous.text, previous.heading_only = body, False
                self.apply(previous, assignment, line)
                return
        parent = self._unnumbered_parent(previous)
        level = self.drafts[parent].level + 1 if parent is not None else 1
        path = self.drafts[parent].path if parent is not None else ()
        draft = Draft("", level, path, parent, split_title(body), body, line, is_heading(body) and not assignment)
        self.pop_to_parent(level)
        self.push(draft)
        self.apply(draft, assignment, line)

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
            self.warn(line, "分工行前面没有任务段落，已忽略 (assignment line without a task)", text)
            return
        item = self._item_of_parts() if not self.drafts[-1].roles_from_lines else None
        draft = self.drafts[item if item is not None else -1]  # 牵头单位：… after 1．…2．…: the item's
        roles = {role for role in ("lead", "responsible", "supporting") if getattr(assignment, role)}
        if roles & draft.roles_from_lines:
            self.warn(
                line,
                f"同一段落下重复的分工行，已合并到第{draft.line}行的任务 "
                f"(repeated assignment line merged into the task above)",
                text,
            )
        draft.roles_from_lines |= roles
        draft.hosted = draft.hosted or text.lstrip().startswith("主办")
        if assignment.is_empty and not assignment.deadline_text:
            self.warn(line, "分工行没有列出单位 (assignment line names no unit)", text)
        self.apply(draft, assignment, line)

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
            self.warn(line, "表格行前没有表头，已忽略 (table row without a header row)", text)
            return
        numbered = "seq" in self.table_columns and SEQ_CELL.match(cells[0])
        if 1 < len(cells) < self.table_width and not cells[0]:  # written from its first column, last cells empty
            cells = cells + [""] * (self.table_width - len(cells))
        elif 1 < len(cells) < self.table_width and not numbered:  # first cells merged with the row above (rowspan)
            cells = [""] * (self.table_width - len(cells)) + cells
            self.table_merges = True
        else:
            cells = aligned_on_units(cells, self.table_columns, len(cells) != self.table_width)
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
        parent = self.heading_parent()
        level = self.drafts[parent].level + 1 if parent is not None else 1
        path = self.drafts[parent].path if parent is not None else ()
        self.pop_to_parent(level)
        self.push(Draft("", level, path, parent, split_title(text), text, line, True))

    def _add_table_task(self, cells: list[str], line: int) -> None:
        def cell(name: str) -> str:
            index = self.table_columns.get(name)
            return cells[index] if index is not None and index < len(cells) else ""

        task, measure = cell("task"), cell("measure")
        label = cell("seq")
        # 1 | 推进生态文明建设 | 1、建立…: a group of numbered measures
        if "task" in self.table_columns and label_of(measure):
            if task:
                self._open_table_group(label, task, line)
            if self.table_group is not None:
                label, _, measure = label_of(measure)
                task = ""
        if not label and not measure and label_of(task) and label_of(task)[1] > 1:
            label, _, task = label_of(task)  # 2.纳入…… in a table without 序号: the row's own number
        body = "\n".join(part for part in (task, measure) if part)
        parent = self.heading_parent()
        level = self.drafts[parent].level + 1 if parent is not None else 1
        path = (self.drafts[parent].path if parent is not None else ()) + ((label,) if label else ())
        draft = Draft(label, level, path, parent, split_title(task or measure), body, line, False)
        draft.deadline_text = cell("deadline")
        self.pop_to_parent(level)
        self.push(draft)
        unit_cells = {role: cell(role) for role in TABLE_ROLES}
        # the task cell empty beside a measure: the row sits under merged 事项 and units cells
        under_merged_task = not task and measure and "task" in self.table_columns and "measure" in self.table_columns
        if not any(unit_cells.values()) and self.table_units and (self.table_merges or under_merged_task):
            unit_cells = self.table_units  # a units cell merged down the rows below it
        self.table_units = unit_cells
        assignment = Assignment()
        for role, value in unit_cells.items():
            add_labelled_units(assignment, role, value)
        self.apply(draft, assignment, line)

    def _open_table_group(self, label: str, text: str, line: int) -> None:
        """A table row's task cell over numbered measures: a heading beside the table's last group."""
        if self.table_group is not None:
            self.pop_to_parent(self.drafts[self.table_group].level)
        parent = self.heading_parent()
        level = self.drafts[parent].level + 1 if parent is not None else 1
        path = (self.drafts[parent].path if parent is not None else ()) + ((label,) if label else ())
        self.pop_to_parent(level)
        self.push(Draft(label, level, path, parent, split_title(text), text, line, True))
        self.table_group = len(self.drafts) - 1

    # -- helpers
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


def build_nodes(
    paragraphs: list[Paragraph], *, plan_year: int, target_year: int | None = None
) -> tuple[tuple[ParsedNode, ...], tuple[str, ...]]:
    """(nodes, warnings) for the plan body in `paragraphs` (preamble is skipped)."""
    start = body_start(paragraphs)
    builder = NodeBuilder(paragraphs[start:]).build()
    return builder.nodes(plan_year, target_year or plan_year), tuple(builder.warnings)
