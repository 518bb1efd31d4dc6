"""What reads as a unit and of which kind: department, local government, central branch,
enterprise, media, collective, party or other (`unit_kind`, `looks_like_unit`).
"""
from __future__ import annotations

import re

from .gazetteer import holds_clause_word, is_department_stem, is_known_unit
from .places import contains_place

# 省/市/县/区 as a level, not the first character of a word: 市场, 市级, 市直, 区属, 市区, 市政局
LEVEL = r"[省市县区](?!场|级|直|属|区|政(?!府))"
# 区县公安局、交通与建设局: both levels
PREFIX = re.compile(rf"^(区县(?=[\u4e00-\u9fff]{{2}})|县区(?=[\u4e00-\u9fff]{{2}})|{LEVEL})")
# 民航华东管理局: a regional central body
NO_PREFIX_START = ("各", "全", "相关", "有关", "国家", "国务院", "中国", "中共", "中央", "民航")
VERTICAL = re.compile(r"银监|保监|证监|通信管理|通管办")  # managed from above: they name their own level
# enterprises, banks, media, customs and other bodies that are not departments of a government
NOT_DEPARTMENT = re.compile(
    r"公司|集团|银行|报社|日报|电视台|广播|电台|融媒体|海关|保险|信保|协会|商会|大学|学院|医院|电网|铁路|机场|港务"
    r"|银监|保监|证监|通信管理|通管办"  # vertically managed: 银监局, 通信管理办 name their own level
)
LOCAL_GOVERNMENT = re.compile(
    r"(?:人民政府|政府|管委会|管委|街道办事处|乡镇)(?:[（(]管委[)）])?$"
    r"|(?:区|园区|新区)管理委员会$"
)
DEPARTMENT_END = re.compile(
    r"(?:局|厅|委|委员会|管委会|办|办公室|部|处|中心|所|站|院|队|室|小组|工作组|专班"
    # national bodies and people's organisations: 海关总署, 审计署, 证监会, 全国总工会, 全国妇联, 中国科协
    r"|署|监会|工会|联合会|红十字会|妇联|科协|残联|侨联|文联|工商联|团中央|团委|人民银行)$"
)
COLLECTIVE = re.compile(
    r"^各|^全(?:市|省|县|区)|(?:成员单位|(?:有关|相关)(?:责任)?(?:单位|部门)|各(?:单位|部门|部委|直属机构))$"
)
PARTY = re.compile(
    r"^中共|^(?:省|市|县|区)委(?!员)|^[\u4e00-\u9fff]{2,8}(?:省|市|县|区)委(?!员)"
    r"|党委|党组|纪委|宣传部|组织部|统战部"
)
MEDIA = re.compile(r"(?:日报社?|报社|晚报|电视台|广播电台|电台|广播电视台|融媒体中心|新闻网)$")
CENTRAL_BRANCH = re.compile(
    r"海关$|^国家[\u4e00-\u9fff]*(?:局|分局|监管局|调查队)$|^中国人民银行|外汇管理局|税务局$|气象局$"
    r"|邮政管理局$|通信管理局$|证监局$|银保监|金融监管|监管分局$|调查队$|海事局$|出入境检验检疫局$"
)
ENTERPRISE = re.compile(r"(?:公司|集团|银行|支行|分行|企业|厂|信保[\u4e00-\u9fff]*)$")


def unit_kind(name: str) -> str:
    """One of department, local_government, central_branch, enterprise, media, collective, party, other.

    Vertically managed agencies (海关, 税务局, 气象局, 金融监管局, 人民银行分行, 外汇管理局)
    count as central_branch even when written with a 市/省 prefix.
    """
    if COLLECTIVE.search(name):
        return "collective"
    if PARTY.search(name):
        return "party"
    if MEDIA.search(name):
        return "media"
    if CENTRAL_BRANCH.search(name):
        return "central_branch"
    if ENTERPRISE.search(name) or "公司" in name:
        return "enterprise"
    if LOCAL_GOVERNMENT.search(name):
        return "local_government"
    if DEPARTMENT_END.search(name):
        return "department"
    return "other"


def takes_shared_prefix(name: str, places: tuple[str, ...]) -> bool:
    """True when `name`, written without a prefix, is a department of the level a list names
    before it (市发改委、工信局 → 市工信局)."""
    if name.startswith(NO_PREFIX_START) or PREFIX.match(name) or re.search(r"[省市县区](?:委|政府)", name):
        return False  # 团市委 names its own level
    if contains_place(name, places) or LOCAL_GOVERNMENT.search(name):
        return False
    if NOT_DEPARTMENT.search(name) and (VERTICAL.search(name) or not re.search(r"办(?:公室)?$", name)):
        return False  # 哈尔滨铁路局 is the railway's, 通管办 the ministry's; 铁路办 is the government's own office
    if COLLECTIVE.search(name) or NAMED_ZONE.match(name):
        return False
    return bool(DEPARTMENT_END.search(ALIAS_AFTER.sub("", name)))


# a body named after its own zone or township: 澳前片区开发管理局, 金井湾片区管委会, 五星街道办
NAMED_ZONE = re.compile(
    r"^[\u4e00-\u9fff]{2,4}(?:片区|园区|新区|开发区|景区|港区|街道)(?!政府|人民政府)[\u4e00-\u9fff]{2,}"
)


ALIAS_AFTER = re.compile(r"[（(][^（()）]{1,12}[)）]$")  # 智慧岛服务管理中心（区数字办）, 区住建局(人防办)


def all_read_as_units(names: list[str], written: str = "") -> bool:
    """Every name reads as a unit; stems written before a shared 部门 (公安、安监、质监部门,
    公安、农业农机、交通等部门 as `written`) count."""
    if not names:
        return False
    shared = (
        (names[-1].endswith("部门") and len(names) > 1)
        or bool(re.search(r"[、，,][^、，,]{2,8}等(?:有关)?部门$", written))
    )
    listed = len(names) > 1 and any(map(looks_like_unit, names))
    return all(
        looks_like_unit(name)
        or (shared and DEPARTMENT_STEM.fullmatch(name) and not holds_clause_word(name))
        or (listed and is_department_stem(re.sub(r"^(?:区县|县区|[省市县区])", "", name)))
        for name in names
    )


DEPARTMENT_STEM = re.compile(r"(?:[省市县区]|区县|县区)?[\u4e00-\u9fff]{2,7}")
GENERIC_DEPARTMENT = re.compile(r"[\u4e00-\u9fff]{2,6}部门")  # 公安部门, 旅游部门: that department, wherever it sits


def looks_like_unit(name: str) -> bool:
    """True when `name` reads as the name of a unit (it has a unit's kind, not "other"); an alias
    in brackets after it counts as its own name does."""
    if not 2 <= len(name) <= 40 or re.search(r"[。，,；;：:]", name):
        return False
    bare = ALIAS_AFTER.sub("", name)
    if GENERIC_DEPARTMENT.fullmatch(bare) and not holds_clause_word(bare) and not re.search(r"[等和及与]", bare):
        return True
    return unit_kind(name) != "other" or unit_kind(bare) != "other" or is_known_unit(bare)
