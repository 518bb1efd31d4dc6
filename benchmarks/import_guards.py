"""Time and peak memory of `manage.py import_plan` on hostile and large documents.

    .venv/bin/python benchmarks/import_guards.py

Each case runs in its own process (peak RSS from getrusage) with --dry-run on a throw-away
SQLite database; prints the exit status and the first line of what the command said. Before
the guards: the billion-laughs .docx printed an lxml traceback, the 1 MB .docx inflating to
1 GB took 2.3 GB, the 50 MB .txt took 41 s and 900 MB, and a 7 MB .docx of 1.6 million
short paragraphs (inflating under the zip-bomb limits) took 103 s and 1 GB before it was
refused by its line count. Prints figures; asserts nothing.
"""
from __future__ import annotations

import io
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
HEBI = BASE / "seeds" / "hebi-2016-blue-sky-plan.txt"
LAUGHS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
    + b"]>"
)


def hebi_docx() -> bytes:
    import docx

    document = docx.Document()
    for line in HEBI.read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, replace: dict[str, bytes] | None = None, add: dict[str, bytes] | None = None) -> bytes:
    replace, add = replace or {}, add or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target,
    ):
        for info in source.infolist():
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
        for name, content in add.items():
            target.writestr(name, content)
    return out.getvalue()


def cases(folder: Path) -> list[tuple[str, Path]]:
    base = hebi_docx()
    xml = zipfile.ZipFile(io.BytesIO(base)).read("word/document.xml")
    bomb_xml = LAUGHS + xml.split(b"?>", 1)[1].replace("加快开发风能发电".encode(), b"&lol9;", 1)
    # word/document.xml padded with 1 GB of whitespace inside the body: ~1 MB zipped.
    padded = xml.replace(b"<w:body>", b"<w:body>" + b" " * (1024 ** 3), 1)
    rng = random.Random(1)  # varied numbers: compress too little to count as a zip bomb
    paragraphs = b"".join(b"<w:p><w:r><w:t>%d</w:t></w:r></w:p>" % rng.randrange(10**6) for _ in range(1_600_000))
    made = {
        "hebi.docx (the seed as Word)": ("hebi.docx", base),
        "billion laughs .docx": ("laughs.docx", rezip(base, replace={"word/document.xml": bomb_xml})),
        "1 MB .docx inflating to 1 GB": ("inflate.docx", rezip(base, replace={"word/document.xml": padded})),
        "1.6 M short paragraphs .docx (60 MB of XML)": ("paragraphs.docx", rezip(base, replace={
            "word/document.xml": xml.replace(b"<w:body>", b"<w:body>" + paragraphs, 1)})),
        "50 MB .txt (the seed repeated)": ("huge.txt", HEBI.read_bytes() * (50 * 1024 * 1024 // HEBI.stat().st_size)),
        "9.9 MB .txt, 3.3 M characters": ("long.txt", HEBI.read_bytes() * 370),
        "the largest accepted: the seed ×116, 19,836 lines": ("bound.txt", HEBI.read_bytes() * 116),
    }
    paths = []
    for label, (name, data) in made.items():
        path = folder / name
        path.write_bytes(data)
        paths.append((f"{label} [{len(data) / 1024 / 1024:.1f} MB]", path))
    return paths


# The command run in a child that prints its peak resident memory (VmHWM: this process only,
# not what a fork inherited from the parent) as the last line of stderr.
RUNNER = """
import runpy, sys
sys.argv = ["manage.py", "import_plan", sys.argv[1], "--dry-run"]
try:
    runpy.run_path("manage.py", run_name="__main__")
finally:
    peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM"))
    print(peak.split()[1], file=sys.stderr)
"""


def measure(path: Path, database: str) -> tuple[float, float, int, str]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", RUNNER, str(path)], cwd=BASE,
        env={**os.environ, "DATABASE_URL": database}, capture_output=True, text=True,
    )
    seconds = time.perf_counter() - start
    *said, peak = done.stderr.strip().splitlines()
    said = [line for line in said if line.strip()] or done.stdout.strip().splitlines()
    return seconds, int(peak) / 1024, done.returncode, (said[0] if said else "")[:110]


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        database = f"sqlite:///{folder}/bench.sqlite3"
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"], cwd=BASE, env={**os.environ, "DATABASE_URL": database},
            check=True,
        )
        for label, path in cases(Path(folder)):
            seconds, peak, status, said = measure(path, database)
            print(f"{label:52} {seconds:6.2f} s  peak {peak:5.0f} MB  exit {status}  {said}")


if __name__ == "__main__":
    main()
