"""Excel export benchmark (not a test): build a province-scale synthetic plan in a throw-away
SQLite database, time `export_plan_workbook` and compare it with the openpyxl write-only floor
for the very same cells, each measured in its own child process so each peak RSS is its own.

    PYTHONPATH=. .venv/bin/python benchmarks/export_excel.py [--tasks 50000] [--keep DIR]

Steps (each a child process of this script, with DATABASE_URL pointing into the work directory):
migrate, build (devtools.scale), export (timed), read back (untimed: the exported cells, their
named styles, merged ranges, column widths and row heights into a pickle), floor (timed: write
the pickled cells again with openpyxl write-only mode and save). Goals: floor ratio ≤ 1.2 and
export peak RSS < 300 MB."""
from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_RATIO = 1.2
GOAL_PEAK_MB = 300
DATABASE = "bench.sqlite3"
EXPORT = "export.xlsx"
FLOOR = "floor.xlsx"
CELLS = "cells.pickle"
RESULT = "RESULT "  # prefix of the line a child prints its figures on


def peak_mb() -> float:
    """Peak resident set size of this process so far (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def django_setup():
    import django

    django.setup()


# --- child processes --------------------------------------------------------------------------
def child_build(work: Path, tasks: int) -> dict:
    django_setup()
    from django.contrib.auth import get_user_model

    from devtools.scale import ScaleGenerator, Sizes, synthetic_plans

    started = time.perf_counter()
    sizes = Sizes(plans=1, tasks=tasks, units=200, years=1)
    ScaleGenerator(sizes, progress=lambda message: print(f"  build: {message}", flush=True)).run()
    seconds = time.perf_counter() - started
    plan = synthetic_plans().get()
    user = get_user_model().objects.create_superuser("bench", "bench@example.invalid", secrets.token_urlsafe(16))
    return {"seconds": seconds, "period": plan.periods.get(is_open=True).pk, "user": user.pk, "peak_mb": peak_mb()}


def child_export(work: Path, period_id: int, user_id: int) -> dict:
    django_setup()
    from django.contrib.auth import get_user_model

    from plans.exports.workbooks import export_plan_workbook
    from plans.models import ReportingPeriod

    user = get_user_model().objects.get(pk=user_id)
    period = ReportingPeriod.objects.select_related("plan").get(pk=period_id)
    baseline = peak_mb()
    print(f"  export: peak RSS after django.setup() {baseline:.0f} MB", flush=True)
    started, cpu = time.perf_counter(), time.process_time()
    export_plan_workbook(work / EXPORT, user=user, period=period)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "seconds": seconds, "cpu": cpu, "baseline_mb": baseline, "peak_mb": peak_mb(),
        "bytes": (work / EXPORT).stat().st_size,
    }


def child_readback(work: Path) -> dict:
    """Untimed: the exported workbook as compact rows of (values, style indexes, height)."""
    django_setup()
    from devtools.bench.excel_floor import read_back

    data = read_back(work / EXPORT)
    with open(work / CELLS, "wb") as out:
        pickle.dump(data, out, protocol=pickle.HIGHEST_PROTOCOL)
    return {"cells": data["cells"], "rows": data["rows"], "sheets": [sheet["title"] for sheet in data["sheets"]]}


def child_floor(work: Path) -> dict:
    """Timed: only writing the same cells with openpyxl write-only mode and saving."""
    from devtools.bench.excel_floor import write_floor

    with open(work / CELLS, "rb") as source:
        data = pickle.load(source)
    baseline = peak_mb()
    print(f"  floor: peak RSS after loading the cells {baseline:.0f} MB", flush=True)
    started, cpu = time.perf_counter(), time.process_time()
    write_floor(data, work / FLOOR)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "seconds": seconds, "cpu": cpu, "baseline_mb": baseline, "peak_mb": peak_mb(),
        "bytes": (work / FLOOR).stat().st_size,
    }


def child_lookup(work: Path) -> dict:
    """The period and user of a database built by an earlier run (--reuse)."""
    django_setup()
    from django.contrib.auth import get_user_model

    from plans.models import ReportingPeriod, Task

    return {
        "period": ReportingPeriod.objects.get(is_open=True).pk,
        "user": get_user_model().objects.get(username="bench").pk,
        "tasks": Task.objects.tasks().count(),
    }


CHILDREN = {
    "lookup": child_lookup, "build": child_build, "export": child_export, "readback": child_readback,
    "floor": child_floor,
}


# --- the parent -------------------------------------------------------------------------------
def child_environment(work: Path) -> dict:
    """Django in the children sees only the benchmark's database, whatever .env says."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "DATABASE_URL": f"sqlite:///{work / DATABASE}",
        "DEBUG": "0",  # as in production: no query log
        "SECRET_KEY": secrets.token_urlsafe(50),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }


def run_child(env: dict, name: str, *arguments: str) -> dict:
    """Run one step in a fresh interpreter, echo its output, return the figures it reports."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", name, *arguments]
    result = None
    with subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True) as child:
        for line in child.stdout:
            if line.startswith(RESULT):
                result = json.loads(line[len(RESULT):])
            else:
                print(line, end="", flush=True)
    if child.returncode != 0 or result is None:
        raise SystemExit(f"step {name} failed (exit code {child.returncode})")
    return result


def _median(runs: list[dict]) -> dict:
    """The run with the median wall time (its own CPU time and peak alongside)."""
    return sorted(runs, key=lambda run: run["seconds"])[len(runs) // 2]


def benchmark(work: Path, tasks: int, reuse: bool = False, repeat: int = 3) -> None:
    env = child_environment(work)
    print(f"work directory: {work}")
    if reuse and (work / DATABASE).exists():
        built = run_child(env, "lookup", "--work", str(work))
        print(f"reusing the database built before ({built['tasks']} tasks)", flush=True)
    elif (work / DATABASE).exists():
        raise SystemExit(f"{work / DATABASE} exists: give --keep an empty or new directory, or add --reuse")
    else:
        print("migrating a fresh SQLite database …", flush=True)
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"], cwd=ROOT, env=env, check=True,
        )
        built = run_child(env, "build", "--work", str(work), "--tasks", str(tasks))
        print(f"built {tasks} tasks in {built['seconds']:.1f} s (peak RSS {built['peak_mb']:.0f} MB)", flush=True)
    exports, floors, read = [], [], None
    for run in range(1, repeat + 1):  # alternated, so a busy moment of the machine hits both
        print(f"run {run}/{repeat}", flush=True)
        exports.append(run_child(
            env, "export", "--work", str(work), "--period", str(built["period"]), "--user", str(built["user"]),
        ))
        read = read or run_child(env, "readback", "--work", str(work))
        floors.append(run_child(env, "floor", "--work", str(work)))
        print(f"  export {exports[-1]['seconds']:.2f} s, floor {floors[-1]['seconds']:.2f} s", flush=True)
    exported, floor = _median(exports), _median(floors)

    ratio = exported["seconds"] / floor["seconds"]
    fast, small = ratio <= GOAL_RATIO, max(run["peak_mb"] for run in exports) < GOAL_PEAK_MB
    lines = [
        ("sheets", " + ".join(read["sheets"]), ""),
        ("rows", f"{read['rows']:,}", ""),
        ("cells", f"{read['cells']:,}", ""),
        ("workbook size", f"{exported['bytes'] / 2**20:.1f} MB (floor {floor['bytes'] / 2**20:.1f} MB)", ""),
        ("build seconds", f"{built['seconds']:.1f}" if "seconds" in built else "(reused)", ""),
        ("export seconds", f"{exported['seconds']:.2f} (CPU {exported['cpu']:.2f}), median of {repeat}", ""),
        ("floor seconds", f"{floor['seconds']:.2f} (CPU {floor['cpu']:.2f}), median of {repeat}", ""),
        ("ratio", f"{ratio:.2f} (CPU {exported['cpu'] / floor['cpu']:.2f})",
         f"{'PASS' if fast else 'FAIL'} (goal ≤ {GOAL_RATIO})"),
        ("export peak MB",
         f"{max(run['peak_mb'] for run in exports):.0f} (highest of {repeat}; "
         f"after setup {exported['baseline_mb']:.0f})",
         f"{'PASS' if small else 'FAIL'} (goal < {GOAL_PEAK_MB})"),
        ("floor peak MB", f"{floor['peak_mb']:.0f} (after loading cells {floor['baseline_mb']:.0f})", ""),
    ]
    print()
    for label, value, verdict in lines:
        print(f"{label:<16} {value:<40} {verdict}".rstrip())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=50_000, help="number of synthetic tasks (default 50000)")
    parser.add_argument("--keep", type=Path, help="work in DIR and keep the database and workbooks there")
    parser.add_argument(
        "--repeat", type=int, default=3, help="export and floor runs, alternated; medians are compared (default 3)",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="with --keep: measure again on the database built there before",
    )
    parser.add_argument("--child", choices=CHILDREN, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--period", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--user", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        arguments = {"build": (args.tasks,), "export": (args.period, args.user)}.get(args.child, ())
        print(RESULT + json.dumps(CHILDREN[args.child](args.work, *arguments)), flush=True)
        return
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        benchmark(args.keep.resolve(), args.tasks, reuse=args.reuse, repeat=args.repeat)
    else:
        with tempfile.TemporaryDirectory(prefix="bench-export-") as work:
            benchmark(Path(work), args.tasks, repeat=args.repeat)


if __name__ == "__main__":
    main()
