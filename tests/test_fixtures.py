"""fixtures/ is what the importer makes of seeds/, and loads cleanly (twice)."""
import pytest
from django.core.management import call_command

from devtools.fixtures_build import seed_fixture_text
from plans.services.seeds import SEED_PLANS, fixture_path
from plans.models import Assignment, Deadline, Plan, Target, Task


@pytest.mark.django_db
@pytest.mark.parametrize("seed", SEED_PLANS)
def test_fixture_matches_what_the_importer_makes_of_the_seed(seed):
    assert fixture_path(seed).read_text(encoding="utf-8") == seed_fixture_text(seed), (
        f"{fixture_path(seed).name} is stale: run `make fixtures`"
    )


@pytest.mark.django_db
def test_building_a_fixture_leaves_the_database_untouched():
    seed_fixture_text(SEED_PLANS[0])
    assert Plan.objects.count() == 0 and Task.objects.count() == 0


@pytest.mark.django_db
def test_seed_fixtures_load_both_complete_plans_and_reload_idempotently():
    paths = [str(fixture_path(seed)) for seed in SEED_PLANS]
    call_command("loaddata", *paths, verbosity=0)
    counts = {model: model.objects.count() for model in (Plan, Task, Assignment, Deadline, Target)}
    call_command("loaddata", *paths, verbosity=0)
    assert {model: model.objects.count() for model in counts} == counts
    by_title = {plan.title: plan.nodes.tasks().count() for plan in Plan.objects.all()}
    assert sorted(by_title.values()) == [25, 53]
    hebi = Plan.objects.get(title__startswith="鹤壁市")
    first = hebi.nodes.tasks().order_by("position").first()
    assert first.assignments.get(is_lead=True).unit.short_name == "市发改委"
