"""Load the seed plans (fixtures/) into a database that may already hold them, edited.

`make run` loads the seed plans every time. `loaddata` would save every object of a fixture
over the row with the same natural key, undoing what an office changed in the admin, and
stops with an IntegrityError when an edit collides with the fixture (an assignment moved to
another unit). Here a plan whose key is in the database is kept whole; a missing plan is
loaded in one transaction, saving only the objects not there yet, so a unit or alias it
shares with data already present is left as it is.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.db import transaction

from plans.models import Plan

PLAN_MODEL = "plans.plan"
SEED_PLANS = ("hebi-2016-blue-sky-plan.txt", "fujian-2024-export-industries-plan.txt")  # in seeds/


@dataclass(frozen=True)
class SeedResult:
    title: str
    loaded: bool  # False: the plan was already in the database and was kept as it is
    created: int  # objects saved (0 when kept)


def seed_plan_load(*, path: Path) -> SeedResult:
    """Load the plan in the fixture at `path` unless a plan with its key exists."""
    text = Path(path).read_text(encoding="utf-8")
    fields = _plan_fields(json.loads(text), path)
    with transaction.atomic():
        if Plan.objects.filter(key=fields["key"]).exists():
            return SeedResult(title=fields["title"], loaded=False, created=0)
        return SeedResult(title=fields["title"], loaded=True, created=_save_missing(text))


def fixture_path(seed_name: str) -> Path:
    """The fixture of the seed document `seed_name`: fixtures/<its stem>.json."""
    return settings.BASE_DIR / "fixtures" / f"{Path(seed_name).stem}.json"


def _plan_fields(data: list[dict], path: Path) -> dict:
    plans = [item["fields"] for item in data if item.get("model") == PLAN_MODEL]
    if len(plans) != 1:
        raise ValueError(
            f"{Path(path).name}: 夹具应恰好含一个方案 (a seed fixture holds exactly one plan), found {len(plans)}"
        )
    return plans[0]


def _save_missing(text: str) -> int:
    """Save each fixture object whose natural key is not in the database (as loaddata would,
    raw: no history records, no save() side effects); an existing row is never written."""
    created, deferred = 0, []
    for item in serializers.deserialize("json", text, handle_forward_references=True):
        if item.object.pk is not None:  # the natural key resolved to a row already there
            continue
        item.save()
        created += 1
        if item.deferred_fields:
            deferred.append(item)
    for item in deferred:
        item.save_deferred_fields()
    return created
