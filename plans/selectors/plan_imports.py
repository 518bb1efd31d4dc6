"""The API's queries for plan documents uploaded as drafts (PlanImport)."""
from __future__ import annotations

from plans.models import PlanImport


def plan_imports_for_api(user):
    """The imports the account may see (models.PlanImport.objects.visible_to), with the uploader."""
    return PlanImport.objects.visible_to(user).select_related("uploaded_by__profile", "uploaded_by__membership__unit")


def plan_import_list_for_api(user):
    """Without the document's text and the corrections: a list never carries them (the text
    is large; GET /api/plan-imports/{id}/ shows the parse made of it)."""
    return plan_imports_for_api(user).defer("source_text", "corrections", "summary")
