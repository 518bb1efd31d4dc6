"""Known unit names (牵头单位 / 责任单位 / 配合单位) from a gazetteer kept as data.

The data, `data/gazetteer.txt`, lists national bodies with their short and former names,
department stems of provincial, city and county governments with the endings each takes
(发展改革 + 委/局, 人社 + 厅/局), prefixes (省, 鹤壁市, 淇滨区, 各县（市、区）) and a few
compound patterns (国家税务总局鹤壁市税务局, 市公安局交警支队, 市生态环境局淇滨分局).
It is read once, on first use.

- `is_known_unit(name)`: True for a national body in any listed form, or a place prefix + a
  known department; False for clauses, time phrases and ordinary nouns (市场主体, 财政资金).
- `split_run_together(text)`: "市发改委市财政局" → ["市发改委", "市财政局"]; the whole text when it
  is one known name; None when the text is not fully made of known units in a row.
- `canonical(name)`: the national body's full name, or the prefix + canonical stem + ending of
  a local department (市发改委 → 市发展改革委; 委员会 is written 委); None when unknown.
- `current_name(name)`: the full name of the body that now does the work of a renamed or
  merged one (银监会 → 国家金融监督管理总局), else the full name itself.

A place the data does not list is accepted by its shape: 2–5 characters ending in 省/市/县/区/
镇/乡/街道…, with no department stem, no clause word and none of the [blocked] characters in it.
A township or street alone (柏林沟镇, 五星街道) counts as a unit; a county or city alone does not.
Pure Python, no Django. Full-width brackets and spaces are normalised before lookup.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

DATA_PATH = Path(__file__).with_name("data") / "gazetteer.txt"
MAX_UNIT_LENGTH = 40
MAX_TEXT_LENGTH = 400  # a table cell, not a page
SEPARATORS = re.compile(r"[、，,；;：:/]")  # outside parentheses, these end a unit
HAN = "[\u4e00-\u9fff]"
JOINERS = "和及与"  # between two known units, a joiner is dropped


@dataclass
class Gazetteer:
    national: dict[str, str] = field(default_factory=dict)  # any form -> full name
    successor: dict[str, str] = field(default_factory=dict)  # full name -> successor's full name
    bare: dict[str, tuple[str, str]] = field(default_factory=dict)  # stem+ending -> (canonical, flag)
    whole: dict[str, str] = field(default_factory=dict)
    branches: list[tuple[tuple[str, ...], str, tuple[str, ...]]] = field(default_factory=list)
    subunits: dict[str, tuple[str, ...]] = field(default_factory=dict)  # part -> parent stems
    subnamed: list[str] = field(default_factory=list)  # longest first
    places: list[str] = field(default_factory=list)
    levels: dict[str, list[str]] = field(default_factory=dict)
    blocked: str = ""
    verbs: list[str] = field(default_factory=list)
    stems: set[str] = field(default_factory=set)


def _sections(text: str):
    section = ""
    for line in filter(None, (raw.strip() for raw in text.splitlines())):
        if line.startswith("["):
            section = line.strip("[]")
        elif not line.startswith("#"):
            yield section, line


def _forms(part: str) -> list[str]:
    return [form.strip() for form in part.split("|") if form.strip()]


def parse_gazetteer(text: str) -> Gazetteer:
    """Read the data format described in the header of data/gazetteer.txt."""
    g = Gazetteer()
    for section, line in _sections(text):
        if section in ("national", "whole"):
            names, _, after = line.partition(">")
            forms, known = _forms(names), g.national if section == "national" else g.whole
            known.update({form: forms[0] for form in forms if form not in known})
            if after.strip():
                g.successor[forms[0]] = after.strip()
        elif section == "stems":
            flag = line[0] if line[0] in "!~" else ""
            stems, _, endings = line.lstrip("!~").partition(":")
            stems_list, endings_list = _forms(stems), endings.split()
            g.stems.update(stem for stem in stems_list if len(stem) > 1)
            for stem in stems_list:
                for ending in endings_list:
                    ending = "" if ending == "-" else ending
                    written = "委" if ending == "委员会" and "委" in endings_list else ending
                    g.bare.setdefault(stem + ending, (stems_list[0] + written, flag))
        elif section == "branches":
            heads, _, endings = line.partition(":")
            head_forms = tuple(_forms(heads))
            g.branches.append((head_forms, head_forms[0], tuple(endings.split())))
        elif section == "subunits":
            parents, _, parts = line.rpartition(":")
            for part in _forms(parts):
                g.subunits[part] = tuple(_forms(parents))
        elif section == "subnamed":
            g.subnamed += _forms(line)
        elif section in ("places", "verbs"):
            getattr(g, section).extend(line.split())
        elif section == "levels":
            key, _, values = line.partition(":")
            g.levels.setdefault(key.strip(), []).extend(values.split())
        elif section == "blocked":
            g.blocked += line
    g.subnamed = sorted(set(g.subnamed), key=len, reverse=True)
    return g


def _alternation(words) -> str:
    return "|".join(map(re.escape, sorted(set(words), key=len, reverse=True)))


class _Matcher:
    """The gazetteer with its prefix patterns compiled."""

    def __init__(self, g: Gazetteer):
        self.g = g
        free = f"(?:(?![{re.escape(g.blocked)}]){HAN})"
        suffix = _alternation(g.levels["suffix"])
        level = _alternation(g.levels["prefix"])
        # a place name the data does not list holds no department stem: not 财政资金市 + 财政局
        body = f"(?:(?!{_alternation(g.stems)}){free})"
        place = f"(?:(?:{_alternation(g.places)})(?:{suffix})?|{body}{{2,5}}(?:{suffix})|{body}县)"  # 沁县
        collective = (
            f"(?:{_alternation(g.levels['collective'])})"
            f"(?:(?:{level})(?:、(?:{level}))*)?(?:\\([^()]{{1,15}}\\))?"
        )
        lead = f"(?:{_alternation(g.levels['lead'])})?"
        after = f"(?:{_alternation(g.levels['after'])})?"
        self.prefix = re.compile(f"{lead}(?:{collective}|{place}{{1,3}}(?:{level})?|{level})?{after}")
        self.place = re.compile(f"{place}{{1,3}}")
        self.collective_unit = re.compile(collective.replace(")*)?(", ")*)(", 1))  # 各县、市、区; not 各 alone
        self.plain = re.compile(f"{free}{{2,8}}")
        self.verb = re.compile(_alternation(g.verbs))
        self.town = re.compile(f"{free}{{2,4}}(?<!下)(?:{_alternation(g.levels['standalone'])})")  # not 科技下乡
        # before a "~" stem (开发区, 指挥部): a prefix, a short proper name, or both (县示范区, 鹤壁市护城河指挥部)
        self.named = re.compile(f"(?:{self.prefix.pattern})(?:{free}{{2,8}})?")

    def free_ok(self, text: str) -> bool:
        """No clause word in a part of the name that the data does not spell out."""
        return not self.verb.search(text)

    def opens_with_unit(self, head: str, whole: bool = False) -> bool:
        """人行县…, 全国妇联市…: a prefix that begins with a unit is two units run together
        (with `whole`, also a prefix that is a unit itself: 中国残联 before 度假区)."""
        return any(self.parse(head[:cut]) and not self.collective_unit.fullmatch(head[:cut])
                   for cut in range(2, len(head) + whole))

    def ends_with_zone(self, head: str) -> bool:
        return any(self.g.bare.get(head[cut:], ("", ""))[1] == "~" for cut in range(len(head)))

    @lru_cache(maxsize=200_000)
    def parse(self, name: str) -> str | None:
        """The canonical form of `name` (already normalised) when it is a known unit."""
        g = self.g
        if not name or len(name) > MAX_UNIT_LENGTH:
            return None
        if name in g.bare and g.bare[name][1] != "!":
            return g.bare[name][0]  # bare local form first: 林业局 is the county's, not 国家林业局
        if name in g.national:
            return g.national[name]
        if name in g.whole:
            return g.whole[name]
        if self.collective_unit.fullmatch(name):
            return name  # 各县（市、区）, 相关乡镇（街道）
        if self.town.fullmatch(name) and name not in g.levels["not_place"] and self.free_ok(name):
            return name  # a township or street: 柏林沟镇, 五星街道
        outer = re.fullmatch(r"(.+)\(([^()]+)\)", name)
        if outer and re.fullmatch(f"(?:{HAN}|、){{1,15}}", outer[2]):
            return self.parse(outer[1])  # a qualifier: 高新园(邹区镇), 各县(市、区)政府(管委会)
        for start in range(1, len(name)):
            tail = name[start:]
            if tail in g.bare:
                canon, flag = g.bare[tail]
                head = name[:start]
                if flag == "~" and self.ends_with_zone(head):
                    continue  # two zones in a row are two units: 经开区高新园
                if (self.named if flag == "~" else self.prefix).fullmatch(head) and self.free_ok(head) \
                        and not self.opens_with_unit(head, whole=flag == "~"):
                    return head + canon
        for heads, head_canon, endings in g.branches:
            for head in heads:
                if name.startswith(head):
                    rest = name[len(head):]
                    for ending in endings:
                        place = rest[: len(rest) - len(ending)]
                        if rest.endswith(ending) and place and self.place.fullmatch(place) and self.free_ok(place):
                            return head_canon + place + ending
        for sub, parents in g.subunits.items():
            if name.endswith(sub) and len(name) > len(sub):
                base = self.parse(name[: -len(sub)])
                if base and (not parents or any(parent in base for parent in parents)):
                    return base + sub  # 市公安局交警支队
        for sub in g.subnamed:
            body = name[: -len(sub)]
            if not name.endswith(sub) or self.parse(body):
                continue  # a unit + a unit of its own (市民政局税务分局) is no named branch
            for cut in range(len(body) - 1, 1, -1):
                base, part = self.parse(body[:cut]), body[cut:]
                if base:  # the longest unit in front, then a short name: 市生态环境局淇滨分局
                    if len(part) <= 6 and self.free_ok(part) and not self.parse(part + sub) \
                            and (self.place.fullmatch(part) or self.plain.fullmatch(part)):
                        return base + part + sub
                    break
        return None


@lru_cache(maxsize=1)
def _matcher() -> _Matcher:
    return _Matcher(parse_gazetteer(DATA_PATH.read_text(encoding="utf-8")))


def gazetteer() -> Gazetteer:
    """The loaded data (for counting and inspection)."""
    return _matcher().g


def normalize(name: str) -> str:
    """Full-width brackets to ASCII, spaces removed."""
    return re.sub(r"\s+", "", name or "").replace("（", "(").replace("）", ")")


def is_known_unit(name: str) -> bool:
    return _matcher().parse(normalize(name)) is not None


def is_department_stem(name: str) -> bool:
    """True for the stem of a department written alone (财政, 公安, 交通运输, 住房和城乡建设), as lists
    do: 财政、公安、安监、道安办配合."""
    return normalize(name) in _matcher().g.stems


def holds_clause_word(text: str) -> bool:
    """True when `text` holds a word of a clause (a verb such as 推进, 开展), which no name does."""
    return not _matcher().free_ok(normalize(text))


def canonical(name: str) -> str | None:
    return _matcher().parse(normalize(name))


def current_name(name: str) -> str | None:
    """The full name of the body now doing the work of `name`, following renamings and mergers."""
    full, successor = canonical(name), _matcher().g.successor
    for _ in range(len(successor)):
        if full not in successor:
            break
        full = successor[full]
    return full


def _has_separator(text: str) -> bool:
    return bool(SEPARATORS.search(re.sub(r"\([^()]*\)", "", text)))


def split_run_together(text: str) -> list[str] | None:
    """The known units `text` is made of, in order, longest first with backtracking; else None.

    A text that is one known name comes back whole ("市发展和改革委员会" → itself); a 和/及/与
    between two known units is dropped; a text holding a separator (、，；:/) outside parentheses,
    or longer than MAX_TEXT_LENGTH, is not this function's business (None). The parts come back
    normalised: spaces dropped, full-width brackets as ASCII.
    """
    text = normalize(text)
    if not text or len(text) > MAX_TEXT_LENGTH or _has_separator(text):
        return None
    parse = _matcher().parse
    failed: set[int] = set()

    def cover(start: int) -> list[str] | None:
        if start == len(text):
            return []
        if start in failed:
            return None
        for end in range(min(len(text), start + MAX_UNIT_LENGTH), start, -1):
            if parse(text[start:end]):
                rest = cover(end)
                if rest is None and end < len(text) - 1 and text[end] in JOINERS:
                    rest = cover(end + 1)  # 市环保局和财政局; never inside a name (工业和信息化部)
                if rest is not None:
                    return [text[start:end], *rest]
        failed.add(start)
        return None

    return cover(0)
