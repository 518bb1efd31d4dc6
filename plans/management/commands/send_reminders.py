"""python manage.py send_reminders [--today YYYY-MM-DD] [--dry-run]

Run it from cron as often as you like (hourly, say): each unit gets at most one e-mail per
rule and day."""
import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from plans.services.reminders import reminders_send


def _day(raw: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(raw, "%Y-%m-%d").date()
    except ValueError:
        raise CommandError(
            f"--today 应为 YYYY-MM-DD 格式的日期 (must be a date such as 2016-09-16), 收到 {raw!r}"
        ) from None


class Command(BaseCommand):
    help = "发送催报邮件：报告到期前7、3、1天，逾期后每天；任务临期、超期。Send reminder e-mails (催报)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=str, help="按此日期计算并记录 (the day to act for, YYYY-MM-DD; default today)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="只列出将发送的邮件，不发送、不记录 (print, send and write nothing)",
        )

    def handle(self, *args, today, dry_run, **options):
        day = _day(today) if today is not None else timezone.localdate()
        summary = reminders_send(today=day, dry_run=dry_run)
        if dry_run:
            for reminder in summary.planned:
                self.stdout.write(f"收件人 (to): {', '.join(reminder.recipients)}")
                self.stdout.write(f"主题 (subject): {reminder.subject}")
                self.stdout.write(reminder.body)
                self.stdout.write("-" * 40)
        for line in summary.as_lines():
            self.stdout.write(line)
        if summary.failed:
            raise CommandError(
                f"{len(summary.failed)} 封催报邮件发送失败，下次运行时重试 (e-mails failed; the next run retries)"
            )
