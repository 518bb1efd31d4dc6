"""进展情况表 in and out of the admin: download a period's sheet (the plan's, or one unit's),
upload a filled sheet, look at its preview and confirm it. Rows and rights as everywhere:
`visible_to` decides what exists for the user, plans.services decides what may change."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from plans import services
from plans.services import REPORT_FIELDS
from plans.exports.download import PAPERS, XLSX_CONTENT_TYPE
from plans.import_jobs import sheet_job_start, sheet_job_wanted
from plans.jobs import progress_sheet_or_job
from plans.exports.upload import MAX_UPLOAD_BYTES, UploadRefused, check_size
from plans.models import Job, ProgressReport, ReportingPeriod, SheetImport, SheetImportState, TaskStatus, Unit
from plans.permissions import membership


@staff_member_required
def progress_sheet(request, period_id: int):
    """GET ?unit=<id> for a unit's sheet; ?unit_sheets=1 adds a sheet per reporting unit;
    ?paper=a3 lays it out for A3 (default A4 landscape)."""
    period = get_object_or_404(ReportingPeriod.objects.visible_to(request.user).select_related("plan"), pk=period_id)
    unit_id = request.GET.get("unit", "")
    unit = None
    if unit_id:
        if not unit_id.isdigit():
            raise Http404
        unit = get_object_or_404(Unit, pk=unit_id)
    paper = request.GET.get("paper", "").lower() or None
    if paper is not None and paper not in PAPERS:
        return HttpResponseBadRequest(
            _("纸张应为 %(papers)s 之一 (paper is one of %(papers)s)") % {"papers": "、".join(PAPERS)},
            content_type="text/plain; charset=utf-8",
        )
    answer = progress_sheet_or_job(
        request.user, period, unit=unit, unit_sheets=request.GET.get("unit_sheets") == "1", paper=paper,
    )
    return redirect("job-detail", pk=answer.pk) if isinstance(answer, Job) else answer


# --- upload -----------------------------------------------------------------------------------
def _upload_help() -> str:
    return _("从本系统导出、填写后保存的 .xlsx 文件，不超过 %(limit)d MB。") % {"limit": MAX_UPLOAD_BYTES // 2**20}


class SheetUploadForm(forms.Form):
    period = forms.ModelChoiceField(queryset=ReportingPeriod.objects.none(), label=gettext_lazy("报送周期"))
    file = forms.FileField(
        label=gettext_lazy("填好的进展情况表"),
        help_text=lazy(_upload_help, str)(),  # said in the page's language, not the one at import
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + XLSX_CONTENT_TYPE}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["period"].queryset = (
            ReportingPeriod.objects.visible_to(user).select_related("plan").order_by("plan__title", "-start")
        )
        self.fields["period"].label_from_instance = lambda period: f"{period.plan} · {period.label}" + (
            _("（开放填报）") if period.is_open else ""
        )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_size(upload.size)
        except UploadRefused as refusal:
            raise ValidationError(str(refusal)) from refusal
        return upload

    def save(self) -> SheetImport | Job | None:
        """Check and keep the upload with its preview; an unreadable file becomes a form error.
        A large upload is checked by a job (plans/import_jobs.py), returned started."""
        upload = self.cleaned_data["file"]
        period, data = self.cleaned_data["period"], upload.read()
        try:
            if sheet_job_wanted(data):
                return sheet_job_start(user=self.user, period=period, file_name=upload.name, data=data)
            return services.sheet_upload(user=self.user, period=period, file_name=upload.name, data=data)
        except UploadRefused as refusal:
            self.add_error("file", str(refusal))
            return None


@staff_member_required
@require_http_methods(["GET", "POST"])
def sheet_upload(request):
    chosen = request.GET.get("period", "")
    if not chosen.isdigit():  # the period most likely meant: the latest one open for reporting
        chosen = (
            ReportingPeriod.objects.visible_to(request.user).select_related("plan")
            .filter(is_open=True)
            .order_by("-start")
            .values_list("pk", flat=True)
            .first()
        )
    initial = {"period": chosen} if chosen else {}
    form = SheetUploadForm(request.POST or None, request.FILES or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        saved = form.save()
        if isinstance(saved, Job):  # a large upload: its page shows the check's progress, then the preview
            messages.info(request, _("文件较大，已转入后台任务检查，完成后转到预览页面。"))
            return redirect("job-detail", pk=saved.pk)
        if saved is not None:
            return redirect("sheet-import", pk=saved.pk)
    context = {
        **admin.site.each_context(request),
        "title": _("上传填报的进展情况表"),
        "form": form,
        "unit": getattr(membership(request.user), "unit", None),
    }
    return render(request, "plans/sheet_upload.html", context)


PREVIEW_PAGE = 100  # changes and problems shown per page of the preview


def _field_rows(changes: list[dict]) -> list[dict]:
    """The preview as rows for the template: one per changed field, before → after, the
    field and the status named in the page's language."""
    headers = {name: str(ProgressReport._meta.get_field(name).verbose_name) for name in REPORT_FIELDS}
    labels = dict(TaskStatus.choices)
    rows = []
    for change in changes:
        for index, (name, (before, after)) in enumerate(change["fields"].items()):
            if name == "status":
                before, after = str(labels.get(before, before)), str(labels.get(after, after))
            rows.append({"change": change, "first": index == 0, "span": len(change["fields"]), "field": headers[name],
                         "before": before, "after": after})
    return rows


@staff_member_required
@require_http_methods(["GET", "POST"])
def sheet_import(request, pk: int):
    """The preview of an upload; POST confirms it (the uploader only)."""
    sheet_import = get_object_or_404(
        SheetImport.objects.visible_to(request.user).select_related("period__plan", "uploaded_by").defer("content"),
        pk=pk,
    )
    if request.method == "POST":
        try:
            sheet_import = services.sheet_apply(user=request.user, sheet_import=sheet_import)
        except (PermissionDenied, ValidationError) as refusal:
            for message in getattr(refusal, "messages", [str(refusal)]):
                messages.error(request, message)
        else:
            messages.success(
                request,
                _("已导入 %(count)d 份报告的修改，修改记录见各报告的历史。") % {"count": sheet_import.applied_count},
            )
        return redirect("sheet-import", pk=pk)
    number = request.GET.get("page", "1")  # one page number for both lists; get_page settles a bad one
    changes = Paginator(sheet_import.changes, PREVIEW_PAGE).get_page(number)
    problems = Paginator(sheet_import.problems, PREVIEW_PAGE).get_page(number)
    pages = changes if changes.paginator.num_pages >= problems.paginator.num_pages else problems
    context = {
        **admin.site.each_context(request),
        "title": _("填报表导入预览"),
        "sheet_import": sheet_import,
        "rows": _field_rows(changes.object_list),
        "problems": problems.object_list,
        "page": pages,
        "change_count": len(sheet_import.changes),
        "problem_count": len(sheet_import.problems),
        "can_apply": sheet_import.state == SheetImportState.PREVIEWED and sheet_import.uploaded_by_id == request.user.pk
        and bool(sheet_import.changes),
        "upload_url": reverse("sheet-upload") + f"?period={sheet_import.period_id}",
    }
    return render(request, "plans/sheet_import.html", context)
