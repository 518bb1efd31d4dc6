"""The API's queries for returned progress sheets (SheetImport)."""
from __future__ import annotations

from plans.models import SheetImport


def sheet_imports_for_api(user):
    """Never the uploaded file's bytes: the API does not serve them."""
    return (
        SheetImport.objects.visible_to(user)
        .select_related("period", "uploaded_by__profile", "uploaded_by__membership__unit")
        .defer("content")
    )


def sheet_import_list_for_api(user):
    """Without the previews either: how many changes and problems each has, counted by the database."""
    return sheet_imports_for_api(user).with_counts()
