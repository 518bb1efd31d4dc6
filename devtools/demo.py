"""Demo data for `make run`: accounts for every unit and office of the loaded plans, and an
open reporting period per plan. Demo passwords exist only here; never run on real data.

`make run` runs these again over a demo an office may have edited, so each only adds what is
missing: an existing account, membership, period or indicator value is left as it is."""
from __future__ import annotations

import hashlib
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from plans import services
from plans.indicators import elapsed_share, rising
from plans.models import Assignment, IndicatorValue, MemberRole, Membership, Plan, Target, Unit
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
    units = list(
        Unit.objects.filter(pk__in=Assignment.objects.filter(task__plan=plan).values("unit"))
        .prefetch_related("members")
    )
    members = [member for unit in units for member in unit.members.all()]
    return sorted(dict.fromkeys(units + members), key=lambda unit: unit.name)


def demo_accounts_ensure() -> list[dict]:
    """Create the demo accounts that do not exist yet, with their group, unit and plan; an
    existing account (its password, groups, unit, plans) is left as the office made it.
    Returns them as `demo_accounts --json` prints them, "created" telling which are new."""
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)  # hashed once: the same demo password for every account
    groups = groups_ensure()
    accounts: dict[str, dict] = {}

    def account(username: str, role: str, unit: Unit | None, plan: Plan | None, **flags) -> tuple[User, bool]:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "password": password, "is_active": True, "is_staff": True,
                "email": f"{username}@demo.invalid", **flags,
            },
        )
        entry = accounts.setdefault(username, {"username": username, "password": DEMO_PASSWORD, "role": role,
                                               "unit": unit.name if unit else None, "plans": [], "created": created})
        if plan is not None and plan.title not in entry["plans"]:
            entry["plans"].append(plan.title)
        return user, created

    with transaction.atomic():
        account(SUPERUSER, "superuser", None, None, is_superuser=True)
        for plan in Plan.objects.order_by("plan_year", "title"):
            office, created = account(office_username(plan), "office", None, plan)
            if created:
                office.groups.add(groups[OFFICE_GROUP])
                plan.office_staff.add(office)
            for unit in _units_of(plan):
                for role in (MemberRole.OFFICIAL, MemberRole.LEADER):
                    user, created = account(unit_username(unit, role), role.value, unit, plan)
                    if created:
                        Membership.objects.create(user=user, unit=unit, role=role)
                        user.groups.add(groups[GROUP_OF_ROLE[role]])
    return list(accounts.values())


def demo_periods_open() -> list[str]:
    """Generate each plan's missing reporting periods and, for a plan that had none before,
    open its last one (as a demo office would). A plan whose periods exist keeps them as the
    office left them: a period it closed stays closed."""
    opened = []
    superuser = get_user_model().objects.get(username=SUPERUSER)
    for plan in Plan.objects.order_by("plan_year", "title"):
        had_periods = plan.periods.exists()
        services.periods_generate(user=None, plan=plan)
        period = None if had_periods else plan.periods.order_by("-start").first()
        if period is not None:
            created = services.period_open(user=superuser, period=period)
            opened.append(f"{plan.title} {period.label}: {len(created)}")
    return opened


def _demo_amount(target: Target, share: Decimal) -> Decimal:
    """A plausible measured value at `share` of the target's span: a rising target climbs from
    its baseline (else 0) with a per-indicator pace of 80–110 %; a falling one comes down from
    30 % above the target. Deterministic, so a repeated `make run` shows the same figures."""
    pace = Decimal(80 + int(_slug(target.indicator), 16) % 31) / 100
    if rising(target):
        base = target.baseline or Decimal(0)
        amount = base + (target.value - base) * share * pace
    else:
        start = target.baseline or target.value * Decimal("1.3")
        amount = start - (start - target.value) * share * pace
    return amount.quantize(Decimal("0.01"))


def demo_indicator_values() -> int:
    """Values for every active indicator of each plan for its periods before the open one, for
    indicators that have none yet; returns how many were entered."""
    superuser = get_user_model().objects.get(username=SUPERUSER)
    entered = 0
    for plan in Plan.objects.order_by("plan_year", "title"):
        periods = list(plan.periods.filter(is_open=False).order_by("start"))
        for target in plan.targets.filter(is_active=True).select_related("plan"):
            if IndicatorValue.objects.filter(target=target).exists():
                continue
            for period in periods:
                share = elapsed_share(target, plan, period.end)
                services.indicator_value_save(
                    user=superuser, target=target, period=period, value=_demo_amount(target, share),
                    note="演示数据", source="演示",
                )
                entered += 1
    return entered
