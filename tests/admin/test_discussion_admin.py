"""A task's thread page (留言, 批示 pinned on top, mentions) and the naming of 责任领导/联系人 in
the admin: who may read, who may write, and that a refused or forged post changes nothing."""
import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from plans import services
from plans.models import AssignmentPerson, MemberRole, PersonKind, Role, TaskComment
from plans.roles import GROUP_OF_ROLE, groups_ensure
from tests.factories import (
    AssignmentFactory,
    MembershipFactory,
    PlanFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    plan = PlanFactory()
    office = UserFactory()
    plan.office_staff.add(office)
    other_office = UserFactory()
    PlanFactory().office_staff.add(other_office)
    lead, helper, stranger = UnitFactory(short_name="市发改委"), UnitFactory(short_name="市财政局"), UnitFactory(
        short_name="市林业局")
    task = TaskFactory(plan=plan, title="推进项目建设")
    assignment = AssignmentFactory(task=task, unit=lead, role=Role.RESPONSIBLE)
    AssignmentFactory(task=task, unit=helper, role=Role.SUPPORTING)
    return dict(
        plan=plan, office=office, other_office=other_office, lead=lead, helper=helper, stranger=stranger, task=task,
        assignment=assignment,
        lead_official=MembershipFactory(unit=lead, role=MemberRole.OFFICIAL).user,
        lead_leader=MembershipFactory(unit=lead, role=MemberRole.LEADER).user,
        helper_official=MembershipFactory(unit=helper, role=MemberRole.OFFICIAL).user,
        stranger_leader=MembershipFactory(unit=stranger, role=MemberRole.LEADER).user,
    )


def thread_url(task):
    return reverse("admin:plans_taskcomment_thread", args=[task.pk])


def test_a_supporting_unit_writes_in_the_thread_and_mentions_the_lead(client, world):
    client.force_login(world["helper_official"])
    page = client.get(thread_url(world["task"])).content.decode()
    assert 'name="mentions"' in page and 'name="is_instruction"' not in page  # an official: no 批示 box

    response = client.post(thread_url(world["task"]), {"text": "资金已拨付", "mentions": [world["lead"].pk]})
    assert response.status_code == 302
    comment = TaskComment.objects.get()
    assert (comment.author, comment.unit, comment.is_instruction) == (world["helper_official"], world["helper"], False)
    assert list(comment.mentions.all()) == [world["lead"]]
    assert "资金已拨付" in client.get(thread_url(world["task"])).content.decode()


def test_an_officials_forged_instruction_is_a_plain_message(client, world):
    client.force_login(world["lead_official"])
    client.post(thread_url(world["task"]), {"text": "抓紧办理", "is_instruction": "on"})
    assert not TaskComment.objects.get().is_instruction


def test_a_leaders_instruction_is_marked_and_pinned_on_top(client, world):
    services.comment_add(user=world["helper_official"], task=world["task"], text="先到的留言")
    client.force_login(world["lead_leader"])
    assert 'name="is_instruction"' in client.get(thread_url(world["task"])).content.decode()
    client.post(thread_url(world["task"]), {"text": "务必月底前完成", "is_instruction": "on"})

    page = client.get(thread_url(world["task"])).content.decode()
    assert page.index("务必月底前完成") < page.index("先到的留言")
    assert page.index('class="message instruction"') < page.index("务必月底前完成")


def test_an_unrelated_unit_and_another_plans_office_get_a_404_and_write_nothing(client, world):
    services.comment_add(user=world["office"], task=world["task"], text="内部批示", is_instruction=True)
    for user in (world["stranger_leader"], world["other_office"]):
        client.force_login(user)
        assert client.get(thread_url(world["task"])).status_code == 404
        assert client.post(thread_url(world["task"]), {"text": "插一句"}).status_code == 404
        listing = client.get(reverse("admin:plans_taskcomment_changelist"))
        assert listing.status_code == 200 and "内部批示" not in listing.content.decode()
    assert TaskComment.objects.count() == 1


def test_a_forged_mention_of_a_unit_not_on_the_task_is_refused(client, world):
    client.force_login(world["lead_official"])
    response = client.post(thread_url(world["task"]), {"text": "请协助", "mentions": [world["stranger"].pk]})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not TaskComment.objects.exists()


def test_comments_are_read_only_in_their_list(client, world):
    comment = services.comment_add(user=world["lead_official"], task=world["task"], text="已开工")
    client.force_login(world["office"])
    assert "已开工" in client.get(reverse("admin:plans_taskcomment_changelist")).content.decode()
    assert client.post(reverse("admin:plans_taskcomment_change", args=[comment.pk]), {"text": "改掉"}).status_code == 403
    assert client.post(reverse("admin:plans_taskcomment_delete", args=[comment.pk]), {"post": "yes"}).status_code == 403
    comment.refresh_from_db()
    assert comment.text == "已开工"


def test_the_thread_tag_shows_the_thread_with_its_form_for_the_task_page(world):
    services.comment_add(user=world["office"], task=world["task"], text="请加快", is_instruction=True)
    request = RequestFactory().get("/")
    request.user = world["lead_leader"]
    html = Template("{% load discussion %}{% task_thread task %}").render(Context({"request": request, "task": world["task"]}))
    assert "请加快" in html and 'name="back" value="task"' in html and 'id="comment-form"' in html

    request.user = world["stranger_leader"]  # the tag does not widen who sees comments
    html = Template("{% load discussion %}{% task_thread task %}").render(Context({"request": request, "task": world["task"]}))
    assert "请加快" not in html and 'id="comment-form"' not in html


# --- 责任领导 / 联系人 ------------------------------------------------------------------------

def add_url(assignment, kind):
    return f"{reverse('admin:plans_assignmentperson_add')}?assignment={assignment.pk}&kind={kind}"


def test_the_lead_unit_names_its_leader_from_its_accounts(client, world):
    client.force_login(world["lead_official"])
    page = client.get(thread_url(world["task"])).content.decode()
    assert add_url(world["assignment"], "leader").replace("&", "&amp;") in page

    form = client.get(add_url(world["assignment"], "leader"))
    assert form.status_code == 200
    response = client.post(reverse("admin:plans_assignmentperson_add"), {
        "assignment": world["assignment"].pk, "kind": PersonKind.LEADER, "user": world["lead_leader"].pk,
        "name": "", "position": "副主任", "phone": "",
    })
    assert response.status_code == 302 and response["Location"].startswith(thread_url(world["task"]))
    person = AssignmentPerson.objects.get()
    assert (person.user, person.kind, person.position) == (world["lead_leader"], PersonKind.LEADER, "副主任")


def test_naming_for_another_units_part_or_with_an_outside_account_is_refused(client, world):
    client.force_login(world["helper_official"])
    client.post(reverse("admin:plans_assignmentperson_add"), {
        "assignment": world["assignment"].pk, "kind": PersonKind.CONTACT, "name": "张三",
    })
    client.force_login(world["lead_official"])
    response = client.post(reverse("admin:plans_assignmentperson_add"), {
        "assignment": world["assignment"].pk, "kind": PersonKind.CONTACT, "user": world["helper_official"].pk,
    })
    assert response.status_code == 200
    assert not AssignmentPerson.objects.exists()


def test_another_unit_reads_the_named_person_but_cannot_change_it(client, world):
    person = services.assignment_person_save(
        user=world["lead_official"], assignment=world["assignment"], kind=PersonKind.CONTACT, name="王科长",
    )
    client.force_login(world["helper_official"])
    assert "王科长" in client.get(thread_url(world["task"])).content.decode()
    change = reverse("admin:plans_assignmentperson_change", args=[person.pk])
    assert client.post(change, {"name": "李四", "expected_version": person.version}).status_code == 403
    assert client.post(reverse("admin:plans_assignmentperson_delete", args=[person.pk]), {"post": "yes"}).status_code == 403

    client.force_login(world["office"])
    response = client.post(change, {"user": "", "name": "李干事", "position": "", "phone": "13800000000",
                                    "expected_version": person.version})
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.name, person.phone) == ("李干事", "13800000000")

    client.force_login(world["stranger_leader"])
    assert client.get(change).status_code == 404


def test_the_task_page_shows_the_thread_and_a_post_from_it_comes_back_to_it(client, world):
    groups = groups_ensure()
    world["lead_leader"].groups.add(groups[GROUP_OF_ROLE[MemberRole.LEADER]])
    services.comment_add(user=world["helper_official"], task=world["task"], text="配合单位的留言")
    client.force_login(world["lead_leader"])
    task_page = reverse("admin:plans_task_change", args=[world["task"].pk])
    html = client.get(task_page).content.decode()
    assert 'id="task-thread"' in html and "配合单位的留言" in html and 'name="back" value="task"' in html
    comment_form = html[html.index('id="comment-form"'):]
    assert 'name="csrfmiddlewaretoken"' in comment_form[:comment_form.index("</form>")]

    response = client.post(thread_url(world["task"]), {"text": "已收到", "back": "task", "mentions": [world["helper"].pk]})
    assert response["Location"] == f"{task_page}#task-thread"
    assert "已收到" in client.get(task_page).content.decode()
