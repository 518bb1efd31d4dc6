"""Sending the reminders planned by plans.reminders (催报): at most one e-mail per unit, rule
and day, the Reminder row written with the e-mail so a concurrent or repeated run sends none
twice."""
from __future__ import annotations

import datetime
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from plans.models import Reminder, ReminderRule
from plans.reminders import PlannedReminder, reminders_plan

logger = logging.getLogger(__name__)


@dataclass
class ReminderSummary:
    """What `reminders_send` did (or, in a dry run, would do)."""

    today: datetime.date
    dry_run: bool = False
    planned: list[PlannedReminder] = field(default_factory=list)
    sent: Counter = field(default_factory=Counter)  # rule → e-mails sent
    already_sent: int = 0  # sent by a concurrent run between planning and sending
    skipped_units: list[str] = field(default_factory=list)  # no account with an e-mail address
    failed: list[str] = field(default_factory=list)  # "unit · rule: error"

    def as_lines(self) -> list[str]:
        head = _("试运行，未发送、未记录：") if self.dry_run else ""
        counts = Counter(reminder.rule for reminder in self.planned) if self.dry_run else self.sent
        total = sum(counts.values())
        lines = [head + _("%(day)s 催报邮件 %(count)d 封。") % {"day": self.today.isoformat(), "count": total}]
        lines.extend(f"  {ReminderRule(rule).label}: {counts[rule]}" for rule in ReminderRule.values if counts[rule])
        if self.already_sent:
            lines.append(_("已由其他进程发送，跳过 %(count)d 封。") % {"count": self.already_sent})
        if self.skipped_units:
            lines.append(
                _("无邮箱地址、未能提醒的单位 %(count)d 个：") % {"count": len(self.skipped_units)}
                + "、".join(self.skipped_units)
            )
        if self.failed:
            lines.append(_("发送失败 %(count)d 封（下次运行时重试）：") % {"count": len(self.failed)})
            lines.extend(f"  {failure}" for failure in self.failed)
        return lines


class _SendFailed(Exception):
    pass


def _send(reminder: PlannedReminder, today: datetime.date) -> None:
    """Record and send one e-mail in one transaction: the row is written first (a concurrent
    run then fails on the unique constraint), and a failed send rolls it back so the next run
    retries."""
    with transaction.atomic():
        row = Reminder.objects.create(
            unit=reminder.unit, rule=reminder.rule, sent_on=today, recipients="\n".join(reminder.recipients),
            subject=reminder.subject, body=reminder.body,
        )
        row.plans.set({item.plan_id for item in reminder.items if item.plan_id is not None})
        message = EmailMessage(
            subject=reminder.subject,
            body=reminder.body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=list(reminder.recipients),
        )
        try:
            message.send()
        except Exception as exc:  # any backend error (SMTP, socket, …): undo the row, keep going
            raise _SendFailed(f"{type(exc).__name__}: {exc}") from exc


def reminders_send(*, today: datetime.date, dry_run: bool = False) -> ReminderSummary:
    """Send today's reminders not sent yet: at most one e-mail per unit, rule and day, however
    often it runs. Units without an addressed account are skipped and listed; a failed e-mail
    leaves no Reminder row and is listed in `failed`. A dry run reads only."""
    planned, unaddressed = reminders_plan(today=today)
    summary = ReminderSummary(
        today=today, dry_run=dry_run, planned=planned, skipped_units=[unit.name for unit in unaddressed]
    )
    if dry_run:
        return summary
    for reminder in planned:
        try:
            _send(reminder, today)
        except IntegrityError:
            summary.already_sent += 1
        except _SendFailed as failure:
            logger.warning("reminder to %s (%s) failed: %s", reminder.unit.name, reminder.rule, failure)
            summary.failed.append(f"{reminder.unit.name} · {ReminderRule(reminder.rule).label}: {failure}")
        else:
            summary.sent[reminder.rule] += 1
    return summary
