from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from plans.api.attachments import AttachmentViewSet
from plans.api.jobs import JobViewSet
from plans.api.auth import TokenView
from plans.api.history import KIND_PATTERN, HistoryViewSet
from plans.api.indicator_values import IndicatorValueViewSet
from plans.api.indicators import IndicatorViewSet
from plans.api.periods import PeriodViewSet
from plans.api.plan_imports import PlanImportViewSet
from plans.api.plans import PlanViewSet
from plans.api.reports import ReportViewSet
from plans.api.sheet_imports import SheetImportViewSet
from plans.api.task_rows import AssignmentPeopleViewSet, TaskAssignmentViewSet, TaskDeadlineViewSet
from plans.api.tasks import TaskViewSet
from plans.api.units import UnitViewSet
from plans.api.comments import TaskCommentViewSet
from plans.api.workflow import AcknowledgementViewSet, CompletionClaimViewSet, ExtensionRequestViewSet

# No format suffixes (/api/tasks.json, /api/tasks/1/submit.json): the API speaks JSON only,
# and the suffixed copies of every route were one more door for each rule to guard.
router = DefaultRouter()
router.include_format_suffixes = False
router.register("units", UnitViewSet, basename="unit")
router.register("plans", PlanViewSet, basename="plan")
router.register("tasks", TaskViewSet, basename="task")
# Nested under a task's route: /tasks/{id}/assignments/ (POST) and /tasks/{id}/assignments/{assignment_id}/
# (GET, PATCH, DELETE); the same for deadlines. The API root leaves them out (they need a task).
router.register(r"tasks/(?P<pk>[^/.]+)/assignments", TaskAssignmentViewSet, basename="task-assignment")
router.register(r"tasks/(?P<pk>[^/.]+)/deadlines", TaskDeadlineViewSet, basename="task-deadline")
router.register("periods", PeriodViewSet, basename="period")
router.register(f"history/(?P<kind>{KIND_PATTERN})", HistoryViewSet, basename="history")  # GET …/{id}/ only
router.register("reports", ReportViewSet, basename="report")
router.register("sheet-imports", SheetImportViewSet, basename="sheet-import")
router.register("plan-imports", PlanImportViewSet, basename="plan-import")
router.register("indicators", IndicatorViewSet, basename="indicator")
router.register("indicator-values", IndicatorValueViewSet, basename="indicator-value")
router.register("attachments", AttachmentViewSet, basename="attachment")
router.register("jobs", JobViewSet, basename="job")
router.register("acknowledgements", AcknowledgementViewSet, basename="acknowledgement")
router.register("extension-requests", ExtensionRequestViewSet, basename="extension-request")
router.register("completion-claims", CompletionClaimViewSet, basename="completion-claim")
router.register(r"tasks/(?P<pk>[^/.]+)/comments", TaskCommentViewSet, basename="task-comment")  # GET, POST
router.register(  # POST …/people/, DELETE …/people/{person_id}/
    r"tasks/(?P<pk>[^/.]+)/assignments/(?P<assignment_id>[^/.]+)/people", AssignmentPeopleViewSet,
    basename="assignment-person",
)

# The workbook also without the router's trailing slash: a file name people type. Not in the
# schema, which documents /api/plans/{id}/progress.xlsx/.
progress_xlsx = PlanViewSet.as_view(
    {"get": "progress_xlsx"}, **{**PlanViewSet.progress_xlsx.kwargs, "schema": None}, basename="plan", detail=True,
)


def not_found(request, *args, **kwargs):
    """Any method to a path the API lacks: its JSON 404. Exempt from CSRF, which would answer a
    browser's POST with Django's HTML 403 page first; it changes nothing."""
    return JsonResponse({"detail": "未找到 (not found)", "code": "not_found"}, status=404)


urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # the page and its start-up script (?script=) apart: no inline script (Content-Security-Policy)
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^plans/(?P<pk>[^/.]+)/progress\.xlsx$", progress_xlsx, name="plan-progress-xlsx-file"),
    path("", include(router.urls)),
    re_path(r"^", csrf_exempt(not_found)),
]
