"""Returned-sheet limits benchmark (not a test): build the two hostile uploads of issue 13 with
raw XML in a zip (seconds, no openpyxl) and time the check of each next to a floor, each in
its own child process so each peak RSS is its own.

    PYTHONPATH=. .venv/bin/python benchmarks/upload_limits.py [--rows 1000000] [--strings 10000000] [--keep DIR]
        [--old] [--service]

The sheets: a unit's progress sheet (signature, header rows, the columns the reader checks)
followed by `--rows` task rows (about 5 MB zipped for a million), and a workbook whose
shared-string table holds `--strings` entries. Each comes twice: declaring its size (the
sheet's <dimension>, the table's uniqueCount) and not declaring it, so both the cheap check
before parsing and the stop while streaming are measured.

check: what services.sheet_upload does with the bytes before touching the database
(xlsx_reader.open_stream_workbook + returned.read_returned), until UploadRefused at a
limit. floor: open the zip and read the sheet's first 64 KiB. --old adds openpyxl's
read-only load and a walk over every row (what the upload did before the limits; slow).
--service adds the whole upload (services.sheet_upload) against a scratch SQLite database,
and a plan's full sheet just within the row limit whose every row is a problem.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULT = "RESULT "
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="单位" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/>'
    "</Relationships>"
)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _inline(reference: str, text: str) -> str:
    return f'<c r="{reference}" t="inlineStr"><is><t>{_escape(text)}</t></is></c>'


def _head_rows(kind: str = "unit", plan_key: str = "bench", period_label: str = "2016Q3") -> str:
    """Rows 1–4 of a sheet as the exporter writes them: title, info, the group row with the
    signature in the hidden key column, the header row."""
    from plans.exports import layout

    columns = layout.columns_for(kind)
    key = layout.letter(layout.key_column_index(kind))
    signature = layout.signature(
        kind=kind, plan_key=plan_key, period_label=period_label, unit_name="单位" if kind == layout.UNIT else "",
    )
    group = "".join(
        _inline(f"{layout.letter(i)}3", column.group or column.header) for i, column in enumerate(columns, start=1)
    )
    header = "".join(_inline(f"{layout.letter(i)}4", column.header) for i, column in enumerate(columns, start=1))
    return (
        f'<row r="1">{_inline("A1", "进展情况表")}</row><row r="2">{_inline("A2", "填报单位")}</row>'
        f'<row r="3">{group}{_inline(f"{key}3", signature)}</row>'
        f'<row r="4">{header}{_inline(f"{key}4", layout.KEY_HEADER)}</row>'
    )


def _package(path: Path, sheet_rows, *, dimension: str = "", strings=None, unique: int | None = None) -> None:
    """Write the workbook: parts as strings, the sheet's rows and the shared strings streamed."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{dimension}<sheetData>'.encode()
            )
            for chunk in sheet_rows:
                sheet.write(chunk.encode())
            sheet.write(b"</sheetData></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as table:
            declared = f' uniqueCount="{unique}"' if unique is not None else ""
            table.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}"{declared}>'.encode())
            for chunk in strings or ():
                table.write(chunk.encode())
            table.write(b"</sst>")


def _task_rows(count: int, batch: int = 20_000, kind: str = "unit", **signature):
    """`count` task rows after the head: the hidden key alone (tasks that do not exist), the
    rest left empty."""
    from plans.exports import layout

    key = layout.letter(layout.key_column_index(kind))
    yield _head_rows(kind, **signature)
    for start in range(layout.FIRST_DATA_ROW, layout.FIRST_DATA_ROW + count, batch):
        yield "".join(
            f'<row r="{n}"><c r="{key}{n}" t="inlineStr"><is><t>T{n}U1V0</t></is></c></row>'
            for n in range(start, min(start + batch, layout.FIRST_DATA_ROW + count))
        )


def xlsx_reader_limit() -> int:
    from plans.exports import xlsx_reader

    return xlsx_reader.MAX_TEXT_BYTES - 1024


def _strings(count: int, batch: int = 50_000, ascii_only: bool = False):
    """`count` entries, each one of 16 one-character texts picked at random (so the part compresses
    like a real table, well under the zip-bomb ratio)."""
    rng = random.Random(1)
    words = "abcdefghijklmnop" if ascii_only else "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳"
    texts = [f"<si><t>{word}</t></si>" for word in words]
    for start in range(0, count, batch):
        yield "".join(rng.choice(texts) for _ in range(min(batch, count - start)))


def build(work: Path, rows: int, strings: int) -> dict[str, Path]:
    from plans.exports import layout

    key = layout.letter(layout.key_column_index(layout.UNIT))
    files = {
        "rows": work / "rows.xlsx",
        "rows-declared": work / "rows-declared.xlsx",
        "strings": work / "strings.xlsx",
        "strings-declared": work / "strings-declared.xlsx",
        "strings-streamed": work / "strings-streamed.xlsx",
    }
    _package(files["rows"], _task_rows(rows))
    last = layout.FIRST_DATA_ROW + rows - 1
    _package(files["rows-declared"], _task_rows(rows), dimension=f'<dimension ref="A1:{key}{last}"/>')
    _package(files["strings"], [_head_rows()], strings=_strings(strings))
    _package(files["strings-declared"], [_head_rows()], strings=_strings(strings), unique=strings)
    # under the text limit (a one-letter entry is 17 bytes), undeclared: only the count while streaming stops it
    small = min(strings, xlsx_reader_limit() // len("<si><t>a</t></si>"))
    _package(files["strings-streamed"], [_head_rows()], strings=_strings(small, ascii_only=True))
    return files


# --- child processes --------------------------------------------------------------------------
def child_prepare() -> dict:
    """In the scratch database: a small synthetic plan, its open period, an office account."""
    import secrets

    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from devtools.scale import ScaleGenerator, Sizes, synthetic_plans

    ScaleGenerator(Sizes(plans=1, tasks=200, units=20, years=1)).run()
    plan = synthetic_plans().get()
    user = get_user_model().objects.create_superuser("bench", "bench@example.invalid", secrets.token_urlsafe(16))
    period = plan.periods.get(is_open=True)
    return {"plan_key": plan.key, "period_label": period.label, "period": period.pk, "user": user.pk}


def child_service(path: Path, period_id: int, user_id: int) -> dict:
    """The whole upload (services.sheet_upload) against the scratch database: the check, and
    what it stores."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from plans import services
    from plans.exports import upload
    from plans.exports.upload import UploadRefused
    from plans.models import ReportingPeriod, SheetImport

    data = path.read_bytes()
    upload.MAX_UPLOAD_BYTES = len(data) + 1  # past the 10 MB upload limit on purpose
    period, user = ReportingPeriod.objects.get(pk=period_id), get_user_model().objects.get(pk=user_id)
    started = time.perf_counter()
    try:
        sheet_import = services.sheet_upload(user=user, period=period, file_name=path.name, data=data)
    except UploadRefused as refusal:
        outcome = "refused: " + str(refusal).split(" (")[0][:90]
    else:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT length(changes) + length(problems) FROM plans_sheetimport WHERE id = %s", [sheet_import.pk],
            )
            stored = cursor.fetchone()[0]
        outcome = f"{sheet_import.state}: {len(sheet_import.problems)} problems kept, preview {stored / 1024:.0f} KiB"
        SheetImport.objects.filter(pk=sheet_import.pk).delete()
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb(), "outcome": outcome}


def child(case: str, path: Path) -> dict:
    import django

    django.setup()
    from plans.exports.returned import read_returned
    from plans.exports.upload import UploadRefused
    from plans.exports.xlsx_reader import open_stream_workbook

    data = path.read_bytes()
    started = time.perf_counter()
    outcome = ""
    if case == "floor":
        with zipfile.ZipFile(path) as archive, archive.open("xl/worksheets/sheet1.xml") as sheet:
            sheet.read(64 * 1024)
        outcome = "read 64 KiB"
    elif case == "check":
        try:
            workbook = open_stream_workbook(data, max_bytes=len(data) + 1)  # past the 10 MB upload limit on purpose
            try:
                returned = read_returned(workbook)
            finally:
                workbook.close()
            outcome = f"read {sum(len(sheet.rows) for sheet in returned.sheets)} rows"
        except UploadRefused as refusal:
            outcome = "refused: " + str(refusal).split(" (")[0][:90]
    elif case == "old":
        import openpyxl

        workbook = openpyxl.load_workbook(path, read_only=True)
        count = sum(1 for _row in workbook.worksheets[0].iter_rows())
        workbook.close()
        outcome = f"openpyxl walked {count} rows"
    return {"seconds": time.perf_counter() - started, "peak_mb": peak_mb(), "outcome": outcome}


def run_child(case: str, path: Path | None, timeout: float, env: dict | None = None, *extra: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    command = [sys.executable, __file__, "--child", case, *(("--file", str(path)) if path else ()), *extra]
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return {"seconds": timeout, "peak_mb": float("nan"), "outcome": f"stopped after {timeout:.0f} s"}
    line = next(line for line in done.stdout.splitlines() if line.startswith(RESULT))
    return json.loads(line[len(RESULT):])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--strings", type=int, default=10_000_000)
    parser.add_argument("--keep", help="build the files in this directory and keep them")
    parser.add_argument(
        "--old", action="store_true", help="also time openpyxl walking every row (the path before the limits)",
    )
    parser.add_argument(
        "--service", action="store_true", help="also run the whole upload against a scratch SQLite database",
    )
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument("--child")
    parser.add_argument("--file")
    parser.add_argument("--period", type=int)
    parser.add_argument("--user", type=int)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    if args.child == "prepare":
        print(RESULT + json.dumps(child_prepare()), flush=True)
        return
    if args.child == "service":
        print(RESULT + json.dumps(child_service(Path(args.file), args.period, args.user)), flush=True)
        return
    if args.child:
        print(RESULT + json.dumps(child(args.child, Path(args.file))), flush=True)
        return

    import django

    django.setup()
    from plans.exports import xlsx_reader

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="upload-limits-"))
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    files = build(work, args.rows, args.strings)
    print(f"built {len(files)} files in {time.perf_counter() - started:.1f} s in {work}")
    print(
        f"limits: {xlsx_reader.MAX_ROWS:,} rows, {xlsx_reader.MAX_CELLS:,} cells, "
        f"{xlsx_reader.MAX_SHARED_STRINGS:,} shared strings, "
        f"{xlsx_reader.MAX_TEXT_BYTES / 2**20:g} MiB of text"
    )
    print(f"{'file':<18} {'zip MB':>7} {'step':<6} {'seconds':>8} {'peak MB':>8}  outcome")
    for name, path in files.items():
        size = path.stat().st_size / 2**20
        for case in ("floor", "check", *(("old",) if args.old else ())):
            result = run_child(case, path, args.timeout)
            print(
                f"{name:<18} {size:>7.1f} {case:<6} {result['seconds']:>8.2f} {result['peak_mb']:>8.0f}  "
                f"{result['outcome']}",
                flush=True,
            )
    if args.service:
        service(work, files, args)
    if not args.keep:
        for path in work.iterdir():
            path.unlink()
        work.rmdir()


def service(work: Path, files: dict[str, Path], args) -> None:
    """The whole upload against a scratch SQLite database: the large files again, and one of
    a plan's full sheet just within the row limit whose every row is a problem (what filled
    the 330 MB previews before: now the first 1,000 problems are kept)."""
    import secrets

    from plans.exports import layout, xlsx_reader

    env = {
        "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}", "DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
    }
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "--verbosity", "0"], cwd=ROOT, env={**os.environ, **env},
        check=True,
    )
    prepared = run_child("prepare", None, args.timeout, env)
    within = work / "within-limit.xlsx"
    _package(within, _task_rows(
        xlsx_reader.MAX_ROWS - 10, kind=layout.FULL, plan_key=prepared["plan_key"],
        period_label=prepared["period_label"],
    ))
    extra = ("--period", str(prepared["period"]), "--user", str(prepared["user"]))
    for name, path in {**files, "within-limit": within}.items():
        result = run_child("service", path, args.timeout, env, *extra)
        size = path.stat().st_size / 2**20
        print(
            f"{name:<18} {size:>7.1f} {'upload':<6} {result['seconds']:>8.2f} {result['peak_mb']:>8.0f}  "
            f"{result['outcome']}",
            flush=True,
        )


if __name__ == "__main__":
    main()
