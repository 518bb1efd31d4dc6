"""Unit lists in plan assignments: `split_units` turns "市发改委、工业和信息化委员会、环保局，
各县区政府(管委)。" into unit names, sharing a written jurisdiction prefix (市/省/县/区) with
the units that lack one; `lead_marked_units` gives those marked （牵头）.

Kinds of units live in `unit_kinds`, official names and aliases in `unit_names`, place names
in `places`; their public names stay importable from here.
"""
from __future__ import annotations

import re

from .gazetteer import split_run_together
from .places import contains_place
from .unit_kinds import LEVEL, PREFIX, looks_like_unit, takes_shared_prefix, unit_kind
from .unit_names import canonical_unit_name, unit_aliases

# split_units and lead_marked_units, and the names plans.services and the tests take from here
__all__ = [
    "canonical_unit_name", "contains_place", "lead_marked_units", "looks_like_unit", "split_units", "unit_aliases",
    "unit_kind",
]

# ---------------------------------------------------------------- patterns

SEPARATORS = "、,，；;"
CONJUNCTIONS = "和及与"
OPEN_BRACKETS, CLOSE_BRACKETS = "（(〈《", "）)〉》"
# where a unit name ends: a conjunction after one of these joins two units
UNIT_END = re.compile(
    r"(?:局|厅|委|委员会|办|办公室|政府|管委会|管委\)|管委）|公司|海关|银行|分行|中心|部|部门|院|队|所|站|社|台|单位|机构|协会|署)$"
)
GENERIC_NOUNS = {"单位", "部门", "机构", "企业", "组织"}
# 能源局等省有关部门
TRAILING_ETC = re.compile(r"(?:等(?:[省市县区](?:直|级)?)?(?:有关|相关|其他)?(?:部门|单位|机构)?)$")
# 各地级以上市人民政府按职责分工落实: a clause, no name
DIVISION_OF_DUTIES = re.compile(r"按(?:职责|职能)?分工[\u4e00-\u9fff]{0,4}$")
TRAILING_LEAD_MARK = re.compile(r"[（(](?:牵头|牵头单位|主办)[)）]$")


# ---------------------------------------------------------------- splitting


def split_units(text: str, jurisdiction_prefix_default: str = "", *, place_names=()) -> list[str]:
    """The unit names in a written list, in written order, without duplicates.

    Guarantees: no name contains whitespace, a separator or a trailing 。/等部门; a
    jurisdiction prefix (省/市/县/区) written on one unit is added to the following units
    that lack one, unless they carry their own jurisdiction or are not departments
    (enterprises, banks, media, customs, collective units, local governments).
    """
    return [name for name, _lead in _split_marked(text, jurisdiction_prefix_default, tuple(place_names))]


def lead_marked_units(text: str, jurisdiction_prefix_default: str = "", *, place_names=()) -> list[str]:
    """The units of a written list that carry a lead mark: "市发改委（牵头）、市工信局" → ["市发改委"].

    Names are spelt as `split_units` gives them (shared prefix added).
    """
    return [name for name, lead in _split_marked(text, jurisdiction_prefix_default, tuple(place_names)) if lead]


# "X会同Y": X leads, with Y; "会同有关部门" only says "and others"
WITH_OTHERS = re.compile(r"会同(?:其他|各)?(?:有关|相关)(?:部门|单位)$")
# "……部等有关部门和单位": the others, however written
AND_OTHERS = re.compile(r"等(?:有关|相关|其他)?(?:部门|单位|机构)[和及与](?:有关|相关)?(?:部门|单位|机构)$")
WITH = re.compile(r"(?<=[局厅委部办署会行室])会同")


# "……，区级相关部门" / "……、各有关单位" beside named units: "and the others"
OTHERS = re.compile(r"^(?:各|(?:省|市|县|区)级|其他|其余)?(?:相关|有关)(?:部门|单位)$")
# "区经济发展局、……、区直各相关单位": the other departments of the level just named
OTHERS_OF_LEVEL = re.compile(r"^(?P<level>省|市|县|区)直(?:各)?(?:相关|有关)(?:部门|单位)$")
# a convention written beside a unit: 市财政局（第一责任单位为牵头单位，下同）
CONVENTION_AFTER = re.compile(r"[（(][^（()）]*(?:为牵头|下同|为准|首位|第一位)[^（()）]*[)）]$")


def _split_marked(text: str, prefix_in_force: str, places: tuple[str, ...]) -> list[tuple[str, bool]]:
    kept, named_before = [], False
    for name, lead in _split_all(text, prefix_in_force, places):
        if OTHERS.match(name) and named_before:
            continue  # "区发改局、……，各有关单位": after named units it only says "and the others"
        level = OTHERS_OF_LEVEL.match(name)
        if level and any(other.startswith(level.group("level")) and not OTHERS.match(other) for other, _ in kept):
            continue
        kept.append((name, lead))
        named_before = named_before or not OTHERS.match(name)
    return kept


# "各县、市、区政府": one collective, its 、 joins levels of government, not units
SHARED_TAIL = re.compile(
    r"^[\u4e00-\u9fff]{2,3}(?P<tail>(?:片区|开发区|园区|街道|镇|乡)[\u4e00-\u9fff（）()]{2,12}|[市县区](?:人民)?政府)$"
)  # 金井、澳前片区开发管理局; 哈尔滨、黑河、绥芬河市政府
SHORT_NAME = re.compile(r"[\u4e00-\u9fff]{2,3}")

# 区、县交通与建设局: the same department at each level written before it
LEVEL_LIST = re.compile(r"(?:^|(?<=[、，,；;]))(?P<levels>(?:[省市县区]、)+[省市县区])(?P<name>[^、，,；;\x00]{2,})")
LEVELS_OF_GOVERNMENT = re.compile(
    r"(?:各|相关|有关)[县市区乡镇旗州盟](?:、[县市区乡镇旗州盟])+(?=(?:人民)?政府|党委|党政|管委会)"
)
# "各区、县级市": 各 goes with each level named after it
EACH = re.compile(r"^各(?:有关|相关)?")
BARE_LEVEL = re.compile(r"^(?:县|市|区|县级市|县区|县市区|乡|镇|乡镇|街道|街道办事处|社区|村)$")
KEPT_SEPARATOR = "\x00"


def _split_all(text: str, prefix_in_force: str, places: tuple[str, ...]) -> list[tuple[str, bool]]:
    units: dict[str, bool] = {}
    text = re.sub(r"\s+", "", text)
    text = LEVELS_OF_GOVERNMENT.sub(lambda found: found.group().replace("、", KEPT_SEPARATOR), text)
    text = LEVEL_LIST.sub(lambda found: "、".join(level + found["name"] for level in found["levels"].split("、")), text)
    text = WITH.sub("、", AND_OTHERS.sub("", WITH_OTHERS.sub("", text)))
    tokens = _tokens(text)
    for at in reversed(range(len(tokens) - 1)):  # 金井、澳前片区开发管理局: the zone's body after each name
        token = tokens[at]
        tail = SHARED_TAIL.match(tokens[at + 1])
        if tail and SHORT_NAME.fullmatch(token) and not looks_like_unit(token):
            tokens[at] = token + tail.group("tail")
    for token in tokens:
        lead = bool(TRAILING_LEAD_MARK.search(token.strip().rstrip("。.；;，,、")))
        name = _strip_decorations(token).replace(KEPT_SEPARATOR, "、")
        each = EACH.match(next(reversed(units))) if units else None
        if BARE_LEVEL.match(name) and each:
            name = each.group() + name
        if len(name) < 2:
            continue
        for part in _run_together(name):
            parent = DIVISION_PARENT.match(next(reversed(units))) if units and DIVISION.match(part) else None
            if parent:  # 区经发局经信处、发改处: the second division is the same bureau's
                units[parent.group("bureau") + part] = units.get(parent.group("bureau") + part, False) or lead
                continue
            own_prefix = PREFIX.match(part)
            if own_prefix:
                prefix_in_force = own_prefix.group(1)
            elif prefix_in_force and takes_shared_prefix(part, places):
                part = prefix_in_force + part
            units[part] = units.get(part, False) or lead
    return list(units.items())


# a division of a bureau written after another of the same bureau: 区经发局经信处、发改处、商务处
DIVISION = re.compile(r"^[\u4e00-\u9fff]{2,4}[处科]$")
DIVISION_PARENT = re.compile(r"^(?P<bureau>[\u4e00-\u9fff]{2,12}?[局委厅])[\u4e00-\u9fff]{2,4}[处科]$")

# where a unit ends and the next, written with its own level, begins: 各片区（乡镇、街道）|区党工委
# 党群工作部|区社会事业局
LEVEL_BOUNDARY = re.compile(rf"(?<=[局厅委部办府会队站所心）)])(?={LEVEL})")


def _at_level_prefixes(name: str) -> list[str] | None:
    """`name` cut before each level prefix that follows a unit's ending, when every part then
    reads as a unit; else None."""
    parts = LEVEL_BOUNDARY.split(name)
    return parts if len(parts) > 1 and all(map(looks_like_unit, parts)) else None


def _run_together(name: str) -> list[str]:
    """[name], or the known units it is made of when written without separators
    (区行政审批局区交通建设局 → 区行政审批局, 区交通建设局): a table cell pasted as one line."""
    if len(name) < 6:
        return [name]
    parts = split_run_together(name) or _at_level_prefixes(name)
    if not parts or len(parts) < 2:
        return [name]
    if looks_like_unit(name) and not all(PREFIX.match(part) or part.startswith("各") for part in parts[1:]):
        return [name]  # 区党工委党群工作部: a department of the body named first, not two units
    return parts


def _tokens(text: str) -> list[str]:
    """Split at separators and unit-joining conjunctions outside brackets."""
    tokens, current, depth = [], "", 0
    for index, char in enumerate(text):
        if char in OPEN_BRACKETS:
            depth += 1
        elif char in CLOSE_BRACKETS:
            depth = max(0, depth - 1)
        if depth == 0 and char in SEPARATORS:
            tokens.append(current)
            current = ""
        elif (depth == 0 and char in CONJUNCTIONS and len(text) - index > 2
              and (UNIT_END.search(current) or TRAILING_ETC.search(current))  # "……总社等和各有关省级人民政府"
              and re.split(r"[、,，；;]", text[index + 1 :])[0] not in GENERIC_NOUNS):  # not "各有关部门和单位"
            tokens.append(current)
            current = ""
        else:
            current += char
    tokens.append(current)
    return [token for token in tokens if token]


def _strip_decorations(token: str) -> str:
    name = token.strip().rstrip("。.；;，,、")
    name = CONVENTION_AFTER.sub("", TRAILING_LEAD_MARK.sub("", name))
    name = TRAILING_ETC.sub("", DIVISION_OF_DUTIES.sub("", name))
    return name.strip()

