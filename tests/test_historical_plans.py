"""A plan whose period has passed is labelled a historical record on the plan list and the dashboard."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import PlanFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans():
    today = timezone.localdate()
    old = PlanFactory(title="二〇一六年旧方案", plan_year=2016, period_end=datetime.date(2016, 12, 31))
    running = PlanFactory(title="今年的方案", plan_year=today.year, period_end=today + datetime.timedelta(days=200))
    undated = PlanFactory(title="没有实施期的方案", plan_year=today.year)
    return old, running, undated


def test_only_a_plan_whose_period_has_passed_has_ended(plans):
    old, running, undated = plans

    assert old.ended_on == datetime.date(2016, 12, 31)
    assert running.ended_on is None and undated.ended_on is None


def test_the_plan_list_and_the_dashboard_label_the_old_plan_as_history(client, plans):
    old, running, _undated = plans
    client.force_login(UserFactory(username="root", is_superuser=True))

    listing = client.get(reverse("admin:plans_plan_changelist")).content.decode()
    old_page = client.get(reverse("dashboard"), {"plan": old.pk}).content.decode()
    running_page = client.get(reverse("dashboard"), {"plan": running.pk}).content.decode()

    assert "历史记录（2016-12-31 已到期）" in listing and "执行中" in listing
    assert "二〇一六年旧方案（历史记录）" in old_page
    assert "本方案实施期已于 2016年12月31日 结束" in old_page
    assert "本方案实施期已于" not in running_page and "今年的方案（历史记录）" not in running_page
