"""Paragraphs → section and task nodes, and plan metadata, on small documents given as strings."""
import datetime
from decimal import Decimal

import docx
import pytest

from plans.importers import ImportRefused, parse_document, parse_lines
from plans.importers.structure import (
    label_of,
    parse_assignment_line,
    parse_assignment_parenthesis,
    split_title,
)


def parse(text: str, plan_year: int | None = 2016):
    return parse_lines(text.strip("\n").split("\n"), plan_year=plan_year)


HEBI_STYLE = """
鹤壁市2016年度蓝天工程
实 施 方 案
三、主要任务
(一)燃煤烟气治理。
1.严格控制煤炭消费使用。
(1)严控煤炭消费总量。按照要求分解煤炭减量目标。
责任单位:市发改委,各县区政府(管委)。
配合单位:市财政局、商务局。
强化散煤管控。禁止销售和使用劣质散煤。
责任单位:市发改委、工业和信息化委员会、环保局,各县区政府(管委)。
(3)严控高污染燃料使用。调整禁燃区范围
责任单位:各县区政府(管委)
配合单位:市环保局
"""


# ---------------------------------------------------------------- labels and titles


@pytest.mark.parametrize(
    "text, label, level",
    [
        ("三、主要任务", "三、", 1),
        ("十一、附则", "十一、", 1),
        ("(一)燃煤烟气治理。", "(一)", 2),
        ("（十三）推动闽台经贸融合发展", "（十三）", 2),
        ("1.大力推广实施清洁能源。", "1.", 3),
        ("2、强化建筑节能。", "2、", 3),
        ("3．加强运输扬尘管理。", "3．", 3),
        ("(1)积极采取措施。", "(1)", 4),
        ("（12）加强监管。", "（12）", 4),
        ("①完善制度。", "①", 5),
    ],
)
def test_label_kept_as_written_with_level(text, label, level):
    assert label_of(text)[:2] == (label, level)


def test_decimal_figure_is_not_a_label():
    assert label_of("2.8万亿元的营业收入") is None


def test_title_is_short_first_sentence():
    assert split_title("严控煤炭消费总量。按照要求分解。") == "严控煤炭消费总量"


def test_title_of_long_first_sentence_is_first_clause_shortened():
    body = "积极采取增加天然气供应和接受外输电规模、加大非化石能源利用强度等燃煤替代措施,并依托管道。"
    assert split_title(body) == "积极采取增加天然气供应和接受外输电规模、加大非化石能源利用强…"


# ---------------------------------------------------------------- Hebi style


def test_hebi_style_tasks_with_paths_and_lines():
    plan = parse(HEBI_STYLE)
    assert [(task.line, task.path) for task in plan.tasks] == [
        (6, ("三、", "(一)", "1.", "(1)")),
        (9, ("三、", "(一)", "1.")),
        (11, ("三、", "(一)", "1.", "(3)")),
    ]


def test_hebi_style_units_and_shared_prefix():
    first = parse(HEBI_STYLE).tasks[0]
    assert first.responsible == ("市发改委", "各县区政府(管委)")
    assert first.supporting == ("市财政局", "市商务局")


def test_missing_number_paragraph_is_unnumbered_task_under_parent_heading():
    plan = parse(HEBI_STYLE)
    task = plan.tasks[1]
    assert (task.label, task.level, task.title) == ("", 4, "强化散煤管控")
    assert plan.nodes[task.parent].label == "1."
    assert task.responsible == ("市发改委", "市工业和信息化委员会", "市环保局", "各县区政府(管委)")


def test_task_text_keeps_title_sentence_and_drops_label_and_assignment():
    task = parse(HEBI_STYLE).tasks[0]
    assert task.text == "严控煤炭消费总量。按照要求分解煤炭减量目标。"


def test_assignment_lines_without_full_stop():
    task = parse(HEBI_STYLE).tasks[2]
    assert task.responsible == ("各县区政府(管委)",)
    assert task.supporting == ("市环保局",)


def test_headings_are_nodes_but_not_tasks():
    plan = parse(HEBI_STYLE)
    assert [(node.label, node.is_task) for node in plan.nodes[:3]] == [("三、", False), ("(一)", False), ("1.", False)]


def test_preamble_is_not_a_node():
    plan = parse(HEBI_STYLE)
    assert plan.nodes[0].label == "三、"
    assert plan.title == "鹤壁市2016年度蓝天工程实施方案"


def test_lead_unit_comes_first_then_responsible_units():
    plan = parse("(1)推进清洁能源。加快建设。\n责任单位：市环保局。\n牵头单位：市发改委。\n配合单位：市财政局。")
    assert plan.tasks[0].responsible == ("市发改委", "市环保局")
    assert plan.tasks[0].supporting == ("市财政局",)


def test_zhuban_and_xieban_lines():
    plan = parse("1.推进清洁能源。加快建设。\n主办单位：市发改委\n协办单位：市财政局、商务局")
    assert (plan.tasks[0].responsible, plan.tasks[0].supporting) == (("市发改委",), ("市财政局", "市商务局"))


def test_responsible_department_and_lead_department_lines():
    plan = parse("1.推进清洁能源。加快建设。\n牵头部门：市发改委\n责任部门：市环保局")
    assert plan.tasks[0].responsible == ("市发改委", "市环保局")


def test_lead_and_supporting_on_one_line():
    assignment = parse_assignment_line("牵头单位：市发改委；配合单位：市财政局、商务局。")
    assert (assignment.lead, assignment.supporting) == (["市发改委"], ["市财政局", "市商务局"])


def test_paragraph_continued_before_its_assignment_belongs_to_the_task():
    plan = parse("(二)强化责任落实。各县区是实施主体。\n成员单位要做到管行业必须管环保。\n责任单位：各县区政府(管委)。")
    assert len(plan.nodes) == 1
    assert plan.tasks[0].text == "强化责任落实。各县区是实施主体。\n成员单位要做到管行业必须管环保。"


def test_collective_units_stay_as_written():
    plan = parse("1.推进法治建设。加大宣传。\n配合单位：市大气污染防治联席会议成员单位。\n责任单位：各县区政府(管委)")
    assert plan.tasks[0].supporting == ("市大气污染防治联席会议成员单位",)
    assert plan.tasks[0].responsible == ("各县区政府(管委)",)


def test_repeated_assignment_line_is_merged_with_a_warning():
    plan = parse("1.推进法治建设。加大宣传。\n责任单位：市环保局。\n责任单位：市财政局。")
    assert plan.tasks[0].responsible == ("市环保局", "市财政局")
    assert len(plan.warnings) == 1 and "重复的分工行" in str(plan.warnings[0])


# ---------------------------------------------------------------- Fujian style

FUJIAN_STYLE = """
二、推动外贸出口优势产业新提升
（一）持续壮大支柱产业出口规模
电子信息。加快发展步伐。（省工信厅、发改委、商务厅、福州海关等部门按职责分工负责，各设区市人民政府、平潭综合实验区管委会负责落实。以下工作均需各设区市人民政府、平潭综合实验区管委会负责落实，不再单独列出）
石化化工。推动高端化发展。（省发改委、科技厅等部门按职责分工负责）
（二）增强产业链供应链韧性和安全水平
聚焦补短板拉长板锻新板，编制重点产业链图谱。（省发改委、工信厅等部门按职责分工负责）
各地各部门要加强协调联动，确保各项工作落到实处。
"""


def test_parenthesis_gives_responsible_and_implementing_units():
    task = parse(FUJIAN_STYLE).tasks[0]
    assert task.responsible == ("省工信厅", "省发改委", "省商务厅", "福州海关")
    assert task.implementing == ("各设区市人民政府", "平潭综合实验区管委会")


def test_parenthesis_is_removed_from_task_text():
    task = parse(FUJIAN_STYLE).tasks[0]
    assert task.text == "电子信息。加快发展步伐。"
    assert task.title == "电子信息"


def test_short_title_paragraphs_are_unnumbered_tasks_under_the_heading():
    plan = parse(FUJIAN_STYLE)
    assert [(task.label, task.path, task.level) for task in plan.tasks[:2]] == [
        ("", ("二、", "（一）"), 3),
        ("", ("二、", "（一）"), 3),
    ]


def test_blanket_implementing_units_apply_to_later_tasks():
    plan = parse(FUJIAN_STYLE)
    assert [task.implementing for task in plan.tasks] == [("各设区市人民政府", "平潭综合实验区管委会")] * 3


def test_blanket_does_not_turn_closing_paragraph_into_a_task():
    plan = parse(FUJIAN_STYLE)
    assert plan.nodes[-1].text.startswith("各地各部门要加强协调联动")
    assert not plan.nodes[-1].is_task


def test_heading_followed_by_one_body_paragraph_is_one_task():
    task = parse(FUJIAN_STYLE).tasks[2]
    assert (task.label, task.title) == ("（二）", "增强产业链供应链韧性和安全水平")
    assert task.text == "聚焦补短板拉长板锻新板，编制重点产业链图谱。"
    assert task.responsible == ("省发改委", "省工信厅")


def test_lead_and_supporting_in_parenthesis():
    assignment = parse_assignment_parenthesis("市发改委牵头，市财政局、商务局配合")
    assert (assignment.lead, assignment.supporting) == (["市发改委"], ["市财政局", "市商务局"])


def test_single_responsible_in_parenthesis():
    assignment = parse_assignment_parenthesis("省商务厅负责")
    assert assignment.responsible == ["省商务厅"]


@pytest.mark.parametrize("inner,units", [
    ("海关总署、财政部、税务总局负责，排在第一位的部门为牵头部门，下同", ["海关总署", "财政部", "税务总局"]),
    ("人民银行、证监会、银保监会按职责分工负责", ["人民银行", "证监会", "银保监会"]),
    ("审计署、全国总工会、全国妇联负责，列第一位者为牵头单位", ["审计署", "全国总工会", "全国妇联"]),
    ("中国科协、共青团中央负责，不再单独列出", ["中国科协", "共青团中央"]),
])
def test_national_bodies_in_a_parenthesis_and_its_conventions_are_no_units(inner, units):
    """National plans: （X、Y负责，排在第一位的部门为牵头部门，下同）. The note is a rule, the
    bodies (…署, …监会, 总工会, 妇联, 科协, 人民银行) are units, and the first named leads."""
    assert parse_assignment_parenthesis(inner).responsible == units


def test_a_sentence_saying_who_leads_is_not_dropped_as_a_note():
    assignment = parse_assignment_parenthesis("市发改委牵头，市财政局配合")
    assert (assignment.lead, assignment.supporting) == (["市发改委"], ["市财政局"])


@pytest.mark.parametrize("inner,lead,responsible,supporting", [
    ("负责部门：商务部、海关总署；适用范围：上海自贸试验区", [], ["商务部", "海关总署"], []),
    ("牵头责任单位：市发改委；协同责任单位：市财政局", ["市发改委"], [], ["市财政局"]),
    ("负责单位：县住建局，配合部门：县财政局", [], ["县住建局"], ["县财政局"]),
])
def test_more_role_labels_and_a_label_that_is_no_role_ends_the_list(inner, lead, responsible, supporting):
    assignment = parse_assignment_parenthesis(inner)
    assert (assignment.lead, assignment.responsible, assignment.supporting) == (lead, responsible, supporting)


def test_a_ministry_that_guides_answers_for_the_task_and_local_governments_carry_it_out():
    assignment = parse_assignment_parenthesis("生态环境部指导，试点城市政府负责落实")
    assert (assignment.responsible, assignment.implementing) == (["生态环境部"], ["试点城市政府"])


def test_a_time_phrase_closing_a_labelled_list_is_the_deadline_not_a_unit():
    assignment = parse_assignment_parenthesis("牵头单位：州行政审批服务局；责任单位：州司法局，各县市人民政府，6月底完成")
    assert (assignment.lead, assignment.responsible) == (["州行政审批服务局"], ["州司法局", "各县市人民政府"])
    assert assignment.deadline_text == "6月底完成"


def test_a_blanket_rule_as_the_last_clause_of_an_assignment():
    assignment = parse_assignment_parenthesis("省生态环境厅牵头，各市政府负责落实，以下任务措施均需各市政府落实，不再列出")
    assert (assignment.lead, assignment.implementing, assignment.blanket_implementing) == (
        ["省生态环境厅"], ["各市政府"], ["各市政府"],
    )


def test_labelled_roles_in_parenthesis():
    assignment = parse_assignment_parenthesis("牵头单位：市发改委；配合单位：市财政局")
    assert (assignment.lead, assignment.supporting) == (["市发改委"], ["市财政局"])


@pytest.mark.parametrize("inner", ["含自备机组", "2024—2025年", "HDT", "C2M", "不含农用车和摩托车", "世界集成电路大会"])
def test_parenthesis_without_units_is_not_an_assignment(inner):
    assert parse_assignment_parenthesis(inner) is None


def test_units_only_parenthesis_is_taken_as_responsible_with_a_warning():
    plan = parse("(1)推动品牌建设。培育一批品牌。（省市场监管局、省商务厅）")
    assert plan.tasks[0].responsible == ("省市场监管局", "省商务厅")
    assert "没有“负责/牵头/配合”" in str(plan.warnings[0])


def test_paragraph_with_assignment_but_no_text_gives_a_warning():
    plan = parse("一、主要任务\n(1)（省商务厅负责）")
    assert plan.tasks[0].responsible == ("省商务厅",)
    assert any("没有对应的任务内容" in str(warning) for warning in plan.warnings)


# ---------------------------------------------------------------- task tables

TABLE = """
鹤壁市2016年度蓝天工程重点任务分解表
序号\t重点任务\t具体措施\t牵头单位\t配合单位\t完成时限
一、燃煤烟气治理
1\t推广清洁能源\t增加天然气供应。\t市发改委\t市财政局、商务局\t2016年10月底前
2\t控制煤炭消费\t实行总量控制。\t市发改委、环保局\t\t6月15日前
"""


def test_table_rows_become_tasks_under_section_row():
    plan = parse(TABLE)
    assert [(task.label, task.path, task.line) for task in plan.tasks] == [
        ("1", ("一、", "1"), 4),
        ("2", ("一、", "2"), 5),
    ]


def test_table_columns_give_units():
    first, second = parse(TABLE).tasks
    assert (first.responsible, first.supporting) == (("市发改委",), ("市财政局", "市商务局"))
    assert second.responsible == ("市发改委", "市环保局")


def test_table_task_title_and_text():
    first = parse(TABLE).tasks[0]
    assert (first.title, first.text) == ("推广清洁能源", "推广清洁能源\n增加天然气供应。")


def test_table_deadline_column():
    first, second = parse(TABLE).tasks
    assert [deadline.date for deadline in first.deadlines] == [datetime.date(2016, 10, 31)]
    assert [deadline.date for deadline in second.deadlines] == [datetime.date(2016, 6, 15)]


def test_table_with_bar_separators_and_other_column_names():
    text = "工作任务｜责任单位｜协办单位｜时间节点\n加强运输扬尘管理｜市交通运输局｜市公安局｜8月底前"
    task = parse(text).tasks[0]
    assert (task.title, task.responsible, task.supporting) == ("加强运输扬尘管理", ("市交通运输局",), ("市公安局",))
    assert [deadline.date for deadline in task.deadlines] == [datetime.date(2016, 8, 31)]


def test_docx_task_table(tmp_path):
    document = docx.Document()
    document.add_paragraph("鹤壁市2016年度扬尘治理工作方案")
    table = document.add_table(rows=3, cols=4)
    rows = [
        ["序号", "主要任务", "牵头部门", "完成时间"],
        ["1", "开展非煤矿山扬尘专项治理", "市环保局", "10月底前"],
        ["2", "加强运输扬尘管理", "市交通运输局、公安局", "2016年底前"],
    ]
    for row, texts in zip(table.rows, rows):
        for cell, text in zip(row.cells, texts):
            cell.text = text
    path = tmp_path / "plan.docx"
    document.save(path)
    plan = parse_document(path)
    assert plan.title == "鹤壁市2016年度扬尘治理工作方案"
    assert [task.responsible for task in plan.tasks] == [("市环保局",), ("市交通运输局", "市公安局")]
    assert [task.deadlines[0].date for task in plan.tasks] == [datetime.date(2016, 10, 31), datetime.date(2016, 12, 31)]


# ---------------------------------------------------------------- metadata

NOTICE = """
闽发改规〔2024〕2 号
福建省发展和改革委员会等 2部门关于印发
外贸出口优势产业提升行动方案
（2024—2025年）的通知
各设区市人民政府：
根据《豫政办〔2016〕27号》要求，现将《外贸出口优势产业提升行动方案（2024—2025 年）》印发给你们，请认真贯彻落实。
福建省发展和改革委员会 福建省商务厅
2024 年 2 月 5 日
（此件主动公开）
一、主要目标
力争到2025年，全省出口优势产业营业收入达2.8万亿元。
二、主要任务
（一）加强协调
做好统筹协调工作。（省发改委、商务厅等部门按职责分工负责）
行动方案有效期至2025年12月31日。
"""


def test_notice_gives_the_plans_own_title():
    assert parse(NOTICE, None).title == "外贸出口优势产业提升行动方案（2024—2025年）"


def test_doc_number_is_the_documents_own():
    assert parse(NOTICE, None).doc_number == "闽发改规〔2024〕2号"


def test_cited_document_number_is_not_the_doc_number():
    assert parse(HEBI_STYLE.replace("三、主要任务", "根据豫政办〔2016〕27号要求，制定本方案。\n三、主要任务")).doc_number == ""


def test_signature_gives_issuers_and_issue_date():
    plan = parse(NOTICE, None)
    assert plan.issuers == ("福建省发展和改革委员会", "福建省商务厅")
    assert plan.issued_on == datetime.date(2024, 2, 5)


def test_period_valid_until_and_plan_year():
    plan = parse(NOTICE, None)
    assert (plan.period_start, plan.period_end) == (datetime.date(2024, 1, 1), datetime.date(2025, 12, 31))
    assert plan.valid_until == datetime.date(2025, 12, 31)
    assert plan.plan_year == 2024


def test_jurisdiction_from_first_issuer_when_title_names_no_place():
    assert parse(NOTICE, None).jurisdiction == "福建省"


def test_coordinator_falls_back_to_first_issuer():
    assert parse(NOTICE, None).coordinator == "福建省发展和改革委员会"


def test_goal_section_targets_are_plan_targets():
    targets = parse(NOTICE, None).targets
    assert [(target.value, target.unit, target.year) for target in targets] == [(Decimal("2.8"), "万亿元", 2025)]


def test_coordinator_is_the_office_reports_go_to():
    text = HEBI_STYLE + "(二)强化责任落实。每季度最后一月的23日前将进展情况报市大气污染防治联席会议办公室。\n责任单位：各县区政府(管委)。"
    plan = parse(text)
    assert plan.coordinator == "市大气污染防治联席会议办公室"
    assert (plan.reporting.frequency, plan.reporting.month, plan.reporting.day) == ("quarterly", 3, 23)


def test_collective_members_defined_by_the_plan():
    text = "二、工作目标\n2016年，全市各县区(包括开发区、示范区,下同)空气质量改善。\n" + HEBI_STYLE.split("\n", 3)[3]
    plan = parse(text)
    assert plan.collective_members == (("各县区政府(管委)", ("开发区", "示范区")),)


def test_plan_year_from_title_year():
    assert parse(HEBI_STYLE, None).plan_year == 2016


def test_a_document_naming_no_year_is_read_with_its_dates_left_undated_and_listed():
    plan = parse("(1)严控煤炭消费总量，10月底前完成，每季度末报送进展。\n责任单位：市发改委。", None)
    assert plan.plan_year is None
    (task,) = plan.tasks
    assert task.responsible == ("市发改委",)
    assert [(d.text, d.date, d.rule) for d in task.deadlines] == [("10月底前", None, ""), ("每季度末", None, "quarterly:3:end")]
    assert "找不到年份" in plan.warnings[0].reason and plan.warnings[0].line is None
    (undated,) = [w for w in plan.warnings if w.text == "10月底前"]
    assert undated.line == 1 and "请核对" in undated.reason


def test_two_undated_deadlines_of_one_task_are_both_kept():
    plan = parse("(1)严控煤炭消费总量，6月底前出台方案，10月底前完成。\n责任单位：市发改委。", None)
    assert [d.text for d in plan.tasks[0].deadlines] == ["6月底前", "10月底前"]
    assert all(d.date is None for d in plan.tasks[0].deadlines)


def test_a_leader_line_is_the_task_leader_and_no_unit():
    plan = parse("(1)严控煤炭消费总量。\n责任单位：市发改委。\n牵头负责领导：金力。\n(2)发展新能源。\n责任单位：市能源局。", 2020)
    first, second = plan.tasks
    assert first.leaders == ("金力",) and first.responsible == ("市发改委",)
    assert second.leaders == ()


BODY_WITHOUT_YEAR = "(1)严控煤炭消费总量。10月底前完成。\n责任单位：市发改委。"


@pytest.mark.parametrize("where,text,year", [
    ("文号", "鹤政办〔2019〕12号\n关于印发大气污染防治实施方案的通知\n" + BODY_WITHOUT_YEAR, 2019),
    ("文号", "国务院办公厅关于印发分工方案的通知（国办发〔2018〕3号）\n" + BODY_WITHOUT_YEAR, 2018),
    ("发布日期", "发布日期：2021-04-02  来源：市政府办公室\n大气污染防治实施方案\n" + BODY_WITHOUT_YEAR, 2021),
    ("成文日期", "大气污染防治实施方案\n" + BODY_WITHOUT_YEAR + "\n2017年3月5日", 2017),
    ("正文中首次出现的年份", "大气污染防治实施方案\n一、工作目标\n到2025年，空气质量明显改善。\n二、主要任务\n" + BODY_WITHOUT_YEAR, 2025),
])
def test_a_title_without_a_year_takes_it_from_the_document_and_says_so(where, text, year):
    plan = parse(text, None)
    assert plan.plan_year == year
    assert where in str(plan.warnings[0]) and "请核对" in str(plan.warnings[0])
    assert plan.tasks[0].deadlines[0].date == datetime.date(year, 10, 31)


def test_document_without_assigned_tasks_is_refused():
    with pytest.raises(ImportRefused, match="no task with assigned units found"):
        parse("一、总体情况\n今年经济运行总体平稳。\n二、下一步工作\n继续做好各项工作。")


# ---------------------------------------------------------------- deadlines written beside the units

def test_deadline_label_in_an_assignment_parenthesis_is_a_deadline_not_a_unit():
    plan = parse(
        "某市2023年行动方案\n一、重点任务\n"
        "1．严格项目准入。全年不再新增高耗能项目。（牵头单位：市发展改革委；配合单位：市工信局；完成时限：2023年12月底）",
        plan_year=None,
    )
    [task] = plan.tasks
    assert (task.responsible, task.supporting) == (("市发展改革委",), ("市工信局",))
    assert [(d.date, d.kind) for d in task.deadlines] == [(datetime.date(2023, 12, 31), "due")]


def test_deadline_line_under_the_unit_lines_belongs_to_the_task_above():
    plan = parse(
        "某市2024年行动方案\n一、主要任务\n1.推行一网通办。\n牵头单位：市政务服务和数据管理局\n"
        "完成时限：2024年6月底前\n2.推进减证便民。\n责任单位：市司法局",
        plan_year=None,
    )
    first, second = plan.tasks
    assert [d.date for d in first.deadlines] == [datetime.date(2024, 6, 30)]
    assert second.deadlines == ()
    assert plan.warnings == ()


# ---------------------------------------------------------------- further styles


def test_table_row_with_lead_mark_is_not_taken_for_a_header():
    text = (
        "序号\t工作任务\t具体措施\t责任单位\t完成时限\n"
        "1\t推动钢铁产业转型\t实施超低排放改造。\t市发改委、市工信局\t6月底前\n"
        "2\t培育新材料产业\t引进新材料项目5个以上。\t市工信局、市商务局（牵头）\t年底前\n"
        "3\t建设工业互联网平台\t推动企业上云。\t市工信局\t年底前"
    )
    assert [task.path for task in parse(text).tasks] == [("1",), ("2",), ("3",)]


def test_unit_marked_lead_in_a_table_cell_comes_first():
    text = "序号\t工作任务\t责任单位\n1\t培育新材料产业\t市工信局、市商务局（牵头）"
    assert parse(text).tasks[0].responsible == ("市商务局", "市工信局")


def test_unit_marked_lead_in_an_assignment_line_comes_first():
    text = "一、重点任务\n1.加强人才培养。\n责任单位：市人社局、市发改委（牵头）、教育局"
    assert parse(text).tasks[0].responsible == ("市发改委", "市人社局", "市教育局")


def test_assignment_written_as_the_last_sentence_of_the_paragraph():
    text = "一、重点任务\n1.打造品牌。6月底前完成规划编制。责任单位：市文旅局、市林业局。"
    task = parse(text).tasks[0]
    assert (task.text, task.responsible) == ("打造品牌。6月底前完成规划编制。", ("市文旅局", "市林业局"))


def test_sentence_mentioning_responsible_units_is_not_an_assignment():
    text = "一、重点任务\n1.强化考核。责任单位：要按月报送进展情况。\n责任单位：市政府办"
    task = parse(text).tasks[0]
    assert (task.text, task.responsible) == ("强化考核。责任单位：要按月报送进展情况。", ("市政府办",))


def test_chapter_and_article_labels_nest():
    text = "第二章 主要任务\n第三条 推动产业数字化。（省工业和信息化厅牵头，省商务厅配合）"
    task = parse(text).tasks[0]
    assert (task.path, task.level, task.title) == (("第二章", "第三条"), 3, "推动产业数字化")


def test_chapter_heading_is_not_part_of_the_plan_title():
    text = "江西省数字经济发展行动方案\n第一章 总体要求\n第一条 加快建设。（省数据局负责）"
    assert parse(text).title == "江西省数字经济发展行动方案"


def test_deadline_repeated_in_the_deadline_column_is_kept_once():
    text = "序号\t工作任务\t责任单位\t完成时限\n1\t6月底前完成改造\t市工信局\t6月底前"
    assert [(d.date, d.text) for d in parse(text).tasks[0].deadlines] == [(datetime.date(2016, 6, 30), "6月底前")]


def test_coordinator_is_a_leading_group_office():
    text = HEBI_STYLE + "(二)强化督导。每月5日前将进展情况报送市污染防治攻坚战领导小组办公室。\n责任单位：市环保局。"
    assert parse(text).coordinator == "市污染防治攻坚战领导小组办公室"


def test_measures_each_closing_with_their_own_parenthesis_are_tasks_of_their_own():
    """(十)鼓励创新创业。……（X负责）加强……（Y、Z负责）: the first measure keeps the number, the
    others are unnumbered tasks under it (no number invented), each with its own units."""
    plan = parse(
        "三、重点任务\n"
        "（十）鼓励创新创业。支持创业孵化平台建设。（市场监管总局负责）加强体育产业创新创业教育，培养人才。"
        "（体育总局、教育部负责）重视和鼓励新型转播技术的研发。（体育总局、科技部负责）\n"
        "（十一）改善消费条件。完善场馆设施。（住房城乡建设部负责）",
    )
    assert [(task.path, task.title[:6], task.responsible) for task in plan.tasks] == [
        (("三、", "（十）"), "鼓励创新创业", ("市场监管总局",)),
        (("三、", "（十）"), "加强体育产业", ("体育总局", "教育部")),
        (("三、", "（十）"), "重视和鼓励新", ("体育总局", "科技部")),
        (("三、", "（十一）"), "改善消费条件", ("住房城乡建设部",)),
    ]
    assert plan.tasks[1].text.startswith("加强体育产业创新创业教育")


def test_a_parenthesis_inside_a_sentence_that_names_no_roles_does_not_cut_it():
    plan = parse("三、重点任务\n（一）推进燃煤替代（含自备机组）工作，年底前完成。（市发改委负责）")
    assert len(plan.tasks) == 1
    assert plan.tasks[0].text.startswith("推进燃煤替代（含自备机组）工作")


def test_a_table_copied_one_cell_a_line_is_read_row_by_row_and_a_leaders_column_holds_no_units():
    """A web page's table pasted as text arrives one cell a line, each ending in "|"; its header
    says how many cells make a row. 责任领导 names a person: not a unit column."""
    plan = parse(
        "2025年重点工作责任清单\n序号 |\n重点工作 |\n责任领导 |\n责任单位 |\n完成时限 |\n"
        "1 |\n优化项目服务机制，全力服务重大项目\n落地见效。 |\n叶林 |\n招商工作部、安商工作部 |\n全年 |\n"
        "2 |\n盘活存量土地400亩。 |\n马振明 |\n改革办 |\n6月底前 |\n",
        None,
    )
    assert [(task.label, task.title[:6], task.responsible) for task in plan.tasks] == [
        ("1", "优化项目服务", ("招商工作部", "安商工作部")),
        ("2", "盘活存量土地", ("改革办",)),
    ]
    assert plan.tasks[0].text.endswith("落地见效。")
    assert plan.tasks[1].deadlines[0].date == datetime.date(2025, 6, 30)


def test_a_table_pasted_one_cell_a_paragraph_without_separators_is_rebuilt_by_what_each_cell_holds():
    """序号 / 民生实事 / 责任单位 / 完成时限, then each row's cells on their own lines (several
    units on several lines): a number is 序号, unit names the unit column, a time phrase the
    deadline, other text the task; a sentence naming a building is task text, not a unit."""
    plan = parse(
        "2016年民生实事目标任务分解表\n\n序号\n\n民生实事\n\n责任单位\n\n完成时限\n\n"
        "启动建设东柳河城区段综合治理工程。\n\n县水务局\n\n县住建局\n\n12月底前\n\n"
        "建成县残疾人综合服务中心。\n\n县残联\n\n9月底前\n",
        None,
    )
    assert [(task.title[:8], task.responsible, [d.date for d in task.deadlines]) for task in plan.tasks] == [
        ("启动建设东柳河城", ("县水务局", "县住建局"), [datetime.date(2016, 12, 31)]),
        ("建成县残疾人综合", ("县残联",), [datetime.date(2016, 9, 30)]),
    ]


def test_square_brackets_close_an_item_and_a_leader_line_names_a_person_not_a_task():
    plan = parse(
        "一、重点工作\n"
        "1、切实提高政治站位，抓好疫情防控工作。[牵头单位:区卫健局;责任单位:各街办(新区)]\n"
        "2、地区生产总值增长8%以上。\n牵头负责领导：金力。\n牵头责任单位：市发展改革委。\n协同责任单位：市经信局。\n",
        2020,
    )
    assert [(task.label, task.responsible, task.supporting) for task in plan.tasks] == [
        ("1、", ("区卫健局", "各街办(新区)"), ()),
        ("2、", ("市发展改革委",), ("市经信局",)),
    ]
    assert "金力" not in plan.tasks[1].text


def test_a_heading_that_names_the_lead_of_its_items_assigns_them():
    """一、县示范区管委会牵头工作(2项): every item under it, without units of its own, is led by it."""
    plan = parse(
        "一、县示范区管委会牵头工作(2项)\n1.建设南美白对虾养殖基地。\n2.打造食用菌生产基地。\n"
        "二、县发改局牵头工作(1项)\n1.推进项目建设。（县住建局负责）\n",
        2025,
    )
    assert [(task.path, task.responsible) for task in plan.tasks] == [
        (("一、", "1."), ("县示范区管委会",)),
        (("一、", "2."), ("县示范区管委会",)),
        (("二、", "1."), ("县住建局",)),  # its own units win
    ]


def test_a_page_flattened_into_one_long_line_is_cut_again_where_its_paragraphs_began():
    """A web page's text copied as one line, a space where each paragraph began."""
    flattened = (
        "2022年重点工作责任分解 一、经济发展 1.全县生产总值增长7.5%左右，居民人均可支配收入与经济增长基本同步，"
        "收入倍差进一步缩小，城乡居民收入稳步提高。 责任单位:县发改局、县财政局 "
        "2.落实党政机关过紧日子要求，严控一般性支出，压减非急需非刚性支出，优化财政支出结构，提高资金使用效益。 责任单位:县财政局 "
        "二、法治政府 1.坚持县政府常务会议学法制度，推进严格规范公正文明执法。 责任单位:县司法局"
    )
    plan = parse(flattened, None)
    assert [(task.path, task.responsible) for task in plan.tasks] == [
        (("一、", "1."), ("县发改局", "县财政局")),
        (("一、", "2."), ("县财政局",)),
        (("二、", "1."), ("县司法局",)),
    ]


def test_a_document_in_traditional_script_is_read_in_simplified():
    """A repost from a traditional-script mirror: its labels and units read as the simplified
    ones offices keep."""
    plan = parse("一、主要任務\n（一）推進稅費優惠。落實階段性減稅政策。（市稅務局、市財政局負責）", 2021)
    assert plan.tasks[0].responsible == ("市税务局", "市财政局")
    assert plan.tasks[0].title == "推进税费优惠"


def test_a_simplified_document_with_a_traditional_name_in_it_is_left_as_written():
    plan = parse("一、主要任务\n（一）推进合作。与臺灣地区开展交流。（市台办负责）", 2021)
    assert "臺灣" in plan.tasks[0].text



def test_a_role_sentence_under_its_own_label_assigns_the_task_above():
    plan = parse("一、主要预期目标\n1.地区生产总值增长6%以上。\n分管省领导：林克庆\n部门分工：省发展改革委牵头，各地、各部门配合。", 2021)
    (task,) = plan.tasks
    assert task.responsible == ("省发展改革委",)
    assert task.supporting == ("各地", "各部门")
    assert task.leaders == ("林克庆",)


def test_a_time_clause_inside_an_assignment_is_its_deadline_not_a_unit():
    plan = parse("(一)总体要求。坚持稳中求进工作总基调。（国务院各部门分别负责，年内持续推进）", 2020)
    (task,) = plan.tasks
    assert task.responsible == ("国务院各部门",)
    assert [d.date for d in task.deadlines] == [datetime.date(2020, 12, 31)]


def test_officials_named_in_an_assignment_are_leaders_not_units():
    plan = parse("(一)主要预期目标：经济增长7.5%。（分管副省长、协管副秘书长负责，省发展改革委牵头，省统计局配合）", 2019)
    (task,) = plan.tasks
    assert task.leaders == ("分管副省长", "协管副秘书长")
    assert (task.responsible, task.supporting) == (("省发展改革委",), ("省统计局",))


def test_a_sentence_that_merely_mentions_a_division_of_work_is_no_assignment():
    plan = parse("(一)明确分工。各单位要加强协作。\n责任单位：市发改委。", 2020)
    assert plan.tasks[0].responsible == ("市发改委",)
    assert "加强协作" in plan.tasks[0].text


def test_a_role_sentence_on_a_responsible_label_line_keeps_the_lead_first_and_the_verbless_list_responsible():
    plan = parse(
        "1.推进改革试点。\n责任单位：区行政审批局、市场监督管理局牵头，区直相关部门\n"
        "2.规范权责清单。\n责任单位：区行政审批局牵头，各乡镇人民政府按职责分工负责", 2017,
    )
    first, second = plan.tasks
    assert first.responsible == ("区行政审批局", "区市场监督管理局", "区直相关部门")
    assert second.responsible == ("区行政审批局", "各乡镇人民政府")


def test_a_blanket_rule_with_peizhe_makes_the_units_support_every_later_task():
    plan = parse(
        "1.取缔小企业。全面排查。（区环保局牵头，区经发局参与，相关乡镇配合。以下均需相关乡镇配合，不再列出）\n"
        "2.整治重点行业。推进改造。（区环保局负责）", 2016,
    )
    first, second = plan.tasks
    assert first.supporting == ("区经发局", "相关乡镇")
    assert second.supporting == ("相关乡镇",) and second.implementing == ()


def test_a_numbered_item_opening_with_a_year_keeps_its_number():
    plan = parse("(一)深化改革\n1.2017年10月底前实现多证合一。\n责任单位：区市场监督管理局", None)
    assert plan.tasks[0].path == ("(一)", "1.")


def test_the_prefix_of_one_role_clause_carries_to_the_next():
    plan = parse("1.整治河口。推进岸线整治。（区经济发展局牵头，交通与建设局、平潭海事局配合）", 2016)
    assert plan.tasks[0].supporting == ("区交通与建设局", "平潭海事局")


def test_a_role_word_inside_a_unit_name_is_no_role_verb():
    plan = parse("1.加强组织领导。（牵头单位：市委组织部，配合单位：各项目牵头单位，各区、县级市）", 2012)
    assert plan.tasks[0].supporting == ("各项目牵头单位", "各区", "各县级市")


def test_a_table_row_short_of_its_first_cells_continues_the_merged_cell_above():
    plan = parse(
        "存在问题\t整改目标和措施\t责任单位\n"
        "投资增长动力不足\t出台扩大有效投资的实施意见。\t区经发局牵头，区交建局、环土局\n"
        "创新应用各种投融资方式。\t区财金局、经发局牵头\n", 2016,
    )
    first, second = plan.tasks
    assert first.responsible == ("区经发局", "区交建局", "区环土局")
    assert second.text == "创新应用各种投融资方式。" and second.responsible == ("区财金局", "区经发局")


def test_a_numbered_table_row_cut_short_keeps_its_cells_in_place():
    plan = parse("序号\t任务名称\t牵头部门\t配合部门\n1\t地区生产总值\t区发改局\t区财政局\n2\t服务业增加值\t区发改局\n", 2019)
    assert [task.responsible for task in plan.tasks] == [("区发改局",), ("区发改局",)]


@pytest.mark.parametrize("opening, closing", [("〔", "〕"), ("【", "】"), ("[", "]"), ("（", "）")])
def test_an_assignment_in_any_bracket_mid_paragraph_closes_its_own_measure(opening, closing):
    plan = parse(
        f"1.制定准入清单。完成编制工作。{opening}市生态环境局牵头,市发展和改革局、工业和信息化局参与{closing}"
        "按省的要求,不再新建燃煤锅炉。(市生态环境局、市场监管局牵头,市发展和改革局参与)", 2019,
    )
    first, second = plan.tasks
    assert first.supporting == ("市发展和改革局", "市工业和信息化局")
    assert second.text.startswith("按省的要求") and second.responsible == ("市生态环境局", "市市场监管局")


def test_a_progress_table_one_cell_a_line_is_cut_into_rows_by_its_numbers_and_aligned_on_its_units():
    cells = [
        "序号", "主要任务", "全年目标任务", "分管 领导", "牵头 单位", "责任主体与协同单位", "1-10月推进情况", "说明",
        "24", "优化提升背街后巷交通组织。", "徐国江", "城管局", "市政局、相关街道", "已进场施工,完成30%。", "",
        "25", "新增达标小区210个。", "徐国江", "城管局", "市政局、环卫处、各街道", "已进场施工。", "滞后2个月。", "",
    ]
    plan = parse("\n".join(f"{cell} |" for cell in cells), 2023)
    assert [(t.path, t.responsible, t.supporting) for t in plan.tasks] == [
        (("24",), ("城管局",), ("市政局", "相关街道")),
        (("25",), ("城管局",), ("市政局", "环卫处", "各街道")),
    ]


def test_a_units_cell_right_of_an_empty_lead_cell_stays_where_it_is():
    plan = parse("序号\t重点任务\t牵头单位\t配合单位\n1\t建设园区\t\t市财政局\n", 2023)
    assert plan.tasks[0].responsible == () and plan.tasks[0].supporting == ("市财政局",)


def test_an_unnumbered_paragraph_with_two_assignments_gives_two_tasks_beside_each_other():
    plan = parse(
        "（二）实施工业绿色生产。推动减量。（工业和信息化部负责）\n"
        "开展绿色设计。大力推行绿色设计。（工业和信息化部、商务部指导）以铅酸蓄电池为重点，落实生产者责任延伸制。（国家发展改革委、生态环境部指导）", 2018,
    )
    assert [(t.title, t.responsible) for t in plan.tasks] == [
        ("实施工业绿色生产", ("工业和信息化部",)),
        ("开展绿色设计", ("工业和信息化部", "商务部")),
        ("以铅酸蓄电池为重点，落实生产者责任延伸制", ("国家发展改革委", "生态环境部")),
    ]
    second, third = plan.tasks[1:]
    assert (second.path, second.parent, second.level) == (third.path, third.parent, third.level)


def test_a_task_list_pasted_a_cell_a_line_keeps_its_numbers_and_continues_a_merged_units_cell():
    plan = parse(
        "一、总体要求\n围绕发展愿景，将本区建设成为全球城市核心功能的发展实践区，统筹推进城市更新，聚焦重点领域和重点地区，强化分区分类引导。\n"
        "坚持规划引领、试点先行；区域统筹、整体推进；民生为先、品质为重；绿色低碳、安全韧性，推动城市更新工作向规范化方向发展。\n"
        "附件\n任务类型\n序号\n工作任务\n推进单位\n行动一：再造发展新极行动\n1\n推进走马塘片区规划研究\n区规划资源局、区商务委\n"
        "2\n推进大徐家阁地区规划研究\n旧区改造\n3\n全面完成零星旧里改造\n区房管局、各相关街镇\n", 2023,
    )
    assert [(t.path[-1], t.responsible) for t in plan.tasks] == [
        ("1", ("区规划资源局", "区商务委")),
        ("2", ("区规划资源局", "区商务委")),  # its 推进单位 cell is merged with the row above
        ("3", ("区房管局", "各相关街镇")),
    ]


def test_a_row_without_units_in_a_table_without_merged_cells_is_no_task():
    plan = parse("序号\n内容与要求\n责任单位\n1\n加强数据监测。\n市发改委\n2\n推进重大项目攻坚。\n", 2020)
    assert [t.path for t in plan.tasks] == [("1",)]


def test_a_units_cell_wrapped_over_lines_and_a_reference_column_after_it_stay_in_their_row():
    plan = parse(
        "一、总体要求\n统筹推进海绵城市建设，聚焦重点区域和重大项目，强化分区分类引导，推动建设工作向规范化、系统化方向发展。\n"
        "附件：重点任务分解表\n序号\n任务类型\n重点内容\n责任单位\n参考文件\n"
        "1\n海绵城市\n建设管理\n指导推进海绵城市建设工作。\n区建设管理委、区发展改革委、\n区水务局、区交通委，\n各街镇\n《海绵城市规划建设管理工作指引》\n"
        "2\n海绵城市\n系统方案\n编制海绵城市系统方案。\n区建设管理委\n《本市系统化全域推进海绵\n城市建设的实施意见》\n", 2024,
    )
    first, second = plan.tasks
    assert first.text.startswith("海绵城市建设管理")
    assert first.responsible == ("区建设管理委", "区发展改革委", "区水务局", "区交通委", "各街镇")
    assert second.text.startswith("海绵城市系统方案") and second.responsible == ("区建设管理委",)
    assert "指引" not in first.text and len(plan.tasks) == 2


def test_a_table_flattened_with_spaces_between_its_cells_is_read_by_its_header():
    plan = parse(
        "2016年量化指标任务分工\n序号 工 作 任 务 牵头负责部门\n1 居民消费价格涨幅3%左右 发展改革委\n"
        "2 安排财政赤字2.18万亿元,赤字率提高到3% 财政部\n3 推进5万个行政村通光纤 工业和信息化部\n", 2016,
    )
    assert [(t.path, t.text, t.responsible) for t in plan.tasks] == [
        (("1",), "居民消费价格涨幅3%左右", ("发展改革委",)),
        (("2",), "安排财政赤字2.18万亿元,赤字率提高到3%", ("财政部",)),
        (("3",), "推进5万个行政村通光纤", ("工业和信息化部",)),
    ]


def test_a_numbered_sentence_with_spaces_is_no_table_row_without_a_header():
    plan = parse("一、重点任务\n1 加快 推进 园区建设。\n责任单位：市发改委。", 2016)
    assert plan.tasks[0].responsible == ("市发改委",)


def test_an_indicator_table_a_cell_a_line_keeps_its_figures_out_of_its_numbering():
    plan = parse(
        "一、总体要求\n构建以居家为基础、社区为依托、机构为补充、医养康养相结合的养老服务体系和健康支撑体系，基本建成覆盖城乡的服务网络。\n"
        "表1 主要指标表\n序号\n指标名称\n2020年完成值\n2025年目标值\n责任单位\n养老方面\n"
        "1\n养老服务床位总量（张）\n2578\n3000\n区社会事业局\n"
        "2\n养老机构护理型床位占比（%）\n-\n60\n区社会事业局\n"
        "3\n累计建设县级老年养护院数量（个）\n-\n1\n区社会事业局\n区资源生态局\n"
        "托育方面\n1\n每千人口三岁以下婴幼儿托位数（个）\n3\n4.5\n区社会事业局\n", 2023,
    )
    assert [(t.path[-1], t.title, t.responsible) for t in plan.tasks] == [
        ("1", "养老服务床位总量（张）", ("区社会事业局",)),
        ("2", "养老机构护理型床位占比（%）", ("区社会事业局",)),
        ("3", "累计建设县级老年养护院数量（个）", ("区社会事业局", "区资源生态局")),
        ("1", "每千人口三岁以下婴幼儿托位数（个）", ("区社会事业局",)),
    ]


def test_a_second_task_in_a_numbered_row_shares_its_number_and_units_but_page_furniture_does_not():
    plan = parse(
        "一、民生实事\n2016年县委、县政府将继续加大民生投入，集中力量办好一批群众最关心、最直接、最现实的利益问题，确保各项实事落到实处。\n"
        "序号\n民生实事\n责任单位\n完成时限\n"
        "5\n开工建设县老年养护楼。\n县民政局\n5月底前动工\n开工建设老年大学。\n12月底前\n"
        "6\n迁建县政务服务中心。\n县政务服务中心\n12月底前\n分享到:\n", 2016,
    )
    assert [(t.path[-1], t.title, t.responsible) for t in plan.tasks] == [
        ("5", "开工建设县老年养护楼", ("县民政局",)),
        ("5", "开工建设老年大学", ("县民政局",)),
        ("6", "迁建县政务服务中心", ("县政务服务中心",)),
    ]


def test_a_supervision_form_of_label_and_value_rows_gives_its_task_and_units():
    plan = parse(
        "重点工作: | 135.统筹违法建设治理与城市更新,促进违法建设科学分类治理。 |\n"
        "牵头单位: | 市城市管理综合执法局 |\n"
        "年度阶段性工作目标: | 第一季度:印发工作方案。第四季度:年底前超额完成年度工作任务。 |\n", 2023,
    )
    (task,) = plan.tasks
    assert task.path == ("135.",) and task.responsible == ("市城市管理综合执法局",)
    assert "年底前超额完成" in task.text and datetime.date(2023, 12, 31) in [d.date for d in task.deadlines]


def test_numbers_with_a_small_full_stop_are_labels():
    plan = parse("一﹒重点工作\n1﹒推进项目建设。\n牵头单位：省发展改革委", 2022)
    assert plan.tasks[0].path == ("一﹒", "1﹒") and plan.tasks[0].title == "推进项目建设"


def test_host_and_assisting_units_and_the_next_item_on_the_same_line():
    plan = parse("(一)地区生产总值增长11%左右。(省发改委负责)(二)公共财政收入增长13%左右。(省财政厅主办,省国税局、地税局协办)", 2013)
    first, second = plan.tasks
    assert (first.path, first.responsible) == (("(一)",), ("省发改委",))
    assert (second.path, second.title, second.responsible, second.supporting) == (
        ("(二)",), "公共财政收入增长13%左右", ("省财政厅",), ("省国税局", "省地税局"),
    )


def test_an_assignment_after_an_items_numbered_parts_assigns_the_item():
    plan = parse(
        "(一)“一案三制”建设\n1.完善应急预案体系\n(1)加强应急预案管理。\n(2)推进应急预案精编化。\n"
        "(责任单位:市直各有关单位、各开发区管委会)\n2.健全应急管理体制\n(1)推进办事机构建设。\n(责任单位:市应急办)", 2017,
    )
    first, second = plan.tasks
    assert (first.path, first.title, first.responsible) == (("(一)", "1."), "完善应急预案体系", ("市直各有关单位", "各开发区管委会"))
    parts = [node for node in plan.nodes if node.parent is not None and plan.nodes[node.parent] is first]
    assert [node.label for node in parts] == ["(1)", "(2)"] and not any(node.is_task for node in parts)
    assert second.path == ("(一)", "2.", "(1)")  # one part alone keeps its own assignment


def test_a_figure_or_a_numbered_item_in_a_units_cell_is_no_unit():
    plan = parse("序号\t项目名称\t责任单位\n1\t文化中心北路\t区城投、250、60%、1.市政公用城学校\n", 2024)
    assert plan.tasks[0].responsible == ("区城投",)


def test_a_text_that_breaks_off_inside_its_last_bracket_keeps_the_whole_clauses_and_says_so():
    plan = parse(
        "1.制定准入清单。完成编制工作。(市生态环境局牵头,市发展和改革局参与)\n"
        "2.排查整治工业企业。2019年9月底前基本完成。(市生态环境局、发展和改革局牵头督导,市公安局、自然资源局、", 2019,
    )
    first, second = plan.tasks
    assert second.responsible == ("市生态环境局", "市发展和改革局") and second.supporting == ()
    assert any("中途结束" in str(warning) for warning in plan.warnings)


def test_a_text_that_breaks_off_inside_its_last_unit_name_leaves_that_name_out():
    plan = parse("1.地区生产总值增长5%左右。\n牵头单位:区发改委\n2.社会消费品零售总额增长6%左右。\n牵头单位:区发改委、区商", 2023)
    assert [task.responsible for task in plan.tasks] == [("区发改委",), ("区发改委",)]


def test_a_whole_text_is_left_as_it_is():
    plan = parse("1.地区生产总值增长5%左右。\n牵头单位:区发改委、区统计局", 2023)
    assert plan.tasks[0].responsible == ("区发改委", "区统计局") and plan.warnings == ()


def test_a_deadline_line_closing_the_text_is_not_taken_for_a_cut_unit():
    plan = parse("1.地区生产总值增长5%左右。\n牵头单位:区发改委\n完成时限：12月底", 2023)
    assert plan.tasks[0].responsible == ("区发改委",) and plan.warnings == ()
    assert [d.date for d in plan.tasks[0].deadlines] == [datetime.date(2023, 12, 31)]


def test_an_unnumbered_paragraph_opening_with_a_short_title_and_a_colon_is_its_own_item():
    plan = parse("(一)总体要求:坚持稳中求进工作总基调。\n主要预期目标:经济增长7.5%。(省发展改革委牵头,省统计局配合)", 2019)
    (task,) = plan.tasks
    assert task.text.startswith("主要预期目标") and task.path == ("(一)",)
    assert not plan.nodes[0].is_task and plan.nodes[0].text.startswith("总体要求")


def test_a_project_list_pasted_a_cell_a_line_reads_the_project_name_after_its_number_as_the_task():
    plan = parse(
        "一、总体要求\n构建以居家为基础、社区为依托、机构为补充、医养康养相结合的养老服务体系和健康支撑体系，基本建成覆盖城乡的服务网络。\n"
        "附件1\n重大项目清单\n序号\n项目名称\n建设性质\n建设地点\n申请中央预算内投资（万元）\n组织实施单位\n"
        "一、养老项目\n1\n平潭怡馨养老服务中心\n新建\n平潭\n5000\n区社会事业局\n"
        "二、托育项目\n2\n平潭综合实验区托育中心项目\n新建\n平潭\n800\n区社会事业局\n", 2023,
    )
    assert [(t.path[-1], t.title[:10], t.responsible) for t in plan.tasks] == [
        ("1", "平潭怡馨养老服务中心", ("区社会事业局",)),
        ("2", "平潭综合实验区托育中", ("区社会事业局",)),
    ]  # the other text cells (新建, 平潭) follow the name in the task's text


def test_a_second_measure_in_a_numbered_items_next_paragraph_goes_under_the_item():
    plan = parse("1.推进园区建设\n加快园区基础设施建设。（市发改委负责）再推进园区招商引资工作。（市商务局负责）", 2020)
    item, measure = plan.tasks
    assert (item.path, item.responsible) == (("1.",), ("市发改委",))
    assert (measure.path, measure.responsible) == (("1.",), ("市商务局",))
    assert plan.nodes[measure.parent] is item
