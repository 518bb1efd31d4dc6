"""Benchmark the pages and the API at two sizes against their floors (devtools.bench.run)."""
from django.core.management.base import BaseCommand, CommandError

from devtools.bench.run import run


def sizes(text: str) -> list[int]:
    try:
        values = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise CommandError(f"--sizes 应为逗号分隔的整数 (comma-separated whole numbers): {text!r}") from None
    if not values or min(values) < 1:
        raise CommandError(f"--sizes 需要正整数 (positive numbers): {text!r}")
    return values


class Command(BaseCommand):
    help = (
        "在两种规模（默认 1,000 与 50,000 项任务）的合成数据上测量接口和页面的延迟、查询数及其下限。"
        " Measures latency, query counts and floors at two data sizes in scratch databases."
    )

    def add_arguments(self, parser):
        parser.add_argument("--sizes", type=sizes, default=[1000, 50000],
                            help="任务总数，逗号分隔 (default 1000,50000)")
        parser.add_argument("--repeat", type=int, default=15,
                            help="每项测量次数 (default 15；导出为其三分之一，至少 3)")
        parser.add_argument("--keep", action="store_true", help="保留生成的数据库，下次直接沿用")

    def handle(self, *args, **options):
        if options["repeat"] < 1:
            raise CommandError("--repeat 至少为 1")
        ok = run(options["sizes"], options["repeat"], options["keep"], self.stdout.write)
        if not ok:
            self.stdout.write(self.style.WARNING("有目标未达到 (some goals were not met)"))
