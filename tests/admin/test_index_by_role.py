"""The admin index's 督办工作 shortcuts follow the role (plans/admin/site.py passes the flags): a
unit's official or leader sees 本期待办 and the sheet upload, office staff the 督办看板, the sheet
upload and the plan import, a superuser all four; nobody sees a link their role does not use."""
import html
import re

import pytest
from django.urls import reverse

from plans.models import MemberRole
from plans.roles import GROUP_OF_ROLE, OFFICE_GROUP, groups_ensure
from tests.factories import MembershipFactory, PlanFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db

INBOX, DASHBOARD, UPLOAD, IMPORT = "本期待办", "督办看板", "上传填报的进展情况表", "导入方案文件"
ALL = {INBOX, DASHBOARD, UPLOAD, IMPORT}


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
    root = UserFactory(username="root", is_superuser=True)
    return {"official": official, "leader": leader, "office": office, "root": root}


def shortcuts(client, user) -> dict[str, str]:
    """The index's shortcut links as the user sees them: their text and where they lead."""
    client.force_login(user)
    response = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    box = re.search(r'<div[^>]*id="tracker-shortcuts".*?</div>', response.content.decode(), re.S)
    links = re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', box.group(0), re.S) if box else []
    return {html.unescape(text).strip(): html.unescape(href) for href, text in links}


@pytest.mark.parametrize(("role", "shown"), [
    ("official", {INBOX, UPLOAD}),
    ("leader", {INBOX, UPLOAD}),
    ("office", {DASHBOARD, UPLOAD, IMPORT}),
    ("root", ALL),
])
def test_each_role_sees_its_shortcuts_and_not_the_others(client, accounts, role, shown):
    links = shortcuts(client, accounts[role])
    assert set(links) == shown
    assert not (ALL - shown) & set(links)


def test_the_shortcuts_lead_to_the_role_pages(client, accounts):
    links = shortcuts(client, accounts["root"])
    assert links[INBOX] == reverse("inbox")
    assert links[DASHBOARD] == reverse("dashboard")
    assert links[UPLOAD] == reverse("sheet-upload")
    assert links[IMPORT] == reverse("admin:plans_planimport_add")


def test_an_office_group_member_without_a_plan_yet_sees_the_dashboard_but_no_import(client, accounts):
    newcomer = UserFactory(username="new-office")
    newcomer.groups.add(groups_ensure()[OFFICE_GROUP])
    links = shortcuts(client, newcomer)
    assert DASHBOARD in links and INBOX not in links  # where their login lands them (plans.landing)
    assert IMPORT not in links  # PlanImportAdmin does not let them add one until a plan names them


def test_an_account_of_no_unit_and_no_plan_sees_no_shortcuts(client, accounts):
    assert shortcuts(client, UserFactory(username="plain-staff")) == {}
