"""A task's thread (留言, leaders' 批示 marked and pinned on top, mentions of the task's units)
and the people each unit names for its part in a task (责任领导, 联系人).

The thread is a page of its own (admin:plans_taskcomment_thread, for whoever sees the task)
and the same thread, form included, can be shown on the task's page by the tag
`{% task_thread original %}` (plans.templatetags.discussion). Comments are written once and
kept (no change or delete). Named people are rows of their own admin (AssignmentPersonAdmin),
added from the thread page's list of the task's units. Both write through plans.services,
which check plans.permissions again; the groups (plans.roles) grant no permissions on these
models: who may open what follows the rules here."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plans import services
from plans.admin.scoping import VisibleOr404
from plans.admin.writes import ServiceModelAdmin
from plans.models import Assignment, AssignmentPerson, PersonKind, Task, TaskComment, Unit, office_plan_ids
from plans.permissions import can_comment, can_name_people, is_office_anywhere, membership
from plans.services import StaleVersion
from plans.selectors.discussion import task_unit_ids
from plans.services.discussion import COMMENT_MAX_LENGTH

PERSON_PATHS = ("profile", "membership__unit")  # what person_label reads, fetched with the row
REFUSALS = (PermissionDenied, ValidationError, StaleVersion)


def works_here(user) -> bool:
    """Office staff, unit accounts and superusers open these pages (their rows are scoped)."""
    return user.is_active and user.is_staff and (
        user.is_superuser or is_office_anywhere(user) or membership(user) is not None
    )


# --- the thread ---------------------------------------------------------------------------
class CommentForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("留言内容"), max_length=COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "class": "vLargeTextField"}),
    )
    is_instruction = forms.BooleanField(
        label=gettext_lazy("作为领导批示"), required=False,
        help_text=gettext_lazy("批示标注显示并置顶，承担该任务的单位在本期待办中可见。"),
    )
    mentions = forms.ModelMultipleChoiceField(
        label=gettext_lazy("提及单位"), queryset=Unit.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=gettext_lazy("被提及的单位在本期待办中看到这条留言。"),
    )

    def __init__(self, *args, task: Task, may_instruct: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentions"].queryset = Unit.objects.filter(pk__in=task_unit_ids(task)).order_by("name")
        if not may_instruct:
            del self.fields["is_instruction"]


def thread_context(request, task: Task, form: CommentForm | None = None) -> dict:
    """What the thread shows to the user: the comments they may see (批示 first), the form
    when they may write, and the task's units with their named people."""
    user = request.user
    comments = (
        TaskComment.objects.visible_to(user).filter(task=task)
        .select_related("unit", *(f"author__{hop}" for hop in PERSON_PATHS)).prefetch_related("mentions")
    )
    may_comment = not can_comment(user, task)
    if form is None and may_comment:
        form = CommentForm(task=task, may_instruct=not can_comment(user, task, instruction=True))
    assignments = list(
        Assignment.objects.filter(task=task).select_related("unit", "task")
        .prefetch_related("people__user__profile").order_by("role", "position")
    )
    for assignment in assignments:
        assignment.may_name = not can_name_people(user, assignment)
        assignment.named = {person.kind: person for person in assignment.people.all()}
    return {
        "task": task, "comments": comments, "form": form if may_comment else None,
        "assignments": assignments, "thread_url": reverse("admin:plans_taskcomment_thread", args=[task.pk]),
    }


@admin.register(TaskComment)
class TaskCommentAdmin(VisibleOr404, admin.ModelAdmin):
    """The comments a user may see, read only, and each task's thread page where they are written."""

    list_display = ["created_at", "task_link", "author", "unit", "is_instruction", "short_text"]
    list_filter = ["is_instruction", "task__plan"]
    list_select_related = ["task", "unit", *(f"author__{hop}" for hop in PERSON_PATHS)]
    search_fields = ["text", "task__title", "task__path"]
    fields = ["task", "author", "unit", "is_instruction", "mentions", "text", "created_at"]
    readonly_fields = fields
    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_module_permission(self, request):
        return works_here(request.user)

    def has_view_permission(self, request, obj=None):
        return works_here(request.user)

    def has_add_permission(self, request):
        return False  # written on the task's thread page

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=gettext_lazy("任务"), ordering="task__path")
    def task_link(self, comment):
        url = reverse("admin:plans_taskcomment_thread", args=[comment.task_id])
        return format_html('<a href="{}">{} {}</a>', url, comment.task.path, Truncator(comment.task.title).chars(30))

    @admin.display(description=gettext_lazy("内容"))
    def short_text(self, comment):
        return Truncator(comment.text).chars(60)

    def get_urls(self):
        thread = path(
            "thread/<int:task_id>/", self.admin_site.admin_view(self.thread_view), name="plans_taskcomment_thread",
        )
        return [thread, *super().get_urls()]

    def thread_view(self, request, task_id):
        """The task's thread: read by whoever sees the task, written by whom can_comment allows."""
        task = Task.objects.visible_to(request.user).select_related("plan").filter(pk=task_id).first()
        if task is None or not works_here(request.user):
            raise Http404
        form = None
        if request.method == "POST":
            if reason := can_comment(request.user, task):
                self.message_user(request, reason, messages.ERROR)
                return HttpResponseRedirect(request.path)
            form = CommentForm(
                request.POST, task=task, may_instruct=not can_comment(request.user, task, instruction=True),
            )
            if form.is_valid():
                try:
                    services.comment_add(user=request.user, task=task, **form.cleaned_data)
                except REFUSALS as refusal:
                    add_refusal(form, refusal)
                else:
                    self.message_user(request, _("留言已发布 (message posted)"), messages.SUCCESS)
                    back = reverse("admin:plans_task_change", args=[task.pk]) if request.POST.get("back") == "task" \
                        else request.path
                    return HttpResponseRedirect(f"{back}#task-thread")
        context = {
            **self.admin_site.each_context(request), **thread_context(request, task, form),
            "title": _("任务留言与批示"), "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/plans/taskcomment/thread.html", context)


def add_refusal(form, refusal) -> None:
    """The service's sentence on the form, on its field where it names one the form has."""
    if isinstance(refusal, ValidationError) and hasattr(refusal, "error_dict"):
        for name, errors in refusal.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, " ".join(getattr(refusal, "messages", [str(refusal)])))


# --- 责任领导 / 联系人 ------------------------------------------------------------------------
def nameable_assignments(user):
    """The assignments the user may name people for: their own unit's, or their plans' (office)."""
    rows = Assignment.objects.select_related("task", "unit")
    if user.is_superuser:
        return rows
    member = membership(user)
    allowed = rows.filter(task__plan_id__in=office_plan_ids(user))
    return allowed | rows.filter(unit_id=member.unit_id) if member is not None else allowed


def nameable_accounts(user, assignment_id=None):
    """Accounts that may be named: members of the units of the assignments the user may name
    people for (of one assignment's unit when it is known)."""
    units = nameable_assignments(user).values("unit_id")
    if assignment_id is not None:
        units = units.filter(pk=assignment_id)
    return get_user_model().objects.filter(membership__unit_id__in=units).select_related(
        *PERSON_PATHS).order_by("membership__unit__name", "pk")


@admin.register(AssignmentPerson)
class AssignmentPersonAdmin(ServiceModelAdmin, VisibleOr404, admin.ModelAdmin):
    """The people named for a unit's part in a task: listed for whoever sees the task, named
    by the unit's own accounts or the plan's office (can_name_people)."""

    list_display = ["task_path", "unit", "kind", "display_name", "display_position", "display_phone"]
    list_filter = ["kind", "assignment__task__plan"]
    list_select_related = ["assignment__task", "assignment__unit", "user__profile"]
    search_fields = ["name", "assignment__task__title", "assignment__unit__name", "user__profile__name"]
    fields = ["assignment", "kind", "user", "name", "position", "phone"]
    show_facets = admin.ShowFacets.NEVER

    def get_queryset(self, request):
        visible = Task.objects.visible_to(request.user).values("pk")
        return super().get_queryset(request).filter(assignment__task__in=visible)

    def get_readonly_fields(self, request, obj=None):
        return ["assignment", "kind"] if obj is not None else []

    def get_changeform_initial_data(self, request):
        """联系人 unless the link asks for the 责任领导 (?kind=leader)."""
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("kind", PersonKind.CONTACT)
        return initial

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assignment":
            kwargs["queryset"] = nameable_assignments(request.user).order_by("task__plan_id", "task__position")
        elif db_field.name == "user":
            chosen = request.POST.get("assignment") or request.GET.get("assignment")
            obj_assignment = getattr(request, "_person_assignment", None)
            assignment_id = obj_assignment or (int(chosen) if chosen and chosen.isdigit() else None)
            kwargs["queryset"] = nameable_accounts(request.user, assignment_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        request._person_assignment = obj.assignment_id if obj is not None else None
        return super().get_form(request, obj, **kwargs)

    def has_module_permission(self, request):
        return works_here(request.user)

    def has_view_permission(self, request, obj=None):
        return works_here(request.user)

    def has_add_permission(self, request):
        return works_here(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return works_here(request.user)
        return works_here(request.user) and not can_name_people(request.user, obj.assignment)

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    @admin.display(description=gettext_lazy("任务"), ordering="assignment__task__path")
    def task_path(self, person):
        return f"{person.assignment.task.path} {Truncator(person.assignment.task.title).chars(30)}"

    @admin.display(description=gettext_lazy("单位"), ordering="assignment__unit__name")
    def unit(self, person):
        return person.assignment.unit

    @admin.display(description=gettext_lazy("姓名"))
    def display_name(self, person):
        return person.display_name

    @admin.display(description=gettext_lazy("职务"))
    def display_position(self, person):
        return person.display_position or "-"

    @admin.display(description=gettext_lazy("联系电话"))
    def display_phone(self, person):
        return person.display_phone or "-"

    def write(self, request, person, values, expected_version):
        current = {"account": person.user, "name": person.name, "position": person.position, "phone": person.phone}
        if "user" in values:
            current["account"] = values.pop("user")
        current.update({key: values[key] for key in ("name", "position", "phone") if key in values})
        return services.assignment_person_save(
            user=request.user, assignment=values.get("assignment") or person.assignment,
            kind=values.get("kind") or person.kind, expected_version=expected_version, **current,
        )

    def remove(self, request, person, expected_version):
        services.assignment_person_delete(user=request.user, person=person, expected_version=expected_version)

    def response_post_save_add(self, request, obj):
        return HttpResponseRedirect(
            reverse("admin:plans_taskcomment_thread", args=[obj.assignment.task_id]) + "#task-people"
        )

    response_post_save_change = response_post_save_add
