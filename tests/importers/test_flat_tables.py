"""Task tables whose cells were run together (a crawler's or a sharing site's copy): rows found
from their unit names, times and numbers, read as any other task table."""
import datetime

from plans.importers import parse_lines
from plans.importers.deadlines import parse_deadline_cell
from plans.importers.flat_tables import rows_from_flattened, unit_run


def parse(text: str, plan_year: int | None = 2016):
    return parse_lines(text.strip("\n").split("\n"), plan_year=plan_year)


# a group 序号 over numbered measures, a 完成时限 cell before the units and a 任务来源 column
# after them whose own "1、2、" numbering is not the measures'
MEASURES_WITH_SOURCES = (
    "某区2016年环境保护工作要点分工表 "
    "序号主要工作任务具体工作措施完成时限主要责任单位任务来源"
    "1推进生态文明建设1、建立领导机制，成立区生态文明建设领导小组3月区发改局区环保局1、区2016年工作要点2、省生态文明体制改革方案"
    "2、编制区生态文明建设规划12月区环保局"
    "3、组织各乡镇开展创建工作全年区环保局区财政局相关乡镇人民政府"
    "2 强化环境监管4、开展环境监管专项执法检查6月区环保局区委组织部1、省环境监管能力建设方案"
    "5、开展企业环境信用评价12月区环保局区市场监管局"
    " 注：主要责任单位第一个为牵头单位，其余为主要配合单位。"
)


def test_run_together_measures_become_tasks_under_their_groups():
    plan = parse(MEASURES_WITH_SOURCES)
    tasks = [node for node in plan.nodes if node.responsible]
    assert [node.path for node in tasks] == [
        ("1", "1、"), ("1", "2、"), ("1", "3、"), ("2", "4、"), ("2", "5、"),
    ]
    assert [node.text for node in tasks][:2] == ["建立领导机制，成立区生态文明建设领导小组", "编制区生态文明建设规划"]
    groups = [node for node in plan.nodes if not node.responsible]
    assert [(node.path, node.text) for node in groups][:2] == [(("1",), "推进生态文明建设"), (("2",), "强化环境监管")]


def test_run_together_units_split_and_the_note_makes_the_rest_supporting():
    tasks = [node for node in parse(MEASURES_WITH_SOURCES).nodes if node.responsible]
    assert [(node.responsible, node.supporting) for node in tasks] == [
        (("区发改局",), ("区环保局",)),
        (("区环保局",), ()),
        (("区环保局",), ("区财政局", "相关乡镇人民政府")),
        (("区环保局",), ("区委组织部",)),
        (("区环保局",), ("区市场监管局",)),
    ]


def test_month_and_whole_year_cells_are_due_at_their_end():
    tasks = [node for node in parse(MEASURES_WITH_SOURCES).nodes if node.responsible]
    assert [[deadline.date for deadline in node.deadlines] for node in tasks] == [
        [datetime.date(2016, 3, 31)], [datetime.date(2016, 12, 31)], [datetime.date(2016, 12, 31)],
        [datetime.date(2016, 6, 30)], [datetime.date(2016, 12, 31)],
    ]


def test_sources_stay_out_of_the_tasks():
    plan = parse(MEASURES_WITH_SOURCES)
    assert not any("体制改革方案" in node.text or "能力建设方案" in node.text for node in plan.nodes)


# a 分管领导 column (a person) before 牵头单位 and 配合单位, no separators; a second row under
# the same 序号; a header repeated at a page break; a sharing site's page markers (1、 2、) at
# the start of each line, one of them cutting a unit's name
LEADER_COLUMN = """
1、2021年民生实事项目责任分解表序号项目名称主要内容区政府分管领导牵头单位配合单位1增加教育资源供给新建学校12个，增加学位5000个。王海平区教育局区财政局各街道2促进就业稳定增长城镇新增就业15000人。王海平区人社局各
2、街道3老城厢复兴发展完成纪念馆提升工程。王海平区文旅局晋陵公司轨道公司推进核心区改造。李春区住建局五星街道
3、序号项目名称主要内容区政府分管领导牵头单位配合单位4优化养老服务提供居家上门服务。张菁区民政局各街道提升改造8家养老服务中心。
"""


def test_leader_column_rows_with_lead_and_supporting_units():
    tasks = [node for node in parse(LEADER_COLUMN, plan_year=2021).nodes if node.responsible]
    assert [(node.text[:6], node.responsible, node.supporting) for node in tasks] == [
        ("增加教育资源", ("区教育局",), ("区财政局", "各街道")),
        ("促进就业稳定", ("区人社局",), ("各街道",)),
        ("老城厢复兴发", ("区文旅局",), ("晋陵公司", "轨道公司")),
        ("推进核心区改", ("区住建局",), ("五星街道",)),
        ("优化养老服务", ("区民政局",), ("各街道",)),
    ]
    assert [node.path for node in tasks] == [("1",), ("2",), ("3",), ("3",), ("4",)]  # the 序号 merged down
    assert not any(node.title.startswith("2021年") for node in parse(LEADER_COLUMN, plan_year=2021).nodes if node.path)
    assert not any("王海平" in unit or "张菁" in unit for node in tasks for unit in node.responsible + node.supporting)


def test_unit_run_stops_at_text_and_takes_unknown_names_with_a_units_ending():
    text = "3月区发改局区环保局三十六脚湖水库管理处1、区工作要点"
    assert text[2:unit_run(text, 2)] == "区发改局区环保局三十六脚湖水库管理处"
    assert unit_run("推进核心区改造", 0) == 0


def test_lines_without_a_run_together_header_are_unchanged():
    lines = ["序号 | 重点任务 | 牵头单位", "1 | 建设学校 | 区教育局", "序号重点任务牵头单位（表格见附件）"]
    assert rows_from_flattened(lines) == lines


def test_deadline_cell():
    assert [d.date for d in parse_deadline_cell("3月", 2016)] == [datetime.date(2016, 3, 31)]
    assert [d.date for d in parse_deadline_cell("2017年2月份", 2016)] == [datetime.date(2017, 2, 28)]
    assert [d.date for d in parse_deadline_cell("全年", 2016)] == [datetime.date(2016, 12, 31)]
    assert [d.date for d in parse_deadline_cell("6月底前", 2016)] == [datetime.date(2016, 6, 30)]
    assert [(d.date, d.text) for d in parse_deadline_cell("3月", None)] == [(None, "3月")]
    assert parse_deadline_cell("持续推进", 2016) == ()
    assert parse_deadline_cell("13月", 2016) == ()


# ---------------------------------------------------------------- rules met on held-out documents


def test_labelled_clause_after_a_comma_mid_paragraph():
    plan = parse("""
二、部分项目进展情况
1、农村道路畅通工程,牵头部门:市交通局。建设进度相对较慢的县区为舒城县。
2、棚户区改造,牵头部门:市住建委。新开工进度较慢。
3、各责任单位:要加强协调。
""")
    tasks = [node for node in plan.nodes if node.responsible]
    assert [(node.path[-1], node.responsible) for node in tasks] == [("1、", ("市交通局",)), ("2、", ("市住建委",))]
    assert "舒城县" in tasks[0].text  # the sentence after the assignment stays the task's


def test_blanket_sentence_after_labelled_units_in_a_bracket():
    plan = parse("""
一、完善市场体系
（一）加强市场体系建设。推进高标准市场体系建设。〔责任单位:省发展改革委、省市场监管局、商务厅、省大数据中心按职责分工负责。具体任务均涉及相关市(州)人民政府,不再做分工,下同。〕
（二）优化市场准入环境。实施“证照分离”改革全覆盖。〔责任单位:省市场监管局〕
""", plan_year=2022)
    tasks = [node for node in plan.nodes if node.responsible]
    assert tasks[0].responsible == ("省发展改革委", "省市场监管局", "省商务厅", "省大数据中心")
    assert [node.implementing for node in tasks] == [("相关市(州)人民政府",), ("相关市(州)人民政府",)]


def test_etc_with_a_level_and_division_of_duties_are_no_names():
    plan = parse("""
一、扩大投资
1.完善站场设施建设。（省发展改革委牵头，省交通运输厅、能源局等省有关部门和各地级以上市人民政府按职责分工落实）
""", plan_year=2023)
    task = next(node for node in plan.nodes if node.responsible)
    assert task.responsible == ("省发展改革委", "省交通运输厅", "省能源局", "各地级以上市人民政府")


def test_space_separated_table_anchored_on_its_units():
    plan = parse("""
某区2017年民生实事完成情况表
序号 民生实事项目名称 责任单位 目标任务 1- 8月实际完成情况   1-8月实际完成率% 备注
1 农村饮用水安全巩固提升 区水务局 1300人 700 54% 已解决700人的饮水问题
2 新增城镇就业   区人社局 8950 7356 82%
3 深化养老保险制度改革 完成在职参保人数6300人 区人社局 6300人 7558 119%
完成征缴基金10000万元 区人社局 10000万 7965 80%
城市低保补差水平月均达到300元 区民政局 100% 100%
""", plan_year=2017)
    tasks = [node for node in plan.nodes if node.responsible]
    assert [(node.path, node.text[:8], node.responsible) for node in tasks] == [
        (("1",), "农村饮用水安全巩", ("区水务局",)),
        (("2",), "新增城镇就业", ("区人社局",)),
        (("3",), "深化养老保险制度", ("区人社局",)),
        ((), "完成征缴基金10", ("区人社局",)),
        ((), "城市低保补差水平", ("区民政局",)),
    ]


def test_rows_keep_the_line_of_their_table_and_later_lines_keep_theirs():
    lines = ["某区2016年环境保护工作要点", MEASURES_WITH_SOURCES, "三、保障措施", "（一）加强领导。建立联席会议。（责任单位：区环保局）"]
    plan = parse_lines(lines, plan_year=2016)
    tasks = [node for node in plan.nodes if node.responsible]
    assert {node.line for node in tasks[:5]} == {2}
    assert tasks[-1].line == 4 and tasks[-1].responsible == ("区环保局",)
    assert len(rows_from_flattened(lines)) == len(lines)


def test_unspaced_flattened_page_is_cut_at_its_labels_and_the_label_line_covers_the_item():
    body = (
        "当前位置：首页政务公开最新文件 平潭综合实验区“互联网+”行动实施方案的通知 各单位：现印发给你们。"
        "一、总体要求充分发挥政策叠加优势，加快推进国际旅游岛建设，推动互联网与各领域深度融合发展，形成新的增长点。"
        "二、重点领域“互联网+”行动（一）“互联网+”高技术产业1．行动目标。大力发展高技术研发中心、孵化基地，推动上游产业集聚。"
        "2．主要任务鼓励新兴产业企业总部落地平潭，推进两区高技术产业一体化发展，打造风电装备产业链。"
        "牵头单位：区经发局经信处，配合单位：区经发局发改处、商务处、区社会事业局"
        "（二）“互联网+”现代农业1．行动目标。全面推进互联网与农业生产、经营、管理、服务融合发展。"
        "2．主要任务建立健全互联网与农业融合发展的体系，健全农业物联网测控体系。"
        "牵头单位：区农村发展局，配合单位：区社会事业局、区农村发展局加大农业物联网推广力度。对入选示范的企业，提供资金补助"
    )
    plan = parse(body, plan_year=2016)
    tasks = [node for node in plan.nodes if node.responsible]
    assert [(node.path, node.title[:12]) for node in tasks] == [
        (("二、", "（一）"), "“互联网+”高技术产业"), (("二、", "（二）"), "“互联网+”现代农业"),
    ]
    assert tasks[0].supporting == ("区经发局发改处", "区经发局商务处", "区社会事业局")  # the bureau's divisions
    assert tasks[1].supporting == ("区社会事业局", "区农村发展局")  # the list ends where the text runs on


# a table pasted one cell a line: a title and a note above its 序号, a 事项 cell and a 责任单位
# cell merged down the rows below, and a second table after an 附件 line
CELLS_WITH_MERGED_TASK = """
附表1
任务分工表
打*的为具体项目
序号
事项
工作措施
责任单位
1
“光伏+地铁”工程
充分利用轨道交通高架车站资源，进行光伏项目开发
申通地铁集团
2
新建高架车站屋顶光伏覆盖面积达到50%
3
“光伏+铁路”工程
对符合条件的既有站点进行光伏改造
中国铁路上海局
4
*推进检修段光伏设施建设
附件2
重大政策清单
序号
政策名称
重点工作举措和内容
责任单位
1
土地政策
设置社会福利用地，纳入年度用地计划
区资源生态局
"""


def test_cell_lines_with_a_merged_task_cell_and_a_second_table():
    tasks = [node for node in parse(CELLS_WITH_MERGED_TASK, plan_year=2023).nodes if node.responsible]
    assert [(node.path[-1], node.text.split("\n")[-1][:8], node.responsible) for node in tasks] == [
        ("1", "充分利用轨道交通", ("申通地铁集团",)),
        ("2", "新建高架车站屋顶", ("申通地铁集团",)),
        ("3", "对符合条件的既有", ("中国铁路上海局",)),
        ("4", "*推进检修段光伏", ("中国铁路上海局",)),
        ("1", "土地政策设置社会", ("区资源生态局",)),  # 政策名称 is no column of ours: one text
    ]


def test_assigned_by_clause_of_a_state_council_division_notice():
    plan = parse("""
一、工作分工
(一)关于“确保谷物基本自给”的问题,由发展改革委会同中央农办、农业部、财政部等部门研究提出落实意见。
(二)关于“严守耕地保护红线”的问题,由国土资源部会同农业部等部门负责落实。
""", plan_year=2014)
    tasks = [node for node in plan.nodes if node.responsible or node.implementing]
    assert [(node.responsible, node.implementing) for node in tasks] == [
        (("发展改革委", "中央农办", "农业部", "财政部"), ()),
        ((), ("国土资源部", "农业部")),
    ]
    assert tasks[0].text.endswith("的问题")


def test_role_sentence_with_objects_adverbs_owner_and_by():
    plan = parse("""
三、主要内容及职责分工
（一）打造城市完整社区实施项目：东门社区。
责任分工：区规划局负责开展城市社区规划编制工作，澳前片区开发管理局组织实施，嘉源公司作为业主单位，潭城镇人民政府全力配合，区直有关责任部门配合，区交通与建设局业务检查指导。
（二）加快小流域治理项目：竹屿湖二期。
责任分工：竹屿湖二期项目由区交通投资有限公司负责，区直有关单位配合。
""", plan_year=2015)
    first, second = [node for node in plan.nodes if node.responsible]
    assert first.responsible == ("区规划局", "区交通与建设局")
    assert first.implementing == ("澳前片区开发管理局", "嘉源公司")  # a zone's own body takes no 区
    assert first.supporting == ("潭城镇人民政府", "区直有关责任部门")
    assert (second.responsible, second.supporting) == (("区交通投资有限公司",), ("区直有关单位",))


def test_units_named_only_as_the_subjects_of_sentences():
    plan = parse("""
三、组织保障
市发展改革委、市经济信息化委会同有关部门，针对关键堵点加强统筹协调。
（一）开展统筹推进
市发展改革委负责零碳园区申报、评审和验收，组建专家库。
（二）支持技术集成应用
市科委牵头开展关键技术研发应用。市经济信息化委和市生态环境局联合推进示范项目。
（三）评价验收
园区完成建设任务后，由市发展改革委组织验收。各园区建设主体负责具体实施。
（四）强化宣传
加强政策宣传解读，营造良好氛围。
""", plan_year=2026)
    tasks = [node for node in plan.nodes if node.responsible or node.implementing]
    assert [(node.path[-1], node.responsible, node.implementing) for node in tasks] == [
        ("三、", ("市发展改革委", "市经济信息化委"), ()),
        ("（一）", ("市发展改革委",), ()),
        ("（二）", ("市科委", "市经济信息化委", "市生态环境局"), ()),
        ("（三）", ("市发展改革委",), ("各园区建设主体",)),
    ]


def test_sentence_subjects_are_not_read_where_the_document_assigns_units_otherwise():
    plan = parse("""
一、重点任务
（一）推进园区建设。市发展改革委负责园区规划。（牵头单位：市商务局）
（二）加强宣传。市委宣传部负责宣传报道。
""", plan_year=2026)
    assert [(node.path[-1], node.responsible) for node in plan.nodes if node.responsible] == [("（一）", ("市商务局",))]


def test_items_headed_by_a_unit_name_are_that_units_duties():
    plan = parse("""
四、职责分工
(一)区建管委
牵头协调督促本区海绵城市建设工作落实，统筹推进海绵城市规划建设。
(二)区财政局
负责在政府投资项目中安排海绵城市建设年度预算。
(三)各建设单位
在本单位负责实施的工程建设项目中落实海绵城市建设要求。
""", plan_year=2025)
    assert [(node.path[-1], node.responsible) for node in plan.nodes if node.responsible] == [
        ("(一)", ("区建管委",)), ("(二)", ("区财政局",)), ("(三)", ("各建设单位",)),
    ]


# pasted a cell a line with no 序号: a group label, each row's name, its score and target, and a
# 监考单位 cell merged over the rows below it
TARGET_TABLE = """
某区2016年度目标任务分解表
项 目
分值
目标任务
监考单位
宏观调控
地区生产总值增长率
3
年终综合考核
区发改局区统计局
社会消费品零售总额增长率
3
地方公共财政收入增长率
3
年终综合考核
区财政局
全社会固定资产投资额
3
186
区发改委
"""


def test_cell_lines_without_a_number_column():
    tasks = [node for node in parse(TARGET_TABLE).nodes if node.responsible]
    assert [(node.text[:8], node.responsible) for node in tasks] == [
        ("地区生产总值增长", ("区发改局", "区统计局")),
        ("社会消费品零售总", ("区发改局", "区统计局")),  # its units cell merged from the row above
        ("地方公共财政收入", ("区财政局",)),
        ("全社会固定资产投", ("区发改委",)),
    ]


def test_host_and_undertaker_lines_and_the_compound_lead_label():
    plan = parse("""
三、策划精品活动
（一）国际旅游岛周年节点活动
活动时间：2017年8月8日。
主办单位：平潭综合实验区管委会、省旅游发展委员会
承办单位：区旅游发展委员会、区党工委宣传部
（二）拓展客源市场推介
赴重点客源城市举办旅游推介会。（牵头负责单位：省旅游发展委员会；配合单位：省广播影视集团）
（三）优化审批服务
推进审批提速。
承办单位：区行政审批局
""", plan_year=2017)
    tasks = [node for node in plan.nodes if node.responsible]
    assert [(node.responsible, node.supporting, node.implementing) for node in tasks] == [
        (("平潭综合实验区管委会", "省旅游发展委员会"), (), ("区旅游发展委员会", "区党工委宣传部")),
        (("省旅游发展委员会",), ("省广播影视集团",), ()),
        (("区行政审批局",), (), ()),  # 承办 with no host answers for the task
    ]


def test_support_label():
    plan = parse("""
一、重点任务
1.加力推进中部地区更新。（牵头单位：经济技术开发区、九里亭街道，支撑单位：区规划资源局、区经委）
""", plan_year=2025)
    task = next(node for node in plan.nodes if node.responsible)
    assert (task.responsible, task.supporting) == (("经济技术开发区", "九里亭街道"), ("区规划资源局", "区经委"))


def test_department_stems_before_a_shared_bumen_and_lists_of_levels():
    plan = parse("""
一、强化管理
1.严格客运班线审批和监管。（区交通与建设局牵头，县交通与建设局、公路局和公安部门配合）
2.督促客运企业严格按照规范抓好落实。（区、县交通与建设局负责）
3.全面排查重点车辆。（各级人民政府负责，公安、农业农机、交通等部门组织实施）
4.建立驾驶人信息共享机制。（区县公安局、交通与建设局负责）
""", plan_year=2013)
    tasks = [node for node in plan.nodes if node.responsible]
    assert [(node.responsible, node.supporting, node.implementing) for node in tasks] == [
        (("区交通与建设局",), ("县交通与建设局", "县公路局", "公安部门"), ()),
        (("区交通与建设局", "县交通与建设局"), (), ()),
        (("各级人民政府",), (), ("公安", "农业农机", "交通")),
        (("区县公安局", "区县交通与建设局"), (), ()),
    ]


def test_compound_role_verbs():
    plan = parse("""
一、强化管理
1.加强宣传教育。（各级人民政府负责，宣传部门牵头组织实施，财政、公安、安监部门配合）
2.加强农村道路管理。（各级人民政府负责，公安、农业农机、安监等部门分工组织实施）
3.严格报告制度。（各乡镇人民政府负责，道安办落实）
""", plan_year=2013)
    tasks = [node for node in plan.nodes if node.responsible]
    assert [(node.responsible, node.supporting, node.implementing) for node in tasks] == [
        (("宣传部门", "各级人民政府"), ("财政", "公安", "安监部门"), ()),
        (("各级人民政府",), (), ("公安", "农业农机", "安监")),
        (("各乡镇人民政府",), (), ("道安办",)),
    ]


def test_zone_bodies_sharing_their_tail_and_more_role_verbs():
    plan = parse("""
三、主要内容
（九）城市地下综合管廊建设。
责任分工：金井湾、岚城片区开发管理局具体负责，区交通与建设局业务指导，区直部门配合。
""", plan_year=2015)
    task = next(node for node in plan.nodes if node.responsible)
    assert task.responsible == ("金井湾片区开发管理局", "岚城片区开发管理局", "区交通与建设局")
    assert task.supporting == ("区直部门",)


def test_flattened_page_cut_before_a_quoted_sub_title_glued_to_units():
    body = (
        "当前位置：首页 通知 各单位：现印发给你们。三、重点领域“互联网+”行动（七）“互联网+”益民服务1．行动目标。推进便民服务，"
        "提升公共服务水平，扩大网上办事范围，形成覆盖全区的线上线下一体化服务体系。2．主要任务推进社会救助、养老服务网上办理。"
        "牵头单位：区行政审批局，配合单位：区党群工作部“互联网+”医疗卫生：建设全区公共卫生服务平台，推进预约诊疗。"
        "牵头单位：区卫生与计划生育局“互联网+”教育。推进优质教育资源共享，建设智慧校园。牵头单位：区教育局"
    )
    tasks = [node for node in parse(body, plan_year=2016).nodes if node.responsible]
    assert [(node.text[:9], node.responsible) for node in tasks][1:] == [
        ("“互联网+”医疗卫", ("区卫生与计划生育局",)), ("“互联网+”教育。", ("区教育局",)),
    ]


def test_preamble_clause_and_a_bare_role_clause():
    plan = parse("""
三、主要内容
（三）整治提升城镇节点项目。
责任分工：区规划局负责开展规划编制工作，区直各部门各司其职，协同配合，区交通与建设局业务检查指导。
（十三）扩大城市片林实施项目。
责任分工：按照城市片林规划要求，区森林园林局负责组织实施，区直有关责任部门配合。
""", plan_year=2015)
    first, second = [node for node in plan.nodes if node.responsible or node.implementing]
    assert (first.responsible, first.supporting) == (("区规划局", "区交通与建设局"), ("区直各部门",))
    assert (second.implementing, second.supporting) == (("区森林园林局",), ("区直有关责任部门",))


def test_figures_of_a_cell_per_line_table_are_not_page_numbers():
    plan = parse("""
表1 主要指标表
序号
指标名称
2020年完成值
2025年目标值
责任单位
1
养老服务床位总量（张）
2578
3000
区社会事业局
2
托育机构登记备案率（%）
1782
2000
区社会事业局
""", plan_year=2023)
    tasks = [node for node in plan.nodes if node.responsible]
    assert [(node.path[-1], node.text[:8], node.responsible) for node in tasks] == [
        ("1", "养老服务床位总量", ("区社会事业局",)), ("2", "托育机构登记备案", ("区社会事业局",)),
    ]


GROUPED_CELLS = """
附表1
序号
事项
工作措施
责任单位
1
“光伏+其他”工程
利用充换电场站顶棚建设光伏微电网
各交通行业企业、市道路运输局
2
推动交通领域新建建筑物按要求配建分布式光伏
建立健全“光伏+”推进机制
3
健全商业运营模式
建立市场化竞争配置机制
市交通委
附表2
光伏建设分配表
序号
交通子行业
建设区域
责任单位
1
地铁
高架车站、停车场
申通地铁集团
2
铁路
候车楼、货场
中国铁路上海局
"""


def test_a_group_title_between_numbered_rows_and_a_table_whose_task_column_has_no_task_word():
    tasks = [node for node in parse(GROUPED_CELLS, plan_year=2023).nodes if node.responsible]
    assert [(node.path[-1], node.text.split("\n")[-1][:6], node.responsible) for node in tasks] == [
        ("1", "利用充换电场", ("各交通行业企业", "市道路运输局")),
        ("2", "推动交通领域", ("各交通行业企业", "市道路运输局")),
        ("3", "建立市场化竞", ("市交通委",)),
        ("1", "地铁高架车站", ("申通地铁集团",)),  # 建设区域 is no column of ours: one text
        ("2", "铁路候车楼、", ("中国铁路上海局",)),
    ]
    assert any(node.title == "建立健全“光伏+”推进机制" and not node.responsible for node in parse(GROUPED_CELLS, plan_year=2023).nodes)


def test_page_buttons_after_the_last_bracket_are_dropped():
    plan = parse("""
五、拓展客源市场推介工作任务：组织旅游企业赴重要客源城市开展旅游推介。（牵头负责单位：省旅游发展委员会；配合单位：省广播影视集团） 附件下载
""", plan_year=2017)
    task = next(node for node in plan.nodes if node.responsible)
    assert (task.responsible, task.supporting) == (("省旅游发展委员会",), ("省广播影视集团",))


def test_bare_department_stems_in_a_list_with_units():
    plan = parse("""
一、强化宣传
1.加大宣传投入。（各级人民政府负责，宣传部门牵头，财政、公安、安监、道安办配合）
2.严格追责。（区县安监局牵头，监察、公安、交通运输、住房和城乡建设、农业农机部门配合）
""", plan_year=2013)
    tasks = [node for node in plan.nodes if node.responsible]
    assert [node.supporting for node in tasks] == [
        ("财政", "公安", "安监", "道安办"),
        ("监察", "公安", "交通运输", "住房和城乡建设", "农业农机部门"),
    ]


def test_a_label_list_run_into_the_next_short_title_and_a_top_label_after_units():
    body = (
        "当前位置：首页 政务公开 最新文件 通知 各单位：《实施方案》已经研究通过，现印发给你们，请认真贯彻执行。"
        "二、保障措施（四）营造积极发展环境构建开放包容环境，全面放宽融合性产品和服务的市场准入。"
        "牵头单位：区经发局发改处，配合单位：区经发局经信处，区通管办大力发展创投基金。加快建立以创投为主的互联网经济投融资模式。"
        "牵头单位：区财金局、金融办，配合单位：人行平潭支行三、附则本方案自印发之日起施行，由区经发局负责解释，有效期五年，请各单位认真贯彻执行。"
    )
    tasks = [node for node in parse(body, plan_year=2016).nodes if node.responsible]
    assert [(node.text[:8], node.responsible, node.supporting) for node in tasks] == [
        ("营造积极发展环境", ("区经发局发改处",), ("区经发局经信处", "区通管办")),
        ("大力发展创投基金", ("区财金局", "区金融办"), ("人行平潭支行",)),
    ]


def test_an_owner_column_carries_the_task_out():
    plan = parse("""
序号 | 项目名称 | 牵头单位 | 业主单位 | 完成时限
1 | 文化中心北路 | 区住建局 | 区城投公司 | 12月底
""", plan_year=2024)
    task = next(node for node in plan.nodes if node.responsible)
    assert (task.responsible, task.implementing) == (("区住建局",), ("区城投公司",))


def test_a_clause_marked_xiatong_holds_for_the_tasks_after_it():
    plan = parse("""
一、强化创新
1.实施关键核心技术攻关。(省发展改革委、科技厅按职责分工负责;各地级以上市人民政府结合实际落实,下同)
2.推进产业协同创新。(省工业和信息化厅负责)
""", plan_year=2025)
    tasks = [node for node in plan.nodes if node.responsible]
    assert [(node.responsible, node.implementing) for node in tasks] == [
        (("省发展改革委", "省科技厅"), ("各地级以上市人民政府",)),
        (("省工业和信息化厅",), ("各地级以上市人民政府",)),
    ]


def test_labels_on_a_page_flattened_with_spaces_end_at_the_next_space():
    body = (
        "2014年市政府民生实事项目共有42项任务，各责任单位高度重视，实事项目总体进展情况良好。现将实事项目1—6月份进展情况予以公示。 "
        "1.新增安装300套路口交通信息视频采集设备。 牵头领导:王仁洲 责任单位:市公安局 项目责任人:王伟标 配合单位:市城管局、市财政局 "
        "实际完成情况:整体进度已完成年度目标任务的55%。 2.新辟公交线路10条。 牵头领导:王仁洲 责任单位:市交通委 项目责任人:劳可军 "
        "配合单位:市公安局,各区政府 鄞州 海曙 合计 新辟线路年度目标 2 5 7"
    )
    tasks = [node for node in parse(body, plan_year=2014).nodes if node.responsible]
    assert [(node.responsible, node.supporting) for node in tasks] == [
        (("市公安局",), ("市城管局", "市财政局")),
        (("市交通委",), ("市公安局", "各区政府")),
    ]


def test_local_investment_companies_by_their_short_names():
    from plans.importers.gazetteer import is_known_unit, split_run_together
    assert all(map(is_known_unit, ["区城投", "县水投公司", "市交投集团", "区国资公司"]))
    assert split_run_together("区城管局区水投") == ["区城管局", "区水投"]


def test_a_spaced_numbering_label_and_each_prefecture_and_city():
    plan = parse("""
一 、 承担的重点工作任务及责任分解
1 . 严格管控地方政府债务,切实保障“三保”支出。
责任单位:市财政局
2 . 建立健全领导联系重点项目制度。(省发展改革委牵头,各州、市人民政府配合)
""", plan_year=2021)
    tasks = [node for node in plan.nodes if node.responsible]
    assert [(node.path, node.text[:6]) for node in tasks] == [(("一、", "1."), "严格管控地方"), (("一、", "2."), "建立健全领导")]
    assert tasks[1].supporting == ("各州、市人民政府",)


def test_an_archived_pages_title_field_names_the_plan():
    plan = parse("""
标题: 平潭综合实验区管委会印发平潭综合实验区2016年生态环境保护工作要点的通知
发布时间: 2016-03-31 15:06
页面链接与图片详见links.tsv(同目录)
一、深入推进生态文明建设
（一）建立领导机制。（责任单位：区经发局）
""", plan_year=None)
    assert plan.title == "平潭综合实验区2016年生态环境保护工作要点"


def test_cities_sharing_their_government_a_province_office_and_a_cut_bracket():
    plan = parse("""
一、扩大有效投资
1.抓住铁路建设机遇。(省发改委、铁路办、哈尔滨铁路局、相关市、县政府负责)
2.推进民航基础设施建设。(哈尔滨机场扩建指挥部、哈尔滨、黑河、绥芬河市政府、省农垦总局负责)
3.加强养老保险金收支管理。(牵头单位:市人力资源社会保
""", plan_year=2013)
    tasks = [node for node in plan.nodes if node.responsible]
    assert [node.responsible for node in tasks] == [
        ("省发改委", "省铁路办", "哈尔滨铁路局", "相关市、县政府"),
        ("哈尔滨机场扩建指挥部", "哈尔滨市政府", "黑河市政府", "绥芬河市政府", "省农垦总局"),
    ]  # item 3's list is cut inside its only name: no units, no task


GROUPED_LABELLED_CELLS = """
重点工作
主要
任务
工作措施
责任单位
备注
一、加大财政金融支持力度
(一)加强对防疫重点企业财税支持
市税务局等,各县、市、区政府
2020年12月
2.纳入技术改造设备购置补贴的重点企业给予配套补贴。
市经信局、市财政局等,各县、市、区政府
二、保障措施
加强组织领导，细化工作任务。
"""


def test_a_group_row_over_labelled_rows_and_a_rows_own_number():
    plan = parse(GROUPED_LABELLED_CELLS, plan_year=2020)
    tasks = [node for node in plan.nodes if node.responsible]
    assert [(node.label, node.text[:6], node.responsible) for node in tasks] == [
        ("(一)", "加强对防疫重", ("市税务局", "各县、市、区政府")),
        ("2.", "纳入技术改造", ("市经信局", "市财政局", "各县、市、区政府")),
    ]
    assert any(node.label == "二、" for node in plan.nodes)  # the table ends at the next section


def test_a_bracket_cut_after_a_whole_name_keeps_its_labelled_list():
    plan = parse("""
一、深化改革
1、大力推进“四办”改革,创新审批模式。(牵头单位:区行政审批局;责任单位:区交通运输局、相关乡镇办
""", plan_year=2019)
    task = next(node for node in plan.nodes if node.responsible)
    assert task.responsible == ("区行政审批局", "区交通运输局", "相关乡镇办")  # 相关 names no district of its own


def test_an_attachment_table_stands_under_no_heading_of_the_text_above():
    lines = ["某区2016年工作要点", "十一、加大环保领域投资。积极扩大环保领域有效投资。", MEASURES_WITH_SOURCES.replace(
        "某区2016年环境保护工作要点分工表 ", "全年完成有效投资2.48亿元。 附件：2016年环境保护工作要点分工表 ")]
    tasks = [node for node in parse_lines(lines, plan_year=2016).nodes if node.responsible]
    assert tasks[0].path == ("1", "1、")
