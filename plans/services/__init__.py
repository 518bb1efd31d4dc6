"""Writes that touch several rows. Each validates first and runs in one transaction."""
from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from plans.importers.types import ImportRefused, ParsedNode, ParsedPlan, ParsedTarget
from plans.importers.units import canonical_unit_name, contains_place, unit_aliases, unit_kind
from plans.models import (
    Assignment,
    Deadline,
    DeadlineKind,
    Frequency,
    NodeKind,
    Plan,
    PlanIssuer,
    ProgressReport,
    ReportingPeriod,
    ReportState,
    Role,
    SupportingInput,
    Target,
    Task,
    TaskStatus,
    Unit,
    UnitAlias,
    UnitKind,
)
from plans.permissions import (
    can_add_supporting_input,
    can_edit_report,
    can_manage_plan,
    can_review_report,
    can_submit_report,
    membership,
)
from plans.periods import nominal_due_date, shift_to_working_day, spans
from plans.reference import division_governments
from plans.services.common import StaleVersion, check_version, deny  # noqa: F401  (StaleVersion for callers)
from plans.services.conflicts import WriteConflict, retry_on_conflict  # noqa: F401  (WriteConflict for callers)
from plans.services.indicators import (  # noqa: F401
    feed_create,
    feed_revoke,
    indicator_value_delete,
    indicator_value_save,
    plan_publish,
)

_POSITION_SHIFT = 1_000_000  # moves live positions out of the way while a tree is renumbered
_RETIRED_BASE = 1_000_000_000  # retired nodes sit at this + pk, out of every renumbering


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

    @property
    def has_changes(self) -> bool:
        return bool(
            self.created or self.added or self.removed or self.retired or self.changed
            or self.plan_fields_changed or self.new_units
        )

    def as_lines(self) -> list[str]:
        head = _("试运行，未写入数据库：") if self.dry_run else ""
        if self.created:
            lines = [head + _("新建方案《%(title)s》，任务 %(count)d 项。") % {"title": self.plan_title, "count": self.task_count}]
        elif self.has_changes:
            lines = [head + _("更新方案《%(title)s》，任务 %(count)d 项。") % {"title": self.plan_title, "count": self.task_count}]
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
def plan_import(*, parsed: ParsedPlan, source_text: str, source_name: str, dry_run: bool = False) -> ImportSummary:
    """Create the plan, or bring an existing one (same document number, else same title) in
    line with the document: nodes are matched by numbering path and title, unchanged rows are
    not written, progress reports of kept tasks stay, removed tasks that have reports are
    retired (is_active off) instead of deleted. All or nothing; `dry_run` rolls back."""
    if not parsed.tasks:
        raise ImportRefused(_("未找到分配了责任单位的任务 (no task with assigned units found)"))
    if not parsed.title:
        raise ImportRefused(_("未能识别方案标题 (no plan title found)"))
    with transaction.atomic():
        try:
            summary = _PlanWriter(parsed, source_text, source_name).write()
        except ValidationError as error:
            raise ImportRefused(_("方案数据不合规 (invalid plan data): %(error)s") % {"error": "; ".join(error.messages)}) from error
        summary.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
    return summary


class _UnitResolver:
    """Written unit names of one jurisdiction → Unit rows, creating the ones not met before."""

    def __init__(self, jurisdiction: str, summary: ImportSummary):
        self.jurisdiction = jurisdiction
        self.summary = summary
        self.cache: dict[str, Unit] = {}

    def __call__(self, written: str, kind: str | None = None) -> Unit:
        if written not in self.cache:
            self.cache[written] = self._resolve(written, kind)
        return self.cache[written]

    def _resolve(self, written: str, kind: str | None) -> Unit:
        alias = UnitAlias.objects.select_related("unit").filter(jurisdiction=self.jurisdiction, name=written).first()
        if alias:
            return alias.unit
        kind = kind or unit_kind(written)
        canonical = canonical_unit_name(written, self.jurisdiction)
        if kind == UnitKind.COLLECTIVE and not contains_place(canonical):
            canonical = self.jurisdiction + canonical  # 各县区政府(管委) differs from city to city
        aliases = list(dict.fromkeys([written, *unit_aliases(written, self.jurisdiction)]))
        unit = Unit.objects.filter(name=canonical).first()
        if unit is None:
            unit = Unit.objects.create(
                name=canonical[:200], short_name=self._short_name(written, aliases)[:100],
                jurisdiction=self.jurisdiction, kind=kind,
            )
            self.summary.new_units.append(canonical)
        known = set(UnitAlias.objects.filter(jurisdiction=self.jurisdiction).values_list("name", flat=True))
        for name in aliases:
            if name and name not in known:
                UnitAlias.objects.create(unit=unit, jurisdiction=self.jurisdiction, name=name[:200])
        return unit

    def _short_name(self, written: str, aliases: list[str]) -> str:
        """How officials write the unit inside its jurisdiction: 省工信厅 for 福建省工业和信息化厅."""
        level = self.jurisdiction[-1:]
        if not level or written.startswith(level):
            return written
        local = [alias for alias in aliases if alias.startswith(level) and not alias.startswith(self.jurisdiction)]
        return min(local, key=len) if local else written


def _member_name(name: str, collective: str, jurisdiction: str) -> str:
    """A member as the plan defines it (开发区 in 各县区政府(管委)) → 鹤壁市开发区管委会."""
    if "管委" in collective and not name.endswith(("政府", "管委会", "管理委员会")):
        name += "管委会"
    return name if contains_place(name) else jurisdiction + name


def _node_label(node: ParsedNode) -> str:
    return f"{''.join(node.path)} {node.title}".strip()


def _match_nodes(existing: list[Task], wanted: list[ParsedNode]) -> dict[int, Task]:
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
    def __init__(self, parsed: ParsedPlan, source_text: str, source_name: str):
        self.parsed = parsed
        self.source_text = source_text
        self.source_name = source_name
        self.summary = ImportSummary(plan_title=parsed.title, task_count=len(parsed.tasks))
        self.units = _UnitResolver(parsed.jurisdiction, self.summary)

    def write(self) -> ImportSummary:
        plan = self._write_plan()
        self._write_collective_members()
        nodes = self._write_nodes(plan)
        self._write_targets(plan, nodes)
        return self.summary

    # --- plan -----------------------------------------------------------------------------
    def _write_plan(self) -> Plan:
        parsed = self.parsed
        key = (parsed.doc_number or parsed.title)[:300]
        plan = Plan.objects.filter(key=key).first() or Plan.objects.filter(title=parsed.title[:300]).first()
        self.summary.created = plan is None
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
                reporting_frequency=parsed.reporting.frequency if parsed.reporting.frequency in Frequency.values else Frequency.QUARTERLY,
                reporting_month=parsed.reporting.month,
                reporting_day=parsed.reporting.day,
                reporting_rule_text=parsed.reporting.text[:200],
            )
        changed = [name for name, value in values.items() if getattr(plan, name) != value]
        if changed:
            for name in changed:
                setattr(plan, name, values[name])
            plan.full_clean(exclude=["coordinator"], validate_unique=False)
            plan.save()
            if not self.summary.created:
                self.summary.plan_fields_changed.extend(
                    str(Plan._meta.get_field(name).verbose_name) for name in changed if name not in {"source_text", "source_sha256"}
                )
        issuers = [self.units(name) for name in parsed.issuers]
        if [link.unit_id for link in plan.issuer_links.order_by("position")] != [unit.pk for unit in issuers]:
            plan.issuer_links.all().delete()
            PlanIssuer.objects.bulk_create(
                PlanIssuer(plan=plan, unit=unit, position=position) for position, unit in enumerate(dict.fromkeys(issuers))
            )
            if not self.summary.created:
                self.summary.plan_fields_changed.append(str(Plan._meta.get_field("issuers").verbose_name))
        return plan

    def _write_collective_members(self) -> None:
        """A collective met for the first time gets its members: those the plan defines
        itself (全市各县区(包括开发区……)) and the divisions of its jurisdiction we know."""
        defined = dict(self.parsed.collective_members)
        jurisdiction = self.parsed.jurisdiction
        for written in self.parsed.units:
            unit = self.units(written)
            if unit.kind != UnitKind.COLLECTIVE or unit.members.exists():
                continue
            names = division_governments(written, jurisdiction) + [
                _member_name(name, written, jurisdiction) for name in defined.get(written, ())
            ]
            members = [self.units(name, UnitKind.LOCAL_GOVERNMENT) for name in dict.fromkeys(names)]
            unit.members.add(*[member for member in members if member.pk != unit.pk])

    # --- the task tree --------------------------------------------------------------------
    def _write_nodes(self, plan: Plan) -> list[Task]:
        wanted = list(self.parsed.nodes)
        existing = list(plan.nodes.all())
        matches = _match_nodes(existing, wanted)
        matched = {task.pk for task in matches.values()}
        live = [task for task in existing if task.position < _RETIRED_BASE]
        if any(task.position != index for index, task in matches.items()) or any(t.pk not in matched for t in live):
            plan.nodes.filter(position__lt=_RETIRED_BASE).update(position=F("position") + _POSITION_SHIFT)
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
            task.save()
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
            Assignment(task=task, role=role, position=position, unit_id=unit_id).save()
        return True

    def _write_deadlines(self, task: Task, node: ParsedNode) -> bool:
        wanted = [(d.kind, d.date, d.rule[:50], d.text[:200]) for d in node.deadlines]
        have = list(task.deadlines.order_by("position").values_list("kind", "date", "rule", "text"))
        if have == wanted:
            return False
        task.deadlines.all().delete()
        for position, (kind, date, rule, text) in enumerate(wanted):
            Deadline(task=task, kind=kind, date=date, rule=rule, text=text, position=position).save()
        return True

    def _drop_unmatched(self, gone: list[Task]) -> None:
        """Delete nodes the document no longer has; keep (inactive) those with reports."""
        with_reports = {task.pk for task in gone if task.reports.exists()}
        for task in gone:
            if task.pk in with_reports and (task.is_active or task.parent_id):
                task.is_active, task.parent, task.position = False, None, _RETIRED_BASE + task.pk
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
                target.is_active, target.position = False, _RETIRED_BASE + target.pk
                target.save(update_fields=["is_active", "position"])
            else:
                target.delete()
        if changed and not self.summary.created:
            self.summary.plan_fields_changed.append(str(Target._meta.verbose_name_plural))


@retry_on_conflict
def periods_generate(*, user, plan: Plan) -> list[ReportingPeriod]:
    """Create the reporting periods of the plan's schedule over its span (period_start..
    period_end, else its plan year) that do not exist yet; due dates follow the reporting
    rule and move off public holidays as the plan says. Existing periods are left as they
    are (the office may have edited them). Returns the periods created. Office staff only
    (`user` None: the set-up commands)."""
    if user is not None:
        deny(can_manage_plan(user, plan))
    first = plan.period_start or datetime.date(plan.plan_year, 1, 1)
    last = plan.period_end or datetime.date(plan.plan_year, 12, 31)
    if last < first:
        raise ValidationError(_("实施期止早于实施期起 (the plan period ends before it starts)"))
    with transaction.atomic():
        existing = set(plan.periods.values_list("label", flat=True))
        created = [
            ReportingPeriod.objects.create(
                plan=plan, label=span.label, start=span.start, end=span.end,
                due_date=shift_to_working_day(
                    nominal_due_date(span.start, plan.reporting_month, plan.reporting_day), plan.holiday_shift
                ),
            )
            for span in spans(plan.reporting_frequency, first, last)
            if span.label not in existing
        ]
    return created


# --- the reporting cycle -------------------------------------------------------------------
# Lock order. A service that locks several rows locks them in this order, so two services
# never wait for each other in a circle (PostgreSQL would abort one as a deadlock victim):
#
#     sheet import → plan → period → task → assignment / deadline → reports (by id)
#
# and locks only the rows it names: `select_for_update(of=("self",))` where it also reads
# related rows with select_related (a bare select_for_update() would lock those too, in the
# join's order — the report PATCH used to lock its period and task that way, after the report,
# and deadlocked with a sheet apply that had locked the period first). Rows that are changed
# but not deleted are locked FOR NO KEY UPDATE (no_key=True): inserting a row that refers to
# them (a report of the period, a history record) does not wait for the lock. Every write
# service is wrapped in retry_on_conflict: a deadlock that still happens is retried once.
def _locked(report: ProgressReport, user, expected_version: int | None = None) -> ProgressReport:
    """The report re-read under a row lock, so two writers cannot both act on a stale copy
    (and, given `expected_version`, refused if it moved on); its history records `user` as
    the author of the change (also outside a web request). Only the report row is locked: its
    period and task are read for the permission rules, not locked (see "Lock order"); a period
    closed meanwhile takes effect from the next write, as if this one had come first."""
    report = (
        ProgressReport.objects.select_for_update(no_key=True, of=("self",)).select_related("period", "task").get(pk=report.pk)
    )
    check_version(report, expected_version)
    report._history_user = user
    return report


def reports_ensure(*, period: ReportingPeriod) -> list[ProgressReport]:
    """A pending report for every (active task, responsible unit) of the period's plan that
    has none yet. A collective responsible unit reports through each of its members."""
    tasks = period.plan.nodes.tasks().active().prefetch_related(
        Prefetch("assignments", Assignment.objects.filter(role=Role.RESPONSIBLE).select_related("unit")),
        "assignments__unit__members",
    )
    wanted = []
    for task in tasks:
        for assignment in task.assignments.all():
            members = list(assignment.unit.members.all()) if assignment.unit.is_collective else []
            wanted.extend((task.pk, unit.pk) for unit in (members or [assignment.unit]))
    have = set(period.reports.values_list("task_id", "unit_id"))
    missing = [ProgressReport(task_id=task, unit_id=unit, period=period) for task, unit in dict.fromkeys(wanted) if (task, unit) not in have]
    return bulk_create_with_history(missing, ProgressReport)


def _period_set_open(user, period: ReportingPeriod, is_open: bool, expected_version: int | None) -> ReportingPeriod:
    deny(can_manage_plan(user, period.plan_id))
    locked = ReportingPeriod.objects.select_for_update(no_key=True).get(pk=period.pk)
    check_version(locked, expected_version)
    if locked.is_open != is_open:
        locked.is_open = is_open
        locked.save(update_fields=["is_open", "version"])
    period.is_open, period.version = locked.is_open, locked.version
    return period


@retry_on_conflict
def period_open(*, user, period: ReportingPeriod, expected_version: int | None = None) -> list[ProgressReport]:
    """Open a period for reporting and create its pending reports; returns those created."""
    with transaction.atomic():
        _period_set_open(user, period, True, expected_version)
        return reports_ensure(period=period)


@retry_on_conflict
def period_close(*, user, period: ReportingPeriod, expected_version: int | None = None) -> ReportingPeriod:
    with transaction.atomic():
        return _period_set_open(user, period, False, expected_version)


REPORT_FIELDS = ("status", "percent", "progress", "problems", "next_steps")


@retry_on_conflict
def report_update(
    *, user, report: ProgressReport, expected_version: int | None = None, reason: str = "", **values
) -> ProgressReport:
    """Change a report's content (status, percent, 本期进展情况, 存在问题, 下步打算); `reason`
    goes into the history record (e.g. which uploaded sheet made the change)."""
    unknown = set(values) - set(REPORT_FIELDS)
    if unknown:
        raise ValidationError(_("不能修改的字段 (fields that cannot be changed): %(fields)s") % {"fields": ", ".join(sorted(unknown))})
    with transaction.atomic():
        report = _locked(report, user, expected_version)
        deny(can_edit_report(user, report))
        if reason:
            report._change_reason = reason
        for name, value in values.items():
            setattr(report, name, value)
        report.full_clean(validate_unique=False, validate_constraints=True)
        report.save()
    return report


@retry_on_conflict
def report_submit(*, user, report: ProgressReport, expected_version: int | None = None) -> ProgressReport:
    """The unit leader sends the report to the office (pending/returned → submitted)."""
    with transaction.atomic():
        report = _locked(report, user, expected_version)
        deny(can_submit_report(user, report))
        if not report.progress.strip():
            raise ValidationError(_("请先填写本期进展情况再报送 (fill in the progress before submitting)"))
        report.state = ReportState.SUBMITTED
        report.submitted_at, report.submitted_by = timezone.now(), user
        report.save()
    return report


def _reviewed(report: ProgressReport, user, state: str, comment: str, expected_version: int | None) -> ProgressReport:
    """Record the office's decision on a submitted report (inside the caller's transaction)."""
    report = _locked(report, user, expected_version)
    deny(can_review_report(user, report))
    report.state, report.review_comment = state, (comment or "").strip()
    report.reviewed_at, report.reviewed_by = timezone.now(), user
    report.save()
    return report


@retry_on_conflict
def report_approve(
    *, user, report: ProgressReport, comment: str = "", expected_version: int | None = None
) -> ProgressReport:
    """The office approves: the report is locked and its status becomes the task's status
    (the task is locked first: "Lock order")."""
    with transaction.atomic():
        task_id = report.task_id or ProgressReport.objects.values_list("task_id", flat=True).get(pk=report.pk)
        Task.objects.select_for_update(no_key=True).filter(pk=task_id).first()
        report = _reviewed(report, user, ReportState.APPROVED, comment, expected_version)
        task = report.task
        task._history_user = user
        completed_at = (task.completed_at or timezone.now()) if report.status == TaskStatus.COMPLETED else None
        if (task.status, task.completed_at) != (report.status, completed_at):
            task.status, task.completed_at = report.status, completed_at
            task.save()
    return report


@retry_on_conflict
def report_return(*, user, report: ProgressReport, comment: str, expected_version: int | None = None) -> ProgressReport:
    """The office sends the report back with a comment (submitted → returned)."""
    if not (comment or "").strip():
        raise ValidationError(_("退回时请填写审核意见 (a comment is required to return a report)"))
    with transaction.atomic():
        report = _reviewed(report, user, ReportState.RETURNED, comment, expected_version)
    return report


@retry_on_conflict
def supporting_input_save(*, user, report: ProgressReport, text: str) -> SupportingInput:
    """A supporting unit's input to the lead's report for the task and period."""
    if not (text or "").strip():
        raise ValidationError(_("请填写配合情况 (the input is empty)"))
    with transaction.atomic():
        report = _locked(report, user)
        deny(can_add_supporting_input(user, report))
        unit = membership(user).unit
        contribution = SupportingInput.objects.filter(report=report, unit=unit).first() or SupportingInput(report=report, unit=unit)
        contribution.text, contribution.author = text.strip(), user
        contribution._history_user = user
        contribution.save()
    return contribution


# --- plan structure (office staff) ------------------------------------------------------------
TASK_FIELDS = ("title", "text", "status")
ASSIGNMENT_FIELDS = ("unit", "role", "position")
DEADLINE_FIELDS = ("kind", "date", "rule", "text", "position")


def _refuse_unknown(values: dict, allowed: tuple[str, ...]) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValidationError(_("不能修改的字段 (fields that cannot be changed): %(fields)s") % {"fields": ", ".join(sorted(unknown))})


def _saved(row, user) -> None:
    """Validate and save a structure row; a unique clash that slipped past validation (a
    parallel writer) is refused like any other invalid input."""
    row._history_user = user
    row.full_clean()
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError as error:
        raise ValidationError(_("与已有记录冲突，请刷新后重试 (conflicts with an existing row)")) from error


def _locked_task(task: Task, user) -> Task:
    task = Task.objects.select_for_update(no_key=True).get(pk=task.pk)
    deny(can_manage_plan(user, task.plan_id))
    return task


@retry_on_conflict
def task_update(*, user, task: Task, expected_version: int | None = None, **values) -> Task:
    """The office corrects a task's title, text or status (completed_at follows the status)."""
    _refuse_unknown(values, TASK_FIELDS)
    with transaction.atomic():
        task = Task.objects.select_for_update(no_key=True).get(pk=task.pk)
        check_version(task, expected_version)
        deny(can_manage_plan(user, task.plan_id))
        for name, value in values.items():
            setattr(task, name, value)
        if task.status == TaskStatus.COMPLETED:
            task.completed_at = task.completed_at or timezone.now()
        else:
            task.completed_at = None
        _saved(task, user)
    return task


def _next_position(rows) -> int:
    last = rows.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


@retry_on_conflict
def assignment_create(*, user, task: Task, unit: Unit, role: str, position: int | None = None) -> Assignment:
    """Give a unit a role on a task, by default after the units already in that role (the
    first responsible unit, position 0, leads)."""
    with transaction.atomic():
        task = _locked_task(task, user)
        if position is None:
            position = _next_position(task.assignments.filter(role=role))
        assignment = Assignment(task=task, unit=unit, role=role, position=position)
        _saved(assignment, user)
    return assignment


def _locked_assignment(assignment: Assignment, user, expected_version: int | None) -> Assignment:
    Task.objects.select_for_update(no_key=True).filter(pk=assignment.task_id).first()  # serialises writers of one task
    assignment = Assignment.objects.select_for_update(of=("self",)).select_related("task").get(pk=assignment.pk)
    check_version(assignment, expected_version)
    deny(can_manage_plan(user, assignment.task.plan_id))
    return assignment


@retry_on_conflict
def assignment_update(*, user, assignment: Assignment, expected_version: int | None = None, **values) -> Assignment:
    """Change an assignment's unit, role or position."""
    _refuse_unknown(values, ASSIGNMENT_FIELDS)
    with transaction.atomic():
        assignment = _locked_assignment(assignment, user, expected_version)
        for name, value in values.items():
            setattr(assignment, name, value)
        _saved(assignment, user)
    return assignment


@retry_on_conflict
def assignment_delete(*, user, assignment: Assignment, expected_version: int | None = None) -> None:
    with transaction.atomic():
        assignment = _locked_assignment(assignment, user, expected_version)
        assignment._history_user = user
        assignment.delete()


@retry_on_conflict
def deadline_create(
    *, user, task: Task, text: str, kind: str = DeadlineKind.DUE, date: datetime.date | None = None, rule: str = "",
    position: int | None = None,
) -> Deadline:
    """Add a deadline to a task, by default after its existing ones."""
    with transaction.atomic():
        task = _locked_task(task, user)
        if position is None:
            position = _next_position(task.deadlines.all())
        deadline = Deadline(task=task, kind=kind, date=date, rule=rule, text=text, position=position)
        _saved(deadline, user)
    return deadline


def _locked_deadline(deadline: Deadline, user, expected_version: int | None) -> Deadline:
    Task.objects.select_for_update(no_key=True).filter(pk=deadline.task_id).first()
    deadline = Deadline.objects.select_for_update(of=("self",)).select_related("task").get(pk=deadline.pk)
    check_version(deadline, expected_version)
    deny(can_manage_plan(user, deadline.task.plan_id))
    return deadline


@retry_on_conflict
def deadline_update(*, user, deadline: Deadline, expected_version: int | None = None, **values) -> Deadline:
    _refuse_unknown(values, DEADLINE_FIELDS)
    with transaction.atomic():
        deadline = _locked_deadline(deadline, user, expected_version)
        for name, value in values.items():
            setattr(deadline, name, value)
        _saved(deadline, user)
    return deadline


@retry_on_conflict
def deadline_delete(*, user, deadline: Deadline, expected_version: int | None = None) -> None:
    with transaction.atomic():
        deadline = _locked_deadline(deadline, user, expected_version)
        deadline._history_user = user
        deadline.delete()


from plans.services.sheets import sheet_apply, sheet_check, sheet_upload  # noqa: E402, F401  (they build on the services above)
