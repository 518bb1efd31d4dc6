"""What the importer reads out of a plan document: frozen dataclasses, no database.

Every parser in this package returns these types; `plans.services.plan_import`
persists a `ParsedPlan` in one transaction.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal


class DeadlineKind:
    DUE = "due"  # 6月15日前, 10月底前, 到2016年底, 力争到2025年
    START = "start"  # 从2016年11月1日起, 2016年起
    PERIOD_END = "period_end"  # the end of 2016年11月1日至2017年3月31日 (its start is a START)
    RECURRING = "recurring"  # 每季度最后一月的23日前, 每年


class Comparator:
    LTE = "≤"  # 以下, 不高于, 不超过, 控制在……以内
    GTE = "≥"  # 以上, 不低于, 不少于, 超过
    APPROX = "≈"  # 接近, 左右, 约
    EQ = "="  # 达到, 达 (a plain figure)


@dataclass(frozen=True)
class ParsedDeadline:
    kind: str  # a DeadlineKind value
    date: datetime.date | None  # recurring: first occurrence in the plan year, or None (每年)
    text: str  # the phrase exactly as it stands in the cleaned text
    rule: str = ""  # recurring only: "quarterly:3:23", "monthly:1:5", "yearly" (see ParsedReporting)

    def as_json(self) -> dict:
        return {"date": self.date.isoformat() if self.date else None, "kind": self.kind, "text": self.text}


@dataclass(frozen=True)
class ParsedTarget:
    text: str  # the clause the figure came from
    indicator: str  # 细颗粒物(PM2.5)年均浓度, 风电装机规模, 绿色工厂
    comparator: str  # a Comparator value
    value: Decimal  # exact, in `unit`: 2.8 with unit 万亿元, never 28000000000000
    unit: str  # 微克/立方米, 天, 万千瓦, 万亿元, %, 家, 亿美元
    year: int | None  # the year the target is for (2016, 2025)

    def as_json(self) -> dict:
        return {
            "text": self.text,
            "indicator": self.indicator,
            "comparator": self.comparator,
            "value": str(self.value),
            "unit": self.unit,
            "year": self.year,
        }


@dataclass(frozen=True)
class ParsedReporting:
    """A recurring reporting obligation: 每季度最后一月的23日前 → quarterly, month 3, day 23.

    `month` counts months from the start of each period (1 = first month; 3 = last month of a
    quarter; 4 = the month after a quarter). `day` None means the last day of that month.
    """

    frequency: str  # monthly | quarterly | half-yearly | yearly
    month: int
    day: int | None
    text: str

    @property
    def rule(self) -> str:
        return f"{self.frequency}:{self.month}:{self.day or 'end'}"

    def as_json(self) -> dict:
        return {"frequency": self.frequency, "month": self.month, "day": self.day, "text": self.text}


@dataclass(frozen=True)
class ParsedWarning:
    """Something in the document an office should look at before confirming the import."""

    reason: str  # in words for the user, Chinese then English in brackets
    line: int | None = None  # 1-based source line, None for the document as a whole
    text: str = ""  # the words of the document concerned (a deadline phrase, a line)

    def __str__(self) -> str:
        words = f"（“{self.text[:40]}{'…' if len(self.text) > 40 else ''}”）" if self.text else ""
        return f"第{self.line}行{words}：{self.reason}" if self.line else f"{self.reason}{words}"

    def as_json(self) -> dict:
        return {"line": self.line, "text": self.text, "reason": self.reason}


@dataclass(frozen=True)
class ParsedNode:
    """A section or a task, in document order. A node with any assigned unit is a task."""

    label: str  # own numbering as written: "三、", "(一)", "（一）", "1.", "(1)"; "" when unnumbered
    level: int  # 1 一、 · 2 (一) · 3 1. · 4 (1); unnumbered paragraphs: parent's level + 1
    path: tuple[str, ...]  # labels from the top, own label last when it has one
    parent: int | None  # index of the parent node in ParsedPlan.nodes
    title: str  # 大力推广实施清洁能源 (the heading sentence, without its 。)
    text: str  # the full cleaned paragraph without label and assignment lines
    line: int  # 1-based line of the source where the node starts
    responsible: tuple[str, ...] = ()  # 责任单位 / 牵头单位 / 按职责分工负责; first = lead
    supporting: tuple[str, ...] = ()  # 配合单位 / 协办单位
    implementing: tuple[str, ...] = ()  # 负责落实
    deadlines: tuple[ParsedDeadline, ...] = ()
    targets: tuple[ParsedTarget, ...] = ()
    leaders: tuple[str, ...] = ()  # people named for the task (牵头领导：张三), never units

    @property
    def is_task(self) -> bool:
        return bool(self.responsible or self.supporting or self.implementing)


@dataclass(frozen=True)
class ParsedPlan:
    title: str
    doc_number: str  # 闽发改规〔2024〕2号, "" when the document has none of its own
    issuers: tuple[str, ...]  # signing units in order
    issued_on: datetime.date | None
    period_start: datetime.date | None
    period_end: datetime.date | None
    valid_until: datetime.date | None
    plan_year: int | None  # None: the document names no year at all (its dates stay unresolved)
    jurisdiction: str  # 鹤壁市, 福建省: what 市/省 prefixes refer to
    coordinator: str  # the unit that receives reports (市大气污染防治联席会议办公室), or the first issuer
    reporting: ParsedReporting | None
    targets: tuple[ParsedTarget, ...]  # plan-level goals (targets in tasks sit on their nodes)
    nodes: tuple[ParsedNode, ...]
    collective_members: tuple[tuple[str, tuple[str, ...]], ...] = ()  # members a plan defines itself
    warnings: tuple[ParsedWarning, ...] = field(default=())

    @property
    def tasks(self) -> list[ParsedNode]:
        return [node for node in self.nodes if node.is_task]

    @property
    def units(self) -> list[str]:
        """Every unit named, in order of first appearance: issuers, assignments, coordinator."""
        seen: dict[str, None] = dict.fromkeys(self.issuers)
        for node in self.tasks:
            seen.update(dict.fromkeys(node.responsible + node.supporting + node.implementing))
        if self.coordinator:
            seen.setdefault(self.coordinator, None)
        return list(seen)

    def as_json(self) -> dict:
        def iso(day: datetime.date | None) -> str | None:
            return day.isoformat() if day else None

        all_targets = list(self.targets) + [t for node in self.nodes for t in node.targets]
        return {
            "plan": {
                "title": self.title,
                "doc_number": self.doc_number,
                "issuers": list(self.issuers),
                "issued_on": iso(self.issued_on),
                "period_start": iso(self.period_start),
                "period_end": iso(self.period_end),
                "valid_until": iso(self.valid_until),
                "reporting": self.reporting.as_json() if self.reporting else None,
            },
            "targets": [t.as_json() for t in all_targets],
            "tasks": [
                {
                    "path": list(node.path),
                    "title": node.title,
                    "text": node.text,
                    "line": node.line,
                    "responsible": list(node.responsible),
                    "supporting": list(node.supporting),
                    "implementing": list(node.implementing),
                    "deadlines": [d.as_json() for d in node.deadlines],
                    "leaders": list(node.leaders),
                }
                for node in self.tasks
            ],
            "units": self.units,
            "warnings": [warning.as_json() for warning in self.warnings],
        }


class ImportRefused(Exception):
    """The document cannot become a plan; the message says why, in words for the user."""
