"""From raw document lines to logical paragraphs.

`clean_lines` drops blank lines, page footers, watermark and notice lines and stray
letterhead lines, rejoins hard-wrapped lines (PDF extractions) into paragraphs and
removes the spaces that extraction puts between Chinese characters and figures.
Every paragraph keeps the 1-based source line where it starts.
Tables pasted as text (a cell a line, or spaces between the cells) are rebuilt as rows by
`pasted_tables` first.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from .pasted_tables import SEQ_HEADER, TABLE_ROW, cell_header_lines, cell_lines_as_rows, space_separated_rows

# ---------------------------------------------------------------- patterns

CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef“”‘’—…·"
SPACE_NEXT_TO_CJK = re.compile(rf"(?<=[{CJK}])[ \t\u00a0\u3000]+|[ \t\u00a0\u3000]+(?=[{CJK}])")
MARKDOWN_HEADING = re.compile(r"^#{1,6}\s+")

# "— 6 —", "- 6 -", "－6－", "第6页", "第 6 页 共 20 页", "6", "6/20"
PAGE_FOOTER = re.compile(
    r"^[—\-－–─]*\s*(?:第\s*)?\d{1,4}\s*(?:页)?\s*(?:(?:共|/)\s*\d{1,4}\s*页?)?\s*[—\-－–─]*$"
)
# 本文内容来自网络，由EESIA搜集整理，如有任何异议请联系我们……
WATERMARK = re.compile(r"来自网络|搜集整理|收集整理|如有(?:任何)?异议|侵权请?联系|仅供(?:学习)?参考|版权归.*所有")
# （此件主动公开）（此件公开发布）（此件不公开）
NOTICE = re.compile(r"^[（(]此件[^（()）]{1,12}[)）]$")
# 福建省发展和改革委员会文件 alone on a line
LETTERHEAD = re.compile(r"^(?:中共)?[\u4e00-\u9fff（）()]{2,30}(?:委员会|政府|办公室|办公厅|厅|局|委|部|院|办)文件$")
DOC_NUMBER_LINE = re.compile(r"^[\u4e00-\u9fff]{1,12}[〔\[［【(（]\d{4}[〕\]］】)）]\d{1,4}号$")
DATE_LINE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")

# numbering labels that open a new paragraph
PARAGRAPH_LABEL = re.compile(
    r"^(?:[一二三四五六七八九十百零〇]+[、．.﹒]"
    r"|[（(][一二三四五六七八九十百零〇]+[)）]"
    r"|\d{1,3}(?:[、．﹒]|\.(?!\d)|\.(?=(?:19|20)\d\d年))"
    r"|[（(]\d{1,2}[)）]"
    r"|[①-⑳]"
    r"|第[一二三四五六七八九十百零〇\d]+[章节条])"
)
ASSIGNMENT_LINE = re.compile(
    r"^(?:(?:牵头|协同|配合)?(?:责任|牵头|配合|协办|主办|主责|参与|协同|负责|承办|实施|落实|支撑|支持)(?:单位|部门)"
    r"|完成时限|完成时间|完成期限|时间节点|时限要求|(?:部门|责任|职责|任务|工作)?分工)\s*[:：]"
)
# the label of a role sentence on its own line: 部门分工：省发展改革委牵头，各地、各部门配合。
ROLE_SENTENCE_LABEL = re.compile(r"^(?:部门|责任|职责|任务|工作)?分工\s*[:：]")
# a line naming the leader (a person) of the task above: its own line, never glued to the task
LEADER_LINE = re.compile(r"^[\u4e00-\u9fff]{0,6}(?:领导|负责人|责任人|联系人)\s*[:：][^。；;]{0,20}[。；;]?$")
PARAGRAPH_END = "。；;：:）)！？!?”"
ROLE_WORD = re.compile(r"负责|牵头|配合|落实|主办|协办|参与|指导|协同|协助|督导")

# closing bracket → the opening brackets that pair with it
BRACKET_OPENERS = {"）": "（(", ")": "（(", "]": "[［", "］": "[［", "】": "【", "〕": "〔"}
OPENING_BRACKETS = "".join(dict.fromkeys("".join(BRACKET_OPENERS.values())))  # （([［【〔
CLOSING_BRACKETS = "".join(BRACKET_OPENERS)

WRAP_MIN_SHARE = 0.35  # share of lines near the typical width that marks a hard-wrapped text
WRAP_MIN_WIDTH = 24  # display columns; narrower "typical" widths are not a wrap
RUNNING_HEADER_MAX = 40  # a running page header is one short line
WRAP_SLACK = 8  # a line this much narrower than the wrap width is "short"


@dataclass(frozen=True)
class Paragraph:
    text: str
    line: int  # 1-based line of the source where the paragraph starts


# ---------------------------------------------------------------- public API


def clean_lines(lines: list[str]) -> list[Paragraph]:
    """Return the logical paragraphs of `lines`.

    Guarantees: no paragraph is empty; footers, watermarks, notices and stray letterhead
    lines are gone; spaces next to Chinese characters are gone; an assignment line
    (责任单位：…) or a table row always starts its own paragraph; paragraphs are in
    source order with their first source line.
    """
    kept = cell_lines_as_rows([(number, text) for number, text in _numbered_content_lines(lines)])
    wrap_width = detect_wrap_width([text for _, text in kept])
    paragraphs: list[Paragraph] = []
    current_text, current_line = "", 0
    for index, (number, text) in enumerate(kept):
        if not current_text:
            current_text, current_line = text, number
        else:
            current_text += text
        next_text = kept[index + 1][1] if index + 1 < len(kept) else None
        if next_text is None or not _joins_next(current_text, text, next_text, wrap_width):
            paragraphs.append(Paragraph(_normalize_paragraph(current_text), current_line))
            current_text = ""
    return [paragraph for paragraph in paragraphs if paragraph.text]


# A page whose paragraphs were flattened into one long line, a space where each began: the
# space before a numbering label or a role label starts a paragraph again.
FLATTENED_LINE_MIN = 200
FLATTENED_BREAK = re.compile(
    r"\s+(?=" + PARAGRAPH_LABEL.pattern.lstrip("^") + r"|" + ASSIGNMENT_LINE.pattern.lstrip("^") + r")"
)


TITLE_VERB = (
    r"(?:大力|强化|加大|加强|广泛|推进|推动|加快|完善|健全|深化|提升"
    r"|优化|营造|创新|严格|积极|全面|持续|切实|认真|着力|做好|建立)"
)
# a label's list of units run into the next item's short title: 配合单位：区经发局经信处，区通管办大力发展创投基金。
LABEL_LIST_THEN_TITLE = re.compile(
    r"(?:单位|部门)[:：][^。：:]{2,80}?[局委办处室部厅门行等](?=" + TITLE_VERB + r"[\u4e00-\u9fff]{2,10}。)"
)
FLATTENED_TIGHT_BREAK = re.compile(
    r"(?<=[。！？!?])(?=" + PARAGRAPH_LABEL.pattern.lstrip("^") + r"|" + ASSIGNMENT_LINE.pattern.lstrip("^") + r")"
    r"|(?<=[^\s\d（(])(?=[（(][一二三四五六七八九十]{1,3}[)）])"
    r"|(?<=[^\s\d.．])(?=\d{1,2}．[\u4e00-\u9fff])"
    r"|(?<=[局委办处室部厅])(?=“[^，。；：:“”]{1,8}”[\u4e00-\u9fff]{2,10}[:：。])"  # …区通管办“互联网+”医疗卫生：
    r"|(?<=[局委办处室部厅会行司])(?=[一二三四五六七八九十]{1,3}、[\u4e00-\u9fff]{2})"  # …区经发局经信处三、保障措施
)


def _unflattened(stripped: list[str]) -> list[tuple[int, str]]:
    """(source line, text) of each line, long lines cut where a space stands before a
    numbering or role label (see FLATTENED_BREAK): the pieces keep their line's number."""
    result = []
    for number, line in enumerate(stripped, start=1):
        for text in line.split("\n"):  # rows rebuilt from a run-together table keep its line
            flattened = len(text) >= FLATTENED_LINE_MIN and not TABLE_ROW.search(text)  # a table row keeps its cells
            parts = FLATTENED_BREAK.split(text) if flattened else [text]
            parts = [
                piece for part in parts for piece in (
                    FLATTENED_TIGHT_BREAK.split(LABEL_LIST_THEN_TITLE.sub("\\g<0>\n", part)) if flattened else [part]
                )
            ]
            parts = [piece for part in parts for piece in part.split("\n")]
            parts = [piece for part in parts for piece in (_label_value_cut(part) if flattened else [part])]
            result.extend((number, part.strip()) for part in parts if part.strip())
    return result


def _label_value_cut(part: str) -> list[str]:
    """A role label's list on a page flattened with spaces ends at the first space after it:
    "责任单位:市公安局 项目责任人:王伟标 配合单位:…" → the list, then the rest."""
    label = ASSIGNMENT_LINE.match(part.strip())
    if not label:
        return [part]
    part = part.strip()
    value_start = label.end() + len(part[label.end():]) - len(part[label.end():].lstrip())
    space = re.search(r"\s", part[value_start:])
    return [part] if not space else [part[: value_start + space.start()], part[value_start + space.start():]]


@lru_cache(maxsize=1)
def to_simplified():
    import opencc

    return opencc.OpenCC("t2s")


TRADITIONAL_SHARE = 0.005  # of the characters: above it the document is written in traditional script
TRADITIONAL_MIN = 10  # and at least this many: a simplified text may name 臺灣 or quote a title


def in_simplified_script(lines: list[str]) -> list[str]:
    """The lines in simplified script when the document is written in traditional (a repost
    from a Hong Kong or Taiwan mirror: 責任單位, 負責), else as they are: the labels and unit
    names the importer knows are simplified, and so are the offices' records."""
    convert = to_simplified().convert
    converted = [convert(line) for line in lines]
    changed = sum(a != b for line, new in zip(lines, converted) for a, b in zip(line, new))
    total = sum(len(line) for line in lines)
    return converted if changed >= TRADITIONAL_MIN and changed / total > TRADITIONAL_SHARE else lines


def normalize_spaces(text: str) -> str:
    """Remove spaces next to Chinese characters ("2025 年" → "2025年", "实 施 方 案" → "实施方案")."""
    return SPACE_NEXT_TO_CJK.sub("", text).strip()


def display_width(text: str) -> int:
    """Columns the text takes in print: wide (Chinese) characters count 2, others 1."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def detect_wrap_width(texts: list[str]) -> int | None:
    """The typical width of a hard-wrapped text, or None when lines are whole paragraphs.

    A text is hard-wrapped when a large share of its lines are within a few columns of
    the most common width.
    """
    widths = [display_width(text) for text in texts if not TABLE_ROW.search(text)]
    if len(widths) < 5:
        return None
    counts = Counter(widths)
    best_width, best_share = None, 0.0
    for width in counts:
        if width < WRAP_MIN_WIDTH:
            continue
        near = sum(count for other, count in counts.items() if width - 4 <= other <= width + 2)
        share = near / len(widths)
        if share > best_share:
            best_width, best_share = width, share
    if best_width is None or best_share < WRAP_MIN_SHARE:
        return None
    return max(other for other in counts if best_width - 4 <= other <= best_width + 2)


def is_noise_line(text: str) -> bool:
    """True for page footers, watermark lines, publication notices and stray letterhead."""
    compact = re.sub(r"\s+", "", text)
    return bool(
        PAGE_FOOTER.match(text)
        or WATERMARK.search(compact)
        or NOTICE.match(compact)
        or LETTERHEAD.match(compact)
    )


def is_assignment_line(text: str) -> bool:
    """True for a line such as 责任单位：…, 牵头单位:…, 配合单位：…, 完成时限：…"""
    return bool(ASSIGNMENT_LINE.match(text))


def trailing_parenthesis(text: str) -> tuple[int, str] | None:
    """(start index, inner text) of the balanced bracket that ends `text`, if any.

    A final "。" after it is allowed. Round brackets match in half and full width, and so do
    square ones; 【】 and 〔〕 close their own kind.
    """
    stripped = text.rstrip().rstrip("。")
    if not stripped or stripped[-1] not in BRACKET_OPENERS:
        return None
    closers, openers = stripped[-1], BRACKET_OPENERS[stripped[-1]]
    closers = "".join(closer for closer, opener in BRACKET_OPENERS.items() if opener == openers)
    depth = 0
    for index in range(len(stripped) - 1, -1, -1):
        char = stripped[index]
        if char in closers:
            depth += 1
        elif char in openers:
            depth -= 1
            if depth == 0:
                return index, stripped[index + 1 : -1]
    return None


def ends_with_assignment_parenthesis(text: str) -> bool:
    """True when `text` ends with a parenthesis naming roles (……负责）, ……牵头）)."""
    found = trailing_parenthesis(text)
    return bool(found and ROLE_WORD.search(found[1]))


# ---------------------------------------------------------------- helpers


def _numbered_content_lines(lines: list[str]):
    stripped = [
        MARKDOWN_HEADING.sub("", raw.replace("\ufeff", "").strip().strip("\u3000").strip()) for raw in lines
    ]
    stripped = [SPACED_LABEL.sub(r"\1", FURNITURE_TAIL.sub("", text)) for text in stripped]
    stripped = space_separated_rows(stripped)
    numbered_table = any(SEQ_HEADER.match(text) for text in stripped) or cell_header_lines(stripped)
    headers = _running_headers(stripped, numbered_table)
    for number, text in _unflattened(stripped):
        if not text or number - 1 in headers:
            continue
        if is_noise_line(text) and not (numbered_table and BARE_NUMBER.match(text)):
            continue  # a bare 1, 2, 3 is a page number, or the 序号 cell of a table pasted a cell a line
        yield number, _normalize_paragraph(text)


# a numbering label with a space before its dot, as a web page's spacing leaves it: "1 . 严格管控……"
SPACED_LABEL = re.compile(r"^(\d{1,3})\s+(?=[.．、](?!\d))")
# a web page's buttons left at the end of the text: ……省广播影视集团） 附件下载
FURNITURE_TAIL = re.compile(r"(?<=\S)\s+(?:附件下载|打印本页|关闭窗口|【打印】|【关闭】|\[打印\]|\[关闭\])\s*$")
BARE_NUMBER = re.compile(r"^\d{1,5}$")  # in a table pasted a cell a line: a 序号 or a figure (2578), no page number


def _running_headers(texts: list[str], numbered_table: bool = False) -> set[int]:
    """Indexes of page headers: the same short line right after two or more page footers.

    A PDF extraction repeats the running header (the plan title, the issuing office) at
    the top of every page, that is on the first line after each footer. Only those
    copies go; the same text elsewhere (the title above the body) stays.
    """
    after_footer: dict[str, list[int]] = {}
    for index, text in enumerate(texts):
        if not text or not PAGE_FOOTER.match(text) or (numbered_table and BARE_NUMBER.match(text)):
            continue  # in a table pasted a cell a line, "1" then "海绵城市" is a row, not a page break
        following = next((j for j in range(index + 1, len(texts)) if texts[j]), None)
        if following is None:
            continue
        compact = re.sub(r"\s+", "", texts[following])
        if len(compact) <= RUNNING_HEADER_MAX and not re.search(r"[。，,；;：:]", compact):
            after_footer.setdefault(compact, []).append(following)
    return {index for indexes in after_footer.values() if len(indexes) >= 2 for index in indexes}


def _normalize_paragraph(text: str) -> str:
    """Spaces removed; a table row keeps its cells, separated by a tab."""
    if TABLE_ROW.search(text):
        return "\t".join(normalize_spaces(cell) for cell in TABLE_ROW.split(text))
    return normalize_spaces(text)


def _joins_next(paragraph: str, line: str, next_line: str, wrap_width: int | None) -> bool:
    """Whether `line` (the end of `paragraph` so far) continues on `next_line`."""
    if wrap_width is None:
        return False
    if TABLE_ROW.search(line) or TABLE_ROW.search(next_line):
        return False
    if BARE_NUMBER.match(line) or BARE_NUMBER.match(next_line):
        return False  # the 序号 cell of a table pasted a cell a line
    if PARAGRAPH_LABEL.match(next_line) or is_assignment_line(next_line) or LEADER_LINE.match(next_line):
        return False
    if LEADER_LINE.match(line):
        return False
    if DOC_NUMBER_LINE.match(line) or DOC_NUMBER_LINE.match(next_line):
        return False
    if DATE_LINE.match(line) or DATE_LINE.match(next_line):
        return False
    short = display_width(line) < wrap_width - WRAP_SLACK
    if is_assignment_line(paragraph):
        return not short and not line.endswith("。")
    if ends_with_assignment_parenthesis(paragraph):
        return False  # "……（省商务厅等部门按职责分工负责）" closes a task paragraph
    if short and PARAGRAPH_LABEL.match(paragraph) and paragraph == line:
        return False  # a heading such as "（一）持续壮大支柱产业出口规模"
    if short and (line.endswith(tuple(PARAGRAPH_END)) or line.endswith("通知")):
        return False
    if short and display_width(next_line) >= wrap_width - WRAP_SLACK:
        return False  # a title line, then the first full line of the body
    return True
