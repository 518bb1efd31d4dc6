"""The admin's manual section, task and plan forms: an office types what it edits (plan,
parent, label, title, text) and the services derive the rest (path, level, position; a plan's
key). Each test fills a page as a browser would (tests/admin/forms.py), posts, and reads the
database."""
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from plans.models import Plan, Section, Task
from plans.roles import OFFICE_GROUP, groups_ensure
from tests.admin.forms import form_data, get_form
from tests.factories import PlanFactory, SectionFactory, TaskFactory

DERIVED = ("path", "level", "position", "source_line")


def field_names(html: str) -> set[str]:
    """The names of the page's inputs, selects and textareas (an empty autocomplete select too)."""
    return set(re.findall(r'<(?:input|select|textarea)[^>]*\sname="([^"]+)"', html))


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def plan(db):
    return PlanFactory()


@pytest.fixture
def tree(plan):
    """三、 (position 0) › 三、(一) (1) › 三、(一)1. (2), then 四、 (3) with its task (7): the importer's
    document order, with a gap as a revision leaves none but a test may."""
    top = SectionFactory(plan=plan, label="三、", path="三、", level=1, position=0, source_line=12)
    middle = SectionFactory(plan=plan, parent=top, label="(一)", path="三、(一)", level=2, position=1)
    task = TaskFactory(plan=plan, parent=middle, label="1.", path="三、(一)1.", level=3, position=2, source_line=14)
    other = SectionFactory(plan=plan, label="四、", path="四、", level=1, position=3)
    TaskFactory(plan=plan, parent=other, label="(一)", path="四、(一)", level=2, position=7)
    return {"top": top, "middle": middle, "task": task, "other": other}


@pytest.fixture
def office(client, plan):
    user = get_user_model().objects.create_user("office", password="pw", is_staff=True)
    user.groups.add(groups_ensure()[OFFICE_GROUP])
    plan.office_staff.add(user)
    client.force_login(user)
    return client


def posted(client, page, data):
    response = client.post(page, data, follow=True)
    assert response.status_code == 200
    form = response.context and response.context.get("adminform")
    assert not (form and form.form.errors), form.form.errors
    return response.content.decode()


@pytest.mark.parametrize("model", [Task, Section])
def test_the_add_page_asks_for_the_place_in_words_not_for_path_level_or_position(office, model):
    names = field_names(office.get(url(model, "add")).content.decode())

    assert {"plan", "parent", "label", "title", "text"} <= names
    assert not set(DERIVED) & names


@pytest.mark.parametrize("model", [Task, Section])
def test_the_change_page_has_no_tree_inputs_and_shows_the_source_line_read_only(office, tree, model):
    node = tree["task"] if model is Task else tree["top"]
    response = office.get(url(model, "change", node.pk))
    html = response.content.decode()

    assert {"plan", "parent", "label", "title"} <= field_names(html)
    assert not set(DERIVED) & field_names(html)
    assert "原文行号" in html and f'<div class="readonly">{node.source_line}</div>' in html


def test_a_task_posted_with_plan_parent_label_and_title_is_placed_by_the_service(office, tree, plan):
    data = get_form(office, url(Task, "add"))
    data.update(plan=plan.pk, parent=tree["middle"].pk, label="2.", title="新增任务")

    posted(office, url(Task, "add"), data)

    task = Task.objects.get(title="新增任务")
    assert (task.plan, task.parent, task.kind) == (plan, tree["middle"], "task")
    assert (task.path, task.level, task.position) == ("三、(一)2.", 3, 8)  # after the plan's last node


def test_a_section_posted_without_a_parent_is_a_top_level_node_at_the_plans_end(office, tree, plan):
    data = get_form(office, url(Section, "add"))
    data.update(plan=plan.pk, label="五、", title="保障措施")

    posted(office, url(Section, "add"), data)

    section = Section.objects.get(title="保障措施")
    assert (section.kind, section.parent, section.path, section.level, section.position) == ("section", None, "五、", 1, 8)


def test_moving_a_task_under_another_section_on_its_page_re_derives_its_path_and_level(office, tree):
    page = url(Task, "change", tree["task"].pk)
    data = get_form(office, page)
    before = Task.objects.get(pk=tree["task"].pk)

    posted(office, page, {**data, "parent": str(tree["other"].pk), "label": "(二)"})

    task = Task.objects.get(pk=tree["task"].pk)
    assert (task.parent, task.path, task.level) == (tree["other"], "四、(二)", 2)
    assert (task.position, task.version) == (before.position, before.version + 1)


def test_relabelling_a_section_on_its_page_renumbers_what_lies_below_it(office, tree):
    page = url(Section, "change", tree["middle"].pk)

    posted(office, page, {**get_form(office, page), "label": "(二)"})

    assert Task.objects.get(pk=tree["middle"].pk).path == "三、(二)"
    assert (Task.objects.get(pk=tree["task"].pk).path, Task.objects.get(pk=tree["task"].pk).level) == ("三、(二)1.", 3)


def test_the_task_page_still_saves_a_title_and_refuses_a_stale_page(office, tree):
    page = url(Task, "change", tree["task"].pk)
    stale = get_form(office, page)

    posted(office, page, {**get_form(office, page), "title": "改过的标题"})
    html = posted(office, page, {**stale, "title": "过时页面上的修改"})

    task = Task.objects.get(pk=tree["task"].pk)
    assert (task.title, task.path, task.level, task.position) == ("改过的标题", "三、(一)1.", 3, 2)
    assert "版本已变化" in html


def test_a_parent_from_another_of_the_offices_plans_is_refused_and_nothing_is_saved(office, tree, plan):
    other_plan = PlanFactory()
    other_plan.office_staff.add(get_user_model().objects.get(username="office"))
    elsewhere = SectionFactory(plan=other_plan, label="一、", path="一、", title="别的方案")
    data = get_form(office, url(Task, "add"))
    data.update(plan=plan.pk, parent=elsewhere.pk, label="9.", title="放错方案的任务")

    response = office.post(url(Task, "add"), data, follow=True)

    assert "上级须属于同一行动方案" in response.content.decode()
    assert not Task.objects.filter(title="放错方案的任务").exists()


# --- plans ----------------------------------------------------------------------------------
def test_a_new_plan_is_keyed_by_its_document_number_without_typing_the_key(office):
    html = office.get(url(Plan, "add")).content.decode()
    assert {"title", "doc_number"} <= field_names(html)
    assert not {"key", "source_name", "source_sha256", "source_text"} & field_names(html)
    data = {**form_data(html), "title": "鹤壁市2017年度蓝天工程实施方案", "doc_number": "鹤政办〔2017〕3号"}

    posted(office, url(Plan, "add"), {**data, "plan_year": "2017"})

    assert Plan.objects.get(title="鹤壁市2017年度蓝天工程实施方案").key == "鹤政办〔2017〕3号"


def test_a_plans_key_is_shown_on_its_page_but_not_typed(office, plan):
    page = url(Plan, "change", plan.pk)
    response = office.get(page)

    assert "key" not in field_names(response.content.decode())
    assert plan.key in response.content.decode()
    posted(office, page, {**get_form(office, page), "key": "改过的标识", "title": "改过的名称"})
    assert (Plan.objects.get(pk=plan.pk).key, Plan.objects.get(pk=plan.pk).title) == (plan.key, "改过的名称")
