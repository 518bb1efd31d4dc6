from django.http import JsonResponse
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from plans.api import views
from plans.api.auth import TokenView

router = DefaultRouter()
router.register("units", views.UnitViewSet, basename="unit")
router.register("plans", views.PlanViewSet, basename="plan")
router.register("tasks", views.TaskViewSet, basename="task")
router.register("periods", views.PeriodViewSet, basename="period")
router.register("reports", views.ReportViewSet, basename="report")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include(router.urls)),
    re_path(r"^", lambda request, *args, **kwargs: JsonResponse({"detail": "未找到 (not found)", "code": "not_found"}, status=404)),
]
