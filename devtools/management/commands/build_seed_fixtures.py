"""python manage.py build_seed_fixtures [--check]: regenerate fixtures/ from seeds/."""
from django.core.management.base import BaseCommand, CommandError

from devtools.fixtures_build import seed_fixture_text
from plans.services.seeds import SEED_PLANS, fixture_path


class Command(BaseCommand):
    help = "由 seeds/ 中的方案文件重新生成 fixtures/。Regenerate the seed plan fixtures from seeds/."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true",
                            help="只检查是否过期，不写文件 (fail if stale, write nothing)")

    def handle(self, *args, check: bool, **options):
        stale = []
        for seed in SEED_PLANS:
            text = seed_fixture_text(seed)
            path = fixture_path(seed)
            if path.exists() and path.read_text(encoding="utf-8") == text:
                self.stdout.write(f"{path.name}: 已是最新 (up to date)")
                continue
            stale.append(path.name)
            if not check:
                path.write_text(text, encoding="utf-8")
                self.stdout.write(f"{path.name}: 已生成 (written)")
        if check and stale:
            raise CommandError("夹具已过期，请运行 make fixtures (stale fixtures): " + ", ".join(stale))
