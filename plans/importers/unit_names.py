"""Official names of units and their other spellings in a plan's jurisdiction
(`canonical_unit_name`, `unit_aliases`).
"""
from __future__ import annotations

import re

from .places import contains_place
from .unit_kinds import NO_PREFIX_START, PREFIX, takes_shared_prefix

# abbreviation or informal body → official body (after the 省/市/县/区 prefix)
ABBREVIATIONS: dict[str, str] = {
    "发改委": "发展和改革委员会",
    "发展改革委": "发展和改革委员会",
    "发改局": "发展和改革局",
    "工信厅": "工业和信息化厅",
    "工信局": "工业和信息化局",
    "工信委": "工业和信息化委员会",
    "经信委": "经济和信息化委员会",
    "经信局": "经济和信息化局",
    "环保局": "环境保护局",
    "环保厅": "环境保护厅",
    "环境局": "生态环境局",
    "生态环境厅": "生态环境厅",
    "住建局": "住房和城乡建设局",
    "住建厅": "住房和城乡建设厅",
    "住建委": "住房和城乡建设委员会",
    "城管局": "城市管理局",
    "质监局": "质量技术监督局",
    "工商局": "工商行政管理局",
    "安监局": "安全生产监督管理局",
    "应急局": "应急管理局",
    "事管局": "机关事务管理局",
    "机关事务局": "机关事务管理局",
    "市场监管局": "市场监督管理局",
    "卫健委": "卫生健康委员会",
    "卫生健康委": "卫生健康委员会",
    "卫计委": "卫生和计划生育委员会",
    "外办": "外事办公室",
    "台办": "台湾事务办公室",
    "侨办": "侨务办公室",
    "金融办": "金融工作办公室",
    "人社局": "人力资源和社会保障局",
    "人社厅": "人力资源和社会保障厅",
    "国资委": "人民政府国有资产监督管理委员会",
    "自然资源局": "自然资源局",
    "自然资源厅": "自然资源厅",
    "国土局": "国土资源局",
    "国土厅": "国土资源厅",
    "交通局": "交通运输局",
    "交通厅": "交通运输厅",
    "农业农村厅": "农业农村厅",
    "农业农村局": "农业农村局",
    "农业局": "农业局",
    "水利局": "水利局",
    "文旅厅": "文化和旅游厅",
    "文旅局": "文化和旅游局",
    "广电局": "广播电视局",
    "数据管理局": "数据管理局",
    "大数据局": "大数据管理局",
    "药监局": "药品监督管理局",
    "医保局": "医疗保障局",
    "林业局": "林业局",
    "海洋渔业局": "海洋与渔业局",
    "海洋与渔业局": "海洋与渔业局",
    "统计局": "统计局",
    "审计局": "审计局",
    "科技厅": "科学技术厅",
    "科技局": "科学技术局",
    "教育厅": "教育厅",
    "教育局": "教育局",
    "公安厅": "公安厅",
    "公安局": "公安局",
    "财政厅": "财政厅",
    "财政局": "财政局",
    "商务厅": "商务厅",
    "商务局": "商务局",
    "民政局": "民政局",
    "司法局": "司法局",
    "监察局": "监察局",
}
# party offices written as 省委X / 市委X → 中共{jurisdiction}委X
PARTY_ABBREVIATIONS: dict[str, str] = {
    "金融办": "金融委员会办公室",
    "网信办": "网络安全和信息化委员会办公室",
    "编办": "机构编制委员会办公室",
    "宣传部": "宣传部",
    "组织部": "组织部",
    "统战部": "统战部",
    "办公厅": "办公厅",
    "办公室": "办公室",
}
REVERSE_ABBREVIATIONS: dict[str, str] = {}
for _short, _full in ABBREVIATIONS.items():
    if _short != _full:
        REVERSE_ABBREVIATIONS.setdefault(_full, _short)


def canonical_unit_name(name: str, jurisdiction: str) -> str:
    """The official name of `name` in the plan's `jurisdiction` ("鹤壁市", "福建省").

    ("市发改委", "鹤壁市") → "鹤壁市发展和改革委员会"; ("省委金融办", "福建省") →
    "中共福建省委金融委员会办公室"; names with their own jurisdiction, collective units,
    enterprises and media stay as written. A department written without a prefix is taken
    to belong to `jurisdiction`.
    """
    name = re.sub(r"\s+", "", name)
    level = _level_of(jurisdiction)
    party = re.match(r"^(?:中共)?(省|市|县|区)委(?!员)(.+)$", name)
    if party and jurisdiction and party.group(1) == level:
        body = PARTY_ABBREVIATIONS.get(party.group(2), party.group(2))
        return f"中共{jurisdiction}委{body}"
    prefix, body = _split_prefix(name, jurisdiction)
    if prefix is None:
        return name
    if prefix == "" and not takes_shared_prefix(body, ()):
        return name
    if prefix in ("", level) and jurisdiction:
        full_body = ABBREVIATIONS.get(body, body)
        if body == "税务局" and level in ("省", "市"):
            return f"国家税务总局{jurisdiction}税务局"
        return jurisdiction + full_body
    return prefix + ABBREVIATIONS.get(body, body)


def unit_aliases(name: str, jurisdiction: str) -> list[str]:
    """Other spellings of the same unit: as written, without prefix, canonical, abbreviated.

    "市发改委", "发改委" and "鹤壁市发展和改革委员会" (jurisdiction 鹤壁市) give the same set.
    """
    canonical = canonical_unit_name(name, jurisdiction)
    aliases = [re.sub(r"\s+", "", name), canonical]
    level = _level_of(jurisdiction)
    if jurisdiction and canonical.startswith(jurisdiction) and not canonical.startswith("中共"):
        full_body = canonical[len(jurisdiction) :]
        short_body = REVERSE_ABBREVIATIONS.get(full_body, full_body)
        for body in (full_body, short_body):
            aliases += [level + body, body, jurisdiction + body]
        for short, full in ABBREVIATIONS.items():
            if full == full_body:
                aliases += [level + short, short]
    party = re.match(r"^中共(.+?)委(.+)$", canonical)
    if party and party.group(1) == jurisdiction:
        for short, full in PARTY_ABBREVIATIONS.items():
            if full == party.group(2):
                aliases += [f"{level}委{short}", f"{jurisdiction}委{short}", f"{level}委{full}"]
    return [alias for alias in dict.fromkeys(aliases) if alias]


def _level_of(jurisdiction: str) -> str:
    for level in ("省", "市", "县", "区"):
        if jurisdiction.endswith(level):
            return level
    return ""


def _split_prefix(name: str, jurisdiction: str) -> tuple[str | None, str]:
    """(prefix, body): prefix "" when there is none; None when the name has its own place."""
    if jurisdiction and name.startswith(jurisdiction):
        return _level_of(jurisdiction), name[len(jurisdiction) :]
    own = PREFIX.match(name)
    if own:
        return own.group(1), name[1:]
    if name.startswith(NO_PREFIX_START) or contains_place(name):
        return None, name
    return "", name

