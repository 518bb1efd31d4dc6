"""The schema says If-Match is required exactly where the API refuses a write without a
version (If-Match or the body's `version`): found by calling every write operation of the
generated schema on real rows without one."""
from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from plans.models import (
    Assignment, AssignmentPerson, Deadline, IndicatorValue, Plan, PlanImport, ProgressReport, ReportingPeriod,
    SheetImport, Target, Task, Unit,
)
from tests.api.fuzz_conftest import load_seed_data

MODELS = {
    "units": Unit, "plans": Plan, "tasks": Task, "periods": ReportingPeriod, "reports": ProgressReport,
    "indicators": Target, "indicator-values": IndicatorValue, "sheet-imports": SheetImport,
    "plan-imports": PlanImport,
}
WRITES = {"post", "put", "patch", "delete"}


def if_match(operation: dict) -> dict | None:
    return next((p for p in operation.get("parameters", []) if p["in"] == "header" and p["name"] == "If-Match"), None)


def fill(path: str, office) -> str | None:
    """The path with ids of rows the office can see (a task with assignments and deadlines for
    the nested ids), or None when there is no such row."""
    resource = path.strip("/").split("/")[1]
    model = MODELS.get(resource)
    if model is None or "{id}" not in path:
        return None
    rows = model.objects.visible_to(office) if hasattr(model.objects, "visible_to") else model.objects.all()
    if model is Task:
        rows = Task.objects.tasks().visible_to(office).filter(assignments__isnull=False, deadlines__isnull=False)
    row = rows.order_by("pk").first()
    if row is None:
        return None
    path = path.replace("{id}", str(row.pk))
    if "{assignment_id}" in path:
        path = path.replace("{assignment_id}", str(Assignment.objects.filter(task=row).order_by("pk").first().pk))
    if "{deadline_id}" in path:
        path = path.replace("{deadline_id}", str(Deadline.objects.filter(task=row).order_by("pk").first().pk))
    if "{person_id}" in path:  # a person named on the task's first assignment, if the seed has one
        person = AssignmentPerson.objects.filter(assignment__task=row).order_by("assignment__pk", "pk").first()
        path = None if person is None else path.replace("{person_id}", str(person.pk))
    return path


@pytest.mark.django_db
def test_if_match_is_required_where_a_version_is():
    seed = load_seed_data()
    client = APIClient()
    client.force_authenticate(seed["office"])
    schema = SchemaGenerator().get_schema(request=None, public=True)
    checked, mismatched = [], []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method not in WRITES:
                continue
            url = fill(path, seed["office"])
            if url is None:
                continue
            response = getattr(client, method)(url, {}, format="json")
            needs_version = response.status_code == 400 and "version" in response.json().get("errors", {})
            header = if_match(operation)
            says_required = bool(header and header.get("required"))
            checked.append((method, path, needs_version))
            if needs_version != says_required:
                mismatched.append((method.upper(), path, response.status_code, says_required))
    assert sum(needs for *_, needs in checked) >= 10, checked  # the versioned writes were reached
    assert not mismatched, mismatched
