"""Evidence files (佐证材料): add one to a report, a supporting unit's input, an extension
request or a completion claim, or remove one. The owner's lock decides
(plans.permissions.can_change_attachments); the file's content, its size and its owner's
total are checked (plans.exports.evidence_check) before anything is written. Each change
leaves a history row naming who made it; a removed file leaves the storage once the
removal is committed."""
from __future__ import annotations

import hashlib

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from plans.exports.evidence_check import UploadRefused, check_evidence_size, clean_name, evidence_kind
from plans.models import Attachment, CompletionClaim, ExtensionRequest, ProgressReport, SupportingInput
from plans.permissions import can_change_attachments
from plans.services.common import deny
from plans.services.conflicts import retry_on_conflict

OWNER_MODELS = {  # Attachment's field for each kind of owner
    ProgressReport: "report",
    SupportingInput: "supporting_input",
    ExtensionRequest: "extension",
    CompletionClaim: "claim",
}


def owner_field(owner) -> str:
    """Attachment's field naming this owner; ValueError for anything else."""
    for model, field in OWNER_MODELS.items():
        if isinstance(owner, model):
            return field
    raise ValueError(f"not an attachment owner: {owner!r}")


def _locked_owner(owner):
    """The owner row again, locked (its report first for a supporting input: the report's
    state decides), with what its rule reads."""
    if isinstance(owner, SupportingInput):
        report = _locked_owner(owner.report)
        locked = SupportingInput.objects.select_for_update(no_key=True).get(pk=owner.pk)
        locked.report = report
        return locked
    model = type(owner)
    related = ("task", "period") if model is ProgressReport else ("task",)
    return model.objects.select_for_update(no_key=True, of=("self",)).select_related(*related).get(pk=owner.pk)


def _task_id(owner) -> int:
    return owner.report.task_id if isinstance(owner, SupportingInput) else owner.task_id


def _owner_total(field: str, owner) -> int:
    return Attachment.objects.filter(**{field: owner}).aggregate(total=Sum("size"))["total"] or 0


def _refused(refusal: UploadRefused) -> ValidationError:
    return ValidationError({"file": [str(refusal)]})


def _read(upload, name: str, stored: int) -> bytes:
    """The upload's bytes, its size checked first (unread when too large)."""
    check_evidence_size(name, upload.size, stored=stored)
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = b"".join(upload.chunks()) if hasattr(upload, "chunks") else upload.read()
    check_evidence_size(name, len(data), stored=stored)  # the size it really has
    return data


def _checked(owner, field: str, uploads) -> list[tuple[str, bytes, str]]:
    """(name, bytes, kind) of each upload, every one checked (size, the owner's total with
    the ones before it, content) before any is kept."""
    stored, checked = _owner_total(field, owner), []
    try:
        for upload in uploads:
            name = clean_name(getattr(upload, "name", "") or "")
            data = _read(upload, name, stored)
            checked.append((name, data, evidence_kind(name, data)))
            stored += len(data)
    except UploadRefused as refusal:
        raise _refused(refusal) from refusal
    return checked


def attachment_add(*, user, owner, upload) -> Attachment:
    """Keep `upload` (an uploaded file: name, size, chunks) as evidence of `owner`.
    PermissionDenied when the owner is locked for the user; ValidationError ({"file": …},
    naming the file) for a file of another format, too large, or over the owner's total."""
    return attachments_add(user=user, owner=owner, uploads=[upload])[0]


@retry_on_conflict
def attachments_add(*, user, owner, uploads) -> list[Attachment]:
    """Several files at once, all or none: each is checked before the first is kept."""
    field = owner_field(owner)
    deny(can_change_attachments(user, owner))
    checked = _checked(owner, field, uploads)
    if not checked:
        raise ValidationError({"file": [_("请选择要上传的文件 (choose a file to upload)")]})
    with transaction.atomic():
        owner = _locked_owner(owner)
        deny(can_change_attachments(user, owner))
        stored = _owner_total(field, owner)  # again, under the owner's lock: a parallel upload may have added
        try:
            for name, data, _kind in checked:
                check_evidence_size(name, len(data), stored=stored)
                stored += len(data)
        except UploadRefused as refusal:
            raise _refused(refusal) from refusal
        return _keep(user, owner, field, checked)


def _keep(user, owner, field: str, checked) -> list[Attachment]:
    """Store each file, then its row; a failure takes the files stored so far away again. (A
    caller's transaction rolled back later leaves them under their random names, unlisted and
    never served.)"""
    kept: list[Attachment] = []
    try:
        for name, data, kind in checked:
            attachment = Attachment(
                task_id=_task_id(owner), name=name, kind=kind, size=len(data),
                sha256=hashlib.sha256(data).hexdigest(), uploaded_by=user, **{field: owner},
            )
            attachment._history_user = user
            attachment.file.save(name, ContentFile(data), save=False)
            kept.append(attachment)
            attachment.save()
    except BaseException:
        for attachment in kept:
            attachment.file.storage.delete(attachment.file.name)
        raise
    return kept


@retry_on_conflict
def attachment_delete(*, user, attachment: Attachment) -> None:
    """Remove an evidence file under its owner's rule; its history keeps a row (who, when,
    the name) and the stored file is deleted once the removal is committed."""
    with transaction.atomic():
        owner = _locked_owner(Attachment.objects.get(pk=attachment.pk).owner)  # the owner first: lock order
        attachment = Attachment.objects.select_for_update(of=("self",)).get(pk=attachment.pk)
        deny(can_change_attachments(user, owner))
        storage, stored = attachment.file.storage, attachment.file.name
        attachment._history_user = user
        attachment.delete()
        transaction.on_commit(lambda: storage.delete(stored))
