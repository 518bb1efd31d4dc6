"""import_plan end to end: seeds into the database, refusals, idempotent and revised re-import."""
import io
import json
import os
import subprocess
import sys
import zipfile
from io import StringIO
from pathlib import Path

import docx
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from plans.importers import reader
from plans.models import Assignment, Plan, ProgressReport, ReportingPeriod, Role, Task, Unit, UnitAlias
from tests.importers.test_reader import BILLION_LAUGHS, OLE2_HEADER, document_xml, rezip, with_doctype

SEEDS = Path(settings.BASE_DIR) / "seeds"
HEBI = SEEDS / "hebi-2016-blue-sky-plan.txt"
FUJIAN = SEEDS / "fujian-2024-export-industries-plan.txt"
NON_PLANS = ["jincheng-2017-budget-report.txt", "steel-association-2024-interview.txt", "strategic-emerging-industries-paper.txt"]


def run(*args) -> str:
    out = StringIO()
    call_command("import_plan", *map(str, args), stdout=out, stderr=out)
    return out.getvalue()


def table_counts() -> dict:
    return {model.__name__: model.objects.count() for model in (Plan, Task, Unit, UnitAlias, Assignment)}


@pytest.mark.django_db
def test_dry_run_json_prints_the_parsed_plan_and_writes_nothing():
    data = json.loads(run(HEBI, "--dry-run", "--json"))
    assert len(data["tasks"]) == 53
    assert data["tasks"][0]["responsible"] == ["市发改委", "各县区政府(管委)"]
    assert set(data["plan"]) == {"title", "doc_number", "issuers", "issued_on", "period_start", "period_end", "valid_until", "reporting"}
    assert set(table_counts().values()) == {0}


YEARLESS = """关于做好重点工作的实施方案
一、重点任务
(一)推进园区建设，10月底前完成规划。
牵头单位：区发改局；配合单位：区财政局。
牵头领导：王明。
(二)抓好项目招引。
牵头单位：区商务局。
"""


@pytest.mark.django_db
def test_dry_run_json_lists_warnings_with_line_text_and_reason_and_each_tasks_leaders(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text(YEARLESS, encoding="utf-8")
    data = json.loads(run(path, "--dry-run", "--json"))
    assert [task["leaders"] for task in data["tasks"]] == [["王明"], []]
    assert all(set(warning) == {"line", "text", "reason"} for warning in data["warnings"])
    (undated,) = [warning for warning in data["warnings"] if warning["text"] == "10月底前"]
    assert undated["line"] == 3 and "没有年份" in undated["reason"]
    assert data["tasks"][0]["deadlines"] == [{"date": None, "kind": "due", "text": "10月底前"}]
    assert "王明" not in data["units"]
    assert set(table_counts().values()) == {0}


@pytest.mark.django_db
def test_a_document_naming_no_year_is_imported_for_this_year_with_its_dates_to_confirm(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text(YEARLESS, encoding="utf-8")
    output = run(path)
    plan = Plan.objects.get()
    assert plan.plan_year == timezone.localdate().year
    deadline = Task.objects.get(title__startswith="推进园区建设").deadlines.get()
    assert (deadline.date, deadline.text) == (None, "10月底前")
    assert "找不到年份" in output and "10月底前" in output
    plan.plan_year = 2019
    plan.save()
    run(path)  # the year an office set is kept when the same document comes again
    assert Plan.objects.get().plan_year == 2019


@pytest.mark.django_db
def test_dry_run_without_json_reports_what_it_would_create_and_writes_nothing():
    output = run(FUJIAN, "--dry-run")
    assert "试运行" in output and "25" in output
    assert Plan.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("seed, tasks", [(HEBI, 53), (FUJIAN, 25)])
def test_import_saves_every_task_of_a_seed_plan(seed, tasks):
    run(seed)
    plan = Plan.objects.get()
    assert plan.nodes.tasks().count() == tasks
    assert not Assignment.objects.filter(task__kind="section").exists()


@pytest.mark.django_db
def test_import_lists_units_not_met_before():
    output = run(HEBI)
    assert "新建单位" in output
    assert "鹤壁市发展和改革委员会" in output
    assert "新建单位" not in run(HEBI)


@pytest.mark.django_db
def test_spellings_of_one_unit_resolve_to_one_unit():
    run(HEBI)
    unit = Unit.objects.get(name="鹤壁市发展和改革委员会")
    aliases = set(UnitAlias.objects.filter(jurisdiction="鹤壁市", unit=unit).values_list("name", flat=True))
    assert {"市发改委", "发改委"} <= aliases
    assert Unit.objects.filter(aliases__name__in=["市发改委", "发改委", "鹤壁市发展和改革委员会"]).distinct().count() == 1


@pytest.mark.django_db
def test_first_responsible_unit_is_the_lead():
    run(HEBI)
    first = Task.objects.tasks().order_by("position").first()
    lead = first.assignments.get(is_lead=True)
    assert lead.unit.short_name == "市发改委"
    assert lead.role == Role.RESPONSIBLE and lead.position == 0
    assert list(first.assignments.filter(role=Role.SUPPORTING).order_by("position").values_list("unit__short_name", flat=True)) == ["市财政局", "市商务局"]


@pytest.mark.django_db
def test_collective_unit_lists_its_member_governments():
    run(HEBI)
    collective = Unit.objects.get(aliases__name="各县区政府(管委)")
    members = set(collective.members.values_list("name", flat=True))
    assert {"浚县人民政府", "淇县人民政府", "淇滨区人民政府", "山城区人民政府", "鹤山区人民政府"} <= members


@pytest.mark.django_db
def test_hebi_reporting_schedule_is_quarterly_by_the_23rd_of_the_last_month():
    run(HEBI)
    plan = Plan.objects.get()
    assert (plan.reporting_frequency, plan.reporting_month, plan.reporting_day) == ("quarterly", 3, 23)


@pytest.mark.django_db
def test_importing_the_same_document_again_changes_nothing():
    run(HEBI)
    before = table_counts()
    stamps = list(Task.objects.order_by("pk").values_list("pk", "updated_at"))
    history = Task.history.count() + Assignment.history.count()
    output = run(HEBI)
    assert "没有变化" in output
    assert table_counts() == before
    assert list(Task.objects.order_by("pk").values_list("pk", "updated_at")) == stamps
    assert Task.history.count() + Assignment.history.count() == history


def _revise(text: str) -> str:
    """Drop the 继续推进油气回收治理 task, reword 强化水泥粉磨站治理, add a task after the last one."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("6.继续推进油气回收治理"))
    del lines[start:start + 3]
    lines = [line.replace("6月15日前完成所有水泥粉磨站", "7月15日前完成所有水泥粉磨站") for line in lines]
    lines += ["(六)建立督查通报制度。每月通报各县区大气污染防治工作进展。", "责任单位:市环保局。"]
    return "\n".join(lines) + "\n"


@pytest.mark.django_db
def test_revised_document_updates_the_plan_in_place_and_keeps_reports(tmp_path):
    run(HEBI)
    plan = Plan.objects.get()
    kept = Task.objects.tasks().get(title__startswith="加快开发风能发电")
    dropped = Task.objects.tasks().get(title__startswith="继续推进油气回收治理")
    period = ReportingPeriod.objects.create(plan=plan, label="2016Q1", start="2016-01-01", end="2016-03-31", due_date="2016-03-23")
    unit = kept.assignments.get(is_lead=True).unit
    kept_report = ProgressReport.objects.create(task=kept, unit=unit, period=period, progress="风电项目已开工")
    ProgressReport.objects.create(task=dropped, unit=dropped.assignments.get(is_lead=True).unit, period=period)
    revised = tmp_path / "hebi-revised.txt"
    revised.write_text(_revise(HEBI.read_text(encoding="utf-8")), encoding="utf-8")

    output = run(revised)

    assert Plan.objects.get().pk == plan.pk
    assert "新增 1" in output and "建立督查通报制度" in output
    assert "修改 1" in output and "强化水泥粉磨站治理" in output
    assert "继续推进油气回收治理" in output
    kept_report.refresh_from_db()
    assert kept_report.task_id == kept.pk and kept_report.progress == "风电项目已开工"
    dropped.refresh_from_db()
    assert dropped.is_active is False
    assert Task.objects.tasks().active().count() == 53
    changed = Task.objects.get(title__startswith="强化水泥粉磨站治理")
    assert changed.deadlines.get().date.isoformat() == "2016-07-15"
    assert "没有变化" in run(revised)


@pytest.mark.django_db
@pytest.mark.parametrize("name", NON_PLANS)
def test_documents_that_are_not_plans_are_refused_and_nothing_is_written(name):
    with pytest.raises(CommandError, match="no task with assigned units found"):
        run(SEEDS / name)
    assert set(table_counts().values()) == {0}


@pytest.mark.django_db
def test_empty_file_is_refused(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("   \n\n", encoding="utf-8")
    with pytest.raises(CommandError):
        run(empty)
    assert Plan.objects.count() == 0


@pytest.mark.django_db
def test_missing_file_is_refused_with_its_name(tmp_path):
    with pytest.raises(CommandError, match="nothing-here.txt"):
        run(tmp_path / "nothing-here.txt")


@pytest.mark.django_db
def test_gb18030_document_imports_like_utf8(tmp_path):
    copy = tmp_path / "hebi-gb18030.txt"
    copy.write_bytes(HEBI.read_text(encoding="utf-8").encode("gb18030"))
    run(copy)
    assert Task.objects.tasks().count() == 53


@pytest.mark.django_db
@pytest.mark.parametrize("year", ["20x6", "1800"])
def test_bad_plan_year_is_refused(year):
    with pytest.raises(CommandError, match="plan-year"):
        run(HEBI, "--plan-year", year)
    assert Plan.objects.count() == 0


# --- hostile and malformed files: a sentence, a non-zero exit, no traceback, nothing written ----
def hebi_docx() -> bytes:
    """The Hebi seed plan as a .docx, one paragraph a line: what a guard-less import would save."""
    document = docx.Document()
    for line in HEBI.read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def entity_bomb(data: bytes) -> bytes:
    xml = with_doctype(document_xml(data), BILLION_LAUGHS)
    return rezip(data, replace={"word/document.xml": xml.replace("加快开发风能发电".encode(), b"&lol9;", 1)})


def zip_bomb(data: bytes) -> bytes:
    return rezip(data, add={"word/media/image1.png": b"\x00" * (8 * 1024 * 1024)})  # 8 MiB from ~8 KB


def oversize_text(_data: bytes) -> bytes:
    text = HEBI.read_bytes()
    return text * (reader.MAX_DOCUMENT_BYTES // len(text) + 1)


def not_a_zip(_data: bytes) -> bytes:
    return HEBI.read_bytes()


def zip_not_docx(_data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hebi.txt", HEBI.read_bytes())
    return buffer.getvalue()


def encrypted(_data: bytes) -> bytes:
    return OLE2_HEADER + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 64


def binary_txt(_data: bytes) -> bytes:
    return HEBI.read_bytes()[:600] + bytes(range(256)) * 16


HOSTILE = [
    ("bomb.docx", entity_bomb, "实体"),
    ("bomb.docx", zip_bomb, "压缩炸弹"),
    ("huge.txt", oversize_text, "文件过大"),
    ("junk.txt", binary_txt, "不是文本文件|不是UTF-8"),
    ("text.docx", not_a_zip, "文件可能已损坏"),
    ("archive.docx", zip_not_docx, "不是 Word 文档"),
    ("locked.docx", encrypted, "密码"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("name, make, message", HOSTILE, ids=[make.__name__ for _n, make, _m in HOSTILE])
@pytest.mark.parametrize("dry_run", [False, True], ids=["save", "dry-run"])
def test_hostile_or_malformed_file_is_refused_and_nothing_is_written(tmp_path, name, make, message, dry_run):
    run(FUJIAN)
    before = table_counts()
    stamps = list(Task.objects.order_by("pk").values_list("pk", "updated_at"))
    path = tmp_path / name
    path.write_bytes(make(hebi_docx()))
    with pytest.raises(CommandError, match=message):
        run(path, *(["--dry-run"] if dry_run else []))
    assert table_counts() == before
    assert list(Task.objects.order_by("pk").values_list("pk", "updated_at")) == stamps


@pytest.mark.django_db
def test_the_docx_the_hostile_files_are_made_from_imports(tmp_path):
    """So each refusal above comes from a guard, not from a document the importer could not use."""
    path = tmp_path / "hebi.docx"
    path.write_bytes(hebi_docx())
    run(path)
    assert Plan.objects.get().nodes.tasks().count() == 53


def test_a_refusal_exits_non_zero_with_the_sentence_and_no_traceback(tmp_path):
    """As an office runs it: a separate process, whose database is never reached."""
    path = tmp_path / "bomb.docx"
    path.write_bytes(entity_bomb(hebi_docx()))
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    done = subprocess.run(
        [sys.executable, "manage.py", "import_plan", str(path)], cwd=settings.BASE_DIR, env=env,
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode != 0
    assert "实体" in done.stderr and "Traceback" not in done.stderr + done.stdout
