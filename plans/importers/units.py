"""Unit lists in plan assignments: splitting, kinds, official names and aliases.

- `split_units` turns "市发改委、工业和信息化委员会、环保局，各县区政府(管委)。" into unit names,
  sharing a written jurisdiction prefix (市/省/县/区) with the units that lack one.
- `unit_kind` classifies a unit (department, local government, central branch, …).
- `canonical_unit_name` and `unit_aliases` give the official name in the plan's
  jurisdiction and the other spellings of the same unit.
"""
from __future__ import annotations

import re
from functools import lru_cache

from .gazetteer import holds_clause_word, is_department_stem, is_known_unit, split_run_together

# ---------------------------------------------------------------- place names

PROVINCES = (
    "北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 "
    "广东 广西 海南 重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 台湾 香港 澳门"
).split()

PREFECTURES = """
石家庄 唐山 秦皇岛 邯郸 邢台 保定 张家口 承德 沧州 廊坊 衡水
太原 大同 阳泉 长治 晋城 朔州 晋中 运城 忻州 临汾 吕梁
呼和浩特 包头 乌海 赤峰 通辽 鄂尔多斯 呼伦贝尔 巴彦淖尔 乌兰察布 兴安盟 锡林郭勒 阿拉善
沈阳 大连 鞍山 抚顺 本溪 丹东 锦州 营口 阜新 辽阳 盘锦 铁岭 朝阳 葫芦岛
长春 四平 辽源 通化 白山 松原 白城 延边
哈尔滨 齐齐哈尔 鸡西 鹤岗 双鸭山 大庆 伊春 佳木斯 七台河 牡丹江 黑河 绥化 大兴安岭
南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁
杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水
合肥 芜湖 蚌埠 淮南 马鞍山 淮北 铜陵 安庆 黄山 滁州 阜阳 宿州 六安 亳州 池州 宣城
福州 厦门 莆田 三明 泉州 漳州 南平 龙岩 宁德
南昌 景德镇 萍乡 九江 新余 鹰潭 赣州 吉安 宜春 抚州 上饶
济南 青岛 淄博 枣庄 东营 烟台 潍坊 济宁 泰安 威海 日照 临沂 德州 聊城 滨州 菏泽
郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 濮阳 许昌 漯河 三门峡 南阳 商丘 信阳 周口 驻马店 济源
武汉 黄石 十堰 宜昌 襄阳 鄂州 荆门 孝感 荆州 黄冈 咸宁 随州 恩施 仙桃 潜江 天门 神农架
长沙 株洲 湘潭 衡阳 邵阳 岳阳 常德 张家界 益阳 郴州 永州 怀化 娄底 湘西
广州 韶关 深圳 珠海 汕头 佛山 江门 湛江 茂名 肇庆 惠州 梅州 汕尾 河源 阳江 清远 东莞 中山 潮州 揭阳 云浮
南宁 柳州 桂林 梧州 北海 防城港 钦州 贵港 玉林 百色 贺州 河池 来宾 崇左
海口 三亚 三沙 儋州
成都 自贡 攀枝花 泸州 德阳 绵阳 广元 遂宁 内江 乐山 南充 眉山 宜宾 广安 达州 雅安 巴中 资阳 阿坝 甘孜 凉山
贵阳 六盘水 遵义 安顺 毕节 铜仁 黔西南 黔东南 黔南
昆明 曲靖 玉溪 保山 昭通 丽江 普洱 临沧 楚雄 红河 文山 西双版纳 大理 德宏 怒江 迪庆
拉萨 日喀则 昌都 林芝 山南 那曲
西安 铜川 宝鸡 咸阳 渭南 延安 汉中 榆林 安康 商洛 杨凌
兰州 嘉峪关 金昌 白银 天水 武威 张掖 平凉 酒泉 庆阳 定西 陇南 临夏 甘南
西宁 海东 海北 黄南 果洛 玉树 海西
银川 石嘴山 吴忠 固原 中卫
乌鲁木齐 克拉玛依 吐鲁番 哈密 昌吉 博尔塔拉 巴音郭楞 阿克苏 克孜勒苏 喀什 和田 伊犁 塔城 阿勒泰 石河子
""".split()

# county-level places and new areas that often name units of their own
OTHER_PLACES = """
平潭 雄安 浦东 滨海新区 两江新区 横琴 前海 南沙 昆山 晋江 义乌 福清 石狮 江阴 张家港 常熟 慈溪 余姚 长乐
""".split()

PLACE_NAMES: tuple[str, ...] = tuple(dict.fromkeys(PROVINCES + PREFECTURES + OTHER_PLACES))

JURISDICTION_SUFFIX = re.compile(r"特别行政区|维吾尔自治区|壮族自治区|回族自治区|自治区|自治州|省|市|盟|地区|县|区")


@lru_cache(maxsize=64)
def _place_pattern(extra: tuple[str, ...]) -> re.Pattern:
    names = sorted(set(PLACE_NAMES) | {name for name in extra if name}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, names)))


def contains_place(text: str, extra: tuple[str, ...] = ()) -> bool:
    """True when `text` names a province, a prefecture-level city or one of `extra`."""
    return bool(_place_pattern(tuple(extra)).search(text))


def find_jurisdiction(text: str, extra: tuple[str, ...] = ()) -> str:
    """The first place name with its 省/市/… suffix in `text` ("鹤壁市", "福建省"), or ""."""
    for found in _place_pattern(tuple(extra)).finditer(text):
        suffix = JURISDICTION_SUFFIX.match(text, found.end())
        if suffix:
            return found.group() + suffix.group()
    return ""

# ---------------------------------------------------------------- patterns

SEPARATORS = "、,，；;"
CONJUNCTIONS = "和及与"
OPEN_BRACKETS, CLOSE_BRACKETS = "（(〈《", "）)〉》"
# where a unit name ends: a conjunction after one of these joins two units
UNIT_END = re.compile(
    r"(?:局|厅|委|委员会|办|办公室|政府|管委会|管委\)|管委）|公司|海关|银行|分行|中心|部|部门|院|队|所|站|社|台|单位|机构|协会|署)$"
)
GENERIC_NOUNS = {"单位", "部门", "机构", "企业", "组织"}
TRAILING_ETC = re.compile(r"(?:等(?:[省市县区](?:直|级)?)?(?:有关|相关|其他)?(?:部门|单位|机构)?)$")  # 能源局等省有关部门
DIVISION_OF_DUTIES = re.compile(r"按(?:职责|职能)?分工[\u4e00-\u9fff]{0,4}$")  # 各地级以上市人民政府按职责分工落实: a clause, no name
TRAILING_LEAD_MARK = re.compile(r"[（(](?:牵头|牵头单位|主办)[)）]$")
# 省/市/县/区 as a level, not the first character of a word: 市场, 市级, 市直, 区属, 市区, 市政局
LEVEL = r"[省市县区](?!场|级|直|属|区|政(?!府))"
PREFIX = re.compile(rf"^(区县(?=[\u4e00-\u9fff]{{2}})|县区(?=[\u4e00-\u9fff]{{2}})|{LEVEL})")  # 区县公安局、交通与建设局: both levels
NO_PREFIX_START = ("各", "全", "相关", "有关", "国家", "国务院", "中国", "中共", "中央", "民航")  # 民航华东管理局: a regional central body
VERTICAL = re.compile(r"银监|保监|证监|通信管理|通管办")  # managed from above: they name their own level
# enterprises, banks, media, customs and other bodies that are not departments of a government
NOT_DEPARTMENT = re.compile(
    r"公司|集团|银行|报社|日报|电视台|广播|电台|融媒体|海关|保险|信保|协会|商会|大学|学院|医院|电网|铁路|机场|港务"
    r"|银监|保监|证监|通信管理|通管办"  # vertically managed: 银监局, 通信管理办 name their own level
)
LOCAL_GOVERNMENT = re.compile(r"(?:人民政府|政府|管委会|管委|街道办事处|乡镇)(?:[（(]管委[)）])?$|(?:区|园区|新区)管理委员会$")
DEPARTMENT_END = re.compile(
    r"(?:局|厅|委|委员会|管委会|办|办公室|部|处|中心|所|站|院|队|室|小组|工作组|专班"
    # national bodies and people's organisations: 海关总署, 审计署, 证监会, 全国总工会, 全国妇联, 中国科协
    r"|署|监会|工会|联合会|红十字会|妇联|科协|残联|侨联|文联|工商联|团中央|团委|人民银行)$"
)
COLLECTIVE = re.compile(r"^各|^全(?:市|省|县|区)|(?:成员单位|(?:有关|相关)(?:责任)?(?:单位|部门)|各(?:单位|部门|部委|直属机构))$")
PARTY = re.compile(r"^中共|^(?:省|市|县|区)委(?!员)|^[\u4e00-\u9fff]{2,8}(?:省|市|县|区)委(?!员)|党委|党组|纪委|宣传部|组织部|统战部")
MEDIA = re.compile(r"(?:日报社?|报社|晚报|电视台|广播电台|电台|广播电视台|融媒体中心|新闻网)$")
CENTRAL_BRANCH = re.compile(
    r"海关$|^国家[\u4e00-\u9fff]*(?:局|分局|监管局|调查队)$|^中国人民银行|外汇管理局|税务局$|气象局$"
    r"|邮政管理局$|通信管理局$|证监局$|银保监|金融监管|监管分局$|调查队$|海事局$|出入境检验检疫局$"
)
ENTERPRISE = re.compile(r"(?:公司|集团|银行|支行|分行|企业|厂|信保[\u4e00-\u9fff]*)$")

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
LEVELS_OF_GOVERNMENT = re.compile(r"(?:各|相关|有关)[县市区乡镇旗州盟](?:、[县市区乡镇旗州盟])+(?=(?:人民)?政府|党委|党政|管委会)")
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
            elif prefix_in_force and _takes_shared_prefix(part, places):
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


def _takes_shared_prefix(name: str, places: tuple[str, ...]) -> bool:
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
NAMED_ZONE = re.compile(r"^[\u4e00-\u9fff]{2,4}(?:片区|园区|新区|开发区|景区|港区|街道)(?!政府|人民政府)[\u4e00-\u9fff]{2,}")


# ---------------------------------------------------------------- kinds


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


# ---------------------------------------------------------------- official names


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
    if prefix == "" and not _takes_shared_prefix(body, ()):
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


ALIAS_AFTER = re.compile(r"[（(][^（()）]{1,12}[)）]$")  # 智慧岛服务管理中心（区数字办）, 区住建局(人防办)


def all_read_as_units(names: list[str], written: str = "") -> bool:
    """Every name reads as a unit; stems written before a shared 部门 (公安、安监、质监部门,
    公安、农业农机、交通等部门 as `written`) count."""
    if not names:
        return False
    shared = (names[-1].endswith("部门") and len(names) > 1) or bool(re.search(r"[、，,][^、，,]{2,8}等(?:有关)?部门$", written))
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
