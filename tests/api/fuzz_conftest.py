"""Shared data for the error, concurrency and schema-fuzz tests of the API
(test_errors.py, test_concurrency.py, test_schema_fuzz.py).

Not a conftest: plain builders the test modules call from their own fixtures, whose names
carry an `err_`/`fuzz_` prefix so they never shadow a fixture of tests/api/conftest.py."""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from plans.models import Plan, ProgressReport, Task
from tests.test_permissions import build_world

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
    world = build_world(extra_officials=officials)
    return ApiWorld(
        users=world.users,
        tokens={name: Token.objects.create(user=user).key for name, user in world.users.items()},
        report_a=world.report_a,
        report_b=world.report_b,
        task_t=world.task_t,
        plan=world.task_t.plan,
    )


def load_seed_data() -> dict:
    """The two seed plans as `make run` loads them: fixtures, demo accounts, each plan's latest
    period open (so pending reports exist) and demo indicator values. Returns the Hebi plan's office account and plan."""
    from devtools.demo import demo_accounts_ensure, demo_indicator_values, demo_periods_open, office_username

    call_command("loaddata", *map(str, FIXTURES), verbosity=0)
    demo_accounts_ensure()
    demo_periods_open(historical=True)  # the seed plans' last periods open, as a demo of 2016 would have
    demo_indicator_values()
    hebi = Plan.objects.get(title__startswith="鹤壁市")
    from django.contrib.auth import get_user_model

    office = get_user_model().objects.get(username=office_username(hebi))
    return {"plan": hebi, "office": office, "token": Token.objects.get_or_create(user=office)[0].key}
