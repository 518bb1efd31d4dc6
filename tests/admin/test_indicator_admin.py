"""Indicators in the admin: the owner unit enters a period's value (in another unit of the same
kind, converted), a wrong unit or another unit's indicator is refused on the form with nothing
written, the indicator page shows its readings and chart; the office publishes a plan."""
import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from plans.models import Comparator, IndicatorValue, MemberRole, Plan
from plans.roles import GROUP_OF_ROLE, OFFICE_GROUP, groups_ensure
from tests.factories import (
    IndicatorValueFactory,
    MembershipFactory,
    OpenPeriodFactory,
    PlanFactory,
    ReportingPeriodFactory,
    TargetFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
ADD = reverse("admin:plans_indicatorvalue_add")


@pytest.fixture
def setting():
    groups = groups_ensure()
    plan = PlanFactory(plan_year=2016, period_start=datetime.date(2016, 1, 1), period_end=datetime.date(2016, 12, 31))
    office = UserFactory(username="office")
    office.groups.add(groups[OFFICE_GROUP])
    plan.office_staff.add(office)
    owner = UnitFactory(short_name="市发改委")
    official = MembershipFactory(unit=owner, role=MemberRole.OFFICIAL).user
    official.groups.add(groups[GROUP_OF_ROLE[MemberRole.OFFICIAL]])
    stranger = MembershipFactory(unit=UnitFactory(short_name="市财政局"), role=MemberRole.OFFICIAL).user
    stranger.groups.add(groups[GROUP_OF_ROLE[MemberRole.OFFICIAL]])
    target = TargetFactory(
        plan=plan, owner=owner, indicator="风电装机规模", comparator=Comparator.APPROX, value=Decimal("10"), unit="万千瓦", year=2016,
    )
    period = OpenPeriodFactory(plan=plan, label="2016Q3", start=datetime.date(2016, 7, 1), end=datetime.date(2016, 9, 30))
    return plan, office, official, stranger, target, period


def post_value(client, user, target, period, amount, **extra):
    client.force_login(user)
    return client.post(ADD, {"target": target.pk, "period": period.pk, "amount": amount, "note": "", "source": "", **extra})


def test_the_owner_enters_a_value_in_kilowatts_and_it_is_stored_in_the_targets_unit(client, setting):
    plan, office, official, stranger, target, period = setting

    response = post_value(client, official, target, period, "92000千瓦", source="市发改委统计")

    assert response.status_code == 302
    value = IndicatorValue.objects.get(target=target, period=period)
    assert (value.value, value.entered_as, value.source, value.entered_by) == (Decimal("9.2"), "92000千瓦", "市发改委统计", official)


def test_a_value_in_another_kind_of_unit_is_refused_on_the_form_and_nothing_is_written(client, setting):
    plan, office, official, stranger, target, period = setting

    response = post_value(client, official, target, period, "5亿元")

    assert response.status_code == 200
    assert "不能换算" in response.content.decode() and "万千瓦" in response.content.decode()
    assert not IndicatorValue.objects.exists()


def test_another_units_official_is_refused_and_nothing_is_written(client, setting):
    plan, office, official, stranger, target, period = setting

    response = post_value(client, stranger, target, period, "9")

    assert response.status_code in (200, 403)
    assert not IndicatorValue.objects.exists()


def test_the_add_form_offers_only_the_users_own_indicators_and_open_periods(client, setting):
    plan, office, official, stranger, target, period = setting
    other = TargetFactory(plan=plan, owner=UnitFactory(), indicator="光伏发电规模")
    closed = ReportingPeriodFactory(plan=plan, label="2016Q2", is_open=False)
    client.force_login(official)

    form = client.get(ADD).context["adminform"].form

    assert list(form.fields["target"].queryset) == [target]
    assert period in form.fields["period"].queryset and closed not in form.fields["period"].queryset
    assert other not in form.fields["target"].queryset


def test_a_second_value_for_the_same_period_is_refused_with_a_pointer_to_the_first(client, setting):
    plan, office, official, stranger, target, period = setting
    IndicatorValueFactory(target=target, period=period, value=Decimal("8"))

    response = post_value(client, official, target, period, "9")

    assert "已填报" in response.content.decode()
    assert IndicatorValue.objects.get().value == Decimal("8")


def test_the_office_corrects_a_closed_periods_value(client, setting):
    plan, office, official, stranger, target, period = setting
    closed = ReportingPeriodFactory(plan=plan, label="2016Q2", is_open=False, start=datetime.date(2016, 4, 1), end=datetime.date(2016, 6, 30))
    value = IndicatorValueFactory(target=target, period=closed, value=Decimal("8"))
    client.force_login(office)

    response = client.post(reverse("admin:plans_indicatorvalue_change", args=[value.pk]), {"amount": "8.5", "note": "更正", "source": ""})

    assert response.status_code == 302
    value.refresh_from_db()
    assert (value.value, value.note, value.version) == (Decimal("8.5"), "更正", 2)


def test_the_indicator_page_shows_each_periods_reading_and_the_chart(client, setting):
    plan, office, official, stranger, target, period = setting
    q2 = ReportingPeriodFactory(plan=plan, label="2016Q2", start=datetime.date(2016, 4, 1), end=datetime.date(2016, 6, 30))
    IndicatorValueFactory(target=target, period=q2, value=Decimal("6"))
    IndicatorValueFactory(target=target, period=period, value=Decimal("9.6"))
    client.force_login(official)

    html = client.get(reverse("admin:plans_target_change", args=[target.pk])).content.decode()

    assert html.count('<tr class="reading">') == 2
    assert "9.6万千瓦" in html and "已达标" in html  # ≈ 10 within 5 %
    assert '<svg class="indicator-chart"' in html and html.count('<circle class="value"') == 2


def test_the_indicator_list_runs_the_same_number_of_queries_for_2_and_8_indicators(client, setting):
    plan, office, official, stranger, target, period = setting
    client.force_login(office)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("admin:plans_target_changelist")).status_code == 200
        return len(captured)

    TargetFactory(plan=plan, indicator="光伏")
    few = queries()
    for number in range(6):
        IndicatorValueFactory(target=TargetFactory(plan=plan, indicator=f"指标{number}"), period=period)

    assert queries() == few


def test_the_office_publishes_and_withdraws_a_plan_from_the_plan_list(client, setting):
    plan, office, official, stranger, target, period = setting
    client.force_login(office)
    changelist = reverse("admin:plans_plan_changelist")

    response = client.post(changelist, {"action": "publish", "_selected_action": [plan.pk]}, follow=True)

    plan.refresh_from_db()
    assert plan.is_published and plan.published_at is not None
    assert reverse("public-plan", args=[plan.pk]) in response.content.decode()
    client.post(changelist, {"action": "withdraw", "_selected_action": [plan.pk]})
    assert not Plan.objects.get(pk=plan.pk).is_published


def test_a_unit_official_cannot_publish(client, setting):
    plan, office, official, stranger, target, period = setting
    client.force_login(official)

    client.post(reverse("admin:plans_plan_changelist"), {"action": "publish", "_selected_action": [plan.pk]})

    assert not Plan.objects.get(pk=plan.pk).is_published


def test_a_value_entered_by_someone_else_between_the_check_and_the_save_is_a_message_not_a_500(client, setting, monkeypatch):
    """The race, replayed in one process: the form and the service's check find no value for
    the period (a colleague's is not committed yet), then the insert meets the colleague's.
    The admin says so on the page and saves nothing of the form (the colleague's row, made
    here in the same transaction, goes with it; in life it was committed by another)."""
    plan, office, official, stranger, target, period = setting
    manager = IndicatorValue.objects

    def check_before_the_colleague_commits(*args, **kwargs):
        manager.create(target=target, period=period, value=Decimal("7"), entered_as="7万千瓦")
        return manager.filter(pk__in=[])

    monkeypatch.setattr(manager, "select_for_update", check_before_the_colleague_commits)
    response = post_value(client, official, target, period, "9")
    monkeypatch.undo()

    assert response.status_code == 302
    assert "版本已变化" in client.get(response["Location"]).content.decode()
    assert not IndicatorValue.objects.filter(target=target, period=period, value=Decimal("9")).exists()
