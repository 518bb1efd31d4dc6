"""The README says who the demo people are without running a command: its table lists every
account `make run`'s seed step creates, with the person's name, as the database holds them."""
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from devtools.demo import demo_accounts_ensure, demo_periods_open


@pytest.mark.django_db
def test_the_readme_names_every_demo_account_as_the_seed_step_makes_it():
    call_command("load_seed_plans", verbosity=0)
    call_command("demo_live", verbosity=0)
    accounts = demo_accounts_ensure()
    demo_periods_open()
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("<details><summary>Every demo account"):]
    table = table[: table.index("</details>")]

    assert f"Every demo account ({len(accounts)}:" in table
    for account in accounts:
        username = re.escape(account["username"])
        if account["role"] in ("superuser", "office"):
            assert re.search(rf"\| {re.escape(account['name'])} \|[^|\n]*\| `{username}` \|", table), account
        else:
            assert f"{account['name']} `{account['username']}`" in table, account
