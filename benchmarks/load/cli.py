"""Load test of the REST API (not a test itself): gunicorn with several workers on a scratch
PostgreSQL database, many concurrent clients reading, editing, submitting, reviewing and
deliberately colliding on the same reports; afterwards every acknowledged write is looked up
in the database."""
from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .clients import run_clients
from .config import APPROVE_SHARE, DEFAULT_DATABASE_URL, WEIGHTS, SetupError
from .cpu import CpuUse
from .database import app_env, data_size, scratch_database, seed
from .report import passed, print_results, summarize
from .server import Server
from .verify import report_versions, verify
from .world import World, prepare_world


@dataclass
class Setup:
    database_url: str
    server: Server
    world: World
    accounts: list[dict]
    data: dict[str, int]
    postgres_version: str


@contextlib.contextmanager
def prepared(database_url: str, workers: int, port: int = 0, keep: bool = False, name: str | None = None,
             units: int = 8, hot: int = 2, out=print):
    """Scratch database, seed data, gunicorn and the world; everything undone on the way out."""
    name = name or f"tracker_load_{os.getpid()}"
    with (
        tempfile.TemporaryDirectory(prefix="loadtest-") as work,
        scratch_database(database_url, name, keep=keep) as url,
    ):
        started = time.monotonic()
        env = app_env(url)
        accounts = seed(env)
        out(f"  seeded {name} in {time.monotonic() - started:.1f} s (migrate, loaddata, demo_accounts, demo_periods)")
        with Server(env, workers, port, Path(work) / "gunicorn.log") as server:
            world = prepare_world(server.port, accounts, units=units, hot=hot)
            data, version = data_size(url)
            yield Setup(url, server, world, accounts, data, version)
        if keep:
            out(f"  kept database {name}: DATABASE_URL={url}")


def run(options, out=print) -> int:
    """The whole load test; the exit status."""
    where = urlsplit(options.database_url)
    out(f"Load test: {options.clients} clients for {options.duration:g} s against gunicorn with {options.workers} "
        f"workers, PostgreSQL at {where.hostname}:{where.port or 5432}; {os.cpu_count()} CPU cores shared by clients, "
        "server and database")
    with prepared(
        options.database_url, options.workers, options.port, options.keep, units=options.units, hot=options.hot,
        out=out,
    ) as setup:
        world, server = setup.world, setup.server
        out(f"  server: {' '.join(Path(part).name if part == sys.executable else part for part in server.command)} "
            f"(worker class {server.worker_class()})")
        data = setup.data
        out(f"  data: PostgreSQL {setup.postgres_version}, {data['plans']} plans, {data['tasks']} tasks, "
            f"{data['units']} units, {data['reports']} reports, {data['accounts']} accounts")
        out(f"  acting on: {world.plan_title} {world.period_label} ({world.report_count} reports); "
            f"office {world.office_username}; {len(world.units)} units (official + leader each), "
            f"{sum(len(u.reports) for u in world.units) + len(world.hot)} of their reports; "
            f"hot reports {', '.join(map(str, world.hot))}")
        mix = options.mix or WEIGHTS
        out("  mix (weights): " + ", ".join(f"{name} {weight}" for name, weight in mix.items())
            + f" (reviews approve {APPROVE_SHARE:.0%}, return the rest)")
        baseline = report_versions(setup.database_url)
        server.mark_load_start()
        out("Running")
        load, cpu = CpuUse.measure(server, urlsplit(setup.database_url).path.lstrip("/"), lambda: run_clients(
            world, server.port, options.clients, options.duration, seed=options.seed, progress=out, weights=options.mix,
        ))
        summary = summarize(load)
        verification = verify(setup.database_url, load.writes, baseline)
        print_results(summary, verification, load, out=out, server=server, cpu=cpu)
        return 0 if passed(summary, verification, load) else 1


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (threads), default 50")
    parser.add_argument("--duration", type=float, default=60, help="seconds of load, default 60")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers, default 4")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                        help="a PostgreSQL server (any database on it); the scratch database is made there. "
                        f"Default {DEFAULT_DATABASE_URL}")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 for gunicorn; 0 (default): a free one")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database afterwards")
    parser.add_argument("--units", type=int, default=8, help="units whose official and leader act, default 8")
    parser.add_argument("--hot", type=int, default=2, help="hot reports every client races on, default 2")
    parser.add_argument("--seed", type=int, default=1, help="seed of the clients' random choices, default 1")
    parser.add_argument("--mix", type=_mix, default=None,
                        help="operation weights, e.g. read=55,edit=18,submit=7,review=6,race=9,stale=5 (the default); "
                        "operations left out get 0")
    options = parser.parse_args(argv)
    if options.clients < 1 or options.duration <= 0 or options.workers < 1 or options.units < 1 or options.hot < 1:
        parser.error("--clients, --duration, --workers, --units and --hot must be positive")
    return options


def _mix(text: str) -> dict[str, int]:
    weights = {}
    for item in text.split(","):
        name, _, weight = item.partition("=")
        if name.strip() not in WEIGHTS or not weight.strip().isdigit():
            raise argparse.ArgumentTypeError(f"expected name=weight with a name of {', '.join(WEIGHTS)}, not {item!r}")
        weights[name.strip()] = int(weight)
    if not any(weights.values()):
        raise argparse.ArgumentTypeError("at least one weight must be positive")
    return weights


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None) -> int:
    options = parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)  # clean up (server, database) as on Ctrl-C

    def out(line: str) -> None:
        print(line, flush=True)

    try:
        return run(options, out=out)
    except KeyboardInterrupt:
        out("interrupted: server stopped" + ("" if options.keep else ", scratch database dropped"))
        return 130
    except SetupError as error:
        out(f"setup failed: {error}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
