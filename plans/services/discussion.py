"""A task's thread (留言, leaders' 批示, mentions of units) and the people a unit names for its
part in a task (责任领导, 联系人). Each write checks its rule in plans.permissions and leaves a
history row naming who did it."""
from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from plans.models import Assignment, AssignmentPerson, Membership, PersonKind, Task, TaskComment, Unit
from plans.permissions import can_comment, can_name_people, is_office, membership
from plans.selectors.discussion import task_unit_ids
from plans.services.common import check_version, deny
from plans.services.conflicts import retry_on_conflict

COMMENT_MAX_LENGTH = 5000


def _mentioned_units(task: Task, mentions) -> list[Unit]:
    ids = {unit.pk if isinstance(unit, Unit) else int(unit) for unit in mentions}
    if not ids:
        return []
    outside = ids - task_unit_ids(task)
    if outside:
        names = "、".join(str(unit) for unit in Unit.objects.filter(pk__in=outside).order_by("name")) or "-"
        raise ValidationError({"mentions": _(
            "只能提及承担该任务的单位，%(units)s 不在其中 (only units with a role on the task can be mentioned)"
        ) % {"units": names}})
    return list(Unit.objects.filter(pk__in=ids))


@retry_on_conflict
def comment_add(*, user, task: Task, text: str, is_instruction: bool = False, mentions=()) -> TaskComment:
    """A message in the task's thread: from its plan's office or a unit holding a role on it;
    a 批示 only from a leader. The author's unit is kept (empty for office staff); mentioned
    units must hold a role on the task and see the message in their inbox."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写留言内容 (the message is empty)")})
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError({"text": _("留言不能超过 %(count)d 字 (the message is too long)") % {
            "count": COMMENT_MAX_LENGTH}})
    task = Task.objects.select_related("plan").get(pk=task.pk)
    deny(can_comment(user, task, instruction=bool(is_instruction)))
    units = _mentioned_units(task, mentions)
    member = membership(user)
    unit_id = None if is_office(user, task.plan_id) or member is None else member.unit_id
    with transaction.atomic():
        comment = TaskComment(task=task, author=user, unit_id=unit_id, text=text, is_instruction=bool(is_instruction))
        comment._history_user = user
        comment.save()
        comment.mentions.set(units)
    return comment


# --- 责任领导 / 联系人 ------------------------------------------------------------------------

def _person_values(assignment: Assignment, kind: str, account, name: str, position: str, phone: str) -> dict:
    if kind not in PersonKind.values:
        raise ValidationError({"kind": _("请选择责任领导或联系人 (choose leader or contact)")})
    name, position, phone = (name or "").strip(), (position or "").strip(), (phone or "").strip()
    if account is None and not name:
        raise ValidationError({"name": _("请选择账号或填写姓名 (choose an account or write a name)")})
    if account is not None and not Membership.objects.filter(user=account, unit_id=assignment.unit_id).exists():
        raise ValidationError({"user": _(
            "所选账号不属于%(unit)s，只能指定本单位的账号 (the account must belong to the assignment's unit)"
        ) % {"unit": assignment.unit}})
    limits = {"name": 50, "position": 100, "phone": 40}
    values = {"name": name, "position": position, "phone": phone}
    for field, limit in limits.items():
        if len(values[field]) > limit:
            raise ValidationError({field: _("内容过长，最多 %(count)d 字 (too long)") % {"count": limit}})
    return {"kind": kind, "user": account, **values}


@retry_on_conflict
def assignment_person_save(
    *, user, assignment: Assignment, kind: str, account=None, name: str = "", position: str = "", phone: str = "",
    expected_version: int | None = None,
) -> AssignmentPerson:
    """Name the unit's 责任领导 or 联系人 for its part in a task (one of each per assignment; a
    second naming of the same kind replaces the first): an account of the unit, or a person
    without one written in by name."""
    assignment = Assignment.objects.select_related("task", "unit").get(pk=assignment.pk)
    deny(can_name_people(user, assignment))
    values = _person_values(assignment, kind, account, name, position, phone)
    with transaction.atomic():
        Assignment.objects.select_for_update(no_key=True, of=("self",)).get(pk=assignment.pk)
        person = AssignmentPerson.objects.select_for_update(no_key=True).filter(
            assignment=assignment, kind=kind,
        ).first()
        if person is None:
            person = AssignmentPerson(assignment=assignment)
        else:
            check_version(person, expected_version)
        for field, value in values.items():
            setattr(person, field, value)
        person._history_user = user
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError as error:
            raise ValidationError(_("与已有记录冲突，请刷新后重试 (conflicts with an existing row)")) from error
    return person


@retry_on_conflict
def assignment_person_delete(*, user, person: AssignmentPerson, expected_version: int | None = None) -> None:
    """Remove a named person (the unit's own accounts or the plan's office)."""
    with transaction.atomic():
        row = AssignmentPerson.objects.select_for_update(of=("self",)).select_related("assignment__task").get(
            pk=person.pk,
        )
        deny(can_name_people(user, row.assignment))
        check_version(row, expected_version)
        row._history_user = user
        row.delete()
