"""python manage.py load_seed_plans [FIXTURE ...]: load the seed plans that are not in the database.

Unlike `loaddata`, it can run again at any time over edited data: a plan already present
(by its key) is kept as it is, never overwritten. `make run` uses it."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.base import DeserializationError
from django.db import DatabaseError

from plans.services.seeds import SEED_PLANS, fixture_path, seed_plan_load


class Command(BaseCommand):
    help = (
        "载入数据库中尚无的种子方案，已有的保持不变。"
        "Load the seed plans missing from the database; keep those present."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "fixtures", nargs="*",
            help="夹具文件，默认 fixtures/ 中的种子方案 (fixture files; default: the seed plans)",
        )

    def handle(self, *args, fixtures: list[str], **options):
        paths = [Path(name) for name in fixtures] or [fixture_path(seed) for seed in SEED_PLANS]
        missing = [str(path) for path in paths if not path.is_file()]
        if missing:
            raise CommandError("找不到夹具文件 (fixture not found): " + ", ".join(missing))
        for path in paths:
            try:
                result = seed_plan_load(path=path)
            except (ValueError, DeserializationError, DatabaseError) as error:
                raise CommandError(
                    f"{path.name}: 无法载入，此方案未写入任何数据 "
                    f"(could not be loaded; nothing of this plan was written): {error}"
                ) from None
            if result.loaded:
                self.stdout.write(f"已载入 (loaded): {result.title} ({result.created} 条 objects)")
            else:
                self.stdout.write(
                    f"已保留 (kept): {result.title} — 数据库中已有，未改动 (already in the database, left as it is)"
                )
