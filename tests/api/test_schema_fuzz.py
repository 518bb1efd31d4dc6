"""A bounded property-based fuzz of the whole API, generated from its own OpenAPI schema
(/api/schema/) by Schemathesis and run against the WSGI application in this process.

Data: the two seed plans loaded from fixtures/, the demo accounts and each plan's latest period
open (so pending reports exist) — what `make run` shows. Requests carry the token of the Hebi
plan's office account. Path ids are mostly steered onto rows that exist (else every detail
operation would only ever answer 404) and writes often carry the row's current version
(If-Match), so updates and actions really run.

Checks: no response is a server error (5xx), and every documented response matches its schema.
Bounded for `make test`: a fixed number of examples per operation, derandomized (the same
cases on every run), no deadline.

`transactional_db`: the WSGI application closes and reopens database connections around
each request (request_started/request_finished), which a test wrapped in a transaction would
not survive; committed data is what the application sees."""
from __future__ import annotations

import os
import zlib
from collections import Counter
from pathlib import Path
from typing import ClassVar

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.cache import cache
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from plans.models import (
    Assignment,
    Deadline,
    IndicatorValue,
    Plan,
    PlanImport,
    ProgressReport,
    ReportingPeriod,
    Target,
    Task,
    Unit,
)
from plans import services
from tests.api.fuzz_conftest import load_seed_data

MAX_EXAMPLES = 15  # per operation and generation mode; about a minute for the whole API
MODELS = {
    "units": Unit, "plans": Plan, "tasks": Task, "periods": ReportingPeriod, "reports": ProgressReport,
    "indicators": Target, "indicator-values": IndicatorValue, "plan-imports": PlanImport,
}
CONFIG = {
    "seed": 20160323,
    "phases": {
        "examples": {"enabled": True},
        "coverage": {"enabled": True},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": False},
    },
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "database": "none"},
}


STATS: Counter = Counter()  # (method, path, status) → responses; FUZZ_STATS=1 prints it


class Seed:
    """What the fixture loaded, for the test function (which Schemathesis calls per case)."""

    token: ClassVar[str] = ""
    ids: ClassVar[dict[str, list[int]]] = {}


@pytest.fixture
def fuzz_api_schema(transactional_db, request):
    from tracker.wsgi import application

    if not hasattr(request.node, "_nodeid"):
        # Schemathesis 4.32's lazy schemas read and relabel `Function._nodeid`, which pytest 9.2
        # no longer has (nodeid is derived); give it the attribute it expects.
        request.node._nodeid = request.node.nodeid

    seed = load_seed_data()
    office = seed["office"]
    Seed.token = seed["token"]
    Seed.ids = {
        "units": list(Unit.objects.order_by("pk").values_list("pk", flat=True)),
        "plans": list(Plan.objects.visible_to(office).order_by("pk").values_list("pk", flat=True)),
        "tasks": list(Task.objects.tasks().visible_to(office).order_by("pk").values_list("pk", flat=True)),
        "periods": list(ReportingPeriod.objects.filter(plan__office_staff=office).order_by("pk").values_list("pk", flat=True)),
        "reports": list(ProgressReport.objects.visible_to(office).order_by("pk").values_list("pk", flat=True)),
        "indicators": list(Target.objects.visible_to(office).order_by("pk").values_list("pk", flat=True)),
        "indicator-values": list(IndicatorValue.objects.visible_to(office).order_by("pk").values_list("pk", flat=True)),
    }
    hebi = Path(django_settings.BASE_DIR) / "seeds" / "hebi-2016-blue-sky-plan.txt"
    for number in range(3):  # drafts of the office's own to correct, apply and discard
        services.plan_draft_upload(user=office, file_name=f"draft-{number}.txt", data=hebi.read_bytes())
    Seed.ids["plan-imports"] = list(PlanImport.objects.visible_to(office).order_by("pk").values_list("pk", flat=True))
    Seed.ids["tasks_with_deadlines"] = list(
        Task.objects.tasks().visible_to(office).filter(deadlines__isnull=False).distinct().order_by("pk").values_list("pk", flat=True)
    )
    assert Seed.ids["reports"] and Seed.ids["indicator-values"], "the seed data has no report or indicator value to fuzz"
    cache.clear()  # the token endpoint's throttle counts in the cache
    STATS.clear()
    yield schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json", application, config=schemathesis.Config.from_dict(CONFIG),
    )
    cache.clear()
    if os.environ.get("FUZZ_STATS"):
        for (method, path, code), count in sorted(STATS.items()):
            print(f"{method:6} {path:55} {code} × {count}")
    if STATS:
        # The steering still reaches real rows: writes succeed, not only 404s and 400s.
        for method, path in [
            ("PATCH", "/api/reports/{id}/"), ("PATCH", "/api/tasks/{id}/"), ("GET", "/api/reports/{id}/"),
            ("PATCH", "/api/indicator-values/{id}/"), ("GET", "/api/indicators/{id}/"),
        ]:
            assert STATS[(method, path, 200)], f"the fuzz never got a 200 from {method} {path}: {sorted(STATS.items())}"


schema = schemathesis.pytest.from_fixture("fuzz_api_schema")


def _coin(case, salt: str) -> int:
    """A stable small number from the case's content: steering stays derandomized."""
    text = repr((case.method, case.path, case.path_parameters, case.query, case.body, salt))
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


def _resource(case) -> str | None:
    parts = case.path.strip("/").split("/")
    return parts[1] if len(parts) > 1 and parts[0] == "api" and parts[1] in MODELS else None


def _as_int(value) -> int | None:
    """A generated id as a number: the coverage phase sends path values already as text."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    return None


def _pick(ids: list[int], number: int) -> int | None:
    return ids[number % len(ids)] if ids else None


CHILDREN = {"assignment_id": Assignment, "deadline_id": Deadline}


def _steer(case) -> None:
    """Point three of every four generated ids at rows the office account can see (a task's
    own assignments and deadlines for the nested ids); on writes to such a row, send its
    current version as If-Match two times in three (else the generated header, if any, stays)."""
    resource = _resource(case)
    params = case.path_parameters or {}
    if resource is None or "id" not in params:
        return
    number = _as_int(params["id"])
    if number is None or number % 4 == 3:
        return
    child_name = next((name for name in params if name in CHILDREN), None)
    candidates = Seed.ids[resource]
    if child_name == "deadline_id" or "/deadlines/" in case.path:
        candidates = Seed.ids["tasks_with_deadlines"]
    key = _pick(candidates, number)
    if key is None:
        return
    params["id"] = key
    body = case.body if isinstance(case.body, dict) else {}
    unit = _as_int(body.get("unit"))
    if unit is not None and unit % 4 != 3:
        body["unit"] = _pick(Seed.ids["units"], unit)
    row_model, row_key = MODELS[resource], key
    if child_name is not None:
        child_number = _as_int(params[child_name])
        if child_number is None or child_number % 4 == 3:
            return
        model = CHILDREN[child_name]
        child = _pick(list(model.objects.filter(task_id=key).order_by("pk").values_list("pk", flat=True)), child_number)
        if child is None:
            return
        params[child_name] = child
        row_model, row_key = model, child
    if case.method.upper() in {"PATCH", "PUT", "POST", "DELETE"} and _coin(case, "if-match") % 3 != 0:
        rows = row_model.objects.filter(pk=row_key)
        version = rows.values_list("version", flat=True).first() if hasattr(row_model, "version") else None
        if version is not None:
            headers = dict(case.headers or {})
            headers["If-Match"] = f'"{version}"'
            case.headers = headers


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_never_answers_a_server_error(case):
    _steer(case)
    response = case.call_and_validate(
        headers={"Authorization": f"Token {Seed.token}"},
        checks=[not_a_server_error, response_schema_conformance],
    )
    STATS[(case.method.upper(), case.path, response.status_code)] += 1


def test_the_schema_describes_every_resource(db):
    """The fuzz covers what the contract lists: if a resource drops out of the schema, the
    fuzz above would silently stop testing it."""
    from tracker.wsgi import application

    loaded = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    paths = {operation.ok().path for operation in loaded.get_all_operations()}
    for resource in MODELS:
        assert f"/api/{resource}/" in paths, sorted(paths)
        assert f"/api/{resource}/{{id}}/" in paths, sorted(paths)
    for action in ("submit", "approve", "return"):
        assert f"/api/reports/{{id}}/{action}/" in paths, sorted(paths)
