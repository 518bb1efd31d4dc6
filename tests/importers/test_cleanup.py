"""Raw lines → logical paragraphs with their source lines."""
from plans.importers.cleanup import Paragraph, clean_lines, detect_wrap_width, is_noise_line, normalize_spaces

# a hard-wrapped text: most lines fill the same width (27 Chinese characters)
WRAPPED = [
    "（一）持续壮大支柱产业出口规模",
    "电子信息。加快发展步伐，在集成电路、平板显示、智能电子终端",
    "等领域持续加强交流合作，保障重大项目关键设备和原材料进口，",
    "提高国产设备原材料配套供应能力，推动新建项目加速落地建设。",
    "利用世界显示产业大会等平台，引导企业深化国际交流。（省工信",
    "厅、发改委、商务厅、科技厅等部门按职责分工负责）",
    "石化化工。推动石化化工高端化智能化绿色化发展，注重减油增化",
    "，提升两基地一专区发展水平，全力推动重大龙头项目落地建设。",
    "（省发改委、科技厅、工信厅、商务厅、市场监管局等部门按职责",
    "分工负责）",
]


def texts(paragraphs):
    return [paragraph.text for paragraph in paragraphs]


def test_blank_lines_are_dropped_and_lines_kept():
    assert clean_lines(["", "一、指导思想", "  ", "以人民为中心。"]) == [
        Paragraph("一、指导思想", 2),
        Paragraph("以人民为中心。", 4),
    ]


def test_whole_paragraph_lines_are_not_joined():
    lines = ["(1)严控煤炭消费总量。按照要求执行。", "责任单位:市发改委。", "配合单位:市环保局。"]
    assert texts(clean_lines(lines)) == lines


def test_wrap_width_detected_for_hard_wrapped_text():
    assert detect_wrap_width(WRAPPED) is not None


def test_no_wrap_width_for_paragraph_lines():
    lines = ["一、指导思想", "以党的十八大精神为指导，改善大气环境质量。" * 3, "二、工作目标", "到2016年，优良天数不低于190天。", "三、主要任务"]
    assert detect_wrap_width(lines) is None


def test_hard_wrapped_lines_are_rejoined_into_paragraphs():
    paragraphs = clean_lines(WRAPPED)
    assert [paragraph.line for paragraph in paragraphs] == [1, 2, 7]
    assert paragraphs[0].text == "（一）持续壮大支柱产业出口规模"
    assert paragraphs[1].text.startswith("电子信息。加快发展步伐")
    assert paragraphs[2].text.startswith("石化化工。")


def test_unit_name_broken_across_lines_is_rejoined():
    paragraphs = clean_lines(WRAPPED)
    assert paragraphs[1].text.endswith("（省工信厅、发改委、商务厅、科技厅等部门按职责分工负责）")
    assert paragraphs[2].text.endswith("市场监管局等部门按职责分工负责）")


def test_page_footer_lines_are_dropped():
    for footer in ("— 6 —", "- 6 -", "－12－", "第6页", "第 6 页 共 20 页", "6"):
        assert is_noise_line(footer), footer


def test_footer_inside_a_wrapped_paragraph_is_skipped():
    lines = WRAPPED[:3] + ["", "— 6 —", ""] + WRAPPED[3:]
    paragraphs = clean_lines(lines)
    assert "— 6 —" not in paragraphs[1].text
    assert "大型项目" not in paragraphs[1].text
    assert "原材料进口，提高国产设备" in paragraphs[1].text


def test_watermark_line_is_dropped():
    line = "本文内容来自网络，由EESIA搜集整理，如有任何异议请联系我们，我们将酌情处理！"
    assert is_noise_line(line)
    assert clean_lines(["一、主要目标", line]) == [Paragraph("一、主要目标", 1)]


def test_publication_notice_is_dropped():
    assert is_noise_line("（此件主动公开）")
    assert is_noise_line("(此件公开发布)")


def test_letterhead_in_the_middle_of_a_paragraph_is_dropped():
    lines = WRAPPED[:3] + ["福建省发展和改革委员会文件"] + WRAPPED[3:]
    paragraphs = clean_lines(lines)
    assert all("委员会文件" not in paragraph.text for paragraph in paragraphs)
    assert "原材料进口，提高国产设备" in paragraphs[1].text


def test_sentence_ending_in_wenjian_is_not_letterhead():
    assert not is_noise_line("贯彻落实2016年河南省工业绿色发展相关文件")


def test_spaces_between_chinese_and_figures_are_removed():
    assert normalize_spaces("营业收入达 2.8 万亿元，力争到 2025 年") == "营业收入达2.8万亿元，力争到2025年"


def test_spaces_inside_spaced_title_are_removed():
    assert normalize_spaces("实 施 方 案") == "实施方案"


def test_spaces_between_latin_words_are_kept():
    assert normalize_spaces("N 型 Topcon 太阳能电池") == "N型Topcon太阳能电池"
    assert normalize_spaces("Topcon cell") == "Topcon cell"


def test_never_join_across_an_assignment_line():
    lines = WRAPPED[6:8] + ["责任单位：市发改委、工业和信息化委员会、环保局、商务局。", "配合单位：市财政局。"] + WRAPPED[6:8]
    paragraphs = clean_lines(lines)
    assert texts(paragraphs)[1:3] == ["责任单位：市发改委、工业和信息化委员会、环保局、商务局。", "配合单位：市财政局。"]


def test_a_numbering_label_starts_a_new_paragraph():
    lines = WRAPPED[1:4] + ["2.强化建筑节能。提升新建建筑能效水平，鼓励执行高水平节能标准；"] + WRAPPED[4:6]
    paragraphs = clean_lines(lines)
    assert paragraphs[1].text.startswith("2.强化建筑节能。")
    assert paragraphs[1].line == 4


def test_figure_at_line_start_is_not_a_label():
    lines = WRAPPED[1:2] + ["2.8万亿元，全省货物出口额占全国比重达到百分之四点八左右，并"] + WRAPPED[2:6]
    paragraphs = clean_lines(lines)
    assert paragraphs[0].text.startswith("电子信息。") and "2.8万亿元" in paragraphs[0].text


def test_markdown_heading_marks_are_removed():
    assert clean_lines(["## 一、主要目标"]) == [Paragraph("一、主要目标", 1)]


def test_table_rows_are_never_joined():
    lines = WRAPPED[1:3] + ["序号\t重点任务\t牵头单位", "1\t推广清洁能源\t市发改委"] + WRAPPED[3:5]
    paragraphs = clean_lines(lines)
    assert "序号\t重点任务\t牵头单位" in texts(paragraphs)
    assert "1\t推广清洁能源\t市发改委" in texts(paragraphs)


def test_running_page_header_after_footers_is_dropped():
    lines = WRAPPED[:5] + ["- 2 -", "外贸出口优势产业提升行动方案"] + WRAPPED[5:8] + ["- 3 -", "外贸出口优势产业提升行动方案"] + WRAPPED[8:]
    assert texts(clean_lines(lines)) == texts(clean_lines(WRAPPED))


def test_header_line_after_a_single_footer_is_kept():
    lines = WRAPPED[:5] + ["- 2 -", "外贸出口优势产业提升行动方案"] + WRAPPED[5:]
    assert "外贸出口优势产业提升行动方案" in "".join(texts(clean_lines(lines)))


def test_doc_number_line_is_not_joined_to_the_line_above():
    lines = ["郑州市空气质量持续改善行动实施方案", "郑政〔2024〕8号"] + WRAPPED
    assert texts(clean_lines(lines))[:2] == ["郑州市空气质量持续改善行动实施方案", "郑政〔2024〕8号"]
