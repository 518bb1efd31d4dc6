"""The three working roles as Django groups with their model permissions. Object-level rules
(own unit, open period, office of the plan) are in plans.permissions; these groups only let
the admin show the pages. Kept in line with the code after every migrate."""
from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from plans.models import MemberRole

OFFICE_GROUP = "督办人员"
GROUP_OF_ROLE = {MemberRole.OFFICIAL: "填报人", MemberRole.LEADER: "单位负责人"}

_READ = [
    "unit", "unitalias", "plan", "planissuer", "section", "task", "assignment", "deadline", "target", "reportingperiod",
]
_UNIT_PERMISSIONS = [f"view_{model}" for model in _READ] + [
    "view_progressreport", "change_progressreport", "view_supportinginput", "view_reminder", "view_sheetimport",
    # calendar feeds (日历订阅): a unit's accounts make their unit's, office staff their plans'
    "view_calendarfeed", "add_calendarfeed", "change_calendarfeed",
    # indicator values (指标实际值): the owner unit enters them, the office corrects them
    "view_indicatorvalue", "add_indicatorvalue", "change_indicatorvalue",
]
_OFFICE_PERMISSIONS = _UNIT_PERMISSIONS + [
    f"{action}_{model}"
    for model in [
        "plan", "planissuer", "section", "task", "assignment", "deadline", "target", "reportingperiod", "unit",
        "unitalias", "indicatorvalue",
    ]
    for action in ("add", "change", "delete")
]
PERMISSIONS_OF_GROUP = {
    GROUP_OF_ROLE[MemberRole.OFFICIAL]: _UNIT_PERMISSIONS,
    GROUP_OF_ROLE[MemberRole.LEADER]: _UNIT_PERMISSIONS,
    OFFICE_GROUP: _OFFICE_PERMISSIONS,
}


def groups_ensure() -> dict[str, Group]:
    """Create or update the groups with exactly their permissions."""
    permissions = {p.codename: p for p in Permission.objects.filter(content_type__app_label="plans")}
    groups = {}
    with transaction.atomic():
        for name, codenames in PERMISSIONS_OF_GROUP.items():
            group, _created = Group.objects.get_or_create(name=name)
            group.permissions.set([permissions[codename] for codename in codenames if codename in permissions])
            groups[name] = group
    return groups


def ensure_groups_after_migrate(sender, **kwargs) -> None:
    groups_ensure()
