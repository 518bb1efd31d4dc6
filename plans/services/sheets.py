"""Returned progress sheets: upload (checked and previewed, nothing changed), then apply
(all or nothing, through report_update and its permission rules, recorded in the history)."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from plans.bilingual import in_language

from plans.exports import layout
from plans.exports.cells import excel_text
from plans.exports.facts import per_task_values, task_facts
from plans.exports.layout import SHEET_CHECKED, UNIT, cell_digest, digest_parts, normalised
from plans.exports.returned import Problem, ReturnedRow, ReturnedSheet, ReturnedWorkbook, read_returned
from plans.exports.rows import CHUNK_SIZE, TaskDetails, may_export_unit, visible_nodes
from plans.exports.upload import UploadRefused
from plans.exports.xlsx_reader import open_stream_workbook
from plans.models import (
    Assignment,
    ProgressReport,
    ReportingPeriod,
    Role,
    SheetImport,
    SheetImportState,
    Task,
    TaskStatus,
    Unit,
    units_answering_for,
)
from plans.permissions import can_edit_report
from plans.services.reporting import report_update
from plans.services.common import StaleVersion
from plans.services.conflicts import retry_on_conflict

TEXT_FIELDS = ("progress", "problems", "next_steps")
HEADERS = {column.key: column.header for column in layout.COLUMNS}
MAX_STORED_PROBLEMS = 1000  # a refused upload keeps the first ones and how many more there were
STALE_ROW = "该行导出后已被修改，请重新导出 (this row was changed after export; export again)"
NOT_YOURS = "此行不是您的任务行，请勿修改最后一列（隐藏）或从其他表复制行 (this row is not one of your tasks)"


@dataclass
class SheetCheck:
    """What a returned workbook would do to the period's reports, or why it cannot."""

    changes: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _sheet_problems(sheet: ReturnedSheet, period: ReportingPeriod, user) -> tuple[list[Problem], Unit | None]:
    """The sheet must be of this plan and period, and a unit sheet of a unit the user acts for."""
    where = {"sheet": sheet.name, "row": layout.GROUP_ROW}
    if sheet.plan_key != period.plan.key:
        return [Problem(f"此表属于另一方案（{sheet.plan_key}），不是《{period.plan.title}》", **where)], None
    if sheet.period_label != period.label:
        return [Problem(f"此表是{sheet.period_label}报送周期的，不是所选的{period.label}", **where)], None
    if sheet.kind != UNIT:
        return [], None
    unit = Unit.objects.filter(name=sheet.unit_name).first()
    if unit is None:
        return [Problem(f"填报单位“{sheet.unit_name}”不存在", **where)], None
    if not may_export_unit(user, period, unit):
        return [Problem(f"此表是{unit.name}的报送表，您不能代其上传", **where)], None
    return [], unit


def _reporting_units(task: Task, members: dict[int, set[int]]) -> set[int]:
    """Units that report on the task: its responsible units, a collective through its members."""
    units = set()
    for assignment in task.export_assignments:
        if assignment.role == Role.RESPONSIBLE:
            units |= members.get(assignment.unit_id) or {assignment.unit_id}
    return units


def _current(report: ProgressReport | None) -> dict:
    if report is None:
        return {
            "progress": "", "problems": "", "next_steps": "", "status": TaskStatus.NOT_STARTED.value, "percent": None,
        }
    values = {name: excel_text(getattr(report, name)).strip() for name in TEXT_FIELDS}
    return {**values, "status": report.status, "percent": report.percent}


def _difference(row: ReturnedRow, report: ProgressReport | None) -> dict:
    """{field: [before, after]} for what the row changes (an empty status keeps the current one)."""
    current = _current(report)
    wanted = {**row.values}
    if not wanted.get("status"):
        wanted["status"] = current["status"]
    changed = {name: [current[name], value] for name, value in wanted.items() if value != current[name]}
    if report is not None:  # a text cut at Excel's limit and returned as it was is unchanged
        for name in TEXT_FIELDS:
            if (
                name in changed
                and len(getattr(report, name)) > len(current[name])
                and row.values[name] == current[name]
            ):
                del changed[name]
    return changed


def _row_problem(row: ReturnedRow, message: str, column: str = "") -> Problem:
    return Problem(
        message, sheet=row.sheet, row=row.row, column=row.columns.get(column, ""), header=HEADERS.get(column, "")
    )


def sheet_check(*, user, period: ReportingPeriod, returned: ReturnedWorkbook) -> SheetCheck:
    """Decide, without writing, which reports the returned sheets create or change, and every
    problem: rows of unknown tasks or units, sheets of another plan, period or unit, edited
    read-only columns, changes the user may not make (plans.permissions)."""
    check = SheetCheck(problems=list(returned.problems))
    rows: list[tuple[ReturnedRow, Unit | None]] = []
    for sheet in returned.sheets:
        problems, sheet_unit = _sheet_problems(sheet, period, user)
        check.problems.extend(problems)
        if not problems:
            rows.extend((row, sheet_unit) for row in sheet.rows)
    ids = sorted({row.task_id for row, _unit in rows})
    tasks, visible = _tasks(period, ids), _visible(period, ids, user)
    members: dict[int, set[int]] = {}
    for collective, member in Unit.members.through.objects.values_list("from_unit_id", "to_unit_id"):
        members.setdefault(collective, set()).add(member)
    units = Unit.objects.in_bulk()
    today = timezone.localdate()
    seen: dict[tuple[int, int], tuple[ReturnedRow, dict]] = {}
    for row, sheet_unit in rows:
        task = tasks.get(row.task_id)
        if task is None:
            check.problems.append(_row_problem(row, "未知的任务行：任务不属于本方案或已删除，请重新导出后填写"))
            continue
        unit = units.get(row.unit_id) if row.unit_id else None
        if task.pk not in visible:  # left alone it is fine; changed, nothing of the task is named
            report = next((report for report in task.period_reports if unit and report.unit_id == unit.pk), None)
            if _difference(row, report):
                check.problems.append(_row_problem(row, NOT_YOURS))
            continue
        if sheet_unit is not None and row.unit_id != sheet_unit.pk:
            check.problems.append(_row_problem(row, f"此行不是{sheet_unit}的任务行，请勿从其他表复制行"))
            continue
        if unit is None:
            if any(row.values.get(name) for name in (*TEXT_FIELDS, "percent")):
                check.problems.append(_row_problem(row, "此任务没有填报单位，不能填写进展"))
            continue
        check.problems.extend(_read_only_problems(row, task_facts(task, today, units), unit))
        report = next((report for report in task.period_reports if report.unit_id == unit.pk), None)
        if report is None and unit.pk not in _reporting_units(task, members):
            check.problems.append(_row_problem(row, f"{unit}不是此任务的责任单位，不能填报"))
            continue
        changed = _difference(row, report)
        if changed and report is not None and row.version != report.version:
            check.problems.append(_row_problem(row, STALE_ROW))  # it would overwrite what was written since
            continue
        key = (task.pk, unit.pk)
        if key in seen:
            other, other_changed = seen[key]
            if other_changed != changed:
                check.problems.append(_row_problem(
                    row, f"与工作表“{other.sheet}”第{other.row}行是同一份报告，但填写内容不同"
                ))
            continue
        seen[key] = (row, changed)
        if not changed:
            continue
        reason = can_edit_report(user, report or ProgressReport(task=task, unit=unit, period=period))
        if reason:
            check.problems.append(_row_problem(row, reason))
            continue
        check.changes.append({
            "sheet": row.sheet, "row": row.row, "report": report.pk if report else None,
            "version": report.version if report else None, "task": task.pk, "task_label": str(task),
            "unit": unit.pk, "unit_name": str(unit), "fields": changed,
        })
    return check


def _read_only_problems(row: ReturnedRow, facts, unit: Unit) -> list[Problem]:
    """Every read-only column the row shows differently from the export: the ones the
    database knows (重点任务, 具体措施, units, 完成时限, 填报单位) against it, the ones only the
    sheet knows (序号, 预警, 备注) against the digest in the row's key."""
    expected = {
        key: normalised(excel_text(value) if isinstance(value, str) else value)
        for key, value in per_task_values(facts, 0).items() if key not in SHEET_CHECKED
    }
    expected["unit"] = normalised(str(unit))
    exported = digest_parts(row.check)
    problems = []
    for key, shown in row.shown.items():
        if key in SHEET_CHECKED:
            if exported and cell_digest(shown) != exported[key]:
                problems.append(_row_problem(
                    row, f"此列由系统生成，不能修改：表中为“{shown[:200]}”，与导出时不同，请恢复原内容或重新导出", key,
                ))
        elif shown != expected[key]:
            problems.append(_row_problem(
                row,
                f"此列由系统生成，不能修改：表中为“{shown[:200]}”，应为“{expected[key][:200]}”"
                f"（如方案已调整，请重新导出）",
                key,
            ))
    return problems


def _tasks(period: ReportingPeriod, ids: list[int]) -> dict[int, Task]:
    """The period's active tasks with these ids and their details, by id; read in batches
    (a whole plan's sheet can name tens of thousands, beyond a database's query parameters)."""
    details, tasks = TaskDetails(period.plan_id, period), {}
    for start in range(0, len(ids), CHUNK_SIZE):
        batch = Task.objects.for_plan(period.plan_id).active().tasks().filter(pk__in=ids[start:start + CHUNK_SIZE])
        tasks.update((task.pk, task) for task in details.attach(list(batch.for_export())))
    return tasks


def _visible(period: ReportingPeriod, ids: list[int], user) -> set[int]:
    """Which of these tasks the user may see (what an export would give them)."""
    found = set()
    for start in range(0, len(ids), CHUNK_SIZE):
        found.update(
            visible_nodes(user, period).filter(pk__in=ids[start:start + CHUNK_SIZE]).values_list("pk", flat=True)
        )
    return found


def _check_bytes(user, period: ReportingPeriod, data: bytes, progress=None) -> SheetCheck:
    """Read the workbook within xlsx_reader's limits (UploadRefused past them, or at a
    malformed cell) and check it; `progress(done, total)` hears the rows read."""
    workbook = open_stream_workbook(data, progress=progress)
    try:
        returned = read_returned(workbook)
    finally:
        workbook.close()
    return sheet_check(user=user, period=period, returned=returned)


def _stored_problems(problems: list[Problem]) -> list[dict]:
    """The first MAX_STORED_PROBLEMS, then one line saying how many more: a refused upload
    needs only the first to be corrected, and its record stays small."""
    kept = [problem.as_dict() for problem in problems[:MAX_STORED_PROBLEMS]]
    if len(problems) > MAX_STORED_PROBLEMS:
        more = len(problems) - MAX_STORED_PROBLEMS
        kept.append(
            Problem(f"另有 {more} 个问题未列出，请先改正以上问题后重新上传 ({more} more problems not listed)").as_dict()
        )
    return kept


def sheet_upload(
    *, user, period: ReportingPeriod, file_name: str, data: bytes, progress=None, on_saved=None,
) -> SheetImport:
    """Check an uploaded workbook and keep it with its preview; changes nothing else.
    Raises UploadRefused for what is not a readable .xlsx (nothing is kept then). The
    problems are kept in the code's two-language form, shown in the reader's language
    (plans.bilingual); a refusal is said at once in the active language.

    For a job (plans/import_jobs.py): `progress(done, total)` hears the rows read, and
    `on_saved(sheet_import)` is called inside the transaction that saves the upload, so what
    it records (the job's outcome) is written with the upload or, when it raises, neither is."""
    language = translation.get_language()
    try:
        with translation.override(None):
            check = _check_bytes(user, period, data, progress)
    except UploadRefused as refusal:
        raise UploadRefused(in_language(str(refusal), language)) from refusal
    with transaction.atomic():
        sheet_import = SheetImport.objects.create(
            period=period, uploaded_by=user, file_name=(file_name or "upload.xlsx")[:255], content=data,
            sha256=hashlib.sha256(data).hexdigest(), size=len(data),
            state=SheetImportState.REFUSED if check.problems else SheetImportState.PREVIEWED,
            changes=[] if check.problems else check.changes, problems=_stored_problems(check.problems),
        )
        if on_saved is not None:
            on_saved(sheet_import)
    return sheet_import


@retry_on_conflict
def sheet_apply(*, user, sheet_import: SheetImport) -> SheetImport:
    """Apply a previewed upload from its stored check (the file is not read again): all of it
    or nothing. Each change goes through report_update under the report's lock, so the
    permission rules are applied as they are now, and a report whose version moved since
    the preview (or that someone created meanwhile) refuses the whole upload.

    Locks in the services' order (plans.services, "Lock order"): the upload alone (not the
    period and plan it reads), its period (applies and opening the period, which create
    reports, queue), then every report it changes, by id, before changing any."""
    with transaction.atomic():
        locked = (
            SheetImport.objects.select_for_update(of=("self",)).select_related("period__plan").defer("content")
            .get(pk=sheet_import.pk)
        )
        ReportingPeriod.objects.select_for_update(no_key=True).filter(pk=locked.period_id).first()
        if locked.uploaded_by_id != user.pk:
            raise PermissionDenied(_("只有上传人才能确认导入 (only the uploader can apply the sheet)"))
        if locked.state != SheetImportState.PREVIEWED:
            raise ValidationError(_("此文件已导入或未通过检查，不能再导入 (the upload was already applied or refused)"))
        if not locked.changes:
            raise ValidationError(_("表中没有需要导入的修改 (the sheet changes nothing)"))
        reason = f"Excel导入 #{locked.pk} {locked.file_name}"[:100]  # history_change_reason's length
        _lock_reports(sorted(change["report"] for change in locked.changes if change["report"] is not None))
        for change in locked.changes:
            _apply_change(user, locked.period, change, reason)
        locked.state, locked.applied_at, locked.applied_count = (
            SheetImportState.APPLIED, timezone.now(), len(locked.changes)
        )
        locked.save(update_fields=["state", "applied_at", "applied_count"])
    return locked


def _lock_reports(ids: list[int]) -> None:
    """Lock the reports in ascending id order (in batches: a whole plan's sheet can change
    tens of thousands), so two applies that share reports queue instead of each locking one
    that the other needs next."""
    for start in range(0, len(ids), CHUNK_SIZE):
        batch = ProgressReport.objects.select_for_update(no_key=True).filter(pk__in=ids[start:start + CHUNK_SIZE])
        list(batch.order_by("pk").values_list("pk", flat=True))


def _where(change: dict) -> str:
    return f"工作表“{change['sheet']}”第{change['row']}行："


def _changed_since(change: dict) -> ValidationError:
    return ValidationError(
        _where(change)
        + "预览之后报告已被修改，请重新上传以查看最新的变更 (the report changed since the preview; upload again)"
    )


def _apply_change(user, period: ReportingPeriod, change: dict, reason: str) -> None:
    values = {name: after for name, (_before, after) in change["fields"].items()}
    if change["report"] is None:
        report = _new_report(user, period, change, reason)
        version = report.version
    else:
        report, version = ProgressReport(pk=change["report"]), change["version"]
    try:
        report_update(user=user, report=report, expected_version=version, reason=reason, **values)
    except (StaleVersion, ProgressReport.DoesNotExist):
        raise _changed_since(change) from None
    except PermissionDenied as refusal:
        raise ValidationError(_where(change) + str(refusal)) from refusal


def _new_report(user, period: ReportingPeriod, change: dict, reason: str) -> ProgressReport:
    """The report a change creates, if the unit still reports on the task, the user may
    still write it and nobody created it since the preview."""
    report = ProgressReport(task_id=change["task"], unit_id=change["unit"], period=period)
    if ProgressReport.objects.filter(task_id=change["task"], unit_id=change["unit"], period=period).exists():
        raise _changed_since(change)
    responsible = Assignment.objects.filter(
        task_id=change["task"], task__is_active=True, task__plan_id=period.plan_id, role=Role.RESPONSIBLE,
        unit__in=units_answering_for(change["unit"]),
    )
    if not responsible.exists():
        raise ValidationError(
            _where(change) + "此单位已不是该任务的责任单位，请重新导出 (the unit no longer reports on the task)"
        )
    refusal = can_edit_report(user, report)
    if refusal:
        raise ValidationError(_where(change) + refusal)
    report._history_user, report._change_reason = user, reason
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError:  # created by someone else between the check and the save
        raise _changed_since(change) from None
    return report
