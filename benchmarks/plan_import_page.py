"""How long the browser import of a plan document keeps an office waiting, by document size,
beside `manage.py import_plan` (the same parse and write, without a page) in the same run.

    .venv/bin/python benchmarks/plan_import_page.py [TASKS ...]   (default 50 500 2000)

For each size a synthetic plan (sections, numbered tasks with 牵头/配合 units and deadlines,
written as a city plan is) is made as .docx, then on a throw-away SQLite database:
- command: read + parse + write (`import_plan`), the floor;
- upload: services.plan_draft_upload (read, check, parse, keep the draft);
- preview: services.plan_review.draft_review (parse, corrections, unit matches, dry run);
- confirm: services.plan_draft_apply.
Prints seconds per step and the preview's ratio to the command. Asserts nothing.
"""
from __future__ import annotations

import io
import os
import random
import sys
import tempfile
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
UNITS = ["市发展改革委", "市财政局", "市生态环境局", "市住房城乡建设局", "市交通运输局", "市农业农村局",
         "市商务局", "市市场监管局", "市公安局", "市教育局", "市卫生健康委", "各县区政府"]
NUMERALS = "一二三四五六七八九十"


def document(tasks: int, seed: int = 7) -> bytes:
    """A plan of `tasks` tasks in sections of ten, as a .docx."""
    import docx

    from devtools.texts import task_title

    rng = random.Random(seed)
    lines = ["测试市人民政府办公室关于印发测试市重点工作推进方案的通知", "测政办〔2026〕1号",
             "测试市重点工作推进方案", "各责任单位每季度最后一个月20日前报送进展情况。"]
    for section in range((tasks + 9) // 10):
        lines.append(f"{NUMERALS[section % 10]}、{task_title(rng)}")
        for number in range(1, min(10, tasks - section * 10) + 1):
            lead, *supporting = rng.sample(UNITS, 3)
            lines.append(
                f"{number}．{task_title(rng)}。加快推进相关工作，确保按期完成。"
                f"（牵头单位：{lead}；配合单位：{'、'.join(supporting)}；完成时限：2026年{rng.randint(1, 12)}月底前）"
            )
    out = docx.Document()
    for line in lines:
        out.add_paragraph(line)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def timed(call):
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


def main(sizes: list[int]) -> None:
    folder = tempfile.mkdtemp(prefix="plan-import-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    os.environ["MEDIA_ROOT"] = f"{folder}/media"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from plans import services
    from plans.models import Plan
    from plans.roles import OFFICE_GROUP, groups_ensure
    from plans.services.plan_review import draft_review

    call_command("migrate", verbosity=0)
    office = get_user_model().objects.create_user("bench-office", is_staff=True)
    office.groups.add(groups_ensure()[OFFICE_GROUP])
    Plan.objects.create(key="bench", title="bench", plan_year=2026).office_staff.add(office)  # an office
    imported = Plan.objects.exclude(key="bench")
    heads = ("command", "upload", "preview", "confirm")
    print(f"{'tasks':>6} {'bytes':>8} " + " ".join(f"{head:>8}" for head in heads) + f" {'preview/command':>16}")
    for tasks in sizes:
        data = document(tasks)
        path = Path(folder) / f"plan-{tasks}.docx"
        path.write_bytes(data)
        _, command = timed(lambda: call_command("import_plan", str(path), verbosity=0))
        imported.delete()
        draft, upload = timed(lambda: services.plan_draft_upload(user=office, file_name=path.name, data=data))
        review, preview = timed(lambda: draft_review(draft))
        assert not review.error and review.counts["tasks"] == tasks, (review.error, review.counts)
        _, confirm = timed(lambda: services.plan_draft_apply(user=office, draft=draft))
        imported.delete()
        print(f"{tasks:>6} {len(data):>8} {command:>8.2f} {upload:>8.2f} {preview:>8.2f} {confirm:>8.2f} "
              f"{preview / command:>16.2f}")


if __name__ == "__main__":
    main([int(arg) for arg in sys.argv[1:]] or [50, 500, 2000])
