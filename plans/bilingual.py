"""The code writes a rule's sentence once in both languages, "中文 (english)"; a page shows it in
one. Messages kept in the database (an upload's problems) are stored in that two-language form,
so the same record reads in Chinese on the Chinese site and in English on the English one; the
catalogs do the same for messages said at once (plans/locale, `manage.py chinese_catalog`)."""
from __future__ import annotations

import re

from django.utils import translation

CJK = re.compile(r"[\u4e00-\u9fff]")
# " (english words)": one level of brackets inside, never a "%(name)s" placeholder
GLOSS = re.compile(r"\s*(?<!%)\((?=[^)]*[A-Za-z]{2,})((?:[^()\u4e00-\u9fff（）]|\([^()\u4e00-\u9fff]*\))*)\)")
COLON = re.compile(r"(?<=[\u4e00-\u9fff）”])\s*:\s*")


def chinese_alone(text: str) -> str:
    """不能修改的字段 (fields that cannot be changed): a, b → 不能修改的字段：a, b"""
    if not CJK.search(text):
        return text
    return COLON.sub("：", GLOSS.sub("", text).strip())


def english_alone(text: str) -> str:
    """不能修改的字段 (fields that cannot be changed): a, b → Fields that cannot be changed: a, b.
    A sentence without its English (or with names in Chinese only) is kept as it is."""
    match = GLOSS.search(text) if CJK.search(text) else None
    if match is None:
        return text
    english = match.group(1).strip() + text[match.end():]
    return english[:1].upper() + english[1:]


def in_language(text: str, language: str | None = None) -> str:
    """The two-language sentence `text` in `language` (default: the active one)."""
    language = language or translation.get_language() or "zh-hans"
    return english_alone(text) if language.startswith("en") else chinese_alone(text)
