"""A draft plan import corrected before it is confirmed: unit names matched by hand (and
remembered as aliases), tasks' units, deadlines, drops and joins, the plan's details; every
correction checked before anything is stored, and the plan written equals the command's with
the same corrections."""
import datetime
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError

from plans import services
from plans.importers.corrections import apply_corrections
from plans.models import Plan, Task, Unit, UnitAlias, UnitKind
from plans.roles import OFFICE_GROUP, groups_ensure
from plans.services.plan_drafts import draft_parse, draft_raw_parse
from plans.services.plan_review import draft_review

ROOT = Path(__file__).resolve().parents[2]
HEBI = ROOT / "seeds" / "hebi-2016-blue-sky-plan.txt"


@pytest.fixture
def office(db):
    user = get_user_model().objects.create_user("office", password="pw", is_staff=True)
    user.groups.add(groups_ensure()[OFFICE_GROUP])
    Plan.objects.create(key="旧方案", title="旧方案", plan_year=2016).office_staff.add(user)
    return user


@pytest.fixture
def draft(office):
    return services.plan_draft_upload(user=office, file_name=HEBI.name, data=HEBI.read_bytes())


def first_task(parsed):
    return next(i for i, node in enumerate(parsed.nodes) if node.is_task)


def test_the_upload_keeps_the_original_file(draft):
    assert draft.source_file.read() == HEBI.read_bytes()


def test_a_task_correction_is_stored_and_shown_and_written(office, draft):
    raw = draft_raw_parse(draft)
    index = first_task(raw)
    draft = services.plan_draft_correct(user=office, draft=draft, expected_version=draft.version, corrections={
        "nodes": {str(index): {"responsible": ["市财政局"], "supporting": [],
                               "deadline": {"date": "2016-12-31", "text": "年底前"}}},
    })
    draft.refresh_from_db()
    assert draft.corrections["nodes"][str(index)]["responsible"] == ["市财政局"]
    corrected = draft_parse(draft).nodes[index]
    assert (corrected.responsible, corrected.supporting) == (("市财政局",), ())
    assert [(d.date, d.text) for d in corrected.deadlines] == [(datetime.date(2016, 12, 31), "年底前")]
    services.plan_draft_apply(user=office, draft=draft)
    task = Task.objects.get(plan__title=raw.title, title=raw.nodes[index].title)
    assert [a.unit.name for a in task.assignments.all()] == ["鹤壁市财政局"]
    assert [(d.date, d.text) for d in task.deadlines.all()] == [(datetime.date(2016, 12, 31), "年底前")]
    history = task.history.first()
    assert history.history_user == office and draft.source_name in history.history_change_reason


def test_drop_and_join_change_the_tree_and_keep_parents_right(office, draft):
    raw = draft_raw_parse(draft)
    tasks = [i for i, node in enumerate(raw.nodes) if node.is_task]
    dropped, joined = tasks[1], tasks[3]
    before_join = tasks[2] if raw.nodes[joined - 1].is_task else None
    services.plan_draft_correct(user=office, draft=draft, corrections={
        "nodes": {str(dropped): {"drop": True}, str(joined): {"join": True}},
    })
    draft.refresh_from_db()
    parsed = draft_parse(draft)
    assert len(parsed.nodes) == len(raw.nodes) - 2
    titles = [node.title for node in parsed.nodes]
    assert raw.nodes[dropped].title not in titles and raw.nodes[joined].title not in titles
    target = raw.nodes[joined - 1]
    merged = next(node for node in parsed.nodes if node.line == target.line)
    assert raw.nodes[joined].text in merged.text
    assert set(raw.nodes[joined].responsible) <= set(merged.responsible)
    if before_join is not None:
        assert len(merged.deadlines) == len(target.deadlines) + len(raw.nodes[joined].deadlines)
    for node in parsed.nodes:  # every parent is an earlier node, one level up the document's tree
        if node.parent is not None:
            assert node.parent < parsed.nodes.index(node)
            assert parsed.nodes[node.parent].level < node.level


def test_a_name_mapped_to_an_existing_unit_becomes_an_alias_for_the_next_document(office, draft):
    finance = Unit.objects.create(name="鹤壁市财政局（测试）", jurisdiction="鹤壁市", kind=UnitKind.DEPARTMENT)
    review = draft_review(draft)
    written = next(match.written for match in review.units if match.status == "new")
    services.plan_draft_correct(user=office, draft=draft, corrections={"units": {written: {"unit": finance.pk}}})
    draft.refresh_from_db()
    assert next(m for m in draft_review(draft).units if m.written == written).status == "mapped"
    services.plan_draft_apply(user=office, draft=draft)
    assert UnitAlias.objects.get(jurisdiction="鹤壁市", name=written).unit == finance
    assert not Unit.objects.filter(name__in=[written]).exclude(pk=finance.pk).exists()
    again = services.plan_draft_upload(user=office, file_name="again.txt", data=HEBI.read_bytes())
    assert next(m for m in draft_review(again).units if m.written == written).unit == finance


def test_near_names_are_suggested_not_applied(office, draft):
    review = draft_review(draft)
    collective = next(m for m in review.units if m.written.startswith("各县区"))
    near = Unit.objects.create(name=f"鹤壁市{collective.written}(管委)", jurisdiction="鹤壁市", kind=UnitKind.COLLECTIVE)
    match = next(m for m in draft_review(draft).units if m.written == collective.written)
    assert match.unit is None and near in match.suggestions


def test_bad_corrections_are_refused_with_every_problem_and_nothing_stored(office, draft):
    version = draft.version
    with pytest.raises(ValidationError) as refused:
        services.plan_draft_correct(user=office, draft=draft, corrections={
            "nodes": {"99999": {"drop": True}, "0": {"deadline": {"date": "2016-13-40"}}},
            "units": {"市财政局": {"unit": 987654}},
            "plan": {"title": ""},
        })
    text = " ".join(refused.value.messages)
    assert "99999" in text and "2016-13-40" in text and "标题" in text
    draft.refresh_from_db()
    assert (draft.version, draft.corrections) == (version, {})
    with pytest.raises(ValidationError) as missing:
        services.plan_draft_correct(user=office, draft=draft, corrections={"units": {"市财政局": {"unit": 987654}}})
    assert "987654" in " ".join(missing.value.messages)


def test_only_the_uploader_corrects_and_a_stale_version_is_refused(office, draft, db):
    other = get_user_model().objects.create_user("other", is_staff=True)
    other.groups.add(groups_ensure()[OFFICE_GROUP])
    with pytest.raises(PermissionDenied):
        services.plan_draft_correct(user=other, draft=draft, corrections={"plan": {"title": "别人的"}})
    services.plan_draft_correct(user=office, draft=draft, corrections={"plan": {"title": "新标题"}})
    with pytest.raises(services.StaleVersion):
        services.plan_draft_correct(user=office, draft=draft, expected_version=draft.version,
                                    corrections={"plan": {"title": "又一个"}})


def test_a_null_takes_a_correction_back(office, draft):
    services.plan_draft_correct(user=office, draft=draft, corrections={"nodes": {"3": {"drop": True}}})
    draft.refresh_from_db()
    services.plan_draft_correct(user=office, draft=draft, corrections={"nodes": {"3": None}})
    draft.refresh_from_db()
    assert draft.corrections == {}


def test_the_plans_details_are_corrected(office, draft):
    services.plan_draft_correct(user=office, draft=draft, corrections={"plan": {
        "title": "鹤壁市蓝天工程（修订稿）", "doc_number": "鹤政办〔2016〕99号", "issued_on": "2016-09-01",
        "reporting": {"frequency": "monthly", "month": 1, "day": 5},
    }})
    draft.refresh_from_db()
    draft = services.plan_draft_apply(user=office, draft=draft)
    plan = draft.plan
    assert (plan.title, plan.doc_number, plan.issued_on) == (
        "鹤壁市蓝天工程（修订稿）", "鹤政办〔2016〕99号", datetime.date(2016, 9, 1))
    assert (plan.reporting_frequency, plan.reporting_month, plan.reporting_day) == ("monthly", 1, 5)


def test_the_command_with_the_same_corrections_makes_the_same_plan(office, draft, tmp_path):
    import json

    from django.core.management import call_command

    raw = draft_raw_parse(draft)
    index = first_task(raw)
    corrections = {"nodes": {str(index): {"responsible": ["市财政局"]}, str(index + 1): {"drop": True}}}
    services.plan_draft_correct(user=office, draft=draft, corrections=corrections)
    draft.refresh_from_db()
    made = services.plan_draft_apply(user=office, draft=draft).plan
    page_rows = rows(made)
    Plan.objects.filter(pk=made.pk).delete()
    path = tmp_path / "corrections.json"
    path.write_text(json.dumps(corrections), encoding="utf-8")
    call_command("import_plan", str(HEBI), "--corrections", str(path))
    assert rows(Plan.objects.get(title=raw.title)) == page_rows
    assert apply_corrections(raw, corrections).nodes == draft_parse(draft).nodes


def rows(plan):
    return [
        (t.path, t.title, t.text, t.level, t.parent.title if t.parent else None,
         tuple((a.role, a.unit.name) for a in t.assignments.order_by("role", "position")),
         tuple((d.date, d.text) for d in t.deadlines.order_by("position")))
        for t in plan.nodes.order_by("position")
    ]


def outcome(summary):
    """What a summary tells (as_lines): for a new plan its size and new units, for a revision
    also every task added, removed, retired and changed."""
    told = (summary.created, summary.task_count, sorted(summary.new_units))
    if summary.created:
        return told
    return told + (sorted(summary.added), sorted(summary.removed), sorted(summary.retired), sorted(summary.changed))


def test_the_previews_outcome_is_what_a_dry_run_of_the_import_says(office, draft):
    """The preview tells what confirming would do without writing (a dry run takes as long as
    the import); it must tell the same as the dry run, for a new plan and for a revision."""
    from plans.services.plan_drafts import draft_preview

    assert outcome(draft_review(draft).summary) == outcome(draft_preview(draft))
    plan = services.plan_draft_apply(user=office, draft=draft).plan
    tasks = list(Task.objects.tasks().filter(plan=plan).order_by("position"))
    text = HEBI.read_text(encoding="utf-8")
    revised = text.replace(tasks[2].title, tasks[2].title + "（修订）", 1).replace(
        text.splitlines()[tasks[4].source_line - 1], "", 1)
    second = services.plan_draft_upload(user=office, file_name="revised.txt", data=revised.encode("utf-8"))
    review = draft_review(second)
    assert review.target == plan and outcome(review.summary) == outcome(draft_preview(second))
    assert review.summary.changed and (review.summary.removed or review.summary.retired or review.summary.changed)


def test_a_plan_chosen_by_the_office_is_updated_in_place_and_keeps_its_key(office, draft):
    """A document whose number and title name no plan (the office renamed it, say) still
    revises the plan the office chooses."""
    chosen = Plan.objects.get(key="旧方案")
    assert draft_review(draft).target is None  # by its own title: a new plan
    services.plan_draft_correct(user=office, draft=draft, revises=chosen)
    draft.refresh_from_db()
    review = draft_review(draft)
    assert review.target == chosen and review.summary.created is False and review.diff
    applied = services.plan_draft_apply(user=office, draft=draft)
    chosen.refresh_from_db()
    assert applied.plan == chosen and chosen.key == "旧方案" and chosen.title == review.parsed.title
    assert Plan.objects.filter(title=review.parsed.title).count() == 1
    assert Task.objects.tasks().filter(plan=chosen).count() == len(review.parsed.tasks)


def test_only_a_plan_the_office_oversees_can_be_chosen(office, draft):
    elsewhere = Plan.objects.create(key="别人的方案", title="别人的方案", plan_year=2016)
    with pytest.raises(PermissionDenied):
        services.plan_draft_correct(user=office, draft=draft, revises=elsewhere)
    draft.refresh_from_db()
    assert draft.revises is None


def test_a_revisions_diff_names_the_unit_an_office_mapped_a_name_to(office, draft):
    services.plan_draft_apply(user=office, draft=draft)
    again = services.plan_draft_upload(user=office, file_name="again.txt", data=HEBI.read_bytes())
    assert {row.status for row in draft_review(again).diff} == {"same"}
    written = next(node.responsible[0] for node in draft_raw_parse(again).nodes if node.is_task)
    other = Unit.objects.create(name="鹤壁市另一单位", jurisdiction="鹤壁市", kind=UnitKind.DEPARTMENT)
    services.plan_draft_correct(user=office, draft=again, corrections={"units": {written: {"unit": other.pk}}})
    again.refresh_from_db()
    changed = [row for row in draft_review(again).diff if row.status == "changed"]
    assert changed and all("units" in row.changed for row in changed)
    assert all(other.name in row.new.units["responsible"] + row.new.units["supporting"]
               + row.new.units["implementing"] for row in changed)
