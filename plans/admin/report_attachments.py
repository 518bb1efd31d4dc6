"""佐证材料 on a progress report's change page: the files listed (name linking to the
download, size, uploader, time) and, for a user who may change them
(plans.permissions.can_change_attachments), several uploaded at once or one removed. The
section posts a form of its own (not the report's), so saving the report never touches the
files and Enter in a report field never removes one; every change goes through
plans.services, whose refusal is shown as is."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from plans import services
from plans.exports.evidence_check import CONTENT_TYPES, limits_mb
from plans.models import Attachment, SupportingInput, person_label
from plans.permissions import can_change_attachments, membership

EVIDENCE_FORM, ADD_FILES, DELETE_FILE, FILES_FIELD = "_evidence", "_add_attachments", "_delete_attachment", "evidence"
ACCEPT = ",".join([*(f".{kind}" for kind in CONTENT_TYPES), ".jpeg"])


def _row(attachment: Attachment, *, removable: bool) -> dict:
    input_unit = attachment.supporting_input.unit if attachment.supporting_input_id else None
    return {
        "attachment": attachment, "url": reverse("attachment-download", args=[attachment.pk]),
        "uploader": person_label(attachment.uploaded_by), "removable": removable,
        "source": _("配合单位：%(unit)s") % {"unit": input_unit} if input_unit else "",
    }


class ReportAttachments:
    """Mixin of ProgressReportAdmin: `attachment_context` for the page, `attachment_post`
    for the section's own form."""

    class Media:
        css = {"all": ["plans/evidence.css"]}

    def evidence_owner(self, request, report):
        """Where this user's files go: the report (its unit, the office), else the user's
        unit's own 配合情况 on it (a supporting unit, once it has written its input); None
        when the user may change neither."""
        if not can_change_attachments(request.user, report):
            return report
        member = membership(request.user)
        own = SupportingInput.objects.filter(report=report, unit_id=member.unit_id).first() if member else None
        if own is not None and not can_change_attachments(request.user, own):
            return own
        return None

    def attachment_context(self, request, report) -> dict:
        owner = self.evidence_owner(request, report)
        rows = (
            Attachment.objects.visible_to(request.user)
            .filter(Q(report=report) | Q(supporting_input__report=report))
            .select_related("uploaded_by__profile", "uploaded_by__membership__unit", "supporting_input__unit")
        )

        def removable(row) -> bool:
            if isinstance(owner, SupportingInput):
                return row.supporting_input_id == owner.pk
            return owner is not None and row.report_id == owner.pk

        return {
            "attachments": [_row(row, removable=removable(row)) for row in rows],
            "can_attach": owner is not None,
            "evidence_form": EVIDENCE_FORM, "add_name": ADD_FILES, "delete_name": DELETE_FILE,
            "files_name": FILES_FIELD, "evidence_accept": ACCEPT,
            "evidence_help": _(
                "可多选。接受 PDF、OFD、Word、Excel、WPS、JPG、PNG、ZIP，每个文件不超过 %(size)s MB，"
                "本报告合计不超过 %(total)s MB。"
            ) % limits_mb(),
        }

    def attachment_post(self, request, report):
        """The section's form: upload the chosen files, or remove one; back to the page with
        the outcome as a message. None when the POST is the report's own form."""
        if EVIDENCE_FORM not in request.POST:
            return None
        try:
            if DELETE_FILE in request.POST:
                attachment = (
                    Attachment.objects.visible_to(request.user)
                    .filter(Q(report=report) | Q(supporting_input__report=report))
                    .filter(pk=request.POST[DELETE_FILE].strip()).first()
                    if request.POST[DELETE_FILE].strip().isdigit() else None
                )
                if attachment is None:
                    raise ValidationError(_("该附件不存在或已删除 (no such attachment)"))
                services.attachment_delete(user=request.user, attachment=attachment)
                self.message_user(request, _("已删除附件“%(name)s”。") % {"name": attachment.name}, messages.SUCCESS)
            else:
                kept = services.attachments_add(
                    user=request.user, owner=self.evidence_owner(request, report) or report,
                    uploads=request.FILES.getlist(FILES_FIELD),
                )
                self.message_user(request, _("已上传佐证材料 %(count)d 个。") % {"count": len(kept)}, messages.SUCCESS)
        except (PermissionDenied, ValidationError) as refusal:
            self.message_user(request, " ".join(getattr(refusal, "messages", [str(refusal)])), messages.ERROR)
        return HttpResponseRedirect(request.path)
