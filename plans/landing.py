"""Where an account lands after logging in, by its role: a unit's official or leader on 本期待办
(the inbox), office staff (督办) on 督办看板 (the dashboard), a superuser and anyone else on the
admin index. The admin's login (plans/admin/site.py) asks here."""
from __future__ import annotations

from django.urls import reverse

from plans.permissions import managed_plan_ids, membership
from plans.roles import OFFICE_GROUP


def is_office_staff(user) -> bool:
    """督办 of some plan, or in the office group though no plan names them yet."""
    return bool(managed_plan_ids(user)) or user.groups.filter(name=OFFICE_GROUP).exists()


def landing_url(user) -> str:
    if not getattr(user, "is_authenticated", False) or user.is_superuser:
        return reverse("admin:index")
    if is_office_staff(user):
        return reverse("dashboard")
    if membership(user) is not None:
        return reverse("inbox")
    return reverse("admin:index")
