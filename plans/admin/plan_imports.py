"""导入方案文件: office staff upload a plan document, check the parsed plan on its preview page
(warnings first), and confirm it; every step through services.plan_draft_*."""
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from plans import services
from plans.admin.common import changelist_url, service_refusals
from plans.admin.plan_import_forms import PlanReviewForm, NodeCorrectionForm
from plans.admin.scoping import VisibleOr404
from plans.admin.writes import VERSION_FIELD, ServiceModelAdmin, adopt
from plans.import_jobs import plan_job_start, plan_job_wanted
from plans.models import PlanImport, PlanImportState, Task, Unit
from plans.permissions import can_apply_plan_import, is_office_anywhere
from plans.services import StaleVersion
from plans.services.plan_review import draft_review

APPLY = "_apply_import"
SUFFIXES = ".docx, .pdf, .txt, .html, .doc, .wps"


class PlanUploadForm(forms.ModelForm):
    file = forms.FileField(
        label=_("方案文件"), help_text=_("Word（.docx/.doc/.wps）、PDF、纯文本或网页文件，不超过 10 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": SUFFIXES}),
    )

    class Meta:
        model = PlanImport
        fields = ["plan_year"]

    def clean_plan_year(self):
        """The range `manage.py import_plan --plan-year` accepts."""
        year = self.cleaned_data.get("plan_year")
        if year is not None and not 1949 <= year <= 2100:
            raise forms.ValidationError(_("方案年度应在 1949 至 2100 之间 (a year from 1949 to 2100)"))
        return year


@admin.register(PlanImport)
class PlanImportAdmin(ServiceModelAdmin, VisibleOr404, admin.ModelAdmin):
    list_display = ["source_name", "state", "uploaded_by", "created_at", "plan"]
    list_filter = ["state"]
    list_select_related = ["uploaded_by", "plan"]
    search_fields = ["source_name"]
    change_form_template = "admin/plans/planimport/change_form.html"
    readonly_fields = [
        "source_name", "source_kind", "plan_year", "state", "uploaded_by", "created_at", "plan", "applied_at",
    ]
    fieldsets = [(None, {"fields": readonly_fields})]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    review_fieldsets = [
        (_("方案信息（可修改）"), {"fields": [
            "title", "doc_number", "jurisdiction", "issuers", "issued_on", "period_start", "period_end", "coordinator",
            "reporting_frequency", "reporting_month", "reporting_day", "plan_year", "revises", VERSION_FIELD,
        ]}),
        (_("文件"), {"fields": ["source_name", "source_kind", "state", "uploaded_by", "created_at"]}),
    ]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = PlanUploadForm
        elif self.reviewing(request, obj):
            kwargs["form"] = type("Form", (PlanReviewForm,), {"review": self.review_of(obj), "user": request.user})
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["file", "plan_year"]})]
        if self.reviewing(request, obj):
            return self.review_fieldsets
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        if self.reviewing(request, obj):
            return self.review_fieldsets[1][1]["fields"]
        return self.readonly_fields

    def reviewing(self, request, obj) -> bool:
        """The page edits the draft (its details, unit names) rather than only showing it."""
        review = self.review_of(obj)
        return self.has_change_permission(request, obj) and not review.error

    @staticmethod
    def review_of(draft) -> object:
        """The draft's review, made once per request (the admin asks for the form twice)."""
        cached = getattr(draft, "_review", None)
        if cached is None or cached[0] != (draft.version, draft.state):
            draft._review = ((draft.version, draft.state), draft_review(draft))
        return draft._review[1]

    # who may do what -----------------------------------------------------------------------
    def has_module_permission(self, request):
        return is_office_anywhere(request.user)

    def has_view_permission(self, request, obj=None):
        if not is_office_anywhere(request.user):
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request):
        return is_office_anywhere(request.user)

    def has_change_permission(self, request, obj=None):
        """Changing a draft is confirming it: its uploader, while it is a draft."""
        if obj is None:
            return is_office_anywhere(request.user)
        return obj.state == PlanImportState.DRAFT and not can_apply_plan_import(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    # the preview ---------------------------------------------------------------------------
    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            context.update(
                preview_context(obj, self.review_of(obj)), apply_name=APPLY,
                title=_("核对并确认导入") if self.has_change_permission(request, obj) else _("方案文件导入"),
                can_apply=self.has_change_permission(request, obj),
                unit_names=Unit.objects.filter(jurisdiction=self.review_of(obj).shown.jurisdiction)
                .order_by("name").values_list("name", flat=True)[:2000] if self.review_of(obj).shown else [],
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<path:object_id>/node/<int:index>/", view(self.node_view), name="plans_planimport_node"),
            path("<path:object_id>/file/", view(self.file_view), name="plans_planimport_file"),
            *super().get_urls(),
        ]

    def visible_draft(self, request, object_id) -> PlanImport:
        draft = self.get_queryset(request).filter(pk=object_id).first() if str(object_id).isdigit() else None
        if draft is None or not self.has_view_permission(request, draft):
            raise Http404
        return draft

    def file_view(self, request, object_id):
        """The uploaded original, to whoever may see the import."""
        draft = self.visible_draft(request, object_id)
        if not draft.source_file:
            raise Http404
        return FileResponse(draft.source_file.open("rb"), as_attachment=True, filename=draft.source_name)

    def node_view(self, request, object_id, index):
        """One node of a draft: its source paragraph, and the office's correction of it."""
        draft = self.visible_draft(request, object_id)
        review = self.review_of(draft)
        if review.error or not 0 <= index < len(review.shown.nodes):
            raise Http404
        editable = self.has_change_permission(request, draft)
        if request.method == "POST" and not editable:
            raise PermissionDenied
        node = review.shown.nodes[index]
        stored = draft.corrections.get("nodes", {}).get(str(index), {})
        form = NodeCorrectionForm(request.POST or None, node=node, stored=stored, version=draft.version)
        page = reverse("admin:plans_planimport_change", args=[draft.pk])
        if request.method == "POST" and form.is_valid():
            change = None if "_undo" in request.POST else form.change()
            try:
                services.plan_draft_correct(
                    user=request.user, draft=draft, corrections={"nodes": {str(index): change}},
                    expected_version=form.cleaned_data["expected_version"],
                )
            except (ValidationError, StaleVersion) as refusal:
                for message in getattr(refusal, "messages", [str(refusal)]):
                    form.add_error(None, message)
            else:
                self.message_user(request, _("更正已保存：%(node)s") % {"node": node.title[:30]}, messages.SUCCESS)
                return HttpResponseRedirect(f"{page}#node-{index}")
        lines = draft.source_text.splitlines()
        following = review.shown.nodes[index + 1].line if index + 1 < len(review.shown.nodes) else node.line + 1
        context = {
            **self.admin_site.each_context(request), "opts": self.model._meta, "original": draft, "form": form,
            "node": node, "index": index, "editable": editable, "change_url": page,
            "title": _("核对任务：%(title)s") % {"title": node.title[:40]},
            "paragraph": lines[node.line - 1:max(following - 1, node.line)][:60],
            "previous": index - 1 if index > 0 else None,
            "next": index + 1 if index + 1 < len(review.shown.nodes) else None,
        }
        return TemplateResponse(request, "admin/plans/planimport/node_form.html", context)

    # writes through the services ----------------------------------------------------------------
    def add_view(self, request, form_url="", extra_context=None):
        """A large document is parsed by a job (plans/import_jobs.py): the page follows the job
        (/admin/jobs/<id>/), which ends on the draft's page. Anything else as always."""
        upload = request.FILES.get("file") if request.method == "POST" else None
        if (
            upload is not None and self.has_add_permission(request)
            and plan_job_wanted(request.user, file_name=upload.name, size=upload.size)
        ):
            form = self.get_form(request)(request.POST, request.FILES)
            if form.is_valid():
                job = plan_job_start(
                    user=request.user, file_name=upload.name, data=upload.read(),
                    plan_year=form.cleaned_data.get("plan_year"),
                )
                self.message_user(request, _("文件较大，已转入后台任务解析，完成后转到核对页面。"), messages.INFO)
                return HttpResponseRedirect(reverse("job-detail", args=[job.pk]))
        return super().add_view(request, form_url, extra_context)

    def write(self, request, draft, values, expected_version):
        upload = request.FILES["file"]
        return services.plan_draft_upload(
            user=request.user, file_name=upload.name, data=upload.read(), plan_year=values.get("plan_year"),
        )

    def remove(self, request, draft, expected_version):
        services.plan_draft_delete(user=request.user, draft=draft, expected_version=expected_version)

    def save_model(self, request, obj, form, change):
        """A draft's page saves the office's corrections and, with 确认导入, confirms it."""
        if not change:
            return super().save_model(request, obj, form, change)
        expected = form.cleaned_data.get(VERSION_FIELD)
        with service_refusals():
            draft, corrections, values = obj, form.corrections(), form.draft_values()
            if corrections or values:
                draft = services.plan_draft_correct(
                    user=request.user, draft=obj, corrections=corrections, expected_version=expected, **values,
                )
                expected = draft.version
            if APPLY in request.POST:
                draft = services.plan_draft_apply(user=request.user, draft=draft, expected_version=expected)
        adopt(obj, draft)

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(request, _("文件已读取，请核对解析结果后确认导入。"), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:plans_planimport_change", args=[obj.pk]))

    def response_change(self, request, obj):
        if APPLY in request.POST and obj.plan_id:
            for line in obj.summary[:1]:
                self.message_user(request, line, messages.SUCCESS)
            return HttpResponseRedirect(changelist_url(Task, plan__id__exact=obj.plan_id))
        self.message_user(request, _("更正已保存，预览已按更正更新。"), messages.SUCCESS)
        return HttpResponseRedirect(request.path)


def preview_context(draft: PlanImport, review) -> dict:
    """What the preview page shows: the parsed plan as corrected, its warnings, unit matches,
    counts, what confirming would change (a dry run) and, for a revision, the diff."""
    if review.error:
        return {"preview_error": review.error}
    marks = review.node_marks(draft.corrections)
    changed_rows = [row for row in review.diff or [] if row.status != "same"]
    return {
        "review": review, "parsed": review.shown, "preview": review.summary, "counts": review.counts,
        "node_rows": list(zip(range(len(marks)), review.shown.nodes, marks)),
        "diff_rows": changed_rows, "diff_same": len(review.diff or []) - len(changed_rows),
    }
