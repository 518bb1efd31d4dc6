"""Shared data for the error, concurrency and schema-fuzz tests of the API
(test_errors.py, test_concurrency.py, test_schema_fuzz.py).

Not a conftest: plain builders the test modules call from their own fixtures, whose names
carry an `err_`/`fuzz_` prefix so they never shadow a fixture of tests/api/conftest.py."""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from plans import services
from plans.models import MemberRole, Plan, ProgressReport, Role, Task, UnitKind
from tests.factories import (
    AssignmentFactory,
    MembershipFactory,
    PlanFactory,
    ReportingPeriodFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)

PASSWORD = "pw-for-tests-only"  # tests.factories.UserFactory's password
FIXTURES = [
    settings.BASE_DIR / "fixtures" / name
    for name in ("hebi-2016-blue-sky-plan.json", "fujian-2024-export-industries-plan.json")
]


@dataclass
class ApiWorld:
    users: dict
    tokens: dict
    report_a: ProgressReport  # unit A's report on task T (A leads T): visible to A, S, M and the office
    report_b: ProgressReport  # unit B's report on task B: invisible to unit A
    task_t: Task
    plan: Plan

    def client(self, actor: str | None = None) -> APIClient:
        """An API client; with an actor, authenticated by that user's token."""
        client = APIClient()
        if actor is not None:
            client.credentials(HTTP_AUTHORIZATION=f"Token {self.tokens[actor]}")
        return client


def build_api_world(officials: int = 0) -> ApiWorld:
    """The permission matrix's world (tests/test_permissions.py) plus a token per account and,
    given `officials`, that many extra officials of unit A (official_a1 …) for concurrency."""
    plan = PlanFactory()
    other_plan = PlanFactory()
    unit_a, unit_b, unit_s, unit_m = (UnitFactory(short_name=name) for name in ("市发改委", "市公安局", "市财政局", "浚县政府"))
    collective = UnitFactory(short_name="各县区政府(管委)", kind=UnitKind.COLLECTIVE)
    collective.members.add(unit_m)
    task_t = TaskFactory(plan=plan, title="燃煤替代")
    AssignmentFactory(task=task_t, unit=unit_a, role=Role.RESPONSIBLE)
    AssignmentFactory(task=task_t, unit=collective, role=Role.RESPONSIBLE)
    AssignmentFactory(task=task_t, unit=unit_s, role=Role.SUPPORTING)
    task_b = TaskFactory(plan=plan, title="黄标车淘汰")
    AssignmentFactory(task=task_b, unit=unit_b, role=Role.RESPONSIBLE)
    users = {}
    accounts = [
        ("official_a", unit_a, MemberRole.OFFICIAL), ("leader_a", unit_a, MemberRole.LEADER),
        ("member_m", unit_m, MemberRole.LEADER), ("official_s", unit_s, MemberRole.OFFICIAL),
        ("official_b", unit_b, MemberRole.OFFICIAL), ("leader_b", unit_b, MemberRole.LEADER),
    ] + [(f"official_a{n}", unit_a, MemberRole.OFFICIAL) for n in range(1, officials + 1)]
    for name, unit, role in accounts:
        users[name] = MembershipFactory(user=UserFactory(username=name), unit=unit, role=role).user
    users["office"] = UserFactory(username="office")
    plan.office_staff.add(users["office"])
    users["other_office"] = UserFactory(username="other_office")
    other_plan.office_staff.add(users["other_office"])
    period = ReportingPeriodFactory(plan=plan, due_date=datetime.date(2016, 9, 23))
    services.period_open(user=users["office"], period=period)
    tokens = {name: Token.objects.create(user=user).key for name, user in users.items()}
    return ApiWorld(
        users=users,
        tokens=tokens,
        report_a=ProgressReport.objects.get(task=task_t, unit=unit_a),
        report_b=ProgressReport.objects.get(task=task_b, unit=unit_b),
        task_t=task_t,
        plan=plan,
    )


def load_seed_data() -> dict:
    """The two seed plans as `make run` loads them: fixtures, demo accounts, each plan's latest
    period open (so pending reports exist). Returns the Hebi plan's office account and plan."""
    from plans.demo import demo_accounts_ensure, demo_periods_open, office_username

    call_command("loaddata", *map(str, FIXTURES), verbosity=0)
    demo_accounts_ensure()
    demo_periods_open()
    hebi = Plan.objects.get(title__startswith="鹤壁市")
    from django.contrib.auth import get_user_model

    office = get_user_model().objects.get(username=office_username(hebi))
    return {"plan": hebi, "office": office, "token": Token.objects.get_or_create(user=office)[0].key}
