"""Evidence files (佐证材料) out of the admin: one file for whoever may see its task
(Attachment.objects.visible_to; anyone else gets 404), and a period's files in one zip for
the plan's office staff (?unit=<id> for one unit's). Never under a public URL."""
from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from plans.exports.evidence_download import attachment_response, evidence_zip_response, period_attachments
from plans.models import Attachment, ReportingPeriod, Unit
from plans.permissions import is_office


@require_GET
@staff_member_required
def attachment_download(request, pk: int):
    attachment = get_object_or_404(Attachment.objects.visible_to(request.user), pk=pk)
    return attachment_response(attachment)


@require_GET
@staff_member_required
def period_evidence_zip(request, period_id: int):
    """GET ?unit=<id>: only that unit's files."""
    period = get_object_or_404(ReportingPeriod.objects.visible_to(request.user).select_related("plan"), pk=period_id)
    if not is_office(request.user, period.plan_id):
        raise PermissionDenied(_("只有本方案的督办人员才能打包下载佐证材料 (only the plan's office staff)"))
    unit = None
    unit_id = request.GET.get("unit", "")
    if unit_id:
        if not unit_id.isdigit():
            raise Http404
        unit = get_object_or_404(Unit, pk=unit_id)
    parts = [period.plan.title[:60], period.label, *([str(unit)] if unit else []), _("佐证材料")]
    return evidence_zip_response(period_attachments(period, unit), "-".join(parts).replace("/", "_") + ".zip")
