"""`make run` runs again over a demo an office has edited: the seed step (load_seed_plans,
demo_accounts, demo_periods) adds what is missing and never overwrites an edit."""
import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from plans import services
from devtools.demo import SUPERUSER, office_username
from devtools.fixtures_build import plan_fixture_text as _serialise
from plans.services.seeds import SEED_PLANS, fixture_path
from plans.models import (
    Assignment, Deadline, IndicatorValue, Membership, Plan, PlanIssuer, ProgressReport, ReportingPeriod, Target, Task,
    Unit, UnitAlias,
)

MODELS = (Plan, PlanIssuer, Task, Assignment, Deadline, Target, Unit, UnitAlias, ReportingPeriod, ProgressReport,
          IndicatorValue, Membership, get_user_model())


def seed_step() -> str:
    """What `make seed` runs after migrate."""
    out = StringIO()
    for command in ("load_seed_plans", "demo_accounts", "demo_periods"):
        call_command(command, stdout=out, stderr=out)
    return out.getvalue()


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS}


def hebi() -> Plan:
    return Plan.objects.get(source_name=SEED_PLANS[0])


@pytest.mark.django_db
def test_seed_step_twice_over_an_edited_demo_keeps_every_edit():
    first = seed_step()
    assert first.count("已载入 (loaded)") == 2
    plan = hebi()
    superuser = get_user_model().objects.get(username=SUPERUSER)
    # The office edits the demo in the admin.
    tasks = list(plan.nodes.tasks().order_by("position"))
    lead = tasks[0].assignments.get(is_lead=True)
    moved_to = Unit.objects.filter(jurisdiction=plan.jurisdiction).exclude(pk__in=tasks[0].assignments.values("unit")).first()
    lead.unit = moved_to
    lead.save()
    tasks[1].title = "改过的任务标题"
    tasks[1].save()
    deadline = Deadline.objects.filter(task__plan=plan).order_by("task__position", "position").first()
    deadline_key = deadline.natural_key()
    deadline.delete()
    assert not plan.periods.filter(is_open=True).exists()  # a historical plan: nothing opened for it
    open_period = plan.periods.order_by("-start").first()
    services.period_open(user=superuser, period=open_period)
    office = get_user_model().objects.get(username=office_username(plan))
    office.set_password("changed-by-the-office")
    office.save()
    before = counts()

    second = seed_step()
    after_second = counts()
    third = seed_step()

    assert second.count("已保留 (kept)") == 2 and "已载入" not in second
    assert "已开放填报" not in second + third
    assert counts() == after_second
    lead.refresh_from_db()
    assert lead.unit == moved_to
    assert Task.objects.get(pk=tasks[1].pk).title == "改过的任务标题"
    assert not Deadline.objects.filter(task__plan=plan, task__position=deadline_key[1], position=deadline_key[2]).exists()
    assert ReportingPeriod.objects.filter(is_open=True).get() == open_period  # the office's choice, kept
    office.refresh_from_db()
    assert office.check_password("changed-by-the-office")
    # The only additions: the accounts of the unit the assignment moved to, if it had none.
    added = {name: after_second[name] - before[name] for name in before if after_second[name] != before[name]}
    assert set(added) <= {"User", "Membership"} and added.get("User", 0) == added.get("Membership", 0) <= 2


@pytest.mark.django_db
def test_a_missing_plan_is_loaded_and_shared_rows_already_there_are_not_overwritten():
    call_command("load_seed_plans", str(fixture_path(SEED_PLANS[0])), stdout=StringIO())
    hebi_rows = counts()
    # A unit the second plan names exists already, as an office typed it.
    assert not Unit.objects.filter(name="福建省商务厅").exists()
    Unit.objects.create(name="福建省商务厅", short_name="省商务厅（办公室改）", jurisdiction="福建省")

    out = StringIO()
    call_command("load_seed_plans", stdout=out)

    assert "已保留 (kept): 鹤壁市" in out.getvalue() and out.getvalue().count("已载入 (loaded)") == 1
    assert Unit.objects.get(name="福建省商务厅").short_name == "省商务厅（办公室改）"
    fujian = Plan.objects.exclude(pk=hebi().pk).get()
    assert fujian.nodes.tasks().count() == 25
    assert Assignment.objects.filter(task__plan=fujian, unit__name="福建省商务厅").exists()
    assert counts()["Plan"] == hebi_rows["Plan"] + 1


@pytest.mark.django_db
@pytest.mark.parametrize("seed", SEED_PLANS)
def test_a_loaded_plan_is_exactly_its_fixture(seed):
    """What load_seed_plans saves serialises back to the fixture file, byte for byte."""
    call_command("load_seed_plans", stdout=StringIO())
    plan = Plan.objects.get(source_name=seed)
    assert _serialise(plan) == fixture_path(seed).read_text(encoding="utf-8")


@pytest.mark.django_db
def test_a_fixture_that_cannot_load_is_refused_whole_with_a_sentence(tmp_path):
    data = json.loads(fixture_path(SEED_PLANS[1]).read_text(encoding="utf-8"))
    assignment = next(item for item in data if item["model"] == "plans.assignment")
    assignment["fields"]["unit"] = ["没有这个单位"]  # refers to no unit in the file or the database
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    with pytest.raises(CommandError, match="broken.json: 无法载入"):
        call_command("load_seed_plans", str(fixture_path(SEED_PLANS[0])), str(broken), stdout=StringIO())

    assert list(Plan.objects.values_list("source_name", flat=True)) == [SEED_PLANS[0]]
    assert not Unit.objects.filter(name="福建省商务厅").exists()
