"""python manage.py demo_live [--today YYYY-MM-DD]: make sure the live demo plan is today's.

The Hebi seed plan copied into a plan of the current year, with periods up to today's and a
history of reports (devtools/live_demo.py). The same day again changes nothing; a later day
builds it again from that day. Demo data only; never run this on a production database."""
import datetime

from django.core.management.base import BaseCommand, CommandError

from devtools.live_demo import live_demo_ensure


class Command(BaseCommand):
    help = (
        "生成或更新当年的演示方案（演示用）。"
        "Build the live demo plan dated from today, unless today's is there (demo data only)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", type=str, help="按此日期生成 (the day to build it for, YYYY-MM-DD)")

    def handle(self, *args, today, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else None
        except ValueError:
            raise CommandError(
                f"--today 应为 YYYY-MM-DD 格式的日期 (must be a date such as 2026-09-16), 收到 {today!r}"
            ) from None
        self.stdout.write(live_demo_ensure(today=day).line())
