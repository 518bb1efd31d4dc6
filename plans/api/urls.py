from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from plans.api import views
from plans.api.auth import TokenView

# No format suffixes (/api/tasks.json, /api/tasks/1/submit.json): the API speaks JSON only,
# and the suffixed copies of every route were one more door for each rule to guard.
router = DefaultRouter()
router.include_format_suffixes = False
router.register("units", views.UnitViewSet, basename="unit")
router.register("plans", views.PlanViewSet, basename="plan")
router.register("tasks", views.TaskViewSet, basename="task")
router.register("periods", views.PeriodViewSet, basename="period")
router.register("reports", views.ReportViewSet, basename="report")
router.register("sheet-imports", views.SheetImportViewSet, basename="sheet-import")
router.register("indicators", views.IndicatorViewSet, basename="indicator")
router.register("indicator-values", views.IndicatorValueViewSet, basename="indicator-value")

# The workbook also without the router's trailing slash: a file name people type. Not in the
# schema, which documents /api/plans/{id}/progress.xlsx/.
progress_xlsx = views.PlanViewSet.as_view(
    {"get": "progress_xlsx"}, **{**views.PlanViewSet.progress_xlsx.kwargs, "schema": None}, basename="plan", detail=True,
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
