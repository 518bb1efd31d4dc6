from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from plans.views.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),  # for load balancers: checks the database
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("plans.api.urls")),
    path("admin/", include("plans.urls")),
    path("admin/", admin.site.urls),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
