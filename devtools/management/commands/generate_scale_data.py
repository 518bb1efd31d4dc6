"""Fill the database with province-scale synthetic plans (devtools.scale), for sizing and benchmarks."""
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from devtools.scale import OFFICE_USERNAME, PASSWORD, ScaleGenerator, Sizes, real_plans, synthetic_plans


def positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise CommandError(f"不是整数 (not a whole number): {text!r}") from None
    if value < 1:
        raise CommandError(f"必须至少为 1 (must be at least 1): {value}")
    return value


class Command(BaseCommand):
    help = (
        "生成省级规模的合成数据（方案、任务、单位、多年季度报告），用于容量评估和基准测试。"
        " Generates province-scale synthetic data for sizing and benchmarks."
    )

    def add_arguments(self, parser):
        defaults = Sizes()
        parser.add_argument("--plans", type=positive, default=defaults.plans, help=f"方案数 (default {defaults.plans})")
        parser.add_argument("--tasks", type=positive, default=defaults.tasks,
                            help=f"任务总数 (default {defaults.tasks})")
        parser.add_argument("--units", type=positive, default=defaults.units, help=f"单位数 (default {defaults.units})")
        parser.add_argument("--years", type=positive, default=defaults.years,
                            help=f"报告覆盖的年数，每季度一期 (default {defaults.years})")
        parser.add_argument("--seed", type=int, default=1, help="随机种子；同一种子生成相同数据 (default 1)")
        parser.add_argument("--allow-real-data", action="store_true",
                            help="数据库中已有真实方案时仍然生成（合成数据以“合成省”为行政区，不会与真实单位重名）")
        parser.add_argument("--append", action="store_true", help="数据库中已有合成方案时继续追加")

    def handle(self, *args, **options):
        sizes = Sizes(plans=options["plans"], tasks=options["tasks"], units=options["units"], years=options["years"])
        try:
            sizes.check()
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        real = real_plans().count()
        if real and not options["allow_real_data"]:
            raise CommandError(
                f"数据库 {connection.settings_dict['NAME']} 中已有 {real} 个真实方案，未生成任何数据。"
                f"请使用空数据库，或确需在其旁生成时加 --allow-real-data。"
                f" (The database holds {real} real plans; nothing was written."
                " Use an empty database or pass --allow-real-data.)"
            )
        existing = synthetic_plans().count()
        if existing and not options["append"]:
            raise CommandError(
                f"数据库中已有 {existing} 个合成方案，未生成任何数据；加 --append 继续追加。"
                f" (The database already holds {existing} synthetic plans; pass --append to add more.)"
            )
        self.stdout.write(
            f"生成 {sizes.plans} 个方案、{sizes.tasks:,} 项任务、{sizes.units} 个单位、{sizes.years} 年季度报告"
            f"（{connection.vendor}，{connection.settings_dict['NAME']}）…"
        )
        generator = ScaleGenerator(sizes, seed=options["seed"], progress=self.stdout.write)
        result = generator.run()
        self.stdout.write(self.style.SUCCESS(
            f"完成，用时 {result.seconds:.1f} 秒：方案 {result.plans}，章节 {result.sections:,}，"
            f"任务 {result.tasks:,}，"
            f"新单位 {result.units}，分工 {result.assignments:,}，报送周期 {result.periods:,}，"
            f"报告 {result.reports:,}，"
            f"配合意见 {result.inputs:,}，量化目标 {result.targets}，新账号 {result.accounts}。"
        ))
        self.stdout.write(
            f"账号：{OFFICE_USERNAME}（全部合成方案的督办人员）、scale-u<N>-official / scale-u<N>-leader；"
            f"密码 {PASSWORD}"
        )
