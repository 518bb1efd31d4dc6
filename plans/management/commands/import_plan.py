"""python manage.py import_plan PATH [--plan-year YYYY] [--dry-run] [--json] [--corrections FILE.json]"""
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plans.importers import parse_lines
from plans.importers.reader import read_document
from plans.importers.corrections import CorrectionsInvalid, apply_corrections, check_corrections
from plans.importers.types import ImportRefused
from plans.services.plan_drafts import corrected_import


def _plan_year(raw: str) -> int:
    try:
        year = int(raw)
    except ValueError:
        raise CommandError(f"--plan-year 应为四位年份 (must be a year such as 2016), 收到 {raw!r}") from None
    if not 1949 <= year <= 2100:
        raise CommandError(f"--plan-year 超出范围 1949–2100 (out of range): {year}")
    return year


def _read_json(path: str) -> dict:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise CommandError(f"无法读取更正文件 (cannot read the corrections file) {path}: {error}") from None


class Command(BaseCommand):
    help = (
        "导入行动方案文件（.txt、.docx、.pdf、.html，装有 LibreOffice 时也可 .doc/.wps）。"
        "Import an action plan document (.txt, .docx, .pdf, .html; .doc/.wps where LibreOffice is installed)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="方案文件路径 (path of the plan document)")
        parser.add_argument(
            "--plan-year", type=str,
            help="方案年度，月日未写年份时采用 "
            "(the plan year, used for dates written without one; read from the document when left out)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="只解析、比较，不写数据库 (parse and compare, write nothing)",
        )
        parser.add_argument("--json", action="store_true", help="以 JSON 输出解析结果 (print the parsed plan as JSON)")
        parser.add_argument(
            "--corrections",
            help="更正文件（JSON，格式同网页导入的更正：plan、units、nodes） "
            "(a JSON file of corrections, as the import page stores them)",
        )

    def handle(self, *args, path, plan_year, dry_run, json: bool, corrections: str | None, **options):
        year = _plan_year(plan_year) if plan_year is not None else None
        try:
            lines, _kind = read_document(path)
            raw = parse_lines(lines, source_name=Path(path).name, plan_year=year)
            fixes = check_corrections(raw, _read_json(corrections)) if corrections else {}
            parsed = apply_corrections(raw, fixes)
            if json and dry_run:
                self._print_json(parsed)
                return
            summary = corrected_import(
                raw=raw, corrections=fixes, source_text="\n".join(lines), source_name=Path(path).name,
                dry_run=dry_run,
            )
        except (ImportRefused, CorrectionsInvalid) as refusal:
            raise CommandError(str(refusal)) from None
        if json:
            self._print_json(parsed)
        report = self.stderr if json else self.stdout
        for warning in parsed.warnings:
            report.write(self.style.WARNING(f"注意 (warning): {warning}"))
        for line in summary.as_lines():
            report.write(line)

    def _print_json(self, parsed):
        self.stdout.write(_dumps(parsed.as_json()))


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
