"""Where the admin's login form lands each role (plans.landing), and which models the admin's
menu lists for a unit's account, the office and a superuser (plans/admin/site.py)."""
import pytest
from django.contrib import admin
from django.urls import reverse

from plans.models import MemberRole
from plans.roles import GROUP_OF_ROLE, OFFICE_GROUP, groups_ensure
from tests.factories import MembershipFactory, PlanFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-only"
UNIT_HIDDEN = ["单位别名", "时限", "章节", "任务分工", "方案文件导入", "催报记录", "单位", "报送周期"]


@pytest.fixture
def accounts():
    groups = groups_ensure()
    unit = UnitFactory(short_name="市环保局", name="鹤壁市环境保护局")
    official = MembershipFactory(user=UserFactory(username="hb-official"), unit=unit, role=MemberRole.OFFICIAL).user
    leader = MembershipFactory(user=UserFactory(username="hb-leader"), unit=unit, role=MemberRole.LEADER).user
    official.groups.add(groups[GROUP_OF_ROLE[MemberRole.OFFICIAL]])
    leader.groups.add(groups[GROUP_OF_ROLE[MemberRole.LEADER]])
    office = UserFactory(username="hb-office")
    office.groups.add(groups[OFFICE_GROUP])
    PlanFactory().office_staff.add(office)
    UserFactory(username="root", is_superuser=True)
    return {"official": official, "leader": leader, "office": office}


def log_in(client, username, **extra):
    """The login form as the browser sends it: the admin fills in next=/admin/ itself."""
    url = reverse("admin:login")
    page = client.get(url, extra.pop("query", {}))
    assert page.status_code == 200
    data = {"username": username, "password": PASSWORD, "next": page.context["next"], **extra}
    return client.post(url + (f"?next={page.context['next']}" if "next" in extra else ""), data)


@pytest.mark.parametrize(("username", "landing"), [
    ("hb-official", "inbox"),
    ("hb-leader", "inbox"),
    ("hb-office", "dashboard"),
    ("root", "admin:index"),
])
def test_login_lands_each_role_on_its_page(client, accounts, username, landing):
    response = log_in(client, username)
    assert response.status_code == 302
    assert response["Location"] == reverse(landing)
    assert client.get(response["Location"]).status_code == 200


def test_opening_the_admin_index_logged_out_then_logging_in_lands_on_the_role_page(client, accounts):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "next=/admin/" in response["Location"]
    response = log_in(client, "hb-official", query={"next": reverse("admin:index")})
    assert response["Location"] == reverse("inbox")


@pytest.mark.parametrize("username", ["hb-official", "hb-office", "root"])
def test_a_next_parameter_is_honoured(client, accounts, username):
    wanted = reverse("admin:plans_progressreport_changelist")
    response = client.post(
        reverse("admin:login") + f"?next={wanted}", {"username": username, "password": PASSWORD, "next": wanted},
    )
    assert response.status_code == 302
    assert response["Location"] == wanted


def test_a_wrong_password_stays_on_the_form(client, accounts):
    response = client.post(reverse("admin:login"), {"username": "hb-official", "password": "wrong", "next": "/admin/"})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated


def test_the_admin_index_stays_reachable_after_login(client, accounts):
    log_in(client, "hb-leader")
    assert client.get(reverse("admin:index")).status_code == 200


def menu(client, url="admin:index"):
    response = client.get(reverse(url))
    assert response.status_code == 200
    return {str(model["name"]) for app in response.context["app_list"] for model in app["models"]}


def sidebar(client):
    response = client.get(reverse("admin:plans_progressreport_changelist"))
    return {str(model["name"]) for app in response.context["available_apps"] for model in app["models"]}


@pytest.mark.parametrize("username", ["hb-official", "hb-leader"])
def test_a_unit_account_is_offered_only_what_it_uses(client, accounts, username):
    client.force_login(accounts[username.removeprefix("hb-")])
    for listed in (menu(client), sidebar(client), menu_of_app(client)):
        assert {"进展报告", "任务", "指标实际值"} <= listed
        assert not listed & set(UNIT_HIDDEN), listed & set(UNIT_HIDDEN)


def menu_of_app(client):
    response = client.get(reverse("admin:app_list", args=["plans"]))
    assert response.status_code == 200
    return {str(model["name"]) for app in response.context["app_list"] for model in app["models"]}


def test_a_hidden_model_still_answers_as_its_permissions_say(client, accounts):
    """Off the menu is not off limits or newly open: the URLs answer as before."""
    client.force_login(accounts["official"])
    assert client.get(reverse("admin:plans_deadline_changelist")).status_code == 200  # view_deadline: read only
    assert client.get(reverse("admin:plans_unitalias_add")).status_code == 403


def test_the_office_is_offered_what_it_manages(client, accounts):
    client.force_login(accounts["office"])
    listed = menu(client)
    assert {"进展报告", "任务", "单位别名", "时限", "章节", "任务分工", "方案文件导入", "报送周期"} <= listed
    assert "单位账号" not in listed  # accounts are the superuser's


def test_the_superuser_is_offered_every_model(client, accounts):
    client.force_login(UserFactory(username="root"))
    listed = menu(client)
    every = {str(model._meta.verbose_name_plural) for model in admin.site._registry}
    assert every <= listed
