"""An office's corrections to a parsed plan, applied before it is written: the plan's details,
units renamed, and per node its units by role, its deadline, dropped or joined to the node
before it. Corrections are JSON (kept with a draft import, sent by the API, read by the
command from a file) and are checked here before anything uses them; no database.

    {
      "plan": {"title": "…", "doc_number": "…", "jurisdiction": "鹤壁市", "issuers": ["…"], "issued_on": "2026-03-01",
               "period_start": null, "period_end": null, "coordinator": "…",
               "reporting": {"frequency": "quarterly", "month": 3, "day": 23}},
      "units": {"市财政": {"rename": "市财政局"}, "财政局": {"unit": 12}, "市数据局": {"new": "department"}},
      "nodes": {"7": {"responsible": ["市财政局"], "supporting": [],
                      "deadline": {"date": "2026-06-30", "text": "6月底前"}},
                "9": {"drop": true}, "12": {"join": true}}
    }

Nodes are named by their index in the parse (`ParsedPlan.nodes`), which is the same every time
the same text is parsed. "units" choices other than rename (an existing unit by id, a new unit
of a kind) are for the writer (`services.plan_import`), which alone sees the database.
"""
from __future__ import annotations

import datetime
from dataclasses import replace

from django.utils.translation import gettext as _

from plans.importers.types import DeadlineKind, ParsedDeadline, ParsedNode, ParsedPlan, ParsedReporting

ROLES = ("responsible", "supporting", "implementing")
PLAN_TEXT_FIELDS = {"title": 300, "doc_number": 100, "coordinator": 200, "jurisdiction": 50}
PLAN_DATE_FIELDS = ("issued_on", "period_start", "period_end")
FREQUENCIES = ("monthly", "quarterly", "half-yearly", "yearly")
UNIT_NAME_CHARS = 200
UNIT_KINDS = ("department", "local_government", "central_branch", "party", "enterprise", "media", "collective", "other")
MAX_NAMES = 50  # units per role of one task, issuers of a plan


class CorrectionsInvalid(ValueError):
    """The corrections are not well formed; `problems` says where, in words for the user."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def check_corrections(parsed: ParsedPlan, corrections: dict) -> dict:
    """The corrections in their stored form (empty parts dropped), or CorrectionsInvalid
    listing every problem: unknown keys, a node index the parse does not have, dates that
    are not dates, names that are empty or too long, a join of the first node."""
    problems: list[str] = []
    if not isinstance(corrections, dict):
        raise CorrectionsInvalid([_("更正应为对象 (corrections must be an object)")])
    _unknown(corrections, {"plan", "units", "nodes"}, "", problems)
    clean = {
        "plan": _check_plan(corrections.get("plan") or {}, problems),
        "units": _check_units(corrections.get("units") or {}, problems),
        "nodes": _check_nodes(parsed, corrections.get("nodes") or {}, problems),
    }
    if problems:
        raise CorrectionsInvalid(problems)
    return {key: value for key, value in clean.items() if value}


def apply_corrections(parsed: ParsedPlan, corrections: dict) -> ParsedPlan:
    """`parsed` as corrected (corrections as check_corrections returned them)."""
    parsed = corrected_nodes(parsed, corrections)
    return replace(parsed, nodes=tuple(_join_and_drop(list(parsed.nodes), corrections.get("nodes", {}))))


def corrected_nodes(parsed: ParsedPlan, corrections: dict) -> ParsedPlan:
    """`parsed` with every correction but the joins and drops: node i is still the parse's
    node i (what a preview lists, marking the nodes to be dropped or joined)."""
    changes = corrections.get("nodes", {})
    parsed = _apply_plan(parsed, corrections.get("plan", {}))
    nodes = tuple(_apply_node(node, changes.get(str(index), {})) for index, node in enumerate(parsed.nodes))
    renames = {
        written: choice["rename"] for written, choice in corrections.get("units", {}).items() if "rename" in choice
    }
    parsed = replace(parsed, nodes=nodes)
    return _renamed(parsed, renames) if renames else parsed


# --- checking ------------------------------------------------------------------------------
def _unknown(given: dict, allowed: set[str], where: str, problems: list[str]) -> None:
    for key in sorted(set(given) - allowed):
        problems.append(_("%(where)s未知的项“%(key)s” (unknown key)") % {"where": where, "key": key})


def _date(value, where: str, problems: list[str]) -> str | None:
    if value in (None, ""):
        return None
    try:
        return datetime.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        problems.append(
            _("%(where)s不是日期（应为 YYYY-MM-DD）：%(value)s (not a date)") % {"where": where, "value": value}
        )
        return None


def _name(value, where: str, problems: list[str], limit: int = UNIT_NAME_CHARS) -> str:
    name = "".join(str(value or "").split())
    if not name:
        problems.append(_("%(where)s不能为空 (must not be empty)") % {"where": where})
    elif len(name) > limit:
        problems.append(_("%(where)s超过 %(limit)d 字 (too long)") % {"where": where, "limit": limit})
    return name


def _names(value, where: str, problems: list[str]) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_NAMES:
        problems.append(_("%(where)s应为单位名称列表（至多 %(limit)d 个） (a list of unit names)") % {
            "where": where, "limit": MAX_NAMES})
        return []
    return list(dict.fromkeys(_name(name, where, problems) for name in value))


def _check_plan(plan: dict, problems: list[str]) -> dict:
    if not isinstance(plan, dict):
        problems.append(_("方案信息应为对象 (plan must be an object)"))
        return {}
    _unknown(plan, {*PLAN_TEXT_FIELDS, *PLAN_DATE_FIELDS, "issuers", "reporting"}, _("方案信息："), problems)
    clean: dict = {}
    for field, limit in PLAN_TEXT_FIELDS.items():
        if field in plan:
            value = "".join(str(plan[field] or "").split()) if field != "title" else str(plan[field] or "").strip()
            if field == "title" and not value:
                problems.append(_("方案标题不能为空 (the title must not be empty)"))
            elif len(value) > limit:
                problems.append(_("%(field)s超过 %(limit)d 字 (too long)") % {"field": field, "limit": limit})
            clean[field] = value
    for field in PLAN_DATE_FIELDS:
        if field in plan:
            clean[field] = _date(plan[field], field + "：", problems)
    if "issuers" in plan:
        clean["issuers"] = _names(plan["issuers"], _("印发单位："), problems)
    if "reporting" in plan:
        clean["reporting"] = _check_reporting(plan["reporting"], problems)
    return clean


def _check_reporting(rule, problems: list[str]) -> dict | None:
    if rule is None:
        return None
    if not isinstance(rule, dict) or rule.get("frequency") not in FREQUENCIES:
        problems.append(_("报送要求的频次应为 %(choices)s 之一 (frequency)") % {"choices": "、".join(FREQUENCIES)})
        return None
    month, day = rule.get("month", 1), rule.get("day")
    if not isinstance(month, int) or not 1 <= month <= 12:
        problems.append(_("报送要求的月份应为 1–12 (month)"))
    if day is not None and (not isinstance(day, int) or not 1 <= day <= 31):
        problems.append(_("报送要求的日期应为 1–31 或留空表示月末 (day)"))
    return {"frequency": rule["frequency"], "month": month, "day": day, "text": str(rule.get("text") or "")[:200]}


def _check_units(units: dict, problems: list[str]) -> dict:
    if not isinstance(units, dict):
        problems.append(_("单位对应应为对象 (units must be an object)"))
        return {}
    clean = {}
    for written, choice in units.items():
        where = _("单位“%(name)s”：") % {"name": written}
        if not isinstance(choice, dict) or len(choice) != 1 or not {"unit", "new", "rename"} >= set(choice):
            problems.append(where + _("应为 unit（已有单位 id）、new（新建单位的类别）或 rename（改名）之一"
                                      " (one of unit, new, rename)"))
        elif "unit" in choice and (not isinstance(choice["unit"], int) or isinstance(choice["unit"], bool)
                                    or choice["unit"] < 1):
            problems.append(where + _("unit 应为单位 id (a unit id)"))
        elif "new" in choice and choice["new"] not in UNIT_KINDS:
            problems.append(where + _("new 应为单位类别之一：%(kinds)s") % {"kinds": "、".join(UNIT_KINDS)})
        elif "rename" in choice:
            clean[written] = {"rename": _name(choice["rename"], where, problems)}
        else:
            clean[written] = dict(choice)
    return clean


def _check_nodes(parsed: ParsedPlan, nodes: dict, problems: list[str]) -> dict:
    if not isinstance(nodes, dict):
        problems.append(_("任务更正应为对象 (nodes must be an object)"))
        return {}
    clean = {}
    for key, change in nodes.items():
        index = int(key) if str(key).isdigit() else -1
        where = _("第 %(key)s 项：") % {"key": key}
        if not 0 <= index < len(parsed.nodes):
            problems.append(where + _("解析结果中没有这一项 (no such node)"))
            continue
        if not isinstance(change, dict):
            problems.append(where + _("应为对象 (must be an object)"))
            continue
        where = _("第%(line)d行“%(title)s”：") % {"line": parsed.nodes[index].line,
                                                   "title": parsed.nodes[index].title[:20]}
        _unknown(change, {*ROLES, "deadline", "drop", "join"}, where, problems)
        node: dict = {}
        for role in ROLES:
            if role in change:
                node[role] = _names(change[role], where, problems)
        if "deadline" in change:
            node["deadline"] = _check_deadline(change["deadline"], where, problems)
        for flag in ("drop", "join"):
            if change.get(flag) is True:
                node[flag] = True
            elif change.get(flag) not in (None, False):
                problems.append(where + _("%(flag)s 应为 true 或 false") % {"flag": flag})
        if node.get("join") and index == 0:
            problems.append(where + _("第一项之前没有可以合并的任务 (nothing before the first node)"))
        if node:
            clean[str(index)] = node
    return clean


def _check_deadline(deadline, where: str, problems: list[str]) -> dict | None:
    if deadline is None:
        return None  # no deadline
    if not isinstance(deadline, dict):
        problems.append(where + _("时限应为 {date, text} (a deadline object)"))
        return None
    date = _date(deadline.get("date"), where, problems)
    text = str(deadline.get("text") or "").strip()[:200]
    if not date and not text:
        return None
    return {"date": date, "text": text or date}


# --- applying ------------------------------------------------------------------------------
def _apply_plan(parsed: ParsedPlan, plan: dict) -> ParsedPlan:
    values: dict = {field: plan[field] for field in PLAN_TEXT_FIELDS if field in plan}
    for field in PLAN_DATE_FIELDS:
        if field in plan:
            values[field] = datetime.date.fromisoformat(plan[field]) if plan[field] else None
    if "issuers" in plan:
        values["issuers"] = tuple(plan["issuers"])
    if "reporting" in plan:
        rule = plan["reporting"]
        values["reporting"] = rule and ParsedReporting(
            frequency=rule["frequency"], month=rule["month"], day=rule["day"],
            text=rule["text"] or (parsed.reporting.text if parsed.reporting else ""),
        )
    return replace(parsed, **values) if values else parsed


def _apply_node(node: ParsedNode, change: dict) -> ParsedNode:
    values: dict = {role: tuple(change[role]) for role in ROLES if role in change}
    if "deadline" in change:
        deadline = change["deadline"]
        values["deadlines"] = () if deadline is None else (ParsedDeadline(
            kind=DeadlineKind.DUE, date=datetime.date.fromisoformat(deadline["date"]) if deadline["date"] else None,
            text=deadline["text"],
        ),)
    return replace(node, **values) if values else node


def _join_and_drop(nodes: list[ParsedNode], changes: dict) -> list[ParsedNode]:
    """Joined nodes folded into the kept node before them (text, units, deadlines, targets;
    their children move with them); dropped nodes removed (their children go to their
    parent); parent indices renumbered."""
    kept: list[int] = []
    merged: dict[int, ParsedNode] = {}
    adopted_by: dict[int, int | None] = {}  # a removed node → the node that takes its children

    def survivor(index: int | None) -> int | None:
        while index is not None and index in adopted_by:
            index = adopted_by[index]
        return index

    for index, node in enumerate(nodes):
        change = changes.get(str(index), {})
        if change.get("join") and kept:
            target = kept[-1]
            merged[target] = _joined(merged.get(target, nodes[target]), node)
            adopted_by[index] = target
        elif change.get("drop"):
            adopted_by[index] = survivor(node.parent)
        else:
            kept.append(index)
    position = {old: new for new, old in enumerate(kept)}
    result = []
    for old in kept:
        node = merged.get(old, nodes[old])
        parent = survivor(node.parent)
        result.append(replace(node, parent=position[parent] if parent is not None else None))
    return result


def _joined(first: ParsedNode, second: ParsedNode) -> ParsedNode:
    def union(a: tuple, b: tuple) -> tuple:
        return tuple(dict.fromkeys(a + b))

    second_words = "".join(second.path[-1:]) + second.text if second.label else second.text
    return replace(
        first,
        text=f"{first.text}\n{second_words}".strip(),
        responsible=union(first.responsible, second.responsible),
        supporting=union(first.supporting, second.supporting),
        implementing=union(first.implementing, second.implementing),
        deadlines=first.deadlines + second.deadlines,
        targets=first.targets + second.targets,
        leaders=union(first.leaders, second.leaders),
    )


def _renamed(parsed: ParsedPlan, renames: dict[str, str]) -> ParsedPlan:
    def names(written: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(renames.get(name, name) for name in written))

    return replace(
        parsed,
        issuers=names(parsed.issuers),
        coordinator=renames.get(parsed.coordinator, parsed.coordinator),
        nodes=tuple(
            replace(node, **{role: names(getattr(node, role)) for role in ROLES}) for node in parsed.nodes
        ),
        collective_members=tuple((renames.get(name, name), members) for name, members in parsed.collective_members),
    )
