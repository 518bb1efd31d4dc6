"""The importer's yardstick: a corpus of real plan documents, each with gold written by reading
it (tests/importers/corpus/<slug>.txt and <slug>.gold.json), and the scores of what the
importer makes of them.

Per document: task recall and precision (a gold task is found when a parsed task's text
starts with its first words), the share of found tasks whose unit lists are exactly right
per role (responsible in order, the lead first; supporting and implementing as sets),
deadline F1 over the found tasks, and one overall score: the task-count score (the smaller
of the two counts over the larger) times the share of gold tasks whose three unit lists are
all exactly right. A document the importer refuses scores 0. The importer is run as a new
user would run it: no plan year given.
"""
from __future__ import annotations

import json
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from plans.importers import parse_document, parse_lines
from plans.importers.cleanup import to_simplified
from plans.importers.reader import read_document
from plans.importers.types import ImportRefused, ParsedNode

ROLES = ("responsible", "supporting", "implementing")
GOLD_KEYS = {"source", "title", "level", "whole", "styles", "tasks"}
TASK_KEYS = {"path", "first_words", *ROLES, "deadlines"}
LEVELS = {"national", "provincial", "city", "county", "district"}
DOCUMENT_SUFFIXES = (".txt", ".html", ".docx", ".pdf")


def normalised(text: str) -> str:
    """Full-width forms folded (（一） → (一)), traditional script as simplified (the importer
    reads a traditional document in simplified), whitespace dropped: how names and first
    words compare."""
    return "".join(to_simplified().convert(unicodedata.normalize("NFKC", text)).split())


@dataclass
class DocumentScore:
    slug: str
    styles: list[str]
    whole: bool
    gold_tasks: int
    parsed_tasks: int = 0
    found: int = 0
    units_right: dict = field(default_factory=lambda: dict.fromkeys(ROLES, 0))
    all_right: int = 0
    deadlines: tuple[int, int, int] = (0, 0, 0)  # true positives, parsed, gold
    seconds: float = 0.0
    refused: str = ""
    misses: list[str] = field(default_factory=list)  # first words of gold tasks not found

    @property
    def recall(self) -> float:
        return self.found / self.gold_tasks if self.gold_tasks else 1.0

    @property
    def precision(self) -> float:
        return self.found / self.parsed_tasks if self.parsed_tasks else 0.0

    @property
    def deadline_f1(self) -> float:
        hits, parsed, gold = self.deadlines
        return 1.0 if parsed == gold == 0 else 2 * hits / (parsed + gold)

    @property
    def count_score(self) -> float:
        counts = (self.parsed_tasks, self.gold_tasks)
        return min(counts) / max(counts) if max(counts) else 1.0

    @property
    def overall(self) -> float:
        if self.refused or not self.gold_tasks:
            return 0.0
        return self.count_score * self.all_right / self.gold_tasks


def check_gold(gold: dict) -> list[str]:
    """What is wrong with a gold file's shape, as sentences (empty when it is fine)."""
    problems = [f"missing key {key!r}" for key in sorted(GOLD_KEYS - set(gold))]
    if gold.get("level") not in LEVELS:
        problems.append(f"level {gold.get('level')!r} is not one of {sorted(LEVELS)}")
    if not gold.get("tasks"):
        problems.append("no tasks")
    for number, task in enumerate(gold.get("tasks", []), 1):
        missing = TASK_KEYS - set(task)
        if missing:
            problems.append(f"task {number}: missing {sorted(missing)}")
            continue
        if not normalised(task["first_words"]):
            problems.append(f"task {number}: empty first_words")
        for role in ROLES:
            if not all(isinstance(unit, str) and unit.strip() for unit in task[role]):
                problems.append(f"task {number}: {role} must be a list of unit names")
        for day in task["deadlines"]:
            if not (isinstance(day, str) and len(day) == 10 and day[4] == day[7] == "-"):
                problems.append(f"task {number}: deadline {day!r} is not YYYY-MM-DD")
    return problems


def _units(names) -> list[str]:
    return [normalised(name) for name in names]


def _right(gold_task: dict, node: ParsedNode) -> dict[str, bool]:
    return {
        "responsible": _units(gold_task["responsible"]) == _units(node.responsible),
        "supporting": sorted(_units(gold_task["supporting"])) == sorted(_units(node.supporting)),
        "implementing": sorted(_units(gold_task["implementing"])) == sorted(_units(node.implementing)),
    }


def _due_dates(node: ParsedNode) -> set[str]:
    return {deadline.date.isoformat() for deadline in node.deadlines if deadline.date and deadline.kind == "due"}


def _match(gold_tasks: list[dict], parsed: list[ParsedNode]) -> list[ParsedNode | None]:
    """Each gold task's parsed task, in document order: the next unused parsed task whose
    text (or title) starts with the gold's first words, else any unused one that does."""
    texts = [(normalised(node.text), normalised(node.title)) for node in parsed]
    used: set[int] = set()
    found: list[ParsedNode | None] = []
    cursor = 0
    for task in gold_tasks:
        words = normalised(task["first_words"])
        order = list(range(cursor, len(parsed))) + list(range(cursor))
        hit = next(
            (index for index in order if index not in used and any(t.startswith(words) for t in texts[index])), None
        )
        if hit is None:
            found.append(None)
            continue
        used.add(hit)
        cursor = hit + 1
        found.append(parsed[hit])
    return found


def score_document(text_path: Path, gold: dict) -> DocumentScore:
    """Parse the document as a new user would (no plan year given) and score it."""
    started = time.perf_counter()
    try:
        parsed, refused = parse_document(text_path).tasks, ""
    except ImportRefused as refusal:
        parsed, refused = [], str(refusal)
    return score_tasks(text_path.stem, gold, parsed, refused=refused, seconds=time.perf_counter() - started)


def score_tasks(
    slug: str, gold: dict, parsed: list[ParsedNode], *, refused: str = "", seconds: float = 0.0
) -> DocumentScore:
    """The scores of the tasks the importer made of a document against its gold."""
    score = DocumentScore(
        slug=slug, styles=list(gold["styles"]), whole=bool(gold["whole"]), gold_tasks=len(gold["tasks"]),
        parsed_tasks=len(parsed), seconds=seconds, refused=refused,
    )
    hits = gold_dates = 0
    parsed_dates = sum(len(_due_dates(node)) for node in parsed)  # a task no gold names counts too
    for task, node in zip(gold["tasks"], _match(gold["tasks"], parsed)):
        gold_days = set(task["deadlines"])
        gold_dates += len(gold_days)
        if node is None:
            score.misses.append(task["first_words"])
            continue
        score.found += 1
        right = _right(task, node)
        for role, ok in right.items():
            score.units_right[role] += ok
        score.all_right += all(right.values())
        hits += len(_due_dates(node) & gold_days)
    score.deadlines = (hits, parsed_dates, gold_dates)
    return score


def corpus_documents(directory: Path) -> list[tuple[Path, dict]]:
    """(document path, gold) for every <slug>.gold.json with its document beside it
    (<slug>.txt, else .html, .docx or .pdf: the format it was found in)."""
    documents = []
    for gold_path in sorted(directory.glob("*.gold.json")):
        slug = gold_path.name.removesuffix(".gold.json")
        candidates = [gold_path.with_name(slug + suffix) for suffix in DOCUMENT_SUFFIXES]
        text_path = next((path for path in candidates if path.exists()), candidates[0])
        documents.append((text_path, json.loads(gold_path.read_text(encoding="utf-8"))))
    return documents


def score_corpus(directory: Path) -> list[DocumentScore]:
    return [score_document(text_path, gold) for text_path, gold in corpus_documents(directory)]


def by_style(scores: list[DocumentScore]) -> dict[str, tuple[int, float]]:
    """Each style: how many documents use it and their mean overall score."""
    styles: dict[str, list[float]] = {}
    for score in scores:
        for style in score.styles:
            styles.setdefault(style, []).append(score.overall)
    return {style: (len(values), sum(values) / len(values)) for style, values in sorted(styles.items())}


LONG_PLAN_TASKS = 300  # about 30 pages of a plan
PAGE_CHARACTERS = 900  # characters of Chinese text on a printed A4 page of a government document


@dataclass
class LongPlanTiming:
    tasks: int
    pages: int
    documents: int
    seconds: float


def long_plan_timing(directory: Path) -> LongPlanTiming:
    """How long a plan of about 300 tasks takes to parse: the corpus's whole documents joined
    into one text until their gold names 300 tasks, parsed as one document."""
    lines: list[str] = []
    tasks = documents = 0
    for text_path, gold in corpus_documents(directory):
        if not gold["whole"] or tasks >= LONG_PLAN_TASKS:
            continue
        lines += read_document(text_path)[0]
        tasks += len(gold["tasks"])
        documents += 1
    started = time.perf_counter()
    parsed = parse_lines(lines, plan_year=2024)
    seconds = time.perf_counter() - started
    return LongPlanTiming(len(parsed.tasks), sum(map(len, lines)) // PAGE_CHARACTERS, documents, seconds)


def mean(scores: list[DocumentScore]) -> float:
    return sum(score.overall for score in scores) / len(scores) if scores else 0.0
