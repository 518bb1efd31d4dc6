"""The project's local .env (written by `make run`): KEY=VALUE lines, read by the Django
settings and by gunicorn.conf.py, which must not import the settings. Plain Python, no
Django. The process environment wins over the file in both."""
from __future__ import annotations

from pathlib import Path


def read_dotenv(path: Path) -> dict[str, str]:
    """The file's values ({} without a file); ValueError naming the line for one without "="."""
    if not path.is_file():
        return {}
    values = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "=" not in line:
            raise ValueError(f"{path}:{number}: expected KEY=VALUE, got {line!r}")
        key, value = line.split("=", 1)
        values[key.strip()] = value.strip().strip("'\"")
    return values
