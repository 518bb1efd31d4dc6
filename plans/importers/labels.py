"""Numbering labels (一、 (一) 1. (1) ①, 第一章/第一节/第一条) and the title of a paragraph."""
from __future__ import annotations

import re

CN_DIGITS = "一二三四五六七八九十百零〇"
LABEL_PATTERNS: tuple[tuple[int, re.Pattern], ...] = (
    (1, re.compile(rf"^[{CN_DIGITS}]+[、．.﹒]")),
    (2, re.compile(rf"^[（(][{CN_DIGITS}]+[)）]")),
    (3, re.compile(r"^\d{1,3}(?:[、．﹒]|\.(?!\d)|\.(?=(?:19|20)\d\d年))")),  # 1.2017年10月底前…, not 1.5万
    (4, re.compile(r"^[（(]\d{1,2}[)）]")),
    (5, re.compile(r"^[①-⑳]")),
    # 第一章 / 第一节 / 第一条 (regulation style): chapter, section, article
    (1, re.compile(rf"^第[{CN_DIGITS}\d]+章")),
    (2, re.compile(rf"^第[{CN_DIGITS}\d]+节")),
    (3, re.compile(rf"^第[{CN_DIGITS}\d]+条")),
)
SENTENCE_END = "。！？!?"
CLAUSE_END = re.compile(r"[，,；;：:]")
TITLE_MAX = 30
SHORT_TITLE_MAX = 20


def label_of(text: str) -> tuple[str, int, str] | None:
    """(label as written, level, rest of the text) when `text` starts with a numbering label."""
    for level, pattern in LABEL_PATTERNS:
        found = pattern.match(text)
        if found:
            return found.group(), level, text[found.end() :].strip()
    return None


def split_title(body: str) -> str:
    """The heading sentence of a paragraph, without its 。.

    The first sentence when it is short (≤ 30 characters); otherwise the first clause,
    cut to 30 characters with "…".
    """
    first = re.split(rf"[{SENTENCE_END}]", body, maxsplit=1)[0].strip()
    if len(first) <= TITLE_MAX:
        return first
    clause = CLAUSE_END.split(first, maxsplit=1)[0]
    return clause if len(clause) <= TITLE_MAX else clause[:TITLE_MAX] + "…"


def is_heading(body: str) -> bool:
    """True for a bare heading: one short sentence ("燃煤烟气治理。", "持续壮大支柱产业出口规模")."""
    core = body.rstrip(SENTENCE_END)
    return bool(core) and len(core) <= TITLE_MAX and not re.search(rf"[{SENTENCE_END}]", core)


def starts_with_short_title(text: str) -> bool:
    """True for "电子信息。加快……" or "主要预期目标：经济增长……": a short title followed by more text."""
    parts = re.split(rf"[{SENTENCE_END}:：]", text, maxsplit=1)
    if len(parts) < 2 or not parts[1].strip():
        return False
    title = parts[0]
    return 0 < len(title) <= SHORT_TITLE_MAX and not re.search(r"[，,、；;：:（(]", title)
