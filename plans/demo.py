"""Demo data for `make run`: accounts for every unit and office of the loaded plans, and an
open reporting period per plan. Demo passwords exist only here; never run on real data."""
from __future__ import annotations

import hashlib

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from plans import services
from plans.models import Assignment, MemberRole, Membership, Plan, Unit
from plans.roles import GROUP_OF_ROLE, OFFICE_GROUP, groups_ensure

DEMO_PASSWORD = "tracker-demo-2016"
SUPERUSER = "admin"


def _slug(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:6]


def unit_username(unit: Unit, role: str) -> str:
    return f"u{_slug(unit.name)}-{role}"


def office_username(plan: Plan) -> str:
    return f"office-{_slug(plan.key)}"


def _units_of(plan: Plan) -> list[Unit]:
    """Units holding a role in the plan, and the members of its collectives."""
    units = list(Unit.objects.filter(pk__in=Assignment.objects.filter(task__plan=plan).values("unit")).prefetch_related("members"))
    members = [member for unit in units for member in unit.members.all()]
    return sorted(dict.fromkeys(units + members), key=lambda unit: unit.name)


def demo_accounts_ensure() -> list[dict]:
    """Create (or reset) the demo accounts; returns them as `demo_accounts --json` prints them."""
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)  # hashed once: the same demo password for every account
    groups = groups_ensure()
    accounts: dict[str, dict] = {}

    def account(username: str, role: str, unit: Unit | None, plan: Plan | None, **flags) -> User:
        user, _created = User.objects.update_or_create(
            username=username,
            defaults={"password": password, "is_active": True, "is_staff": True, "email": f"{username}@demo.invalid", **flags},
        )
        entry = accounts.setdefault(username, {"username": username, "password": DEMO_PASSWORD, "role": role,
                                               "unit": unit.name if unit else None, "plans": []})
        if plan is not None and plan.title not in entry["plans"]:
            entry["plans"].append(plan.title)
        return user

    with transaction.atomic():
        account(SUPERUSER, "superuser", None, None, is_superuser=True)
        for plan in Plan.objects.order_by("plan_year", "title"):
            office = account(office_username(plan), "office", None, plan)
            office.groups.add(groups[OFFICE_GROUP])
            plan.office_staff.add(office)
            for unit in _units_of(plan):
                for role in (MemberRole.OFFICIAL, MemberRole.LEADER):
                    user = account(unit_username(unit, role), role.value, unit, plan)
                    Membership.objects.update_or_create(user=user, defaults={"unit": unit, "role": role})
                    user.groups.add(groups[GROUP_OF_ROLE[role]])
    return list(accounts.values())


def demo_periods_open() -> list[str]:
    """Generate each plan's reporting periods and open its last one (as a demo office would)."""
    opened = []
    superuser = get_user_model().objects.get(username=SUPERUSER)
    for plan in Plan.objects.order_by("plan_year", "title"):
        services.periods_generate(plan=plan)
        period = plan.periods.order_by("-start").first()
        if period is not None:
            created = services.period_open(user=superuser, period=period)
            opened.append(f"{plan.title} {period.label}: {len(created)}")
    return opened
