"""Plan documents imported in the browser: the upload kept as a draft (its text, read and
checked as the command reads a file), shown parsed until the office confirms it, then written
by the same service as `manage.py import_plan`."""
from __future__ import annotations

import functools
import hashlib
import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plans.exports.upload import UploadRefused, check_size
from plans.importers import parse_lines
from plans.importers.corrections import CorrectionsInvalid, apply_corrections, check_corrections
from plans.importers.reader import MAX_DOCUMENT_BYTES, read_document
from plans.importers.types import ImportRefused, ParsedPlan
from plans.models import Plan, PlanImport, PlanImportState, Unit
from plans.permissions import can_apply_plan_import, can_create_plan, can_manage_plan
from plans.services.common import check_version, deny
from plans.services.conflicts import retry_on_conflict
from plans.services.periods import periods_generate
from plans.services.plan_import import ImportSummary, plan_import, revised_plan

UPLOAD_NAME_CHARS = 255


def draft_raw_parse(draft: PlanImport, plan_year: int | None = None) -> ParsedPlan:
    """The draft's document parsed (again) from its text, as uploaded: the same every time."""
    year = plan_year if plan_year is not None else draft.plan_year
    return _parsed(draft.source_text, draft.source_name, year)


@functools.lru_cache(maxsize=8)
def _parsed(text: str, source_name: str, plan_year: int | None) -> ParsedPlan:
    """A parse is a pure function of its text, name and year, and a frozen value: a draft's
    pages and API calls reuse it instead of parsing the same document on every request."""
    return parse_lines(text.splitlines(), source_name=source_name, plan_year=plan_year)


def draft_parse(draft: PlanImport) -> ParsedPlan:
    """The draft's plan as it would be written: the parse with the office's corrections."""
    return apply_corrections(draft_raw_parse(draft), draft.corrections)


def draft_target(draft: PlanImport, parsed: ParsedPlan) -> Plan | None:
    """The plan confirming would update: the one the office chose, else the plan of the
    document's number or title; None for a new plan."""
    return draft.revises or revised_plan(parsed)


def corrected_import(
    *, raw: ParsedPlan, corrections: dict, source_text: str, source_name: str, dry_run: bool = False,
    into: Plan | None = None, user=None, note: str = "",
) -> ImportSummary:
    """services.plan_import of a parse (`raw`, as read) with an office's corrections (as
    importers.corrections.check_corrections returned them): the page, the API and
    `import_plan --corrections` write a corrected plan the same way."""
    return plan_import(
        parsed=apply_corrections(raw, corrections), source_text=source_text, source_name=source_name,
        dry_run=dry_run, into=into, user=user, note=note,
        unit_choices={name: choice for name, choice in corrections.get("units", {}).items() if "rename" not in choice},
    )


def _import(draft: PlanImport, *, dry_run: bool, user=None) -> ImportSummary:
    return corrected_import(
        raw=draft_raw_parse(draft), corrections=draft.corrections, source_text=draft.source_text,
        source_name=draft.source_name, dry_run=dry_run, into=draft.revises, user=user,
        note=_("导入方案文件“%(name)s”（#%(id)s）") % {"name": draft.source_name, "id": draft.pk},
    )


def draft_preview(draft: PlanImport) -> ImportSummary:
    """What confirming the draft would do to the database: a dry run of the plan import."""
    return _import(draft, dry_run=True)


def _read_upload(file_name: str, data: bytes) -> tuple[list[str], str]:
    """The uploaded file's lines and kind, read as `import_plan` reads a file on disk."""
    try:  # by its size alone, before it is written to disk
        check_size(len(data), max_bytes=MAX_DOCUMENT_BYTES)
    except UploadRefused as refusal:
        raise ImportRefused(str(refusal)) from None
    suffix = Path(file_name).suffix.lower()
    with tempfile.TemporaryDirectory(prefix="plan-upload-") as folder:
        path = Path(folder) / f"document{suffix}"
        path.write_bytes(data)
        return read_document(path)


UPLOAD_STEPS = 3  # what `progress` counts: the text read, the plan parsed, the draft saved


@retry_on_conflict
def plan_draft_upload(
    *, user, file_name: str, data: bytes, plan_year: int | None = None, progress=None, on_saved=None,
) -> PlanImport:
    """Keep an uploaded plan document as a draft import of `user` (office staff), once it is
    read and parsed into a plan with tasks; a file that is not is refused (ValidationError
    with the reason) and nothing is stored.

    For a job (plans/import_jobs.py): `progress(done, UPLOAD_STEPS)` hears each step done,
    and `on_saved(draft)` is called inside the transaction that saves the draft, so what it
    records (the job's outcome) is written with the draft or, when it raises, neither is."""
    deny(can_create_plan(user))
    name = Path(file_name or "").name[:UPLOAD_NAME_CHARS]
    step = progress or (lambda done, total: None)
    try:
        lines, kind = _read_upload(name, data)
        step(1, UPLOAD_STEPS)
        parse_lines(lines, source_name=name, plan_year=plan_year)
        step(2, UPLOAD_STEPS)
    except ImportRefused as refusal:
        raise ValidationError(str(refusal)) from refusal
    draft = PlanImport(
        source_name=name, source_kind=kind, source_sha256=hashlib.sha256(data).hexdigest(),
        source_text="\n".join(lines), plan_year=plan_year, uploaded_by=user,
    )
    draft.source_file.save(name or f"document.{kind}", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            draft.save()
            if on_saved is not None:
                on_saved(draft)
    except BaseException:
        draft.source_file.delete(save=False)  # nothing stored
        raise
    return draft


@retry_on_conflict
def plan_draft_correct(
    *, user, draft: PlanImport, corrections: dict | None = None, expected_version: int | None = None, **values,
) -> PlanImport:
    """Store the office's corrections with a draft (its uploader, while it is a draft):
    `corrections` parts are merged into what is stored (plan fields and unit choices by name,
    nodes by index; a null value takes a correction back); `values` may set plan_year
    (re-parses the dates) and revises (the plan to update, one the user oversees, or None).
    Everything is checked against the parse first: nothing is stored when any part is wrong
    (ValidationError listing each problem)."""
    unknown = set(values) - {"plan_year", "revises"}
    if unknown:
        raise ValidationError(_("不能修改的项：%(fields)s (unknown fields)") % {"fields": "、".join(sorted(unknown))})
    with transaction.atomic():
        draft = PlanImport.objects.select_for_update().get(pk=draft.pk)
        check_version(draft, expected_version)
        deny(can_apply_plan_import(user, draft))
        if draft.state == PlanImportState.APPLIED:
            raise ValidationError(_("已导入，不能再更正 (the import is already applied)"))
        year = values.get("plan_year", draft.plan_year)
        if year is not None and not (isinstance(year, int) and 1949 <= year <= 2100):
            raise ValidationError({"plan_year": _("方案年度应在 1949 至 2100 之间 (a year from 1949 to 2100)")})
        revises = values.get("revises", draft.revises)
        if revises is not None:
            deny(can_manage_plan(user, revises))
        try:
            merged = check_corrections(draft_raw_parse(draft, year), _merged(draft.corrections, corrections or {}))
        except CorrectionsInvalid as invalid:
            raise ValidationError(invalid.problems) from None
        except ImportRefused as refusal:
            raise ValidationError(str(refusal)) from refusal
        chosen = {choice["unit"] for choice in merged.get("units", {}).values() if "unit" in choice}
        missing = chosen - set(Unit.objects.filter(pk__in=chosen).values_list("pk", flat=True))
        if missing:
            raise ValidationError(
                _("没有这些单位：%(ids)s (no such unit)") % {"ids": ", ".join(map(str, sorted(missing)))}
            )
        draft.corrections, draft.plan_year, draft.revises = merged, year, revises
        draft.save()
    return draft


def _merged(stored: dict, given: dict) -> dict:
    """Stored corrections with `given` laid over them, part by part; None removes an entry
    (a null plan field is kept: it clears a date)."""
    if not isinstance(given, dict):
        return given  # check_corrections says why
    merged = {part: dict(stored.get(part, {})) for part in ("plan", "units", "nodes")}
    for part, entries in given.items():
        if part not in merged or not isinstance(entries, dict):
            merged[part] = entries
            continue
        for key, value in entries.items():
            if value is None and part != "plan":
                merged[part].pop(str(key), None)
            else:
                merged[part][str(key)] = value
    return merged


@retry_on_conflict
def plan_draft_apply(*, user, draft: PlanImport, expected_version: int | None = None) -> PlanImport:
    """Confirm a draft: the plan is created (its uploader becomes its office staff, its
    reporting periods are generated) or, for a revised document of an existing plan that the
    user oversees, updated in place (reports of kept tasks stay). A draft already confirmed is
    returned as it is."""
    with transaction.atomic():
        draft = PlanImport.objects.select_for_update().get(pk=draft.pk)
        check_version(draft, expected_version)
        deny(can_apply_plan_import(user, draft))
        if draft.state == PlanImportState.APPLIED:
            return draft
        if draft.revises_id:
            deny(can_manage_plan(user, draft.revises_id))
        try:
            summary = _import(draft, dry_run=False, user=user)
        except ImportRefused as refusal:
            raise ValidationError(str(refusal)) from refusal
        plan = Plan.objects.get(pk=summary.plan_id)
        if summary.created:
            plan.office_staff.add(user)
            periods_generate(user=None, plan=plan)
        else:
            deny(can_manage_plan(user, plan))
        draft.state, draft.applied_at, draft.plan = PlanImportState.APPLIED, timezone.now(), plan
        draft.summary = summary.as_lines()
        draft.save()
    return draft


@retry_on_conflict
def plan_draft_delete(*, user, draft: PlanImport, expected_version: int | None = None) -> None:
    """Discard a draft (its uploader, or a superuser); a confirmed import stays as the record."""
    with transaction.atomic():
        draft = PlanImport.objects.select_for_update().get(pk=draft.pk)
        check_version(draft, expected_version)
        deny(can_apply_plan_import(user, draft))
        if draft.state == PlanImportState.APPLIED:
            raise ValidationError(_("已导入的记录不能删除 (an applied import is kept)"))
        draft.delete()
        transaction.on_commit(lambda: draft.source_file.delete(save=False))
