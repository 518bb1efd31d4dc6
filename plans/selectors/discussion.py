"""Read rules of a task's thread: the units answering for a task (those a message on it may
mention, whose 签收 its trail shows)."""
from __future__ import annotations

from plans.models import Assignment, Task, Unit


def task_unit_ids(task: Task) -> set[int]:
    """The units holding a role on the task, and the members of a collective that holds one
    (they answer for it): the units a comment may mention and whose 签收 the task's trail shows."""
    assigned = set(Assignment.objects.filter(task=task).values_list("unit_id", flat=True))
    members = Unit.members.through.objects.filter(from_unit_id__in=assigned).values_list("to_unit_id", flat=True)
    return assigned | set(members)
