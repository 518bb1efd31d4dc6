"""Our pages under /admin/, included before admin.site.urls."""
from django.urls import path

from plans import views

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
