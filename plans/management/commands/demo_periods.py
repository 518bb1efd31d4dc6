"""python manage.py demo_periods: generate reporting periods and open the latest of each plan."""
from django.core.management.base import BaseCommand

from plans.demo import demo_periods_open


class Command(BaseCommand):
    help = "生成报送周期并开放每个方案最近一期（演示用）。Generate periods and open each plan's latest one (demo)."

    def handle(self, *args, **options):
        for line in demo_periods_open():
            self.stdout.write(f"已开放填报 (open for reporting): {line}")
