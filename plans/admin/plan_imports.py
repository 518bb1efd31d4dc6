"""导入方案文件: office staff upload a plan document, check the parsed plan on its preview page
(warnings first), and confirm it; every step through services.plan_draft_*."""
from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from plans import services
from plans.admin.common import changelist_url
from plans.admin.scoping import VisibleOr404
from plans.admin.writes import ServiceModelAdmin
from plans.importers.types import ImportRefused
from plans.models import PlanImport, PlanImportState, Task
from plans.permissions import can_apply_plan_import, is_office_anywhere
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

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = PlanUploadForm
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return [(None, {"fields": ["file", "plan_year"]})]
        return super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

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
            context.update(preview_context(obj), apply_name=APPLY, can_apply=self.has_change_permission(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    # writes through the services ----------------------------------------------------------------
    def write(self, request, draft, values, expected_version):
        if draft.pk is None:
            upload = request.FILES["file"]
            return services.plan_draft_upload(
                user=request.user, file_name=upload.name, data=upload.read(), plan_year=values.get("plan_year"),
            )
        return services.plan_draft_apply(user=request.user, draft=draft, expected_version=expected_version)

    def remove(self, request, draft, expected_version):
        services.plan_draft_delete(user=request.user, draft=draft)

    def save_model(self, request, obj, form, change):
        if change and APPLY not in request.POST:
            return
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        self.message_user(request, _("文件已读取，请核对解析结果后确认导入。"), messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:plans_planimport_change", args=[obj.pk]))

    def response_change(self, request, obj):
        if APPLY in request.POST and obj.plan_id:
            for line in obj.summary[:1]:
                self.message_user(request, line, messages.SUCCESS)
            return HttpResponseRedirect(changelist_url(Task, plan__id__exact=obj.plan_id))
        return HttpResponseRedirect(request.path)


def preview_context(draft: PlanImport) -> dict:
    """What the preview page shows: the parsed plan as corrected, its warnings, unit matches,
    counts, what confirming would change (a dry run) and, for a revision, the diff."""
    review = draft_review(draft)
    if review.error:
        return {"preview_error": review.error}
    return {
        "review": review, "parsed": review.parsed, "preview": review.summary, "counts": review.counts,
        "nodes": review.shown.nodes,
    }
