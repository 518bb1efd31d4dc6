from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from plans.views.calendar import calendar_feed
from plans.views.errors import page_not_found, permission_denied
from plans.views.health import healthz
from plans.views.public import public_plan, public_sheet

urlpatterns = [
    path("healthz", healthz, name="healthz"),  # for load balancers: checks the database
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("plans.api.urls")),
    # no login: a private feed's secret token, and the pages of plans their office published
    path("calendar/<str:token>.ics", calendar_feed, name="calendar-feed"),
    path("public/plans/<int:pk>/", public_plan, name="public-plan"),
    path("public/plans/<int:pk>/progress.xlsx", public_sheet, name="public-sheet"),
    path("admin/", include("plans.urls")),
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]

# Our Chinese pages with a way back (plans/views/errors.py); with DEBUG on the 404 page comes
# from plans.views.errors.ErrorPageMiddleware. The API answers its own JSON errors.
handler404 = page_not_found
handler403 = permission_denied
