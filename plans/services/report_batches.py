"""Several reports at once: a unit leader submits, the office approves or returns a selection
in one step. Each report goes through the single-report service (plans.services.reporting)
with its own rules; the batch is one transaction, all or nothing: if any report is refused,
nothing changes and the refusal names that report (task and unit) and the reason."""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from plans.models import ProgressReport, Task
from plans.services.common import StaleVersion
from plans.services.conflicts import retry_on_conflict
from plans.services.reporting import report_approve, report_return, report_submit


def report_label(report: ProgressReport) -> str:
    """How a refusal names a report: 任务 三、(一)1. · 市发改委 · 2016Q3."""
    return _("任务 %(task)s · %(unit)s · %(period)s") % {
        "task": report.task.path or report.task.title, "unit": report.unit, "period": report.period.label,
    }


def _selected(reports: Iterable[ProgressReport]) -> list[ProgressReport]:
    """The reports re-read with what their labels show, in id order (the lock order among
    reports); none selected is refused."""
    ids = sorted({report.pk for report in reports})
    if not ids:
        raise ValidationError(_("请至少选择一份报告 (no report selected)"))
    return list(ProgressReport.objects.filter(pk__in=ids).select_related("task", "unit", "period").order_by("pk"))


def _each(
    reports: list[ProgressReport], step: Callable[[ProgressReport, int | None], object],
    expected_versions: Mapping[int, int] | None,
) -> list[ProgressReport]:
    """Run `step` on every report inside the caller's transaction; the first refusal is
    raised again (the same kind: PermissionDenied or ValidationError, a stale version as a
    ValidationError) with the report's label in front, which rolls the whole batch back."""
    done = []
    for report in reports:
        expected = None if expected_versions is None else expected_versions.get(report.pk)
        try:
            done.append(step(report, expected))
        except PermissionDenied as refusal:
            raise PermissionDenied(f"{report_label(report)}：{refusal}") from refusal
        except (ValidationError, StaleVersion) as refusal:
            reason = " ".join(getattr(refusal, "messages", [str(refusal)]))
            raise ValidationError(f"{report_label(report)}：{reason}") from refusal
    return done


@retry_on_conflict
def reports_submit(
    *, user, reports: Iterable[ProgressReport], expected_versions: Mapping[int, int] | None = None
) -> list[ProgressReport]:
    """A unit leader submits several reports at once (report_submit on each). Given
    `expected_versions` ({report id: version}, as the confirmation page showed them), a report
    changed since is refused, so what was confirmed is what is sent."""
    selected = _selected(reports)
    with transaction.atomic():
        return _each(
            selected, lambda report, version: report_submit(user=user, report=report, expected_version=version),
            expected_versions,
        )


@retry_on_conflict
def reports_approve(
    *, user, reports: Iterable[ProgressReport], comment: str = "",
    expected_versions: Mapping[int, int] | None = None,
) -> list[ProgressReport]:
    """The office approves several submitted reports at once (report_approve on each). The
    reports' tasks are locked first, all of them in id order, then each report: the lock
    order (task → reports) holds for the batch as a whole."""
    selected = _selected(reports)
    with transaction.atomic():
        task_ids = sorted({report.task_id for report in selected})
        list(Task.objects.select_for_update(no_key=True).filter(pk__in=task_ids).order_by("pk").values_list("pk"))
        return _each(
            selected,
            lambda report, version: report_approve(user=user, report=report, comment=comment, expected_version=version),
            expected_versions,
        )


@retry_on_conflict
def reports_return(
    *, user, reports: Iterable[ProgressReport], comment: str, expected_versions: Mapping[int, int] | None = None
) -> list[ProgressReport]:
    """The office returns several submitted reports at once, each with the same comment,
    which is required (report_return on each)."""
    if not (comment or "").strip():
        raise ValidationError(_("退回时请填写审核意见 (a comment is required to return a report)"))
    selected = _selected(reports)
    with transaction.atomic():
        return _each(
            selected,
            lambda report, version: report_return(user=user, report=report, comment=comment, expected_version=version),
            expected_versions,
        )
