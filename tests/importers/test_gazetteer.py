"""Unit gazetteer: known unit names, run-together table cells, canonical and current names.

Unit strings are taken from the documents in tests/importers/corpus/ (file named in each test).
"""
import pytest

from plans.importers import gazetteer as gz


# ------------------------------------------------------------------ is_known_unit

@pytest.mark.parametrize("name", [
    # national bodies, full and short forms (national-china-2018-*.txt)
    "国家发展和改革委员会", "国家发展改革委", "发展改革委", "工业和信息化部", "人力资源社会保障部",
    "人社部", "住房城乡建设部", "市场监管总局", "税务总局", "海关总署", "国管局", "供销合作总社",
    "中央宣传部", "中宣部", "中央网信办", "共青团中央", "全国妇联", "全国总工会", "中国人民银行",
    "银保监会", "金融监管总局", "证监会", "国务院扶贫办", "北京冬奥组委", "中国铁路总公司",
    "空管委办公室", "国务院各部委",
    # provincial (provincial-zhejiang-2020/2023-gov-report-duties.txt)
    "省发展改革委", "省经信厅", "省工业和信息化厅", "省地方金融监管局", "省大数据局", "省委改革办",
    "省消防救援总队", "省人力社保厅", "省委网信办", "各省级人民政府", "各有关省级人民政府",
    # city, county, district (city-*, county-*, district-*.txt)
    "市发改委", "市发展和改革局", "鹤壁市财政局", "市公安局", "市城市管理综合执法局", "市住房保障办",
    "市疫情防控指挥部办公室", "滁州经开区管委会", "中新苏滁高新区管委会", "杭州市政府",
    "县农办", "县代建中心", "县示范区管委会", "县护城河指挥部", "县文体广新局", "县教科局",
    "县政务服务中心", "沁县人民政府办公室", "区发改经信局", "区科技和经信局",
    "区文化和广电旅游体育局", "区住房和城建局", "区规资局", "区国土分局", "区市场局",
    "区疫情防控指挥部成员单位", "区直各部门", "区级各有关部门", "区政府各部门", "区委督查室",
    "拣银岩街道党工委", "中共广元市昭化区委办公室", "广元市昭化区人民政府办公室",
    "立山经济开发区", "各县（市、区）人民政府", "各县、市、区政府", "各街道", "团市委",
    "人民银行平潭支行", "国家金融监督管理总局平潭监管支局",
    # compounds
    "淇滨区住建局", "国家税务总局鹤壁市税务局", "市公安局交警支队", "市生态环境局淇滨分局",
    "国网鹤壁供电公司", "广州海关", "高新园（邹区镇）", "五星街道",
])
def test_known_units(name):
    assert gz.is_known_unit(name)


@pytest.mark.parametrize("text", [
    "加强组织领导", "各地要", "2025年底前", "6月底前完成", "市场主体", "财政资金", "100万元",
    "人民政府", "办公室", "建设", "市场", "各", "市", "负责", "牵头单位",
    "何海平", "城镇新增就业人数(人)", "县政府要加强",
    # clause fragments of corpus documents that end like a unit
    "同时抄送省教育厅", "报送省生态环境厅", "根据省政府", "成立领导小组", "全力推进开发区",
    "培育服装加工产业园", "建设自由贸易试验区", "迁建县政务服务中心", "特色小镇", "科技下乡",
    "由区住建局",
])
def test_not_units(text):
    assert not gz.is_known_unit(text)


def test_lookups_are_cheap():
    """Loading plus 10,000 look-ups: set and pattern look-ups, cached (not timed here)."""
    names = ["市发改委", "县农业农村局", "加强组织领导", "国家税务总局鹤壁市税务局", "2025年底前"]
    results = [gz.is_known_unit(names[i % len(names)]) for i in range(10_000)]
    assert results[:5] == [True, True, False, True, False]


# ------------------------------------------------------------------ split_run_together

@pytest.mark.parametrize("text, units", [
    ("市发改委市财政局", ["市发改委", "市财政局"]),
    ("县农业农村局县水利局县林业局", ["县农业农村局", "县水利局", "县林业局"]),
    ("区发改局区财政局", ["区发改局", "区财政局"]),
    ("省发展改革委省经信厅省财政厅省商务厅省地方金融监管局",
     ["省发展改革委", "省经信厅", "省财政厅", "省商务厅", "省地方金融监管局"]),
    ("市市场监管局区人社局", ["市市场监管局", "区人社局"]),
    ("农业局林业局", ["农业局", "林业局"]),
    ("商务部供销合作总社", ["商务部", "供销合作总社"]),
    ("国家发展改革委财政部人民银行", ["国家发展改革委", "财政部", "人民银行"]),
    # district-zhonglou-2021-livelihood-table.txt: cells of a .docx table with no separator
    ("教育局经开区高新园(邹区镇)各街道市国有公司", ["教育局", "经开区", "高新园(邹区镇)", "各街道", "市国有公司"]),
    ("人社局高新园(邹区镇)各街道", ["人社局", "高新园(邹区镇)", "各街道"]),
    ("住建局五星街道南大街街道荷花池街道", ["住建局", "五星街道", "南大街街道", "荷花池街道"]),
    # a joiner between two units
    ("市环保局和财政局", ["市环保局", "财政局"]),
    ("各县区政府及市直有关部门", ["各县区政府", "市直有关部门"]),
])
def test_split_run_together(text, units):
    assert gz.split_run_together(text) == units


@pytest.mark.parametrize("name", [
    "市发展和改革委员会", "人力资源社会保障部", "自然资源和规划局", "国家税务总局鹤壁市税务局",
    "市场监管局", "工业和信息化部", "住房和城乡建设局", "文化广电新闻出版和旅游局", "市城市管理综合执法局",
    "中共广元市昭化区委办公室", "各县(市、区)人民政府", "市生态环境局淇滨分局", "市公安局交警支队",
])
def test_a_single_name_stays_whole(name):
    assert gz.split_run_together(name) == [name]


def test_every_listed_form_stays_whole():
    """No national name and no department with a prefix is ever cut in two."""
    data = gz.gazetteer()
    for form in data.national:
        assert gz.split_run_together(form) == [form], form
    for bare, (_, flag) in data.bare.items():
        for prefix in ("" if flag != "!" else "县", "市", "淇滨区"):
            assert gz.split_run_together(prefix + bare) == [prefix + bare], prefix + bare


@pytest.mark.parametrize("text", [
    "何海平教育局",  # a person (区政府分管领导) before the unit: not a unit
    "市发改委负责", "财政资金市财政局", "市发改委和", "文体旅局晋陵公司",
    "市发改委、市财政局",  # has a separator: split_units' business
    "",
])
def test_split_gives_none_unless_fully_covered(text):
    assert gz.split_run_together(text) is None


# ------------------------------------------------------------------ canonical, current_name

@pytest.mark.parametrize("name, expected", [
    ("发改委", "发展改革委"),
    ("市发展和改革委员会", "市发展改革委"),
    ("市发改委", "市发展改革委"),
    ("淇滨区住建局", "淇滨区住房城乡建设局"),
    ("区人社局", "区人力资源社会保障局"),
    ("人社部", "人力资源和社会保障部"),
    ("国家发展改革委", "国家发展和改革委员会"),
    ("林业局", "林业局"),  # in a local plan, the county's bureau, not the former 国家林业局
    ("人行", "中国人民银行"),
    ("市人行", "市人民银行"),
    ("人民银行鹤壁市中心支行", "中国人民银行鹤壁市中心支行"),
    ("加强组织领导", None),
])
def test_canonical(name, expected):
    assert gz.canonical(name) == expected


@pytest.mark.parametrize("name, now", [
    ("环境保护部", "生态环境部"),
    ("国土资源部", "自然资源部"),
    ("国家卫生计生委", "国家卫生健康委员会"),
    ("质检总局", "国家市场监督管理总局"),
    ("食品药品监管总局", "国家市场监督管理总局"),
    ("银监会", "国家金融监督管理总局"),
    ("保监会", "国家金融监督管理总局"),
    ("农业部", "农业农村部"),
    ("国务院扶贫办", "农业农村部"),
    ("工业和信息化部", "工业和信息化部"),
])
def test_current_name_follows_renamings(name, now):
    assert gz.current_name(name) == now


# ------------------------------------------------------------------ the data file

def test_data_file_says_what_it_holds_and_where_from():
    head = gz.DATA_PATH.read_text(encoding="utf-8").splitlines()[:12]
    assert head[0].startswith("# Unit gazetteer")
    assert any("机构设置" in line for line in head)


def test_data_is_consistent():
    data = gz.gazetteer()
    full_names = set(data.national.values())
    assert all(successor in full_names for successor in data.successor.values())
    assert len(full_names) >= 150 and len(data.bare) >= 500


def test_parse_reads_each_section():
    data = gz.parse_gazetteer(
        "# comment\n[national]\n甲部 | 甲 > 乙部\n乙部\n[stems]\n!丙丁 | 丙 : 局 -\n"
        "[levels]\nsuffix: 市\n[blocked]\n局\n")
    assert data.national == {"甲部": "甲部", "甲": "甲部", "乙部": "乙部"}
    assert data.successor == {"甲部": "乙部"}
    assert data.bare == {"丙丁局": ("丙丁局", "!"), "丙丁": ("丙丁", "!"), "丙局": ("丙丁局", "!"), "丙": ("丙丁", "!")}
    assert data.levels == {"suffix": ["市"]} and data.blocked == "局"
