"""python manage.py demo_accounts [--json]: create the demo accounts (idempotent) and print them.

Demo passwords exist only in this demo data; never run this on a production database."""
import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

DEMO_SUPERUSER = {"username": "admin", "password": "tracker-demo-2016", "role": "superuser", "unit": None, "plans": []}


def demo_accounts_ensure() -> list[dict]:
    """Create or reset the demo accounts; returns them as printed by the command."""
    User = get_user_model()
    with transaction.atomic():
        user, _created = User.objects.get_or_create(username=DEMO_SUPERUSER["username"])
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_password(DEMO_SUPERUSER["password"])
        user.save()
    return [DEMO_SUPERUSER]


class Command(BaseCommand):
    help = "创建演示账号并打印。Create the demo accounts and print them."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="以 JSON 输出 (print as JSON)")

    def handle(self, *args, json: bool, **options):
        accounts = demo_accounts_ensure()
        if json:
            self.stdout.write(_dumps(accounts))
            return
        for account in accounts:
            self.stdout.write(f"演示账号 (demo account): {account['username']} / {account['password']} ({account['role']})")


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
