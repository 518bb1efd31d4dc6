"""Deadlines, reporting rules, dates and periods written in words (plans.importers.deadlines)."""
import datetime

import pytest

from plans.importers.deadlines import parse_cn_date, parse_deadlines, parse_period, parse_reporting
from plans.importers.types import DeadlineKind, ParsedDeadline, ParsedReporting

PLAN_YEAR = 2016
HEBI_REPORTING = "各县区政府(管委)和相关部门要于每季度最后一月的23日前,将蓝天工程重点任务进展情况报市大气污染防治联席会议办公室。"


def due(year, month, day, text):
    return ParsedDeadline(DeadlineKind.DUE, datetime.date(year, month, day), text)


def recurring(year, month, day, text, rule):
    return ParsedDeadline(DeadlineKind.RECURRING, datetime.date(year, month, day), text, rule)


# ------------------------------------------------------------------ due dates


def test_month_day_without_year_takes_plan_year():
    assert parse_deadlines("6月15日前完成所有水泥粉磨站粉尘提标改造", PLAN_YEAR) == (due(2016, 6, 15, "6月15日前"),)


def test_month_end_without_year_takes_plan_year():
    assert parse_deadlines("10月底前规模餐饮服务经营场所要加装集气罩", PLAN_YEAR) == (due(2016, 10, 31, "10月底前"),)


def test_month_end_is_the_last_day_of_that_month():
    assert parse_deadlines("8月底前,完成省政府下达我市的黄标车淘汰任务", PLAN_YEAR) == (due(2016, 8, 31, "8月底前"),)


def test_month_end_with_year():
    assert parse_deadlines("2016年10月底前,全面供应符合国家第五阶段标准的车用汽油", PLAN_YEAR) == (
        due(2016, 10, 31, "2016年10月底前"),
    )


def test_june_end_with_year():
    assert parse_deadlines("2016年6月底前完成", PLAN_YEAR) == (due(2016, 6, 30, "2016年6月底前"),)


def test_full_date_before():
    assert parse_deadlines("2024年2月5日前报送", PLAN_YEAR) == (due(2024, 2, 5, "2024年2月5日前"),)


def test_towards_year_end():
    assert parse_deadlines("到2016年底,全市公共服务系统新能源车年度购置占比要完成省定目标任务", PLAN_YEAR) == (
        due(2016, 12, 31, "到2016年底"),
    )


def test_year_end_before():
    assert parse_deadlines("2016年底前全面完成清理整改工作", PLAN_YEAR) == (due(2016, 12, 31, "2016年底前"),)


def test_year_end_without_year_takes_plan_year():
    assert parse_deadlines("年底前完成", PLAN_YEAR) == (due(2016, 12, 31, "年底前"),)


def test_year_end_of_a_later_year():
    assert parse_deadlines("2017年底前取消分散燃煤锅炉", PLAN_YEAR) == (due(2017, 12, 31, "2017年底前"),)


def test_year_end_after_purpose_word():
    assert parse_deadlines("为2017年底前基本实现集中供热打好基础", PLAN_YEAR) == (due(2017, 12, 31, "2017年底前"),)


def test_deliverable_before_a_day_is_due():
    text = "根据职责分工制定专项实施方案,并于4月20日前报市大气污染防治联席会议办公室备案"
    assert parse_deadlines(text, PLAN_YEAR) == (due(2016, 4, 20, "4月20日前"),)


def test_towards_year_is_due_at_its_end():
    assert parse_deadlines("到2025年,省级以上工程研究中心", PLAN_YEAR) == (due(2025, 12, 31, "到2025年"),)


def test_strive_towards_year_is_due_at_its_end():
    assert parse_deadlines("力争到2025年,全省出口优势产业营业收入达2.8万亿元", PLAN_YEAR) == (
        due(2025, 12, 31, "力争到2025年"),
    )


def test_strive_year_without_towards_is_due_at_its_end():
    assert parse_deadlines("力争2025年短期出口信用保险承保规模不低于250亿美元", PLAN_YEAR) == (
        due(2025, 12, 31, "力争2025年"),
    )


def test_towards_later_year_end():
    assert parse_deadlines("到2025年底基本完成", PLAN_YEAR) == (due(2025, 12, 31, "到2025年底"),)


def test_first_half_year_is_due_end_of_june():
    assert parse_deadlines("上半年完成摸底排查", PLAN_YEAR) == (due(2016, 6, 30, "上半年"),)


def test_within_the_year_is_due_at_plan_year_end():
    assert parse_deadlines("年内完成", PLAN_YEAR) == (due(2016, 12, 31, "年内"),)


def test_first_quarter_end():
    assert parse_deadlines("一季度末前完成", PLAN_YEAR) == (due(2016, 3, 31, "一季度末前"),)


def test_numbered_first_quarter():
    assert parse_deadlines("第一季度完成", PLAN_YEAR) == (due(2016, 3, 31, "第一季度"),)


def test_second_quarter():
    assert parse_deadlines("二季度前完成", PLAN_YEAR) == (due(2016, 6, 30, "二季度前"),)


def test_clause_initial_year_before_comma_is_due_at_its_end():
    text = "实施营运客货车辆油改气工程。2016年,新增公交、出租等营运车辆清洁能源使用率要完成省定任务目标。"
    assert parse_deadlines(text, PLAN_YEAR) == (due(2016, 12, 31, "2016年"),)


def test_clause_initial_year_before_wancheng_is_due_at_its_end():
    text = "推广绿色施工。2016年完成省政府下达的新增绿色建筑面积和节能改造任务目标。"
    assert parse_deadlines(text, PLAN_YEAR) == (due(2016, 12, 31, "2016年"),)


# ------------------------------------------------------------------ starts and ranges


def test_start_from_full_date():
    assert parse_deadlines("从2016年11月1日起,达不到国家第五阶段标准的机动车一律不得销售", PLAN_YEAR) == (
        ParsedDeadline(DeadlineKind.START, datetime.date(2016, 11, 1), "从2016年11月1日起"),
    )


def test_start_from_year_is_its_first_day():
    assert parse_deadlines("2016年起,全市新建项目全面执行绿色建筑标准", PLAN_YEAR) == (
        ParsedDeadline(DeadlineKind.START, datetime.date(2016, 1, 1), "2016年起"),
    )


def test_date_range_gives_start_and_period_end_with_the_whole_phrase():
    text = "2016年11月1日至2017年3月31日,火电、水泥等重点行业的所有企业执行大气污染物特别排放限值"
    phrase = "2016年11月1日至2017年3月31日"
    assert parse_deadlines(text, PLAN_YEAR) == (
        ParsedDeadline(DeadlineKind.START, datetime.date(2016, 11, 1), phrase),
        ParsedDeadline(DeadlineKind.PERIOD_END, datetime.date(2017, 3, 31), phrase),
    )


def test_range_end_before_its_start_falls_in_the_next_year():
    deadlines = parse_deadlines("11月1日至3月31日实行错峰生产", PLAN_YEAR)
    assert [(d.kind, d.date) for d in deadlines] == [
        (DeadlineKind.START, datetime.date(2016, 11, 1)),
        (DeadlineKind.PERIOD_END, datetime.date(2017, 3, 31)),
    ]


# ------------------------------------------------------------------ recurring


def test_quarterly_day_of_last_month_is_first_occurrence_in_plan_year():
    assert parse_deadlines(HEBI_REPORTING, PLAN_YEAR) == (
        recurring(2016, 3, 23, "每季度最后一月的23日前", "quarterly:3:23"),
    )


def test_quarter_end_recurring():
    assert parse_deadlines("每季度末报送", PLAN_YEAR) == (recurring(2016, 3, 31, "每季度末", "quarterly:3:end"),)


def test_days_after_each_quarter():
    assert parse_deadlines("每季度结束后10日内报送", PLAN_YEAR) == (
        recurring(2016, 4, 10, "每季度结束后10日内", "quarterly:4:10"),
    )


def test_monthly_day():
    assert parse_deadlines("每月5日前报送", PLAN_YEAR) == (recurring(2016, 1, 5, "每月5日前", "monthly:1:5"),)


def test_monthly_end():
    assert parse_deadlines("每月底前报送", PLAN_YEAR) == (recurring(2016, 1, 31, "每月底前", "monthly:1:end"),)


def test_next_month_day():
    assert parse_deadlines("次月10日前报送", PLAN_YEAR) == (recurring(2016, 2, 10, "次月10日前", "monthly:2:10"),)


def test_following_month_day_written_xia_yue():
    assert parse_deadlines("下月5日前报送", PLAN_YEAR) == (recurring(2016, 2, 5, "下月5日前", "monthly:2:5"),)


def test_bare_month_left_out_when_a_precise_monthly_rule_is_given():
    assert parse_deadlines("每月进展情况于次月5日前报送", PLAN_YEAR) == (
        recurring(2016, 2, 5, "次月5日前", "monthly:2:5"),
    )


def test_half_yearly_without_day():
    assert parse_deadlines("每半年开展一次督查", PLAN_YEAR) == (
        ParsedDeadline(DeadlineKind.RECURRING, None, "每半年", "half-yearly"),
    )


def test_half_year_end_recurring():
    assert parse_deadlines("每半年末报送", PLAN_YEAR) == (recurring(2016, 6, 30, "每半年末", "half-yearly:6:end"),)


def test_yearly_month_day():
    assert parse_deadlines("每年12月20日前报送", PLAN_YEAR) == (
        recurring(2016, 12, 20, "每年12月20日前", "yearly:12:20"),
    )


def test_yearly_end():
    assert parse_deadlines("每年年底前完成", PLAN_YEAR) == (recurring(2016, 12, 31, "每年年底前", "yearly:12:end"),)


def test_every_year_is_yearly_without_date():
    assert parse_deadlines("每年推动30家农业国际贸易高质量发展基地建设", PLAN_YEAR) == (
        ParsedDeadline(DeadlineKind.RECURRING, None, "每年", "yearly"),
    )


# ------------------------------------------------------------------ not deadlines


@pytest.mark.parametrize(
    "text",
    [
        "重点行业排污强度比2012年下降20%以上",
        "较2015年有所改善",
        "贯彻落实2016年河南省出台的非道路移动机械相关政策",
        "2016年河南省出台的非道路移动机械相关政策",
        "根据河南省2016年计划出台的城市环境空气质量生态补偿相关政策",
        "完成2016年省政府下达我市的能源消费任务目标",
    ],
)
def test_baseline_or_adjective_year_is_not_a_deadline(text):
    assert parse_deadlines(text, PLAN_YEAR) == ()


@pytest.mark.parametrize("text", ["2024年2月5日", "行动方案有效期至2025年12月31日"])
def test_bare_full_date_is_not_a_deadline(text):
    assert parse_deadlines(text, PLAN_YEAR) == ()


def test_number_of_years_is_not_within_the_year():
    assert parse_deadlines("三年内完成", PLAN_YEAR) == ()


@pytest.mark.parametrize("text", ["2月30日前", "13月底前", "0月5日前"])
def test_impossible_date_is_not_a_deadline(text):
    assert parse_deadlines(text, PLAN_YEAR) == ()


def test_text_without_deadline_gives_nothing():
    assert parse_deadlines("严禁垃圾露天焚烧。", PLAN_YEAR) == ()


# ------------------------------------------------------------------ text handling


def test_full_width_digits_are_read_and_text_kept_as_written():
    assert parse_deadlines("１０月底前完成", PLAN_YEAR) == (due(2016, 10, 31, "１０月底前"),)


def test_full_width_date_range():
    deadlines = parse_deadlines("２０１６年１１月１日至２０１７年３月３１日", PLAN_YEAR)
    assert [(d.kind, d.date) for d in deadlines] == [
        (DeadlineKind.START, datetime.date(2016, 11, 1)),
        (DeadlineKind.PERIOD_END, datetime.date(2017, 3, 31)),
    ]


def test_spaces_between_digits_and_words_are_tolerated():
    assert parse_deadlines("力争到 2025 年，全省出口优势产业营业收入达 2.8 万亿元", PLAN_YEAR) == (
        due(2025, 12, 31, "力争到 2025 年"),
    )


def test_deadlines_come_in_order_of_appearance():
    text = "2016年起,全市新建项目全面执行绿色建筑标准;加快推进既有建筑节能改造。2016年完成省政府下达的任务目标。"
    assert parse_deadlines(text, PLAN_YEAR) == (
        ParsedDeadline(DeadlineKind.START, datetime.date(2016, 1, 1), "2016年起"),
        due(2016, 12, 31, "2016年"),
    )


def test_repeated_deadline_is_given_once():
    assert parse_deadlines("10月底前完成拆除;10月底前完成改造", PLAN_YEAR) == (due(2016, 10, 31, "10月底前"),)


def test_due_and_yearly_in_one_sentence():
    text = "力争到2025年,全省每年组织实施省重点技改项目1000项以上"
    assert parse_deadlines(text, PLAN_YEAR) == (
        due(2025, 12, 31, "力争到2025年"),
        ParsedDeadline(DeadlineKind.RECURRING, None, "每年", "yearly"),
    )


# ------------------------------------------------------------------ reporting


def test_reporting_quarterly_on_day_of_last_month():
    assert parse_reporting(HEBI_REPORTING) == ParsedReporting("quarterly", 3, 23, "每季度最后一月的23日前")


def test_reporting_rule_string():
    assert parse_reporting(HEBI_REPORTING).rule == "quarterly:3:23"


def test_reporting_monthly_by_the_fifth():
    assert parse_reporting("各责任单位每月5日前报送工作进展") == ParsedReporting("monthly", 1, 5, "每月5日前")


def test_reporting_monthly_by_the_twenty_fifth():
    assert parse_reporting("每月25日前将进展情况报市政府办公室") == ParsedReporting("monthly", 1, 25, "每月25日前")


def test_reporting_days_after_each_quarter():
    assert parse_reporting("每季度结束后5日内上报工作进展") == ParsedReporting("quarterly", 4, 5, "每季度结束后5日内")


def test_reporting_half_yearly_is_due_at_half_year_end():
    assert parse_reporting("每半年报送一次工作进展情况") == ParsedReporting("half-yearly", 6, None, "每半年")


def test_reporting_yearly_on_a_day():
    assert parse_reporting("每年12月20日前报送年度工作总结") == ParsedReporting("yearly", 12, 20, "每年12月20日前")


def test_reporting_with_full_width_digits():
    assert parse_reporting("每月２５日前报送") == ParsedReporting("monthly", 1, 25, "每月２５日前")


def test_recurring_phrase_without_reporting_word_is_no_reporting():
    assert parse_reporting("每年推动30家农业国际贸易高质量发展基地建设") is None


def test_one_off_report_is_no_reporting_rule():
    assert parse_reporting("并于4月20日前报市大气污染防治联席会议办公室备案") is None


# ------------------------------------------------------------------ written dates


def test_cn_date_with_spaces():
    assert parse_cn_date("2024 年 2 月 5 日") == datetime.date(2024, 2, 5)


def test_cn_date_compact():
    assert parse_cn_date("2024年2月5日") == datetime.date(2024, 2, 5)


def test_cn_date_in_chinese_numerals():
    assert parse_cn_date("二〇一六年三月十日") == datetime.date(2016, 3, 10)


def test_cn_date_in_chinese_numerals_with_tens():
    assert parse_cn_date("二〇一六年十二月三十一日") == datetime.date(2016, 12, 31)


def test_cn_date_with_dots():
    assert parse_cn_date("2016.3.10") == datetime.date(2016, 3, 10)


def test_cn_date_with_dashes():
    assert parse_cn_date("2016-03-10") == datetime.date(2016, 3, 10)


def test_cn_date_inside_a_sentence():
    assert parse_cn_date("行动方案有效期至2025年12月31日。") == datetime.date(2025, 12, 31)


def test_cn_date_with_full_width_digits():
    assert parse_cn_date("２０２４年２月５日") == datetime.date(2024, 2, 5)


def test_cn_date_impossible_date_is_none():
    assert parse_cn_date("2016年2月30日") is None


def test_cn_date_standard_number_is_no_date():
    assert parse_cn_date("锅炉大气污染物排放标准(GB13271-2014)") is None


# ------------------------------------------------------------------ plan periods

WHOLE_2016 = (datetime.date(2016, 1, 1), datetime.date(2016, 12, 31))
YEARS_2024_2025 = (datetime.date(2024, 1, 1), datetime.date(2025, 12, 31))


def test_period_of_a_plan_year():
    assert parse_period("鹤壁市2016年度蓝天工程暨大气污染治理实施方案") == WHOLE_2016


def test_period_in_full_width_brackets_with_em_dash():
    assert parse_period("外贸出口优势产业提升行动方案（2024—2025年）") == YEARS_2024_2025


def test_period_in_half_width_brackets_with_hyphen():
    assert parse_period("行动方案(2024-2025年)") == YEARS_2024_2025


def test_period_without_brackets():
    assert parse_period("2024—2025年") == YEARS_2024_2025


@pytest.mark.parametrize("separator", ["～", "–", "—", "－", "至", "-"])
def test_period_separators(separator):
    assert parse_period(f"2021{separator}2025") == (datetime.date(2021, 1, 1), datetime.date(2025, 12, 31))


def test_standard_number_is_no_period():
    assert parse_period("环境空气质量标准(GB3095—2012)") == (None, None)


def test_no_period():
    assert parse_period("关于加强大气污染防治的实施方案") == (None, None)
