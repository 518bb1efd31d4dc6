"""python manage.py demo_accounts [--json]: create the missing demo accounts and list them all.

Idempotent over edited data: an existing account (a changed password included) is left as it is.

Demo passwords exist only in this demo data; never run this on a production database."""
import json
from collections import Counter

from django.core.management.base import BaseCommand

from devtools.demo import demo_accounts_ensure
from plans.models import Assignment


class Command(BaseCommand):
    help = "创建演示账号并打印（仅用于演示数据）。Create the demo accounts and list them (demo data only)."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="以 JSON 列出全部账号 (list every account as JSON)")

    def handle(self, *args, json: bool, **options):
        accounts = demo_accounts_ensure()
        if json:
            self.stdout.write(_dumps(accounts))
            return
        counts = Counter(account["role"] for account in accounts)
        for account in accounts:
            if account["role"] in ("superuser", "office"):
                where = "、".join(account["plans"]) or "全部 (everything)"
                self.stdout.write(
                    f"演示账号 (demo account): {account['username']} / {account['password']} "
                    f"{account['name']} ({account['role']}: {where})"
                )
        lead = (
            Assignment.objects.filter(is_lead=True)
            .select_related("unit")
            .order_by("task__plan__plan_year", "task__position")
            .first()
        )
        example = next((a for a in accounts if a["role"] == "leader" and lead and a["unit"] == lead.unit.name), None)
        self.stdout.write(
            f"单位账号 (unit accounts): 填报人 {counts['official']} 个, 单位负责人 {counts['leader']} 个; "
            f"密码相同 (same password)。`manage.py demo_accounts --json` 列出全部 (lists all)."
        )
        created = sum(account["created"] for account in accounts)
        self.stdout.write(
            f"本次新建 {created} 个，已有 {len(accounts) - created} 个保持不变 "
            f"({created} created, {len(accounts) - created} kept as they were)"
        )
        if example:
            official = example["username"].replace("-leader", "-official")
            self.stdout.write(
                f"  例如 (e.g.) {example['unit']}: {official} 填报人 (official), "
                f"{example['username']} 单位负责人 (leader)"
            )


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
