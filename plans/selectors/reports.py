"""The API's query for progress reports and the loader of their supporting units' input."""
from __future__ import annotations

from collections import defaultdict

from plans.models import ProgressReport, SupportingInput


def reports_for_api(user, today):
    return (
        ProgressReport.objects.visible_to(user)
        .with_late(today)
        .defer("created_at", "updated_at")  # not shown; a page would parse 200 timestamps for nothing
    )


def attach_inputs(reports) -> None:
    """The supporting units' input of reports as plain rows (`input_rows`), one query for all."""
    rows = defaultdict(list)
    found = SupportingInput.objects.filter(report_id__in=[report.pk for report in reports]).order_by("unit_id")
    for row in found.values("report_id", "unit_id", "text"):
        rows[row["report_id"]].append({"unit": row["unit_id"], "text": row["text"]})
    for report in reports:
        report.input_rows = rows[report.pk]
