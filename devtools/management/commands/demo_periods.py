"""python manage.py demo_periods: generate reporting periods and open the latest of each plan."""
from django.core.management.base import BaseCommand

from devtools.demo import demo_indicator_values, demo_periods_open


class Command(BaseCommand):
    help = (
        "生成报送周期、开放每个方案最近一期并填报演示指标值（演示用）。"
        "Generate periods, open each plan's latest one and enter demo indicator values (demo)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--historical", action="store_true",
            help="也开放已结束方案的最近一期（负载测试用）。Also open the latest period of plans that have ended.",
        )

    def handle(self, *args, historical: bool = False, **options):
        for line in demo_periods_open(historical=historical):
            self.stdout.write(f"已开放填报 (open for reporting): {line}")
        entered = demo_indicator_values()
        self.stdout.write(f"已填报演示指标实际值 (demo indicator values entered): {entered}")
