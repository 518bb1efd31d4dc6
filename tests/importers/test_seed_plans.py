"""The two real seed plans parse task by task; the three non-plans are refused."""
import datetime
from pathlib import Path

import pytest

from plans.importers import ImportRefused, parse_document

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
HEBI = SEEDS / "hebi-2016-blue-sky-plan.txt"
FUJIAN = SEEDS / "fujian-2024-export-industries-plan.txt"
COUNTIES = "各县区政府(管委)"
FUJIAN_LOCAL = ["各设区市人民政府", "平潭综合实验区管委会"]

# (line, path, title, responsible, supporting) for every Hebi task, in order
HEBI_TASKS = [
    (11, ['三、', '(一)', '1.', '(1)'], '积极采取增加天然气供应和接受外输电规模、加大非化石能源利用强…', ['市发改委', '各县区政府(管委)'], ['市财政局', '市商务局']),
    (14, ['三、', '(一)', '1.', '(2)'], '加快开发风能发电和光伏发电', ['市发改委', '各县区政府(管委)'], ['市财政局', '市商务局']),
    (18, ['三、', '(一)', '2.', '(1)'], '严控煤炭消费总量', ['市发改委', '各县区政府(管委)'], ['市环保局']),
    (21, ['三、', '(一)', '2.'], '强化散煤管控', ['市发改委', '市工业和信息化委员会', '市环保局', '市商务局', '市质监局', '市工商局', '各县区政府(管委)'], ['市财政局']),
    (24, ['三、', '(一)', '2.', '(3)'], '严控高污染燃料使用', ['各县区政府(管委)'], ['市环保局', '市工商局', '市质监局']),
    (27, ['三、', '(一)', '2.', '(4)'], '全面整治燃煤锅炉', ['市环保局', '各县区政府(管委)'], ['市质监局']),
    (30, ['三、', '(一)', '2.', '(5)'], '开展产业集聚区集中热源改造', ['市发改委', '市住房和城乡建设局', '各县区政府(管委)'], []),
    (32, ['三、', '(一)', '2.'], '加快城市供热管网配套建设', ['市住房和城乡建设局', '各县区政府(管委)'], ['市财政局']),
    (35, ['三、', '(一)', '3.'], '强化建筑节能', ['市住房和城乡建设局', '各县区政府(管委)'], ['市发改委', '市财政局']),
    (40, ['三、', '(二)', '1.', '(1)'], '产业结构优化', ['市工业和信息化委员会', '市发改委', '各县区政府(管委)'], ['市环保局', '市财政局']),
    (43, ['三、', '(二)', '1.', '(2)'], '实施重点行业清洁生产', ['市工业和信息化委员会', '市环保局', '各县区政府(管委)'], ['市发改委']),
    (46, ['三、', '(二)', '1.', '(3)'], '开展工业绿色发展专项行动', ['市工业和信息化委员会', '各县区政府(管委)'], []),
    (49, ['三、', '(二)', '2.', '(1)'], '完成涉气环保违法违规项目清理整改工作', ['市环保局', '各县区政府(管委)'], ['市发改委', '市工业和信息化委员会']),
    (52, ['三、', '(二)', '2.', '(2)'], '强化水泥粉磨站治理', ['市环保局', '各县区政府(管委)'], ['市工业和信息化委员会']),
    (55, ['三、', '(二)', '2.', '(3)'], '开展重点行业挥发性有机物(VOCs)综合治理', ['市环保局', '各县区政府(管委)'], ['市商务局']),
    (58, ['三、', '(二)', '2.', '(4)'], '完成燃煤机组超低排放改造', ['市发改委', '市环保局'], ['市财政局']),
    (62, ['三、', '(三)', '1.'], '继续推进黄标车淘汰', ['市公安局', '市交通运输局', '市环保局', '各县区政府(管委)'], ['市财政局', '市事管局', '市商务局']),
    (66, ['三、', '(三)', '2.', '(1)'], '加强机动车安全环保检测', ['市公安局', '市环保局', '各县区政府(管委)'], ['市发改委', '市财政局', '市质监局']),
    (69, ['三、', '(三)', '2.', '(2)'], '加大机动车污染监督检查力度', ['市环保局', '市交通运输局', '市公安局', '各县区政府(管委)'], ['市质监局']),
    (72, ['三、', '(三)', '2.', '(3)'], '加强机动车环境监管能力建设', ['市环保局', '各县区政府(管委)'], ['市公安局', '市财政局']),
    (76, ['三、', '(三)', '3.', '(1)'], '大力推广新能源汽车', ['市工业和信息化委员会', '市财政局', '市发改委', '市事管局', '各县区政府(管委)'], ['市科技局', '市交通运输局']),
    (79, ['三、', '(三)', '3.', '(2)'], '积极发展绿色交通', ['市交通运输局', '各县区政府(管委)'], ['市发改委', '市工业和信息化委员会', '市环保局', '市商务局']),
    (82, ['三、', '(三)', '4.'], '实施国家第五阶段机动车污染物排放标准', ['市工业和信息化委员会', '市环保局', '各县区政府(管委)'], ['市发改委']),
    (85, ['三、', '(三)', '5.'], '加强非道路移动机械治理', ['市住房和城乡建设局', '市环保局', '市工业和信息化委员会', '各县区政府(管委)'], []),
    (87, ['三、', '(三)', '6.'], '继续推进油气回收治理', ['市发改委', '市环保局', '市交通运输局', '各县区政府(管委)'], ['市财政局', '市商务局', '市交通运输局', '市质监局', '市安监局']),
    (92, ['三、', '(四)', '1.', '(1)'], '深化施工扬尘综合治理', ['市住房和城乡建设局', '各县区政府(管委)'], ['市交通运输局']),
    (95, ['三、', '(四)', '1.'], '减少城市道路扬尘', ['市住房和城乡建设局', '各县区政府(管委)'], ['市公安局', '市交通运输局']),
    (98, ['三、', '(四)', '1.', '(3)'], '治理国省干线和高速公路扬尘', ['市交通运输局', '各县区政府(管委)'], []),
    (100, ['三、', '(四)', '2.'], '开展工业堆场扬尘专项治理', ['市环保局', '各县区政府(管委)'], ['市工业和信息化委员会']),
    (103, ['三、', '(四)', '3.'], '加强运输扬尘管理', ['市交通运输局', '各县区政府(管委)'], ['市环保局', '市住房和城乡建设局', '市公安局']),
    (106, ['三、', '(四)', '4.'], '开展非煤矿山扬尘专项治理', ['市环保局', '各县区政府(管委)'], []),
    (110, ['三、', '(五)', '1.', '(1)'], '开展农业废弃物综合处理', ['市农业局', '各县区政府(管委)'], ['市环保局']),
    (113, ['三、', '(五)', '1.', '(2)'], '减少农业生产过程大气污染', ['市农业局', '各县区政府(管委)'], ['市环保局']),
    (116, ['三、', '(五)', '1.'], '强化秸秆综合利用和禁烧', ['市农业局', '各县区政府(管委)'], ['市发改委', '市环保局', '市公安局', '市财政局']),
    (119, ['三、', '(五)', '2.'], '加强餐饮油烟治理', ['市住房和城乡建设局', '市环保局', '各县区政府(管委)'], []),
    (121, ['三、', '(五)', '3.'], '严禁垃圾露天焚烧', ['市住房和城乡建设局', '各县区政府(管委)'], ['市环保局']),
    (124, ['三、', '(五)', '4.'], '控制烟花爆竹燃放', ['市公安局', '市安监局', '市环保局', '各县区政府(管委)'], []),
    (127, ['三、', '(六)', '1.'], '修订完善重污染天气应急预案', ['市环保局', '各县区政府(管委)'], ['市发改委', '市工业和信息化委员会', '市公安局', '市住房和城乡建设局', '市商务局', '市交通运输局', '市农业局']),
    (130, ['三、', '(六)', '2.'], '建立预测预警机制', ['市环保局', '市气象局'], ['市广播电视台', '鹤壁日报社', '移动鹤壁分公司', '联通鹤壁分公司', '电信鹤壁分公司']),
    (133, ['三、', '(六)', '3.'], '提高预测预报水平', ['市环保局', '市气象局'], ['市财政局']),
    (136, ['三、', '(六)', '4.'], '加强重点时段管控', ['市环保局', '市工业和信息化委员会', '各县区政府(管委)'], ['市发改委', '市公安局', '市农业局', '市住房和城乡建设局', '市商务局', '市交通运输局']),
    (140, ['三、', '(七)', '1.'], '推进环保法治建设', ['市环保局', '各县区政府(管委)'], ['市大气污染防治联席会议成员单位']),
    (143, ['三、', '(七)', '2.'], '做好环保新标准贯彻实施', ['市环保局', '各县区政府(管委)'], []),
    (145, ['三、', '(七)', '3.'], '提高科技治污水平', ['各县区政府(管委)'], ['市财政局', '市科技局', '市环保局']),
    (148, ['三、', '(七)', '4.'], '完善县级大气监测网络建设', ['市环保局', '各县区政府(管委)'], []),
    (150, ['三、', '(七)', '5.'], '实施大气污染防治技术设备及产品产业化示范工程', ['市发改委', '各县区政府(管委)'], ['市工业和信息化委员会']),
    (153, ['三、', '(七)', '6.'], '实行环境空气质量生态补偿', ['市环保局', '市财政局', '各县区政府(管委)'], []),
    (155, ['三、', '(七)', '7.'], '配合编制《河南省大气污染防治“十三五”规划》', ['市环保局', '各县区政府(管委)'], ['市发改委', '市工业和信息化委员会', '市公安局', '市住房和城乡建设局', '市财政局', '市商务局', '市交通运输局', '市质监局', '市工商局']),
    (159, ['四、', '(一)'], '加大资金投入', ['市财政局', '各县区政府(管委)'], ['市环保局', '市发改委', '市工业和信息化委员会']),
    (162, ['四、', '(二)'], '强化责任落实', ['各县区政府(管委)', '市大气污染防治联席会议成员单位'], []),
    (165, ['四、', '(三)'], '严格考核奖惩', ['市环保局'], ['市大气污染防治联席会议成员单位']),
    (168, ['四、', '(四)'], '强化执法监管与监督', ['市发改委', '市公安局', '市监察局', '市环保局', '市住房和城乡建设局', '市交通运输局', '市商务局', '市工商局', '市质监局', '各县区政府(管委)'], []),
    (170, ['四、', '(五)'], '公开环境信息', ['市环保局', '各县区政府(管委)'], []),
]

# (line, path, label, title, responsible) for every Fujian task, in order
FUJIAN_TASKS = [
    (81, ['二、', '（一）'], '', '电子信息', ['省工信厅', '省发改委', '省商务厅', '省科技厅', '福州海关', '厦门海关']),
    (111, ['二、', '（一）'], '', '石化化工', ['省发改委', '省科技厅', '省工信厅', '省商务厅', '省市场监管局']),
    (140, ['二、', '（二）'], '', '纺织鞋服', ['省工信厅', '省发改委', '省商务厅', '省教育厅', '省科技厅', '省市场监管局']),
    (160, ['二、', '（二）'], '', '钢铁有色', ['省工信厅', '省发改委', '省商务厅', '省科技厅', '省市场监管局', '福州海关', '厦门海关']),
    (190, ['二、', '（二）'], '', '特色农产品', ['省农业农村厅', '省林业局', '省海洋渔业局', '省发改委', '省工信厅', '省商务厅', '福州海关', '厦门海关', '中国信保福建分公司']),
    (216, ['二、', '（三）'], '', '锂电池', ['省工信厅', '省发改委', '省商务厅', '省科技厅', '福州海关', '厦门海关']),
    (241, ['二、', '（三）'], '', '新能源汽车', ['省工信厅', '省交通运输厅', '省发改委', '省商务厅', '省科技厅']),
    (265, ['二、', '（三）'], '', '光伏装备', ['省工信厅', '省发改委', '省商务厅', '省科技厅', '省海洋渔业局']),
    (285, ['二、', '（三）'], '', '未来产业', ['省发改委', '省工信厅', '省药监局', '省卫健委', '省商务厅', '省科技厅']),
    (306, ['二、', '（四）'], '（四）', '充分挖掘国际服务贸易供给潜力', ['省商务厅', '省发改委', '省数据管理局', '福州海关', '厦门海关']),
    (330, ['三、', '（五）'], '（五）', '增强产业链供应链韧性和安全水平', ['省发改委', '省工信厅']),
    (349, ['三、', '（六）'], '（六）', '提升外贸优势产业创新能力', ['省科技厅', '省工信厅', '省发改委', '省商务厅']),
    (375, ['三、', '（七）'], '（七）', '推动智能制造升级行动', ['省工信厅', '省发改委', '省科技厅']),
    (398, ['三、', '（八）'], '（八）', '积极促进产业绿色化发展', ['省工信厅', '省发改委']),
    (416, ['三、', '（九）'], '（九）', '推动加工贸易提档升级', ['省商务厅', '福州海关', '厦门海关', '中国人民银行福建省分行']),
    (440, ['三、', '（十）'], '（十）', '引导跨境电商健康发展', ['省商务厅', '省税务局', '厦门市税务局', '福州海关', '厦门海关']),
    (465, ['四、', '（十一）'], '（十一）', '稳住传统出口市场基本盘', ['省商务厅', '省工信厅', '福州海关', '厦门海关']),
    (485, ['四、', '（十二）'], '（十二）', '积极开拓海外新兴市场', ['省商务厅', '省发改委', '省财政厅', '福州海关', '厦门海关']),
    (508, ['四、', '（十三）'], '（十三）', '推动闽台经贸融合发展', ['省委金融办', '省商务厅', '省发改委', '省工信厅', '省财政厅', '福州海关', '厦门海关']),
    (536, ['五、', '（十四）'], '（十四）', '进一步促进贸易畅通', ['省交通运输厅', '省商务厅', '省发改委', '省财政厅', '省市场监管局', '省税务局', '厦门市税务局', '福州海关', '厦门海关']),
    (569, ['五、', '（十五）'], '（十五）', '充分发挥展会平台作用', ['省商务厅', '省财政厅', '省公安厅', '省外办']),
    (593, ['五、', '（十六）'], '（十六）', '强化自主品牌竞争力', ['省市场监管局', '省发改委', '省商务厅']),
    (616, ['五、', '（十七）'], '（十七）', '强化企业融资支持', ['国家金融监督管理总局福建监管局', '国家金融监督管理总局厦门监管局', '省委金融办', '省商务厅', '省财政厅', '中国人民银行福建省分行', '各有关金融机构']),
    (649, ['五、', '（十八）'], '（十八）', '优化跨境结算服务', ['省商务厅', '省财政厅', '中国人民银行福建省分行', '外汇管理局福建省分局', '外汇管理局厦门市分局']),
    (679, ['五、', '（十九）'], '（十九）', '完善出口信用保险服务', ['省商务厅', '省财政厅', '国家金融监督管理总局福建监管局', '国家金融监督管理总局厦门监管局', '中国信保福建分公司']),
]


@pytest.fixture(scope="module")
def hebi():
    return parse_document(HEBI)


@pytest.fixture(scope="module")
def fujian():
    return parse_document(FUJIAN)


# ---------------------------------------------------------------- Hebi


def test_hebi_has_53_tasks(hebi):
    assert len(hebi.tasks) == 53


@pytest.mark.parametrize("index", range(len(HEBI_TASKS)))
def test_hebi_task(hebi, index):
    line, path, title, responsible, supporting = HEBI_TASKS[index]
    task = hebi.tasks[index]
    assert (task.line, list(task.path), task.title) == (line, path, title)
    assert list(task.responsible) == responsible
    assert list(task.supporting) == supporting
    assert task.implementing == ()


def test_hebi_first_task_text_has_no_label_or_assignment(hebi):
    first = hebi.tasks[0]
    assert first.label == "(1)"
    assert first.level == 4
    assert first.text.startswith("积极采取增加天然气供应")
    assert first.text.endswith("完成2016年省政府下达我市的能源消费任务目标。")


def test_hebi_title_sentence_stays_in_text(hebi):
    task = next(task for task in hebi.tasks if task.line == 18)
    assert task.title == "严控煤炭消费总量"
    assert task.text.startswith("严控煤炭消费总量。按照")


def test_hebi_unnumbered_paragraph_is_a_task_under_the_preceding_heading(hebi):
    task = next(task for task in hebi.tasks if task.line == 21)
    assert task.label == ""
    assert task.level == 4
    assert task.path == ("三、", "(一)", "2.")
    assert task.title == "强化散煤管控"
    assert hebi.nodes[task.parent].label == "2."


def test_hebi_unnumbered_tasks_are_the_four_expected(hebi):
    titles = [task.title for task in hebi.tasks if task.label == ""]
    assert titles == ["强化散煤管控", "加快城市供热管网配套建设", "减少城市道路扬尘", "强化秸秆综合利用和禁烧"]


def test_hebi_lines_without_final_full_stop_still_parse(hebi):
    by_line = {task.line: task for task in hebi.tasks}
    assert by_line[121].responsible == ("市住房和城乡建设局", COUNTIES)
    assert by_line[121].supporting == ("市环保局",)
    assert by_line[124].responsible == ("市公安局", "市安监局", "市环保局", COUNTIES)


def test_hebi_paragraph_continued_on_next_line_belongs_to_its_task(hebi):
    task = next(task for task in hebi.tasks if task.line == 162)
    assert task.path == ("四、", "(二)")
    assert "市大气污染防治联席会议成员单位要做到" in task.text
    assert task.responsible == (COUNTIES, "市大气污染防治联席会议成员单位")


def test_hebi_organisation_items_are_tasks(hebi):
    paths = [task.path for task in hebi.tasks if task.path[0] == "四、"]
    assert paths == [("四、", "(一)"), ("四、", "(二)"), ("四、", "(三)"), ("四、", "(四)"), ("四、", "(五)")]


def test_hebi_sections_are_not_tasks(hebi):
    headings = [node.path for node in hebi.nodes if not node.is_task and node.level == 1]
    assert headings == [("一、",), ("二、",), ("三、",), ("四、",)]


def test_hebi_metadata(hebi):
    assert hebi.title == "鹤壁市2016年度蓝天工程暨大气污染治理实施方案"
    assert hebi.doc_number == ""
    assert hebi.issuers == ()
    assert hebi.issued_on is None
    assert (hebi.period_start, hebi.period_end) == (datetime.date(2016, 1, 1), datetime.date(2016, 12, 31))
    assert hebi.plan_year == 2016
    assert hebi.jurisdiction == "鹤壁市"
    assert hebi.coordinator == "市大气污染防治联席会议办公室"


def test_hebi_reporting_is_quarterly_on_the_23rd(hebi):
    assert (hebi.reporting.frequency, hebi.reporting.month, hebi.reporting.day) == ("quarterly", 3, 23)


def test_hebi_collective_members(hebi):
    assert hebi.collective_members == (
        (COUNTIES, ("开发区", "宝山循环经济产业集聚区", "城乡一体化示范区")),
    )


def test_hebi_has_no_warnings(hebi):
    assert hebi.warnings == ()


# ---------------------------------------------------------------- Fujian


def test_fujian_has_25_tasks(fujian):
    assert len(fujian.tasks) == 25


@pytest.mark.parametrize("index", range(len(FUJIAN_TASKS)))
def test_fujian_task(fujian, index):
    line, path, label, title, responsible = FUJIAN_TASKS[index]
    task = fujian.tasks[index]
    assert (task.line, list(task.path), task.label, task.title) == (line, path, label, title)
    assert list(task.responsible) == responsible
    assert task.supporting == ()
    assert list(task.implementing) == FUJIAN_LOCAL


def test_fujian_first_nine_tasks_are_the_industries(fujian):
    titles = [task.title for task in fujian.tasks[:9]]
    assert titles == ["电子信息", "石化化工", "纺织鞋服", "钢铁有色", "特色农产品", "锂电池", "新能源汽车", "光伏装备", "未来产业"]


def test_fujian_heading_and_body_form_one_task(fujian):
    task = next(task for task in fujian.tasks if task.label == "（五）")
    assert task.title == "增强产业链供应链韧性和安全水平"
    assert task.text.startswith("聚焦补短板拉长板锻新板")
    assert task.text.endswith("全省每年组织实施省重点技改项目1000项以上。")


def test_fujian_task_text_keeps_title_sentence_without_assignment(fujian):
    first = fujian.tasks[0]
    assert first.text.startswith("电子信息。加快“增芯强屏”发展步伐")
    assert first.text.endswith("增强重点领域供应链优势和品牌国际竞争力。")


def test_fujian_texts_have_no_page_artefacts(fujian):
    for node in fujian.nodes:
        for artefact in ("— 6 —", "EESIA", "福建省发展和改革委员会文件", " "):
            assert artefact not in node.text


def test_fujian_unit_names_have_no_breaks_or_spaces(fujian):
    for unit in fujian.units:
        assert unit == unit.strip() and " " not in unit and "\n" not in unit


def test_fujian_closing_paragraph_is_not_a_task(fujian):
    last = fujian.nodes[-1]
    assert last.text.startswith("各地各部门要加强协调联动")
    assert not last.is_task


def test_fujian_metadata(fujian):
    assert fujian.title == "外贸出口优势产业提升行动方案（2024—2025年）"
    assert fujian.doc_number == "闽发改规〔2024〕2号"
    assert fujian.issuers == (
        "福建省发展和改革委员会",
        "中共福建省委金融委员会办公室",
        "福建省工业和信息化厅",
        "福建省财政厅",
        "福建省商务厅",
        "福州海关",
        "厦门海关",
    )
    assert fujian.issued_on == datetime.date(2024, 2, 5)
    assert (fujian.period_start, fujian.period_end) == (datetime.date(2024, 1, 1), datetime.date(2025, 12, 31))
    assert fujian.valid_until == datetime.date(2025, 12, 31)
    assert fujian.plan_year == 2024
    assert fujian.jurisdiction == "福建省"
    assert fujian.coordinator == "福建省发展和改革委员会"


def test_plan_year_argument_wins():
    assert parse_document(FUJIAN, plan_year=2025).plan_year == 2025


# ---------------------------------------------------------------- non-plans


@pytest.mark.parametrize(
    "name",
    ["jincheng-2017-budget-report.txt", "steel-association-2024-interview.txt", "strategic-emerging-industries-paper.txt"],
)
def test_non_plan_is_refused(name):
    with pytest.raises(ImportRefused, match="未找到分配了责任单位的任务"):
        parse_document(SEEDS / name)


# ---------------------------------------------------------------- deadlines, targets, other encodings


def test_hebi_task_deadline_from_text(hebi):
    task = next(task for task in hebi.tasks if task.line == 52)
    assert [(deadline.kind, deadline.date) for deadline in task.deadlines] == [("due", datetime.date(2016, 6, 15))]


def test_hebi_task_targets_from_text(hebi):
    task = next(task for task in hebi.tasks if task.line == 14)
    assert [(target.indicator, target.unit) for target in task.targets] == [("风电装机规模", "万千瓦"), ("光伏发电规模", "万千瓦")]


def test_hebi_goal_section_gives_plan_targets(hebi):
    assert [(str(target.value), target.unit, target.year) for target in hebi.targets] == [
        ("100", "微克/立方米", 2016),
        ("67", "微克/立方米", 2016),
        ("190", "天", 2016),
    ]


def test_fujian_goal_section_gives_plan_targets(fujian):
    assert [(str(target.value), target.unit, target.year) for target in fujian.targets] == [
        ("2.8", "万亿元", 2025),
        ("4.8", "%", 2025),
    ]


def test_hebi_in_gb18030_parses_the_same(tmp_path, hebi):
    path = tmp_path / "hebi.txt"
    path.write_bytes(HEBI.read_text(encoding="utf-8").encode("gb18030"))
    assert parse_document(path).tasks == hebi.tasks


def test_fujian_as_docx_parses_the_same(tmp_path, fujian):
    import docx

    document = docx.Document()
    for line in FUJIAN.read_text(encoding="utf-8").splitlines():
        document.add_paragraph(line)
    path = tmp_path / "fujian.docx"
    document.save(path)
    plan = parse_document(path)
    assert plan.tasks == fujian.tasks
    assert plan.issuers == fujian.issuers
