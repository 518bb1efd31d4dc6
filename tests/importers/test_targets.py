"""Quantitative targets in plan text (plans.importers.targets)."""
from decimal import Decimal

import pytest

from plans.importers.targets import parse_targets

HEBI_GOAL = (
    "2016年,全市各县区(包括开发区、宝山循环经济产业集聚区、城乡一体化示范区,下同)可吸入颗粒物(PM10)"
    "年均浓度达到100微克/立方米以下、细颗粒物(PM2.5)年均浓度达到67微克/立方米以下,环境空气质量优良天数"
    "不低于190天,重污染天气有所减少,全市各县区空气质量总体改善。"
)
FUJIAN_GOAL = "力争到2025年,全省出口优势产业营业收入达2.8万亿元,全省货物出口额占全国比重达4.8%左右。"
EXPORT_INSURANCE = "力争2025年短期出口信用保险承保规模不低于250亿美元,2025年出口前保险承保金额不低于50亿美元。"


def summary(text, default_year=2016):
    """(indicator, comparator, value, unit, year) of every target in `text`."""
    return [(t.indicator, t.comparator, t.value, t.unit, t.year) for t in parse_targets(text, default_year)]


# ------------------------------------------------------------------ the Hebi goal sentence


def test_goal_sentence_gives_three_targets():
    assert len(parse_targets(HEBI_GOAL, None)) == 3


def test_pm10_concentration_at_most():
    assert summary(HEBI_GOAL)[0] == ("可吸入颗粒物(PM10)年均浓度", "≤", Decimal("100"), "微克/立方米", 2016)


def test_pm25_concentration_at_most():
    assert summary(HEBI_GOAL)[1] == ("细颗粒物(PM2.5)年均浓度", "≤", Decimal("67"), "微克/立方米", 2016)


def test_good_air_days_at_least():
    assert summary(HEBI_GOAL)[2] == ("环境空气质量优良天数", "≥", Decimal("190"), "天", 2016)


def test_year_comes_from_the_sentence_not_the_default():
    assert {t.year for t in parse_targets(HEBI_GOAL, 2099)} == {2016}


def test_target_text_is_its_clause_as_written():
    assert parse_targets(HEBI_GOAL, None)[2].text == "环境空气质量优良天数不低于190天"


# ------------------------------------------------------------------ comparators


def test_wind_power_approximately():
    text = "到2016年底,争取风电装机规模接近10万千瓦,光伏发电规模达到15万千瓦以上。"
    assert summary(text)[0] == ("风电装机规模", "≈", Decimal("10"), "万千瓦", 2016)


def test_solar_power_at_least():
    text = "到2016年底,争取风电装机规模接近10万千瓦,光伏发电规模达到15万千瓦以上。"
    assert summary(text)[1] == ("光伏发电规模", "≥", Decimal("15"), "万千瓦", 2016)


def test_two_sweeping_rates_at_least():
    text = "2016年,我市市区快速路、主次干道机械化清扫率达到90%以上,两县城市主干道机械化清扫率达到50%以上。"
    assert summary(text) == [
        ("市区快速路、主次干道机械化清扫率", "≥", Decimal("90"), "%", 2016),
        ("两县城市主干道机械化清扫率", "≥", Decimal("50"), "%", 2016),
    ]


def test_plain_da_is_equal():
    assert summary(FUJIAN_GOAL)[0] == ("全省出口优势产业营业收入", "=", Decimal("2.8"), "万亿元", 2025)


def test_zuoyou_is_approximately():
    assert summary(FUJIAN_GOAL)[1] == ("全省货物出口额占全国比重", "≈", Decimal("4.8"), "%", 2025)


def test_controlled_within_is_at_most():
    assert summary("煤炭消费总量控制在500万吨以内") == [("煤炭消费总量", "≤", Decimal("500"), "万吨", 2016)]


def test_bu_gao_yu_is_at_most():
    assert summary("单位产值能耗不高于0.5吨标准煤") == [("单位产值能耗", "≤", Decimal("0.5"), "吨标准煤", 2016)]


def test_at_least_before_a_counting_verb():
    assert summary("至少新建充电桩100个") == [("充电桩", "≥", Decimal("100"), "个", 2016)]


def test_export_insurance_two_targets_at_least():
    assert summary(EXPORT_INSURANCE, None) == [
        ("短期出口信用保险承保规模", "≥", Decimal("250"), "亿美元", 2025),
        ("出口前保险承保金额", "≥", Decimal("50"), "亿美元", 2025),
    ]


# ------------------------------------------------------------------ values and units


def test_value_is_an_exact_decimal_with_magnitude_in_unit():
    target = parse_targets(FUJIAN_GOAL, None)[0]
    assert (type(target.value), str(target.value), target.unit) == (Decimal, "2.8", "万亿元")


def test_trailing_zero_of_value_is_kept():
    assert parse_targets("综合能耗下降1.80%", None)[0].value.as_tuple() == Decimal("1.80").as_tuple()


def test_full_width_digits_and_percent():
    assert summary("出口比重达到４.８％左右") == [("出口比重", "≈", Decimal("4.8"), "%", 2016)]


def test_full_width_unit_slash():
    assert summary("细颗粒物(PM2.5)年均浓度达到６７微克／立方米以下") == [
        ("细颗粒物(PM2.5)年均浓度", "≤", Decimal("67"), "微克/立方米", 2016)
    ]


def test_spaces_around_figures_are_tolerated():
    assert summary("力争到 2025 年，全省出口优势产业营业收入达 2.8 万亿元") == [
        ("全省出口优势产业营业收入", "=", Decimal("2.8"), "万亿元", 2025)
    ]


# ------------------------------------------------------------------ indicator forms


def test_counting_verb_and_list_continuation():
    assert summary("力争到2025年全省创建绿色工厂300家、绿色园区20个。") == [
        ("绿色工厂", "=", Decimal("300"), "家", 2025),
        ("绿色园区", "=", Decimal("20"), "个", 2025),
    ]


def test_respectively_pairs_indicators_with_figures():
    text = "到2025年,省级以上工程研究中心、企业重点实验室、企业技术中心分别建设达到140个、70个、750个。"
    assert summary(text) == [
        ("省级以上工程研究中心", "=", Decimal("140"), "个", 2025),
        ("企业重点实验室", "=", Decimal("70"), "个", 2025),
        ("企业技术中心", "=", Decimal("750"), "个", 2025),
    ]


def test_respectively_with_unequal_lists_gives_nothing():
    assert summary("工程研究中心、企业重点实验室分别达到140个、70个、750个") == []


def test_share_of_another_quantity():
    assert summary("禁燃区面积达到城市建成区面积的80%以上") == [
        ("禁燃区面积占城市建成区面积比例", "≥", Decimal("80"), "%", 2016)
    ]


def test_reduction_against_baseline_year():
    assert summary("重点行业排污强度比2012年下降20%以上。") == [
        ("重点行业排污强度下降幅度", "≥", Decimal("20"), "%", 2016)
    ]


def test_yearly_count_at_least_takes_the_target_year():
    assert summary("力争到2025年,全省每年组织实施省重点技改项目1000项以上。") == [
        ("省重点技改项目", "≥", Decimal("1000"), "项", 2025)
    ]


def test_default_year_when_the_sentence_names_none():
    assert parse_targets("光伏发电规模达到15万千瓦以上", 2018)[0].year == 2018


def test_no_year_at_all():
    assert parse_targets("光伏发电规模达到15万千瓦以上", None)[0].year is None


# ------------------------------------------------------------------ not targets


@pytest.mark.parametrize(
    "text",
    [
        "其中单台出力65吨/时及以下的燃煤锅炉达到排放标准要求",
        "建筑面积1万平方米及以上的建筑施工工地主要扬尘产生点须安装视频监控装置",
        "单体建筑面积超过2万平方米的大型公共建筑全面执行绿色建筑标准",
        "水泥使用量在500吨以上的各类建筑施工工地使用散装水泥",
        "禁止销售和使用硫分高于1%、灰分高于32%的散煤",
        "所有10吨/时及以下燃煤锅炉完成拆除或清洁能源改造",
    ],
)
def test_thresholds_of_what_is_regulated_are_not_targets(text):
    assert parse_targets(text, 2016) == ()


@pytest.mark.parametrize(
    "text",
    [
        "每年通过省级一般公共预算安排2亿元支持航运企业新增国际集装箱航线",
        "2024年省级预算内投资安排2000万元支持“丝路海运”体系建设",
        "2024年省级预算内投资安排2000万元",
        "省级财政给予最高1%贴息补助",
        "各地对企业出境参展展位费给予不低于50%的补助",
        "保费补助比例达到80%",
        "对纯保单融资和年出口3000万美元以下的中小微外贸企业新获批银行贷款",
        "对进出口额500万美元以上的企业、重点核心外贸企业开展清单式管理",
        "综合融资担保费率不高于1%",
    ],
)
def test_money_allocated_subsidies_and_rates_are_not_targets(text):
    assert parse_targets(text, 2024) == ()


@pytest.mark.parametrize(
    "text",
    [
        "完成鹤壁丰鹤发电有限责任公司2台、鹤壁同力发电有限责任公司2台,共计6台燃煤发电机组超低排放改造",
        "每年推动30家农业国际贸易高质量发展基地建设",
        "市财政下达3300万元",
    ],
)
def test_counts_of_things_worked_on_are_not_targets(text):
    assert parse_targets(text, 2016) == ()


@pytest.mark.parametrize(
    "text",
    [
        "达到《锅炉大气污染物排放标准(GB13271-2014)》要求",
        "按照《关于印发〈加强大气污染治理重点城市煤炭消费总量控制工作方案〉的通知》(发改环资〔2015〕1015号)要求",
        "从2016年11月1日起,达不到国家第五阶段标准的机动车一律不得销售",
    ],
)
def test_standards_document_numbers_and_dates_are_not_targets(text):
    assert parse_targets(text, 2016) == ()


def test_figure_without_measured_words_is_not_a_target():
    assert parse_targets("重污染天气有所减少,全市各县区空气质量总体改善。", 2016) == ()
