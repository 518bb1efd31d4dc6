"""Plan documents imported in the browser: the upload kept as a draft (its text, read and
checked as the command reads a file), shown parsed until the office confirms it, then written
by the same service as `manage.py import_plan`."""
from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from plans.exports.upload import UploadRefused, check_size
from plans.importers import parse_lines
from plans.importers.reader import MAX_DOCUMENT_BYTES, read_document
from plans.importers.types import ImportRefused, ParsedPlan
from plans.models import Plan, PlanImport, PlanImportState
from plans.permissions import can_apply_plan_import, can_create_plan, can_manage_plan
from plans.services.common import check_version, deny
from plans.services.conflicts import retry_on_conflict
from plans.services.periods import periods_generate
from plans.services.plan_import import ImportSummary, plan_import

UPLOAD_NAME_CHARS = 255


def draft_parse(draft: PlanImport) -> ParsedPlan:
    """The draft's document parsed (again) from its text: the same every time."""
    return parse_lines(draft.source_text.splitlines(), source_name=draft.source_name, plan_year=draft.plan_year)


def draft_preview(draft: PlanImport, parsed: ParsedPlan) -> ImportSummary:
    """What confirming the draft (parsed: draft_parse) would do to the database: a dry run of
    the plan import."""
    return plan_import(parsed=parsed, source_text=draft.source_text, source_name=draft.source_name, dry_run=True)


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


@retry_on_conflict
def plan_draft_upload(*, user, file_name: str, data: bytes, plan_year: int | None = None) -> PlanImport:
    """Keep an uploaded plan document as a draft import of `user` (office staff), once it is
    read and parsed into a plan with tasks; a file that is not is refused (ValidationError
    with the reason) and nothing is stored."""
    deny(can_create_plan(user))
    name = Path(file_name or "").name[:UPLOAD_NAME_CHARS]
    try:
        lines, kind = _read_upload(name, data)
        parse_lines(lines, source_name=name, plan_year=plan_year)
    except ImportRefused as refusal:
        raise ValidationError(str(refusal)) from refusal
    with transaction.atomic():
        return PlanImport.objects.create(
            source_name=name, source_kind=kind, source_sha256=hashlib.sha256(data).hexdigest(),
            source_text="\n".join(lines), plan_year=plan_year, uploaded_by=user,
        )


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
        try:
            summary = plan_import(
                parsed=draft_parse(draft), source_text=draft.source_text, source_name=draft.source_name,
            )
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
def plan_draft_delete(*, user, draft: PlanImport) -> None:
    """Discard a draft (its uploader, or a superuser); a confirmed import stays as the record."""
    with transaction.atomic():
        draft = PlanImport.objects.select_for_update().get(pk=draft.pk)
        deny(can_apply_plan_import(user, draft))
        if draft.state == PlanImportState.APPLIED:
            raise ValidationError(_("已导入的记录不能删除 (an applied import is kept)"))
        draft.delete()
