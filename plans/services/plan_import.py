"""Writing a parsed plan document into the database: the plan, its tree, units, deadlines and
targets, matched against what an earlier import of the same plan left."""

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from plans.importers.types import ImportRefused, ParsedNode, ParsedPlan, ParsedTarget
from plans.importers.units import canonical_unit_name, contains_place, unit_aliases, unit_kind
from plans.models import (
    Assignment,
    Deadline,
    Frequency,
    NodeKind,
    Plan,
    PlanIssuer,
    Role,
    Target,
    Task,
    Unit,
    UnitAlias,
    UnitKind,
)
from plans.reference import division_governments
from plans.services.acknowledgements import acknowledgements_ensure
from plans.services.conflicts import retry_on_conflict


_POSITION_SHIFT = 1_000_000  # moves live positions out of the way while a tree is renumbered
RETIRED_BASE = 1_000_000_000  # retired nodes sit at this + pk, out of every renumbering


@dataclass
class ImportSummary:
    """What `plan_import` did (or, in a dry run, would do) to the database."""

    plan_title: str
    created: bool = False
    dry_run: bool = False
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    plan_fields_changed: list[str] = field(default_factory=list)
    new_units: list[str] = field(default_factory=list)
    task_count: int = 0
    plan_id: int | None = None  # the plan made or updated (in a dry run: rolled back with it)

    @property
    def has_changes(self) -> bool:
        return bool(
            self.created or self.added or self.removed or self.retired or self.changed
            or self.plan_fields_changed or self.new_units
        )

    def as_lines(self) -> list[str]:
        head = _("试运行，未写入数据库：") if self.dry_run else ""
        if self.created:
            lines = [
                head
                + _("新建方案《%(title)s》，任务 %(count)d 项。") % {"title": self.plan_title, "count": self.task_count}
            ]
        elif self.has_changes:
            lines = [
                head
                + _("更新方案《%(title)s》，任务 %(count)d 项。") % {"title": self.plan_title, "count": self.task_count}
            ]
        else:
            return [head + _("方案《%(title)s》与数据库一致，没有变化。") % {"title": self.plan_title}]
        if self.plan_fields_changed:
            lines.append(_("方案信息变化：") + "、".join(self.plan_fields_changed))
        for label, items in (
            (_("新增"), self.added),
            (_("删除"), self.removed),
            (_("停用（已有进展报告，保留记录）"), self.retired),
            (_("修改"), self.changed),
        ):
            if items and not self.created:
                lines.append(f"{label} {len(items)}:")
                lines.extend(f"  {item}" for item in items)
        if self.new_units:
            lines.append(_("新建单位 %(count)d 个：") % {"count": len(self.new_units)} + "、".join(self.new_units))
        return lines


@retry_on_conflict
def plan_import(
    *, parsed: ParsedPlan, source_text: str, source_name: str, dry_run: bool = False,
    unit_choices: dict | None = None, into: Plan | None = None, note: str = "", user=None,
) -> ImportSummary:
    """Create the plan, or bring an existing one (`into`, else the plan of the same document
    number, else of the same title) in line with the document: nodes are matched by numbering
    path and title, unchanged rows are not written, progress reports of kept tasks stay,
    removed tasks that have reports are retired (is_active off) instead of deleted. All or
    nothing; `dry_run` rolls back.

    `unit_choices` (written name → {"unit": id} or {"new": kind}, see importers.corrections)
    settles names an office matched by hand: a name given an existing unit becomes an alias
    of it in the plan's jurisdiction, so the next document matches by itself. `note` and `user`
    are the reason and the person the history of every plan, task, assignment and deadline
    row written records."""
    if not parsed.tasks:
        raise ImportRefused(_("未找到分配了责任单位的任务 (no task with assigned units found)"))
    if not parsed.title:
        raise ImportRefused(_("未能识别方案标题 (no plan title found)"))
    with transaction.atomic():
        try:
            summary = _PlanWriter(parsed, source_text, source_name, unit_choices or {}, into, (note, user)).write()
        except ValidationError as error:
            raise ImportRefused(
                _("方案数据不合规 (invalid plan data): %(error)s") % {"error": "; ".join(error.messages)}
            ) from error
        summary.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
        else:  # 交办: each responsible unit new to the plan has it to 签收
            acknowledgements_ensure(plan=Plan.objects.get(pk=summary.plan_id), user=user)
    return summary


class _UnitResolver:
    """Written unit names of one jurisdiction → Unit rows, creating the ones not met before."""

    def __init__(self, jurisdiction: str, summary: ImportSummary, choices: dict):
        self.jurisdiction = jurisdiction
        self.summary = summary
        self.choices = choices
        self.cache: dict[str, Unit] = {}

    def __call__(self, written: str, kind: str | None = None) -> Unit:
        if written not in self.cache:
            self.cache[written] = self._resolve(written, kind)
        return self.cache[written]

    def _resolve(self, written: str, kind: str | None) -> Unit:
        choice = self.choices.get(written, {})
        if "unit" in choice:
            unit = Unit.objects.filter(pk=choice["unit"]).first()
            if unit is None:
                raise ImportRefused(_("“%(name)s”对应的单位（id %(id)s）不存在 (no such unit)") % {
                    "name": written, "id": choice["unit"]})
            self._add_aliases(unit, [written])
            return unit
        unit = _alias_unit(written, self.jurisdiction)
        if unit:
            return unit
        kind = choice.get("new") or kind or unit_kind(written)
        unit = Unit.objects.filter(name=official_name(written, self.jurisdiction, kind)[:200]).first()
        aliases = list(dict.fromkeys([written, *unit_aliases(written, self.jurisdiction)]))
        if unit is None:
            canonical = official_name(written, self.jurisdiction, kind)
            unit = Unit.objects.create(
                name=canonical[:200], short_name=self._short_name(written, aliases)[:100],
                jurisdiction=self.jurisdiction, kind=kind,
            )
            self.summary.new_units.append(canonical)
        self._add_aliases(unit, aliases)
        return unit

    def _add_aliases(self, unit: Unit, names: list[str]) -> None:
        """Names not yet taken in the jurisdiction become aliases of `unit`."""
        known = set(
            UnitAlias.objects.filter(jurisdiction=self.jurisdiction, name__in=names).values_list("name", flat=True)
        )
        for name in names:
            if name and name not in known:
                UnitAlias.objects.create(unit=unit, jurisdiction=self.jurisdiction, name=name[:200])

    def _short_name(self, written: str, aliases: list[str]) -> str:
        """How officials write the unit inside its jurisdiction: 省工信厅 for 福建省工业和信息化厅."""
        level = self.jurisdiction[-1:]
        if not level or written.startswith(level):
            return written
        local = [alias for alias in aliases if alias.startswith(level) and not alias.startswith(self.jurisdiction)]
        return min(local, key=len) if local else written


def official_name(written: str, jurisdiction: str, kind: str | None = None) -> str:
    """The name a unit written `written` in a plan of `jurisdiction` is kept under."""
    canonical = canonical_unit_name(written, jurisdiction)
    if (kind or unit_kind(written)) == UnitKind.COLLECTIVE and not contains_place(canonical):
        canonical = jurisdiction + canonical  # 各县区政府(管委) differs from city to city
    return canonical


def known_unit(written: str, jurisdiction: str, kind: str | None = None) -> Unit | None:
    """The existing unit a written name stands for in `jurisdiction`: by an alias there, else
    by its official name (市财政局 = 财政局 = 鹤壁市财政局); None when the import would create one."""
    return _alias_unit(written, jurisdiction) or Unit.objects.filter(
        name=official_name(written, jurisdiction, kind)[:200]
    ).first()


def _alias_unit(written: str, jurisdiction: str) -> Unit | None:
    alias = UnitAlias.objects.select_related("unit").filter(jurisdiction=jurisdiction, name=written).first()
    return alias.unit if alias else None


def revised_plan(parsed: ParsedPlan) -> Plan | None:
    """The plan a document revises: the one of its document number, else of its title."""
    key = (parsed.doc_number or parsed.title)[:300]
    return Plan.objects.filter(key=key).first() or Plan.objects.filter(title=parsed.title[:300]).first()


def _member_name(name: str, collective: str, jurisdiction: str) -> str:
    """A member as the plan defines it (开发区 in 各县区政府(管委)) → 鹤壁市开发区管委会."""
    if "管委" in collective and not name.endswith(("政府", "管委会", "管理委员会")):
        name += "管委会"
    return name if contains_place(name) else jurisdiction + name


def collective_member_names(parsed: ParsedPlan, written: str) -> list[str]:
    """The members a collective named `written` gets when first met: those the plan defines
    itself (全市各县区(包括开发区……)) and the divisions of its jurisdiction we know."""
    defined = dict(parsed.collective_members)
    names = division_governments(written, parsed.jurisdiction) + [
        _member_name(name, written, parsed.jurisdiction) for name in defined.get(written, ())
    ]
    return list(dict.fromkeys(names))


def _node_label(node: ParsedNode) -> str:
    return f"{''.join(node.path)} {node.title}".strip()


def match_nodes(existing: list[Task], wanted: list[ParsedNode]) -> dict[int, Task]:
    """Index in `wanted` → existing Task: same path and title first, then the same numbered
    path (a reworded task), then the same title (a renumbered task)."""
    matches: dict[int, Task] = {}
    free = list(existing)

    def take(key_of_task, key_of_node, unique_only: bool):
        for index, node in enumerate(wanted):
            if index in matches:
                continue
            key = key_of_node(node)
            if key is None:
                continue
            candidates = [task for task in free if key_of_task(task) == key]
            if not candidates or (unique_only and len(candidates) > 1):
                continue
            matches[index] = candidates[0]
            free.remove(candidates[0])

    take(lambda t: (t.path, t.title), lambda n: ("".join(n.path), n.title), unique_only=False)
    take(lambda t: t.path if t.label else None, lambda n: "".join(n.path) if n.label else None, unique_only=True)
    take(lambda t: t.title, lambda n: n.title, unique_only=True)
    return matches


class _PlanWriter:
    def __init__(
        self, parsed: ParsedPlan, source_text: str, source_name: str, choices: dict, into: Plan | None,
        history: tuple[str, object],
    ):
        self.parsed = parsed
        self.note, self.user = history[0][:100], history[1]
        self.source_text = source_text
        self.source_name = source_name
        self.into = into
        self.summary = ImportSummary(plan_title=parsed.title, task_count=len(parsed.tasks))
        self.units = _UnitResolver(parsed.jurisdiction, self.summary, choices)

    def _save(self, row) -> None:
        if self.note:
            row._change_reason = self.note  # simple_history's reason for this row's history entry
        if self.user is not None:
            row._history_user = self.user  # else the request's (simple_history's middleware)
        row.save()

    def write(self) -> ImportSummary:
        plan = self._write_plan()
        self.summary.plan_id = plan.pk
        self._write_collective_members()
        nodes = self._write_nodes(plan)
        self._write_targets(plan, nodes)
        return self.summary

    # --- plan -----------------------------------------------------------------------------
    def _write_plan(self) -> Plan:
        parsed = self.parsed
        plan = self.into or revised_plan(parsed)
        self.summary.created = plan is None
        # a plan chosen by the office keeps its key: another plan may hold the document's
        key = plan.key if self.into else (parsed.doc_number or parsed.title)[:300]
        plan = plan or Plan(key=key)
        values = {
            "key": key,
            "title": parsed.title[:300],
            "doc_number": parsed.doc_number[:100],
            "jurisdiction": parsed.jurisdiction[:50],
            # a document naming no year keeps the year an office set before, else this year's
            # (the parse warned; its year-less deadlines stay undated)
            "plan_year": parsed.plan_year or plan.plan_year or timezone.localdate().year,
            "issued_on": parsed.issued_on,
            "period_start": parsed.period_start,
            "period_end": parsed.period_end,
            "valid_until": parsed.valid_until,
            "coordinator": self.units(parsed.coordinator) if parsed.coordinator else None,
            "source_name": self.source_name[:255],
            "source_sha256": hashlib.sha256(self.source_text.encode("utf-8")).hexdigest(),
            "source_text": self.source_text,
        }
        if parsed.reporting:
            values.update(
                reporting_frequency=(
                    parsed.reporting.frequency
                    if parsed.reporting.frequency in Frequency.values
                    else Frequency.QUARTERLY
                ),
                reporting_month=parsed.reporting.month,
                reporting_day=parsed.reporting.day,
                reporting_rule_text=parsed.reporting.text[:200],
            )
        changed = [name for name, value in values.items() if getattr(plan, name) != value]
        if changed:
            for name in changed:
                setattr(plan, name, values[name])
            plan.full_clean(exclude=["coordinator"], validate_unique=False)
            self._save(plan)
            if not self.summary.created:
                self.summary.plan_fields_changed.extend(
                    str(Plan._meta.get_field(name).verbose_name)
                    for name in changed if name not in {"source_text", "source_sha256"}
                )
        issuers = [self.units(name) for name in parsed.issuers]
        if [link.unit_id for link in plan.issuer_links.order_by("position")] != [unit.pk for unit in issuers]:
            plan.issuer_links.all().delete()
            PlanIssuer.objects.bulk_create(
                PlanIssuer(plan=plan, unit=unit, position=position)
                for position, unit in enumerate(dict.fromkeys(issuers))
            )
            if not self.summary.created:
                self.summary.plan_fields_changed.append(str(Plan._meta.get_field("issuers").verbose_name))
        return plan

    def _write_collective_members(self) -> None:
        """A collective met for the first time gets its members (collective_member_names)."""
        for written in self.parsed.units:
            unit = self.units(written)
            if unit.kind != UnitKind.COLLECTIVE or unit.members.exists():
                continue
            names = collective_member_names(self.parsed, written)
            members = [self.units(name, UnitKind.LOCAL_GOVERNMENT) for name in names]
            unit.members.add(*[member for member in members if member.pk != unit.pk])

    # --- the task tree --------------------------------------------------------------------
    def _write_nodes(self, plan: Plan) -> list[Task]:
        wanted = list(self.parsed.nodes)
        existing = list(plan.nodes.all())
        matches = match_nodes(existing, wanted)
        matched = {task.pk for task in matches.values()}
        live = [task for task in existing if task.position < RETIRED_BASE]
        if any(task.position != index for index, task in matches.items()) or any(t.pk not in matched for t in live):
            plan.nodes.filter(position__lt=RETIRED_BASE).update(position=F("position") + _POSITION_SHIFT)
            for task in live:
                task.position += _POSITION_SHIFT
        rows: list[Task] = []
        for index, node in enumerate(wanted):
            task = matches.get(index)
            parent = rows[node.parent] if node.parent is not None else None
            rows.append(self._write_node(plan, task, node, index, parent))
        self._drop_unmatched([task for task in existing if task.pk not in matched])
        return rows

    def _write_node(self, plan: Plan, task: Task | None, node: ParsedNode, index: int, parent: Task | None) -> Task:
        values = {
            "kind": NodeKind.TASK if node.is_task else NodeKind.SECTION,
            "label": node.label[:20],
            "path": "".join(node.path)[:200],
            "level": node.level,
            "title": node.title[:300],
            "text": node.text,
            "parent_id": parent.pk if parent else None,
        }
        quiet = {"position": index, "source_line": node.line, "is_active": True}
        is_new = task is None
        task = task or Task(plan=plan)
        content_changed = [name for name, value in values.items() if getattr(task, name) != value]
        if content_changed or any(getattr(task, name) != value for name, value in quiet.items()):
            for name, value in {**values, **quiet}.items():
                setattr(task, name, value)
            self._save(task)
        links_changed = self._write_assignments(task, node) | self._write_deadlines(task, node)
        if is_new:
            self.summary.added.append(_node_label(node))
        elif content_changed or links_changed:
            self.summary.changed.append(_node_label(node))
        return task

    def _write_assignments(self, task: Task, node: ParsedNode) -> bool:
        wanted = [
            (role, position, self.units(name).pk)
            for role, names in (
                (Role.RESPONSIBLE, node.responsible),
                (Role.SUPPORTING, node.supporting),
                (Role.IMPLEMENTING, node.implementing),
            )
            for position, name in enumerate(dict.fromkeys(names))
        ]
        have = sorted(task.assignments.values_list("role", "position", "unit_id"))
        if have == sorted(wanted):
            return False
        task.assignments.all().delete()
        for role, position, unit_id in wanted:
            self._save(Assignment(task=task, role=role, position=position, unit_id=unit_id))
        return True

    def _write_deadlines(self, task: Task, node: ParsedNode) -> bool:
        wanted = [(d.kind, d.date, d.rule[:50], d.text[:200]) for d in node.deadlines]
        have = list(task.deadlines.order_by("position").values_list("kind", "date", "rule", "text"))
        if have == wanted:
            return False
        task.deadlines.all().delete()
        for position, (kind, date, rule, text) in enumerate(wanted):
            self._save(Deadline(task=task, kind=kind, date=date, rule=rule, text=text, position=position))
        return True

    def _drop_unmatched(self, gone: list[Task]) -> None:
        """Delete nodes the document no longer has; keep (inactive) those with reports."""
        with_reports = {task.pk for task in gone if task.reports.exists()}
        for task in gone:
            if task.pk in with_reports and (task.is_active or task.parent_id):
                task.is_active, task.parent, task.position = False, None, RETIRED_BASE + task.pk
                task.save()
                self.summary.retired.append(str(task))
        deletable = [task for task in gone if task.pk not in with_reports]
        self.summary.removed.extend(str(task) for task in deletable if task.kind == NodeKind.TASK)
        Task.objects.filter(pk__in=[task.pk for task in deletable]).delete()

    # --- targets --------------------------------------------------------------------------
    def _write_targets(self, plan: Plan, rows: list[Task]) -> None:
        """Targets matched to the existing ones by task and indicator and updated in place, so
        their measured values stay; a new target's owner is its task's lead unit, else the
        plan's coordinating office (an owner the office chose is kept). A target gone from the
        document is deleted, or retired (is_active off) when it has values."""
        owned: list[tuple[Task | None, ParsedTarget]] = [(None, target) for target in self.parsed.targets]
        for row, node in zip(rows, self.parsed.nodes):
            owned.extend((row, target) for target in node.targets)
        leads = dict(
            Assignment.objects.filter(task__plan=plan, is_lead=True).values_list("task_id", "unit_id")
        )
        existing: dict[tuple, list[Target]] = {}
        for target in plan.targets.order_by("position"):
            existing.setdefault((target.task_id, target.indicator), []).append(target)
        plan.targets.update(position=F("position") + _POSITION_SHIFT)
        changed = False
        for position, (row, parsed) in enumerate(owned):
            task_id = row.pk if row else None
            values = {
                "comparator": parsed.comparator, "value": parsed.value, "unit": parsed.unit[:30],
                "year": parsed.year, "text": parsed.text[:500], "is_active": True,
            }
            matches = existing.get((task_id, parsed.indicator[:200]))
            if matches:
                target = matches.pop(0)
                changed |= any(getattr(target, name) != value for name, value in values.items())
            else:
                target = Target(plan=plan, task_id=task_id, indicator=parsed.indicator[:200])
                changed = True
            for name, value in values.items():
                setattr(target, name, value)
            target.position = position
            if target.owner_id is None:
                target.owner_id = leads.get(task_id) if task_id else plan.coordinator_id
            target.save()
        for target in (target for matches in existing.values() for target in matches):
            changed = True
            if target.values.exists():
                target.is_active, target.position = False, RETIRED_BASE + target.pk
                target.save(update_fields=["is_active", "position"])
            else:
                target.delete()
        if changed and not self.summary.created:
            self.summary.plan_fields_changed.append(str(Target._meta.verbose_name_plural))
