"""The scratch PostgreSQL database: created, migrated and seeded as `make run` does, measured, dropped."""
from __future__ import annotations

import contextlib
import json
import os
import secrets
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

from .config import FIXTURES, ROOT, SetupError


def database_url_for(server_url: str, name: str) -> str:
    """The URL of database `name` on the server of `server_url`."""
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, ""))


def pg_connect(url: str, autocommit: bool = True):
    import psycopg

    scheme = urlsplit(url).scheme
    if scheme not in ("postgres", "postgresql", "pgsql"):
        raise SetupError(f"--database-url must be a PostgreSQL URL (postgres://user@host:port/db), not {scheme}://…")
    return psycopg.connect(urlunsplit(("postgresql", *urlsplit(url)[1:])), autocommit=autocommit, connect_timeout=10)


def psycopg_errors():
    import psycopg

    return psycopg.errors


def _quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def drop_database(server_url: str, name: str) -> None:
    with contextlib.closing(pg_connect(server_url)) as conn:
        try:
            conn.execute(f"DROP DATABASE IF EXISTS {_quote_ident(name)} WITH (FORCE)")
        except psycopg_errors().SyntaxError:  # PostgreSQL < 13: no WITH (FORCE)
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            conn.execute(f"DROP DATABASE IF EXISTS {_quote_ident(name)}")


@contextlib.contextmanager
def scratch_database(server_url: str, name: str, keep: bool = False):
    """CREATE DATABASE `name` (dropping a leftover of that name first); yields its URL; drops it
    afterwards unless `keep`, also when the body fails or is interrupted."""
    try:
        with contextlib.closing(pg_connect(server_url)) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {_quote_ident(name)}")
            conn.execute(f"CREATE DATABASE {_quote_ident(name)}")
    except SetupError:
        raise
    except Exception as exc:
        raise SetupError(f"cannot create database {name} on {urlsplit(server_url).netloc}: {exc}") from exc
    try:
        yield database_url_for(server_url, name)
    finally:
        if not keep:
            drop_database(server_url, name)




def app_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url, DEBUG="false", SECURE="false", SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1", PYTHONUNBUFFERED="1",
        CACHE_KEY_PREFIX=f"loadtest-{secrets.token_hex(4)}",  # the token throttle counts for this run alone
    )
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 900) -> str:
    """Run `manage.py args` as a child process; its stdout, or SetupError with its stderr."""
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout,
        check=False,
    )
    if result.returncode:
        raise SetupError(f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-4000:]}")
    return result.stdout


# The Makefile's `seed` target (migrate, loaddata of the fixtures, demo_accounts, demo_periods),
# command by command, in one `manage.py shell` process: Django starts once instead of four times.
# The seed plans have ended, so their latest periods are opened on purpose (--historical): the
# load runs on the seed plans' reports.
SEED_COMMANDS = [
    ("migrate", [], {"interactive": False, "verbosity": 0}),
    ("loaddata", list(FIXTURES), {"verbosity": 0}),
    ("demo_accounts", [], {"json": True}),
    ("demo_periods", [], {"historical": True}),
]
_SEED_SCRIPT = """
import io, json
from django.core.management import call_command
outputs = []
for name, args, options in json.loads(COMMANDS):
    out = io.StringIO()
    call_command(name, *args, stdout=out, **options)
    outputs.append(out.getvalue())
print(json.dumps(outputs))
"""


def seed(env: dict[str, str]) -> list[dict]:
    """Migrate and load the data of `make run` (Makefile target `seed`); the demo accounts as
    `demo_accounts --json` lists them."""
    script = f"COMMANDS = {json.dumps(SEED_COMMANDS)!r}\n{_SEED_SCRIPT}"
    output = manage(env, "shell", "-c", script)
    outputs = json.loads(output.strip().splitlines()[-1])
    return json.loads(outputs[2])

def data_size(database_url: str) -> tuple[dict[str, int], str]:
    with contextlib.closing(pg_connect(database_url)) as conn:
        counts = {
            name: conn.execute(query).fetchone()[0]
            for name, query in (
                ("plans", "SELECT count(*) FROM plans_plan"),
                ("tasks", "SELECT count(*) FROM plans_task WHERE kind = 'task'"),
                ("units", "SELECT count(*) FROM plans_unit"),
                ("reports", "SELECT count(*) FROM plans_progressreport"),
                ("accounts", "SELECT count(*) FROM auth_user"),
            )
        }
        version = conn.execute("SHOW server_version").fetchone()[0]
    return counts, version

