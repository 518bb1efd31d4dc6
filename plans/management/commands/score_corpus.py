"""python manage.py score_corpus [--corpus DIR] [--json] [--write-baseline]

Scores the importer on the corpus of real plan documents (plans/importers/scoring.py): one
line per document, one per style, the mean, and how long each document took to parse."""
import json
import math
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from plans.importers.scoring import by_style, check_gold, corpus_documents, long_plan_timing, mean, score_corpus

CORPUS = Path(settings.BASE_DIR) / "tests" / "importers" / "corpus"
BASELINE = "baseline.json"


class Command(BaseCommand):
    help = "Score the importer on the corpus of real plan documents with gold."

    def add_arguments(self, parser):
        parser.add_argument("--corpus", default=str(CORPUS), help="语料目录 (folder of <slug>.txt + <slug>.gold.json)")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出 (print the scores as JSON)")
        parser.add_argument(
            "--write-baseline", action="store_true",
            help="把当前均分和满分文档写入 baseline.json (record the mean and the perfect documents as the floor)",
        )

    def handle(self, *args, corpus, json: bool, write_baseline: bool, **options):
        directory = Path(corpus)
        documents = corpus_documents(directory)
        if not documents:
            raise CommandError(f"{directory} 中没有语料 (no <slug>.gold.json there)")
        bad = {text.stem: problems for text, gold in documents if (problems := check_gold(gold))}
        if bad:
            raise CommandError(f"金标准文件格式有误 (malformed gold): {bad}")
        scores = score_corpus(directory)
        if json:
            self.stdout.write(_dumps([_row(score) for score in scores]))
        else:
            self._table(scores)
            long = long_plan_timing(directory)
            self.stdout.write(
                f"a plan of {long.tasks} tasks, about {long.pages} pages ({long.documents} whole documents joined), "
                f"parsed in {long.seconds:.2f} s; floor 1.00 s"
            )
        if write_baseline:
            floor = math.floor(mean(scores) * 10_000) / 10_000  # rounded down: the recorded run passes
            baseline = {"mean_floor": floor, "perfect": [s.slug for s in scores if s.overall == 1.0]}
            (directory / BASELINE).write_text(_dumps(baseline) + "\n", encoding="utf-8")

    def _table(self, scores):
        write = self.stdout.write
        write(f"{'document':48} {'gold':>4} {'parsed':>6} {'recall':>6} {'prec':>5} {'resp':>5} {'supp':>5} "
              f"{'impl':>5} {'dl-F1':>5} {'score':>5} {'sec':>5}")
        for s in scores:
            found = s.found or 1
            write(
                f"{s.slug[:48]:48} {s.gold_tasks:4} {s.parsed_tasks:6} {s.recall:6.2f} {s.precision:5.2f} "
                f"{s.units_right['responsible'] / found:5.2f} {s.units_right['supporting'] / found:5.2f} "
                f"{s.units_right['implementing'] / found:5.2f} {s.deadline_f1:5.2f} {s.overall:5.2f} {s.seconds:5.2f}"
                + (f"  refused: {s.refused[:60]}" if s.refused else "")
            )
        write("")
        write(f"{'style':24} {'docs':>4} {'mean':>5}")
        for style, (count, value) in by_style(scores).items():
            write(f"{style:24} {count:4} {value:5.2f}")
        write("")
        slowest = max(scores, key=lambda s: s.seconds)
        write(f"mean score {mean(scores):.3f} over {len(scores)} documents "
              f"({sum(s.whole for s in scores)} whole); slowest parse {slowest.seconds:.2f} s ({slowest.slug}, "
              f"{slowest.parsed_tasks} tasks)")


def _row(score) -> dict:
    return {
        "slug": score.slug, "styles": score.styles, "whole": score.whole, "gold_tasks": score.gold_tasks,
        "parsed_tasks": score.parsed_tasks, "recall": score.recall, "precision": score.precision,
        "units_right": score.units_right, "deadline_f1": score.deadline_f1, "overall": score.overall,
        "seconds": round(score.seconds, 3), "refused": score.refused, "misses": score.misses,
    }


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)
