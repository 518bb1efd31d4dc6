"""`manage.py bench` end to end at two tiny sizes, in a child process with its own SQLite file
(the command points the connection at scratch databases, which the test database must not
see). Timings are printed, never asserted; what is asserted is that every page and list
answers and runs the same number of queries at both sizes."""
import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def test_bench_measures_every_case_with_as_many_queries_at_both_sizes(tmp_path):
    env = {
        **os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'configured.sqlite3'}", "DEBUG": "false",
        "SECURE": "false", "SECRET_KEY": "bench-test-" + "x" * 40,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "bench", "--sizes", "60,120", "--repeat", "1"],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    for case in ["API 任务列表 page_size=100", "API 报告列表 page_size=100", "本期待办（单位）", "督办看板", "后台任务列表", "Excel 整表导出"]:
        assert len(re.findall(re.escape(case), out)) >= 4, f"{case} missing:\n{out}"  # two tables, printed twice
    query_goals = re.findall(r"^\s+(PASS|FAIL)\s+.*查询数 (\d+) → (\d+)", out, flags=re.M)
    assert len(query_goals) == 9
    assert all(verdict == "PASS" and small == large for verdict, small, large in query_goals), out
    assert not list(Path(tmp_path).glob("bench-*.sqlite3"))  # the scratch databases are removed
