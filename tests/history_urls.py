"""The URLconf of tests/test_history_ledger.py's API tests: the site's, with the history route
plans/api/urls.py is to register (router.register(f"history/(?P<kind>{KIND_PATTERN})",
HistoryViewSet, basename="history")) until it does."""
from django.urls import include, path, re_path

from plans.api.history import KIND_PATTERN, HistoryViewSet

urlpatterns = [
    re_path(
        rf"^api/history/(?P<kind>{KIND_PATTERN})/(?P<pk>[^/.]+)/$", HistoryViewSet.as_view({"get": "retrieve"}),
        name="history-detail",
    ),
    path("", include("tracker.urls")),
]
