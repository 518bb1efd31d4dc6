"""The API names people as the pages do ("张伟（市发改委）") beside the account, in constant queries."""
import datetime
from decimal import Decimal

import pytest

from plans import services
from plans.models import IndicatorValue
from tests.api.conftest import count_queries
from tests.factories import (
    MembershipFactory, PlanFactory, ReportingPeriodFactory, TargetFactory, UnitFactory, UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def values():
    """12 values of a plan, each entered by another account: named unit accounts, named and
    unnamed office accounts."""
    office = UserFactory(username="office-x")
    services.profile_save(user=office, account=office, name="陈静", position="督查室主任")
    plan = PlanFactory(plan_year=2026)
    plan.office_staff.add(office)
    period = ReportingPeriodFactory(
        plan=plan, label="2026Q1", start=datetime.date(2026, 1, 1), end=datetime.date(2026, 3, 31),
        due_date=datetime.date(2026, 4, 5),
    )
    people = []
    for n in range(12):
        user = UserFactory(username=f"u{n}-official")
        if n % 3:
            MembershipFactory(user=user, unit=UnitFactory(name=f"单位{n}全称", short_name=f"单位{n}"))
        if n % 4:
            services.profile_save(user=user, account=user, name=f"张{'伟芳娜敏静丽强磊军洋勇艳'[n]}")
        target = TargetFactory(plan=plan, owner=UnitFactory())
        IndicatorValue.objects.create(target=target, period=period, value=Decimal(n), entered_by=user)
        people.append(user)
    return office, people


def expected_name(user) -> str:
    n = int(user.username[1:].split("-")[0])
    name = f"张{'伟芳娜敏静丽强磊军洋勇艳'[n]}" if n % 4 else user.username
    return f"{name}（单位{n}）" if n % 3 else name


def test_indicator_values_name_who_entered_them_by_name_and_unit(api, values):
    office, people = values
    rows = api(office).get("/api/indicator-values/?page_size=50").json()["results"]

    names = {row["entered_by"]: row["entered_by_name"] for row in rows}
    assert names == {user.username: expected_name(user) for user in people}
    assert names["u1-official"] == "张芳（单位1）"


def test_the_names_cost_no_query_per_row(api, values):
    office, _people = values
    client = api(office)

    assert count_queries(client, "/api/indicator-values/?page_size=3") == count_queries(
        client, "/api/indicator-values/?page_size=12"
    )
