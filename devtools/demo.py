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
from plans.models import (
    Assignment,
    IndicatorValue,
    MemberRole,
    Membership,
    Plan,
    Profile,
    Target,
    Unit,
    person_name,
)
from plans.roles import GROUP_OF_ROLE, OFFICE_GROUP, groups_ensure

DEMO_PASSWORD = "tracker-demo-2016"
SUPERUSER = "admin"

# Plausible people for the demo accounts, picked by the username's digest (the same person on
# every run): a surname, a one- or two-character given name, a position by role and unit kind.
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
    "余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红文斌宇浩凯鹏辉晓东雪梅海燕丹宁"
    "波琳瑶欣怡思源嘉颖俊峰国庆卫东春生"
)
POSITIONS = {
    "official": ("办公室科员", "综合科副科长", "规划科科员", "办公室副主任", "综合科科长"),
    "leader": ("副局长", "副主任", "党组成员、副局长", "副县长", "局长"),
    "office": ("督查室主任", "督查科科长", "督查室副主任"),
    "superuser": ("系统管理员",),
}
AREA_CODES = {"鹤壁市": "0392", "福建省": "0591"}


def demo_person(username: str, role: str, jurisdiction: str = "") -> dict[str, str]:
    """A name, position and office phone for a demo account, fixed by its username."""
    digest = int(hashlib.sha1(username.encode("utf-8")).hexdigest(), 16)
    surname = SURNAMES[digest % len(SURNAMES)]
    digest //= len(SURNAMES)
    given = GIVEN[digest % len(GIVEN)]
    digest //= len(GIVEN)
    if digest % 3:  # two of three given names have two characters
        given += GIVEN[(digest // 3) % len(GIVEN)]
    positions = POSITIONS.get(role, POSITIONS["official"])
    phone = f"{AREA_CODES.get(jurisdiction, '0392')}-{3000000 + digest % 6000000}"
    return {"name": surname + given, "position": positions[digest % len(positions)], "phone": phone}


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
        if not Profile.objects.filter(user=user).exists():  # a name the office gave is kept
            jurisdiction = unit.jurisdiction if unit else (plan.jurisdiction if plan else "")
            services.profile_save(user=superuser or user, account=user, **demo_person(username, role, jurisdiction))
        entry = accounts.setdefault(username, {
            "username": username, "password": DEMO_PASSWORD, "role": role, "unit": unit.name if unit else None,
            "name": person_name(user), "plans": [], "created": created,
        })
        if plan is not None and plan.title not in entry["plans"]:
            entry["plans"].append(plan.title)
        return user, created

    superuser = None
    with transaction.atomic():
        superuser, _created = account(SUPERUSER, "superuser", None, None, is_superuser=True)
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


def demo_periods_open(*, historical: bool = False) -> list[str]:
    """Generate each plan's missing reporting periods and, for a plan that had none before,
    open its last one (as a demo office would). A plan whose periods exist keeps them as the
    office left them: a period it closed stays closed. A plan that has ended (the seed plans:
    historical records) gets its periods but none opened, unless `historical`: its units would
    be asked for reports years late, and the reminders would chase them."""
    opened = []
    superuser = get_user_model().objects.get(username=SUPERUSER)
    for plan in Plan.objects.order_by("plan_year", "title"):
        had_periods = plan.periods.exists()
        services.periods_generate(user=None, plan=plan)
        opens = not had_periods and (historical or plan.ended_on is None)
        period = plan.periods.order_by("-start").first() if opens else None
        if period is not None:
            created = services.period_open(user=superuser, period=period)
            opened.append(f"{plan.title} {period.label}: {len(created)}")
    return opened


def demo_amount(target: Target, share: Decimal, pace: Decimal) -> Decimal:
    """A plausible measured value at `share` of the target's span, at `pace` of 序时: a rising
    target climbs from its baseline (else 0), a falling one comes down from 30 % above the
    target. Deterministic, so a repeated `make run` shows the same figures."""
    if rising(target):
        base = target.baseline or Decimal(0)
        amount = base + (target.value - base) * share * pace
    else:
        start = target.baseline or target.value * Decimal("1.3")
        amount = start - (start - target.value) * share * pace
    return amount.quantize(Decimal("0.01"))


def _demo_pace(target: Target) -> Decimal:
    """A per-indicator pace of 80–110 %."""
    return Decimal(80 + int(_slug(target.indicator), 16) % 31) / 100


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
                    user=superuser, target=target, period=period, value=demo_amount(target, share, _demo_pace(target)),
                    note="演示数据", source="演示",
                )
                entered += 1
    return entered
