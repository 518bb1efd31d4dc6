"""The seed plans as loaddata fixtures: each plan imported from seeds/ and serialised with
natural keys only, so the files do not depend on primary keys and load into any database."""
from __future__ import annotations

import json

from django.conf import settings
from django.core import serializers
from django.db import transaction

from plans.importers import parse_lines
from plans.importers.reader import read_document
from plans.models import Assignment, Deadline, Plan, PlanIssuer, Target, Unit, UnitAlias, UnitKind
from plans.services import plan_import

_VOLATILE_FIELDS = {"created_at", "updated_at", "office_staff", "version"}  # not the document's: left as loaded


def seed_fixture_text(seed_name: str) -> str:
    """Import one seed document and return its fixture text; the database is left as it was."""
    path = settings.BASE_DIR / "seeds" / seed_name
    lines, _kind = read_document(path)
    with transaction.atomic():
        plan_import(
            parsed=parse_lines(lines, source_name=seed_name), source_text="\n".join(lines), source_name=seed_name
        )
        plan = Plan.objects.get(source_name=seed_name)
        text = plan_fixture_text(plan)
        transaction.set_rollback(True)
    return text


def plan_fixture_text(plan: Plan) -> str:
    """The plan, its units and their aliases, issuers, tasks, assignments, deadlines and
    targets as fixture text with natural keys."""
    tasks = list(plan.nodes.order_by("position"))
    assignments = list(
        Assignment.objects.filter(task__plan=plan)
        .select_related("task", "unit")
        .order_by("task__position", "role", "position")
    )
    unit_ids = {a.unit_id for a in assignments} | set(plan.issuer_links.values_list("unit_id", flat=True))
    if plan.coordinator_id:
        unit_ids.add(plan.coordinator_id)
    unit_ids |= set(Unit.members.through.objects.filter(from_unit_id__in=unit_ids).values_list("to_unit_id", flat=True))
    # Members before the collectives that list them, so each reference resolves when loaded.
    units = sorted(Unit.objects.filter(pk__in=unit_ids), key=lambda u: (u.kind == UnitKind.COLLECTIVE, u.name))
    objects = [
        *units,
        *UnitAlias.objects.filter(unit__in=units).select_related("unit").order_by("jurisdiction", "name"),
        plan,
        *PlanIssuer.objects.filter(plan=plan).select_related("plan").order_by("position"),
        *tasks,
        *assignments,
        *Deadline.objects.filter(task__plan=plan).select_related("task__plan").order_by("task__position", "position"),
        *Target.objects.filter(plan=plan).select_related("plan", "task").order_by("position"),
    ]
    data = json.loads(
        serializers.serialize("json", objects, use_natural_foreign_keys=True, use_natural_primary_keys=True)
    )
    for item in data:
        for name in _VOLATILE_FIELDS:
            item["fields"].pop(name, None)
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"
