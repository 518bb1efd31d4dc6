"""API permission classes. They hold no rules of their own: a view names, per action, the
rule from plans.permissions that applies (`object_rules`), and the service asks the same
rule again under its row lock.

Only rules that do not depend on the row's state (can_manage_plan: office staff of the
plan) are asked up front, so a unit account is refused with the rule's sentence whatever it
sends. Report rules depend on the report's state, which a parallel writer may change: the
services ask them after the version check, under the lock, so a stale copy is a 412/409."""
from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, IsAuthenticated

from plans.permissions import can_manage_plan


def office_of_plan(user, obj) -> str:
    """can_manage_plan for a plan-bound object: a task or period (`plan_id`), an assignment
    or deadline (through its task)."""
    plan_id = obj.plan_id if hasattr(obj, "plan_id") else obj.task.plan_id
    return can_manage_plan(user, plan_id)


class FollowsPlanRules(IsAuthenticated):
    """Authenticated, and for writes allowed by the view's `object_rules[action]` (a
    `(user, obj) -> reason` function over plans.permissions) on the object acted upon."""

    message = None

    def has_object_permission(self, request, view, obj):
        rule = getattr(view, "object_rules", {}).get(view.action)
        if rule is None or request.method in SAFE_METHODS:
            return True
        reason = rule(request.user, obj)
        if reason:
            self.message = reason
            return False
        return True

