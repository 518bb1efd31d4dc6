"""导入方案文件 in the admin: an office uploads a plan document, reads the parsed plan on the
preview page, confirms, and has the same plan `manage.py import_plan` makes of the file; bad
files and the wrong people are refused with the database as it was."""
from pathlib import Path

import docx
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from plans import services
from plans.models import Plan, PlanImport, PlanImportState, ReportingPeriod, Task
from plans.roles import GROUP_OF_ROLE, OFFICE_GROUP, groups_ensure
from plans.models import MemberRole
from tests.factories import AccountFactory, UnitFactory
from tests.importers.test_reader import pdf_of
from tests.admin.forms import get_form

ROOT = Path(__file__).resolve().parents[2]
HEBI = ROOT / "seeds" / "hebi-2016-blue-sky-plan.txt"
CORPUS = ROOT / "tests" / "importers" / "corpus" / "city-chaozhou-2019-blue-sky.txt"
ADD = reverse("admin:plans_planimport_add")


def office_account(username):
    user = get_user_model().objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(groups_ensure()[OFFICE_GROUP])
    return user


@pytest.fixture
def office(client, db):
    """Office staff of some plan already (an office account), logged in."""
    user = office_account("office")
    Plan.objects.create(key="旧方案", title="旧方案", plan_year=2016).office_staff.add(user)
    client.force_login(user)
    return client


def upload(client, name, data, **fields):
    return client.post(ADD, {"file": SimpleUploadedFile(name, data), "plan_year": "", **fields}, follow=True)


def snapshot(plan):
    """The plan as rows: its tasks' paths, titles, units by role and deadlines."""
    return [
        (
            task.path, task.title,
            tuple((a.role, a.unit.name, a.position) for a in task.assignments.order_by("role", "position")),
            tuple((d.kind, d.date, d.text) for d in task.deadlines.order_by("position")),
        )
        for task in Task.objects.tasks().filter(plan=plan).order_by("position")
    ]


def test_an_office_uploads_checks_and_confirms_a_plan_the_same_as_the_command_makes(office, tmp_path):
    response = upload(office, HEBI.name, HEBI.read_bytes())

    draft = PlanImport.objects.get()
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("admin:plans_planimport_change", args=[draft.pk])
    assert "鹤壁市2016年度蓝天工程暨大气污染治理实施方案" in html and "确认导入" in html
    assert not Plan.objects.filter(title__contains="蓝天工程").exists()  # nothing written before confirming
    parsed = services.plan_drafts.draft_parse(draft)
    assert html.count('class="import-task"') == len(parsed.tasks)

    page = reverse("admin:plans_planimport_change", args=[draft.pk])
    confirmed = office.post(page, {**get_form(office, page), "_apply_import": "1"}, follow=True)

    plan = Plan.objects.get(title__contains="蓝天工程")
    assert "新建方案" in confirmed.content.decode()
    assert plan.office_staff.filter(username="office").exists()
    assert ReportingPeriod.objects.filter(plan=plan).count() == 4  # 2016's quarters, from its reporting rule
    draft.refresh_from_db()
    assert (draft.state, draft.plan) == (PlanImportState.APPLIED, plan)
    through_the_page = snapshot(plan)
    assert len(through_the_page) == len(parsed.tasks)

    plan.delete()
    call_command("import_plan", str(HEBI), verbosity=0)
    assert snapshot(Plan.objects.get(title__contains="蓝天工程")) == through_the_page


def test_confirming_twice_changes_nothing(office):
    upload(office, HEBI.name, HEBI.read_bytes())
    draft = PlanImport.objects.get()
    user = get_user_model().objects.get(username="office")
    services.plan_draft_apply(user=user, draft=draft)
    tasks = Task.objects.count()

    again = services.plan_draft_apply(user=user, draft=draft)

    assert (again.state, Task.objects.count(), Plan.objects.filter(title__contains="蓝天工程").count()) == (
        PlanImportState.APPLIED, tasks, 1,
    )


def test_a_word_document_and_a_pdf_are_read_as_the_text_is(office, tmp_path):
    text = CORPUS.read_text(encoding="utf-8")
    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.save(tmp_path / "plan.docx")
    pdf_of(text, tmp_path / "plan.pdf")

    for name in ("plan.docx", "plan.pdf"):
        upload(office, name, (tmp_path / name).read_bytes())
    upload(office, "plan.txt", text.encode("utf-8"))

    drafts = {draft.source_kind: services.plan_drafts.draft_parse(draft) for draft in PlanImport.objects.all()}
    assert set(drafts) == {"docx", "pdf", "txt"}
    as_text = [(task.path, task.responsible) for task in drafts["txt"].tasks]
    assert len(as_text) >= 3
    assert [(task.path, task.responsible) for task in drafts["docx"].tasks] == as_text
    assert [(task.path, task.responsible) for task in drafts["pdf"].tasks] == as_text


@pytest.mark.parametrize(
    "name, data, reason",
    [
        ("plan.docx", b"PK\x03\x04 not really a zip", "docx"),
        ("plan.xls", b"\xd0\xcf\x11\xe0", "不支持的文件类型"),
        ("plan.txt", "会议通知：请各单位参会。".encode(), "任务"),
        ("plan.txt", b"x" * (10 * 2**20 + 1), "过大"),
    ],
)
def test_a_bad_file_is_refused_with_the_reason_and_nothing_stored(office, name, data, reason):
    plans_before = Plan.objects.count()

    response = upload(office, name, data)

    assert reason in response.content.decode()
    assert (PlanImport.objects.count(), Plan.objects.count()) == (0, plans_before)


def test_a_plan_year_out_of_range_is_refused_on_the_form(office):
    response = upload(office, HEBI.name, HEBI.read_bytes(), plan_year="5")

    assert "1949" in response.content.decode()
    assert PlanImport.objects.count() == 0


def test_an_official_cannot_import_and_another_office_cannot_see_a_draft(client, office, db):
    upload(office, HEBI.name, HEBI.read_bytes())
    draft = PlanImport.objects.get()
    official = AccountFactory(unit=UnitFactory(), role=MemberRole.OFFICIAL).user
    official.is_staff = True
    official.save()
    official.groups.add(groups_ensure()[GROUP_OF_ROLE[MemberRole.OFFICIAL]])
    client.force_login(official)
    assert client.get(ADD).status_code == 403
    assert upload(client, HEBI.name, HEBI.read_bytes()).status_code == 403

    other = office_account("other_office")
    Plan.objects.create(key="另一方案", title="另一方案", plan_year=2016).office_staff.add(other)
    client.force_login(other)
    page = reverse("admin:plans_planimport_change", args=[draft.pk])
    assert client.get(page).status_code == 404
    assert client.post(page, {"_apply_import": "1"}).status_code == 404
    assert draft.source_name not in client.get(reverse("admin:plans_planimport_changelist")).content.decode()
    assert not Plan.objects.filter(title__contains="蓝天工程").exists()


def test_the_plan_list_offers_the_import(office):
    html = office.get(reverse("admin:plans_plan_changelist")).content.decode()

    assert ADD in html and "导入方案文件" in html


def page_of(draft):
    return reverse("admin:plans_planimport_change", args=[draft.pk])


@pytest.mark.parametrize("kind", ["docx", "pdf"])
def test_upload_map_a_unit_correct_a_task_confirm_equals_the_command_with_the_same_corrections(
    office, tmp_path, kind,
):
    """The whole walk of an office: upload, map one unit name to an existing unit on the
    preview, correct one task on its page, confirm; the plan is what `import_plan
    --corrections` makes of the same file with the same corrections."""
    text = CORPUS.read_text(encoding="utf-8")
    path = tmp_path / f"plan.{kind}"
    if kind == "docx":
        document = docx.Document()
        for line in text.splitlines():
            document.add_paragraph(line)
        document.save(path)
    else:
        pdf_of(text, path)
    upload(office, path.name, path.read_bytes())
    draft = PlanImport.objects.get()
    review = services.plan_review.draft_review(draft)
    jurisdiction = review.shown.jurisdiction
    existing = UnitFactory(name=f"{jurisdiction}测试对应局", jurisdiction=jurisdiction)
    index, match = next((i, m) for i, m in enumerate(review.units) if m.unit is None)

    form = get_form(office, page_of(draft))
    form[f"unit_{index}"], form[f"unit_{index}_name"] = "other", existing.name
    saved = office.post(page_of(draft), {**form, "_save": "1"}, follow=True)
    assert "更正已保存" in saved.content.decode()
    draft.refresh_from_db()
    assert draft.corrections["units"] == {match.written: {"unit": existing.pk}}

    task = next(i for i, node in enumerate(review.shown.nodes) if node.is_task)
    node_page = reverse("admin:plans_planimport_node", args=[draft.pk, task])
    shown = office.get(node_page).content.decode()
    assert review.shown.nodes[task].title[:10] in shown  # the source paragraph, one click from the row
    posted = office.post(node_page, {
        "responsible": f"{match.written}、另一个单位", "supporting": "", "implementing": "",
        "deadline_date": "2019-12-31", "deadline_text": "年底前", "expected_version": draft.version,
    }, follow=True)
    assert "更正已保存" in posted.content.decode()
    draft.refresh_from_db()
    assert draft.corrections["nodes"][str(task)]["responsible"] == [match.written, "另一个单位"]

    confirmed = office.post(page_of(draft), {**get_form(office, page_of(draft)), "_apply_import": "1"}, follow=True)
    assert confirmed.status_code == 200
    draft.refresh_from_db()
    plan = draft.plan
    lead = Task.objects.get(plan=plan, title=review.shown.nodes[task].title).assignments.order_by("role", "position")
    assert [a.unit for a in lead][0] == existing
    through_the_page = snapshot(plan)

    corrections = tmp_path / "corrections.json"
    corrections.write_text(__import__("json").dumps(draft.corrections), encoding="utf-8")
    plan.delete()
    call_command("import_plan", str(path), "--corrections", str(corrections), verbosity=0)
    assert snapshot(Plan.objects.get(title=review.parsed.title)) == through_the_page


def test_a_revised_document_shows_its_diff_then_updates_the_plan_in_place(office):
    user = get_user_model().objects.get(username="office")
    first = services.plan_draft_upload(user=user, file_name=HEBI.name, data=HEBI.read_bytes())
    plan = services.plan_draft_apply(user=user, draft=first).plan
    kept = Task.objects.tasks().filter(plan=plan).order_by("position")
    removed_task, changed_task = kept[0], kept[1]
    text = HEBI.read_text(encoding="utf-8")
    lines = text.splitlines()
    removed_line = lines[removed_task.source_line - 1]
    revised = text.replace(removed_line, "", 1).replace(changed_task.title, changed_task.title + "（修订）", 1)

    response = upload(office, "revised.txt", revised.encode("utf-8"))
    html = response.content.decode()
    assert "与现有方案" in html and plan.title in html
    assert 'class="import-diff-removed"' in html or 'class="import-diff-changed"' in html
    draft = PlanImport.objects.exclude(pk=first.pk).get()
    statuses = {row.status for row in services.plan_review.draft_review(draft).diff}
    assert {"changed"} <= statuses

    office.post(page_of(draft), {**get_form(office, page_of(draft)), "_apply_import": "1"})
    draft.refresh_from_db()
    assert draft.plan == plan and Plan.objects.filter(title=plan.title).count() == 1
    assert Task.objects.filter(plan=plan, title=changed_task.title + "（修订）").exists()


def test_the_original_file_is_downloaded_only_by_those_who_see_the_import(client, office):
    upload(office, HEBI.name, HEBI.read_bytes())
    draft = PlanImport.objects.get()
    url = reverse("admin:plans_planimport_file", args=[draft.pk])
    response = office.get(url)
    assert b"".join(response.streaming_content) == HEBI.read_bytes()
    assert HEBI.name in response["Content-Disposition"]
    other = office_account("other_office")
    Plan.objects.create(key="另一方案", title="另一方案", plan_year=2016).office_staff.add(other)
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.get(reverse("admin:plans_planimport_node", args=[draft.pk, 0])).status_code == 404


def test_a_bad_correction_on_the_page_is_refused_and_nothing_stored(office):
    upload(office, HEBI.name, HEBI.read_bytes())
    draft = PlanImport.objects.get()
    node_page = reverse("admin:plans_planimport_node", args=[draft.pk, 1])
    bad_date = office.post(node_page, {"deadline_date": "2016-02-30", "expected_version": draft.version})
    too_long = office.post(node_page, {"responsible": "x" * 300, "expected_version": draft.version})
    assert bad_date.status_code == too_long.status_code == 200
    assert 'class="errorlist' in bad_date.content.decode() and "200 字" in too_long.content.decode()
    draft.refresh_from_db()
    assert draft.corrections == {}
    stale = office.post(node_page, {"responsible": "市财政局", "expected_version": draft.version - 1})
    assert "版本已变化" in stale.content.decode()
    draft.refresh_from_db()
    assert draft.corrections == {}


def test_the_home_page_offers_the_import_to_offices_only(client, office):
    assert ADD in office.get(reverse("admin:index")).content.decode()
    official = AccountFactory(unit=UnitFactory(), role=MemberRole.OFFICIAL).user
    official.is_staff = True
    official.save()
    official.groups.add(groups_ensure()[GROUP_OF_ROLE[MemberRole.OFFICIAL]])
    client.force_login(official)
    assert ADD not in client.get(reverse("admin:index")).content.decode()
