"""A task's thread (留言, 批示, mentions) and the named 责任领导/联系人, through the services."""
import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from plans import services
from plans.models import AssignmentPerson, MemberRole, PersonKind, Role, TaskComment
from plans.services.reminders import reminders_send
from tests.factories import (
    AccountFactory,
    AssignmentFactory,
    MembershipFactory,
    OpenPeriodFactory,
    PlanFactory,
    ProgressReportFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)


@pytest.fixture
def world(db):
    plan = PlanFactory()
    office = UserFactory()
    plan.office_staff.add(office)
    lead, helper, stranger = UnitFactory(short_name="市发改委"), UnitFactory(short_name="市财政局"), UnitFactory()
    task = TaskFactory(plan=plan, title="推进项目建设")
    lead_assignment = AssignmentFactory(task=task, unit=lead, role=Role.RESPONSIBLE)
    AssignmentFactory(task=task, unit=helper, role=Role.SUPPORTING)
    accounts = {
        "lead_official": MembershipFactory(unit=lead, role=MemberRole.OFFICIAL).user,
        "lead_leader": MembershipFactory(unit=lead, role=MemberRole.LEADER).user,
        "helper_official": MembershipFactory(unit=helper, role=MemberRole.OFFICIAL).user,
        "stranger_leader": MembershipFactory(unit=stranger, role=MemberRole.LEADER).user,
    }
    return dict(plan=plan, office=office, lead=lead, helper=helper, stranger=stranger, task=task,
                assignment=lead_assignment, **accounts)


def test_a_supporting_unit_comments_and_its_unit_is_recorded(world):
    comment = services.comment_add(
        user=world["helper_official"], task=world["task"], text="  资金已拨付  ", mentions=[world["lead"]],
    )
    comment.refresh_from_db()
    assert (comment.text, comment.unit, comment.is_instruction) == ("资金已拨付", world["helper"], False)
    assert list(comment.mentions.all()) == [world["lead"]]
    assert comment.history.get().history_user == world["helper_official"]


def test_an_unrelated_unit_is_refused_and_nothing_is_written(world):
    with pytest.raises(PermissionDenied, match="只有督办人员和该任务的单位才能留言"):
        services.comment_add(user=world["stranger_leader"], task=world["task"], text="我也说一句")
    assert not TaskComment.objects.exists()


def test_an_officials_instruction_is_refused_a_leaders_and_the_offices_are_kept(world):
    with pytest.raises(PermissionDenied, match="只有领导才能作批示"):
        services.comment_add(user=world["lead_official"], task=world["task"], text="抓紧办理", is_instruction=True)
    assert not TaskComment.objects.exists()

    by_leader = services.comment_add(user=world["lead_leader"], task=world["task"], text="抓紧办理", is_instruction=True)
    by_office = services.comment_add(user=world["office"], task=world["task"], text="月底前完成", is_instruction=True)
    assert by_leader.is_instruction and by_leader.unit == world["lead"]
    assert by_office.is_instruction and by_office.unit is None  # office staff speak for no unit


def test_a_mention_of_a_unit_not_on_the_task_is_refused(world):
    with pytest.raises(ValidationError) as refusal:
        services.comment_add(
            user=world["lead_official"], task=world["task"], text="请协助", mentions=[world["helper"], world["stranger"]],
        )
    assert "只能提及承担该任务的单位" in str(refusal.value) and str(world["stranger"]) in str(refusal.value)
    assert not TaskComment.objects.exists()


def test_an_empty_comment_is_refused(world):
    with pytest.raises(ValidationError, match="请填写留言内容"):
        services.comment_add(user=world["lead_official"], task=world["task"], text="   ")


def test_instructions_come_first_and_comments_are_seen_only_by_who_sees_the_task(world):
    first = services.comment_add(user=world["lead_official"], task=world["task"], text="已开工")
    instruction = services.comment_add(user=world["office"], task=world["task"], text="加快进度", is_instruction=True)
    assert list(world["task"].comments.all()) == [instruction, first]
    assert TaskComment.objects.visible_to(world["helper_official"]).count() == 2
    assert not TaskComment.objects.visible_to(world["stranger_leader"]).exists()
    assert not TaskComment.objects.visible_to(UserFactory()).exists()


def test_the_public_page_shows_no_comment(world, client):
    services.comment_add(user=world["office"], task=world["task"], text="内部批示不公开", is_instruction=True)
    services.plan_publish(user=world["office"], plan=world["plan"], published=True)
    response = client.get(reverse("public-plan", args=[world["plan"].pk]))
    assert response.status_code == 200 and world["task"].title in response.content.decode()
    assert "内部批示不公开" not in response.content.decode()


# --- 责任领导 / 联系人 ------------------------------------------------------------------------

def test_a_unit_names_its_leader_by_account_and_its_contact_by_name(world):
    leader = services.assignment_person_save(
        user=world["lead_official"], assignment=world["assignment"], kind=PersonKind.LEADER,
        account=world["lead_leader"],
    )
    contact = services.assignment_person_save(
        user=world["lead_official"], assignment=world["assignment"], kind=PersonKind.CONTACT,
        name="王科长", position="综合科科长", phone="0392-1234567",
    )
    assert leader.user == world["lead_leader"]
    assert (contact.display_name, contact.display_position, contact.display_phone) == (
        "王科长", "综合科科长", "0392-1234567")

    replaced = services.assignment_person_save(
        user=world["office"], assignment=world["assignment"], kind=PersonKind.CONTACT, name="李干事",
        expected_version=contact.version,
    )
    assert replaced.pk == contact.pk and replaced.display_name == "李干事"
    assert AssignmentPerson.objects.filter(assignment=world["assignment"]).count() == 2


def test_naming_is_refused_for_another_units_part_or_an_outside_account(world):
    with pytest.raises(PermissionDenied, match="只能为本单位的分工指定责任人"):
        services.assignment_person_save(
            user=world["helper_official"], assignment=world["assignment"], kind=PersonKind.CONTACT, name="张三",
        )
    with pytest.raises(ValidationError, match="只能指定本单位的账号"):
        services.assignment_person_save(
            user=world["lead_official"], assignment=world["assignment"], kind=PersonKind.LEADER,
            account=world["helper_official"],
        )
    with pytest.raises(ValidationError, match="请选择账号或填写姓名"):
        services.assignment_person_save(user=world["lead_official"], assignment=world["assignment"], kind="contact")
    assert not AssignmentPerson.objects.exists()


def test_a_stale_save_and_an_outsiders_delete_are_refused(world):
    person = services.assignment_person_save(
        user=world["lead_official"], assignment=world["assignment"], kind=PersonKind.CONTACT, name="王科长",
    )
    services.assignment_person_save(
        user=world["lead_official"], assignment=world["assignment"], kind=PersonKind.CONTACT, name="李干事",
    )
    with pytest.raises(services.StaleVersion):
        services.assignment_person_save(
            user=world["lead_official"], assignment=world["assignment"], kind=PersonKind.CONTACT, name="赵某",
            expected_version=person.version,
        )
    with pytest.raises(PermissionDenied):
        services.assignment_person_delete(user=world["stranger_leader"], person=person)
    assert AssignmentPerson.objects.get().name == "李干事"

    services.assignment_person_delete(user=world["lead_leader"], person=person)
    assert not AssignmentPerson.objects.exists()


# --- notices go to the named people first -------------------------------------------------

def due_report(period, unit, title):
    task = TaskFactory(plan=period.plan, title=title)
    assignment = AssignmentFactory(task=task, unit=unit, role=Role.RESPONSIBLE)
    ProgressReportFactory(task=task, unit=unit, period=period)
    return assignment


def test_reminders_go_to_the_named_contact_alone_or_first(db, mailoutbox):
    unit = UnitFactory(short_name="市发改委")
    contact = AccountFactory(unit=unit, user__email="contact@hebi.gov.cn").user
    AccountFactory(unit=unit, user__email="all@hebi.gov.cn")
    due = datetime.date(2016, 9, 23)
    period = OpenPeriodFactory(plan=PlanFactory(), due_date=due)
    named = due_report(period, unit, "有联系人的任务")
    services.assignment_person_save(user=contact, assignment=named, kind=PersonKind.CONTACT, account=contact)

    reminders_send(today=due - datetime.timedelta(days=3))
    assert [mail.to for mail in mailoutbox] == [["contact@hebi.gov.cn"]]  # the named contact alone

    due_report(period, unit, "无人指定的任务")
    reminders_send(today=due - datetime.timedelta(days=1))
    assert mailoutbox[-1].to == ["contact@hebi.gov.cn", "all@hebi.gov.cn"]  # named first, then the unit
