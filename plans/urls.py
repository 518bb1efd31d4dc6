"""Our pages under /admin/, included before admin.site.urls."""
from django.urls import path

from plans import views
from plans.views.evidence import attachment_download, period_evidence_zip
from plans.views.jobs import job_detail, job_file, job_list

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("profile/", views.profile, name="profile"),
    path("sheets/progress/<int:period_id>.xlsx", views.progress_sheet, name="progress-sheet"),
    path("sheets/upload/", views.sheet_upload, name="sheet-upload"),
    path("sheets/imports/<int:pk>/", views.sheet_import, name="sheet-import"),
    path("jobs/", job_list, name="job-list"),
    path("jobs/<int:pk>/", job_detail, name="job-detail"),
    path("jobs/<int:pk>/file", job_file, name="job-file"),
    path("evidence/<int:pk>/", attachment_download, name="attachment-download"),
    path("evidence/periods/<int:period_id>.zip", period_evidence_zip, name="period-evidence-zip"),
]
