"""What a draft plan import is checked against before it is confirmed (reads only): each unit
name matched to an existing unit, with near matches offered, never applied; and for a revised
document, its tasks side by side with the plan's (added, removed, changed)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from plans.importers.corrections import apply_corrections, corrected_nodes
from plans.importers.review import review_warnings
from plans.importers.types import ImportRefused, ParsedNode, ParsedPlan, ParsedWarning
from plans.importers.unit_kinds import unit_kind
from plans.models import (
    Assignment, Plan, PlanImport, PlanImportState, ProgressReport, Role, Task, Unit, UnitAlias, UnitKind,
)
from plans.services.plan_drafts import draft_raw_parse, draft_target
from plans.services.plan_import import (
    RETIRED_BASE,
    ImportSummary,
    collective_member_names,
    known_unit,
    match_nodes,
    official_name,
)

NEAR = 0.6  # SequenceMatcher ratio from which an existing unit is offered for a name
SUGGESTIONS = 3
ROLE_FIELDS = (("responsible", Role.RESPONSIBLE), ("supporting", Role.SUPPORTING), ("implementing", Role.IMPLEMENTING))


@dataclass
class UnitMatch:
    """One unit name of the document and what confirming would make of it."""

    written: str  # as the document (or an office's task correction) writes it
    status: str  # known · mapped (the office chose a unit) · new · renamed
    unit: Unit | None  # the unit it resolves to (for renamed: the new name's unit, if known)
    kind: str  # the kind a new unit gets (guessed from the name, or the office's choice)
    official_name: str  # the name a new unit would get
    renamed_to: str = ""
    tasks: int = 0  # tasks naming it
    suggestions: list[Unit] = field(default_factory=list)


def unit_matches(parsed: ParsedPlan, corrections: dict) -> list[UnitMatch]:
    """Every unit name of the raw parse `parsed` (with the office's task corrections, before
    renames), in order of first appearance, matched as `services.plan_import` would."""
    without_renames = {**corrections, "units": {}}
    named = corrected_nodes(parsed, without_renames)
    jurisdiction = named.jurisdiction
    choices = corrections.get("units", {})
    counts: dict[str, int] = {}
    for node in named.tasks:
        for name in dict.fromkeys(node.responsible + node.supporting + node.implementing):
            counts[name] = counts.get(name, 0) + 1
    candidates = None
    matches = []
    for written in named.units:
        choice = choices.get(written, {})
        name = choice.get("rename", written)
        kind = choices.get(name, choice).get("new") or unit_kind(name)
        match = UnitMatch(
            written=written, status="renamed" if "rename" in choice else "new", unit=None, kind=kind,
            official_name=official_name(name, jurisdiction, kind), renamed_to=choice.get("rename", ""),
            tasks=counts.get(written, 0),
        )
        chosen = choices.get(name, choice).get("unit")
        if chosen:
            match.unit = Unit.objects.filter(pk=chosen).first()
            match.status = "renamed" if match.renamed_to else "mapped"
        else:
            match.unit = known_unit(name, jurisdiction, kind)
            if match.unit and not match.renamed_to:
                match.status = "known"
        if match.unit is None:
            candidates = candidates if candidates is not None else _candidates(jurisdiction)
            match.suggestions = _near(name, jurisdiction, candidates)
        matches.append(match)
    return matches


def _bare(name: str, jurisdiction: str) -> str:
    """A name without its place and level: 鹤壁市财政局 → 财政局, 市委宣传部 → 委宣传部."""
    name = name.removeprefix("中共")
    if jurisdiction and name.startswith(jurisdiction):
        name = name[len(jurisdiction):]
    return re.sub(r"^[省市县区]", "", name)


def _candidates(jurisdiction: str) -> list[tuple[Unit, list[str]]]:
    """The units of a jurisdiction with every name they go by there."""
    units = Unit.objects.filter(
        Q(jurisdiction=jurisdiction) | Q(name__startswith=jurisdiction) | Q(aliases__jurisdiction=jurisdiction)
    ).distinct() if jurisdiction else Unit.objects.filter(jurisdiction="")
    names: dict[int, list[str]] = {}
    for unit_id, alias in UnitAlias.objects.filter(jurisdiction=jurisdiction).values_list("unit_id", "name"):
        names.setdefault(unit_id, []).append(alias)
    return [
        (unit, [name for name in dict.fromkeys([unit.name, unit.short_name, *names.get(unit.pk, [])]) if name])
        for unit in units.order_by("name")
    ]


def _near(name: str, jurisdiction: str, candidates: list[tuple[Unit, list[str]]]) -> list[Unit]:
    """Existing units whose names come close to `name`, closest first."""
    bare = _bare(name, jurisdiction)
    scored = []
    for unit, names in candidates:
        best = 0.0
        for other in names:
            matcher = SequenceMatcher(None, bare, _bare(other, jurisdiction))
            if matcher.real_quick_ratio() >= NEAR and matcher.quick_ratio() >= NEAR:
                best = max(best, matcher.ratio())
        if best >= NEAR:
            scored.append((-best, unit.name, unit))
    return [unit for _score, _name, unit in sorted(scored, key=lambda item: item[:2])[:SUGGESTIONS]]


# --- a revised document against its plan -----------------------------------------------------
@dataclass
class Side:
    """One task as the plan has it or as the document has it."""

    path: str
    title: str
    text: str
    units: dict[str, list[str]]  # role field → unit names
    deadlines: list[str]


@dataclass
class DiffRow:
    status: str  # added · removed · changed · same
    old: Side | None
    new: Side | None
    changed: list[str]  # of title, text, units, deadlines
    has_reports: bool = False  # a removed task with progress reports: kept, inactive (retired)


def plan_diff(plan: Plan, parsed: ParsedPlan, units: list[UnitMatch]) -> list[DiffRow]:
    """The document's nodes (a corrected parse) against the live nodes of `plan`, matched as
    `services.plan_import` matches them: in document order, then the removed ones. A unit name
    reads as its match in `units` (unit_matches: the office's choices included), so the diff
    names the units confirming would assign."""
    existing = list(
        plan.nodes.filter(position__lt=RETIRED_BASE).order_by("position").prefetch_related(
            Prefetch("assignments", queryset=Assignment.objects.select_related("unit").order_by("role", "position")),
            "deadlines",
        )
    )
    matches = match_nodes(existing, list(parsed.nodes))
    shown = {match.renamed_to or match.written: match for match in units}

    def unit_name(written: str) -> str:
        match = shown.get(written)
        if match is None:  # not matched (cannot happen for a name of the parse): as the import would name it
            unit = known_unit(written, parsed.jurisdiction)
            return unit.name if unit else official_name(written, parsed.jurisdiction)
        return match.unit.name if match.unit else match.official_name

    rows = []
    for index, node in enumerate(parsed.nodes):
        new = _document_side(node, unit_name)
        task = matches.get(index)
        if task is None:
            rows.append(DiffRow("added", None, new, []))
            continue
        old = _plan_side(task)
        changed = [name for name in ("title", "text", "units", "deadlines") if getattr(old, name) != getattr(new, name)]
        rows.append(DiffRow("changed" if changed else "same", old, new, changed))
    matched = {task.pk for task in matches.values()}
    gone = [task for task in existing if task.pk not in matched]
    reported = set(ProgressReport.objects.filter(task__in=gone).values_list("task_id", flat=True))
    rows.extend(DiffRow("removed", _plan_side(task), None, [], task.pk in reported) for task in gone)
    return rows


def _document_side(node: ParsedNode, unit_name) -> Side:
    return Side(
        path="".join(node.path), title=node.title, text=node.text,
        units={name: [unit_name(written) for written in dict.fromkeys(getattr(node, name))] for name, _ in ROLE_FIELDS},
        deadlines=[_deadline_words(d.text, d.date) for d in node.deadlines],
    )


def _plan_side(task: Task) -> Side:
    units = {name: [] for name, _role in ROLE_FIELDS}
    field_of = {role: name for name, role in ROLE_FIELDS}
    for assignment in task.assignments.all():
        units[field_of[assignment.role]].append(assignment.unit.name)
    return Side(
        path=task.path, title=task.title, text=task.text, units=units,
        deadlines=[_deadline_words(d.text, d.date) for d in sorted(task.deadlines.all(), key=lambda d: d.position)],
    )


def _deadline_words(text: str, date) -> str:
    return f"{text}（{date.isoformat()}）" if date and text != date.isoformat() else (text or str(date or ""))


# --- everything a preview shows ------------------------------------------------------------
@dataclass
class DraftReview:
    """A draft import as its preview page and the API show it."""

    shown: ParsedPlan | None = None  # the parse with corrections but joins and drops: node i = parse's node i
    parsed: ParsedPlan | None = None  # as it would be written
    summary: ImportSummary | None = None  # what confirming would do (from the diff: nothing is written)
    units: list[UnitMatch] = field(default_factory=list)
    target: Plan | None = None  # the plan confirming updates; None: a new plan
    diff: list[DiffRow] | None = None  # for a revision: its tasks against the plan's
    warnings: list[ParsedWarning] = field(default_factory=list)  # the parse's and the review's, by line
    counts: dict = field(default_factory=dict)
    error: str = ""  # the document cannot become a plan (as corrected): why

    def node_marks(self, corrections: dict) -> list[dict]:
        """Per node of `shown`: its correction flags (drop, join, corrected)."""
        changes = corrections.get("nodes", {})
        return [
            {"drop": bool(changes.get(str(i), {}).get("drop")), "join": bool(changes.get(str(i), {}).get("join")),
             "corrected": str(i) in changes}
            for i in range(len(self.shown.nodes) if self.shown else 0)
        ]


def draft_review(draft: PlanImport) -> DraftReview:
    """Parse, correct and match a draft, and tell what confirming would do; a document that
    cannot become a plan gives a review with only `error` set (and what could be read before it)."""
    review = DraftReview()
    try:
        raw = draft_raw_parse(draft)
        review.shown = corrected_nodes(raw, draft.corrections)
        review.parsed = apply_corrections(raw, draft.corrections)
        review.units = unit_matches(raw, draft.corrections)
        review.target = draft.plan if draft.state == PlanImportState.APPLIED else draft_target(draft, review.parsed)
        if draft.state == PlanImportState.DRAFT:
            if review.target is not None:
                review.diff = plan_diff(review.target, review.parsed, review.units)
            review.summary = _outcome(review)
    except ImportRefused as refusal:
        review.error = str(refusal)
        return review
    parsed = review.parsed
    without_units = [
        ParsedWarning(_("任务没有责任单位 (a task without a responsible unit)"), node.line, node.title)
        for node in parsed.tasks if not node.responsible
    ]
    review.warnings = sorted(
        [*parsed.warnings, *review_warnings(parsed), *without_units], key=lambda warning: warning.line or 0,
    )
    new_units = sum(1 for match in review.units if match.unit is None)
    review.counts = {
        "tasks": len(parsed.tasks), "units": len(review.units), "known_units": len(review.units) - new_units,
        "new_units": new_units, "deadlines": sum(len(task.deadlines) for task in parsed.tasks),
        "targets": len(parsed.targets) + sum(len(node.targets) for node in parsed.nodes),
        "warnings": len(review.warnings),
    }
    return review


def _new_units(review: DraftReview) -> list[str]:
    """The units confirming would create: names matching none, and the members a collective
    met for the first time gets."""
    jurisdiction = review.parsed.jurisdiction
    new = [match.official_name for match in review.units if match.unit is None]
    for match in review.units:
        if match.kind == UnitKind.COLLECTIVE and (match.unit is None or not match.unit.members.exists()):
            name = match.renamed_to or match.written
            new += [
                official_name(member, jurisdiction, UnitKind.LOCAL_GOVERNMENT)
                for member in collective_member_names(review.parsed, name)
                if known_unit(member, jurisdiction, UnitKind.LOCAL_GOVERNMENT) is None
            ]
    return list(dict.fromkeys(new))


def _outcome(review: DraftReview) -> ImportSummary:
    """What confirming would do, told as services.plan_import tells it, worked out from the
    review instead of a dry run (which writes every row and takes as long as the import)."""
    parsed = review.parsed
    if not parsed.tasks:
        raise ImportRefused(_("未找到分配了责任单位的任务 (no task with assigned units found)"))
    summary = ImportSummary(
        plan_title=parsed.title, created=review.target is None, dry_run=True, task_count=len(parsed.tasks),
        new_units=_new_units(review),
    )
    for row in review.diff or []:
        if row.status == "added":
            summary.added.append(f"{row.new.path} {row.new.title}".strip())
        elif row.status == "changed":
            summary.changed.append(f"{row.new.path} {row.new.title}".strip())
        elif row.status == "removed":
            (summary.retired if row.has_reports else summary.removed).append(f"{row.old.path} {row.old.title}".strip())
    if review.target is not None:
        summary.plan_fields_changed = [
            str(Plan._meta.get_field(name).verbose_name) for name, value in (
                ("title", parsed.title), ("doc_number", parsed.doc_number), ("issued_on", parsed.issued_on),
                ("period_start", parsed.period_start), ("period_end", parsed.period_end),
            ) if getattr(review.target, name) != value
        ]
    return summary
