"""The words of synthetic plans and reports (devtools.scale): section themes, areas, verbs and
objects, and sentence templates for measures, progress, problems and next steps, filled at
random into Chinese texts of a chosen length. Deterministic given the random generator."""
from __future__ import annotations

import random

YEAR = 2025  # the year a template's {y} names

# --- words --------------------------------------------------------------------------------------
THEMES = [
    "着力构建现代化产业体系", "全面提升科技创新能力", "持续改善生态环境质量", "扎实推进乡村全面振兴",
    "加快建设现代综合交通体系", "推动能源绿色低碳转型", "大力发展数字经济", "切实保障和改善民生",
    "持续优化营商环境", "推进更高水平对外开放", "统筹发展和安全", "加强组织保障",
]
AREAS = [
    "制造业", "科技创新", "生态环境", "农业农村", "交通运输", "能源", "数字经济", "社会保障", "营商环境",
    "文化旅游", "城乡建设", "对外贸易", "安全生产", "教育", "卫生健康", "水利", "自然资源", "市场监管",
]
VERBS = ["推进", "加快", "深化", "完善", "强化", "健全", "实施", "落实", "提升", "优化", "推动", "加强"]
OBJECTS = [
    "重点项目建设", "体制机制改革", "标准体系建设", "监测预警体系", "公共服务能力", "示范工程", "基础设施补短板",
    "要素保障", "监管执法", "人才队伍建设", "数字化转型", "绿色低碳转型", "协同联动机制", "考核评价制度",
]
MEASURES = [
    "围绕{a}领域{o}目标任务，制定年度工作方案",
    "{v}{a}{o}，明确时间表和路线图",
    "建立{a}{o}工作台账，实行清单化管理",
    "到{y}年底前完成{n}个{a}项目",
    "每季度开展一次{o}督导检查",
    "统筹用好各类资金{n}亿元",
    "确保{a}{o}取得明显成效",
    "形成一批可复制可推广的经验做法",
    "压实各级各部门责任，加强跟踪问效",
    "支持有条件的地区先行先试",
    "健全部门协同和省市县联动机制",
    "对标国内先进省份，补齐短板弱项",
]
PROGRESS = [
    "已完成{a}{o}年度计划的{p}%",
    "累计投入资金{n}亿元",
    "召开专题推进会议{k}次",
    "印发{a}{o}实施细则",
    "开展实地督导{k}次，发现并整改问题{k}个",
    "{n}个重点项目已开工建设",
    "完成{a}领域调查摸底，建立工作台账",
    "会同相关单位{v}{o}",
]
PROBLEMS = [
    "部分项目前期工作进度偏慢",
    "资金到位率不高，要素保障压力较大",
    "基层专业人员不足",
    "跨部门数据共享还不够顺畅",
    "个别地区推进力度不均衡",
    "项目用地审批周期较长",
]
NEXT_STEPS = [
    "下一步将{v}{a}{o}，确保按期完成",
    "加强调度，每月通报进展",
    "协调解决项目用地和资金问题",
    "组织开展专项督查",
    "总结推广先进经验做法",
    "加大{a}领域政策支持力度",
]
REVIEW_COMMENTS = ["请补充量化指标完成情况。", "进展情况过于笼统，请细化。", "请说明资金到位情况。"]


def chinese_number(n: int) -> str:
    """1 → 一, 12 → 十二, 40 → 四十, 105 → 一百零五 (1 ≤ n ≤ 999)."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n - 10] if n > 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    hundreds, rest = digits[n // 100] + "百", n % 100
    if rest == 0:
        return hundreds
    if rest < 10:
        return hundreds + "零" + digits[rest]
    return hundreds + chinese_number(rest) if rest >= 20 else hundreds + "一" + chinese_number(rest)


def _fill(rng: random.Random, template: str) -> str:
    return template.format(
        a=rng.choice(AREAS), o=rng.choice(OBJECTS), v=rng.choice(VERBS), y=YEAR,
        n=rng.randint(2, 80), k=rng.randint(1, 12), p=rng.randint(20, 95),
    )


def sentences(rng: random.Random, templates: list[str], low: int, high: int) -> str:
    """Clauses from `templates` joined into sentences, between `low` and `high` characters."""
    target = rng.randint(low, high)
    text = ""
    while len(text) < target:
        clause = _fill(rng, rng.choice(templates))
        text += clause + ("。" if rng.random() < 0.3 else "，")
    return text[: high - 1].rstrip("，。") + "。"


def task_title(rng: random.Random) -> str:
    """A task or sub-section title: verb, area and object (推进制造业重点项目建设)."""
    return rng.choice(VERBS) + rng.choice(AREAS) + rng.choice(OBJECTS)
