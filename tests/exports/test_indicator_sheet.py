"""The indicator sheet (量化指标) of the progress workbook (plans/exports/indicator_sheet.py),
read back from its bytes and compared with the database and plans/indicators.py."""
import io
import re
import zipfile
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plans import services
from plans.exports import layout
from plans.exports.indicator_sheet import STATUS_FILL
from plans.indicators import IndicatorStatus, expected, span, status, trend
from plans.measures import plain
from plans.models import Comparator, IndicatorValue, SheetImportState, Target
from tests.exports.conftest import TODAY, load, plan_bytes, unit_bytes
from tests.exports.test_libreoffice import (  # noqa: F401
    _convert,
    _is_a4_landscape,
    _page_sizes,
    _page_text,
    lo_profile,
)
from tests.factories import IndicatorValueFactory, TargetFactory

SHEET = "量化指标"
LABELS = layout.chinese_labels(IndicatorStatus)


def _headers(sheet) -> dict[str, int]:
    """Header text (line breaks left out) → column: row 4, or row 3 where the two header rows are merged."""
    return {
        (sheet.cell(layout.HEADER_ROW, column).value or sheet.cell(layout.GROUP_ROW, column).value).replace("\n", ""): column
        for column in range(1, sheet.max_column + 1)
    }


def _rows(sheet) -> list[dict]:
    """The indicator rows (numbered in 序号) as {header: cell}."""
    headers = _headers(sheet)
    rows = []
    for row in range(layout.FIRST_DATA_ROW, sheet.max_row + 1):
        if not isinstance(sheet.cell(row, 1).value, int):
            break
        rows.append({header: sheet.cell(row, column) for header, column in headers.items()})
    return rows


def _shown_targets(iw, **filters) -> list[Target]:
    """What a sheet lists: the plan's active targets whose task (if any) is active, in plan order."""
    targets = Target.objects.filter(plan=iw.world.plan, is_active=True, **filters).exclude(task__is_active=False)
    return list(targets.select_related("plan", "task", "owner").order_by("position"))


def _number(cell) -> Decimal | None:
    """A number cell as the exact decimal it shows (repr of the float Excel stores: shortest)."""
    return None if cell.value is None else Decimal(repr(cell.value))


def _rounded(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(Decimal("0.01"))


def test_every_visible_active_target_has_a_row_in_plan_order_with_values_status_and_trend(indicator_world):
    iw = indicator_world
    w, plan = iw.world, iw.world.plan

    rows = _rows(load(plan_bytes(w))[SHEET])

    targets = _shown_targets(iw)
    assert [row["指标"].value for row in rows] == [target.indicator for target in targets]
    assert [row["序号"].value for row in rows] == list(range(1, len(targets) + 1))
    for row, target in zip(rows, targets):
        values = {v.period_id: v for v in IndicatorValue.objects.filter(target=target)}
        assert row["目标"].value == f"{target.comparator} {plain(target.value)}{target.unit}"
        assert row["目标年份"].value == target.year
        assert row["责任单位"].value == str(target.owner)
        assert row["所属任务"].value == (str(target.task) if target.task else "方案总体目标")
        for period in iw.periods:
            shown = _number(row[layout.period_name(period)])
            assert shown == (values[period.pk].value if period.pk in values else None), (target.indicator, period.label)
        current = values.get(w.period.pk)
        amount = current.value if current else None
        assert row["状态"].value == LABELS[status(target, plan, amount, w.period.end)]
        assert _number(row["序时目标值"]) == _rounded(expected(target, plan, w.period.end))
        assert row["说明"].value == (current.note if current and current.note else None)
        assert row["数据来源"].value == (current.source if current and current.source else None)
        points = [(p.end, values[p.pk].value) for p in iw.periods if p.pk in values]
        assert _number(row["趋势预计"]) == _rounded(trend(points, span(target, plan)[1]))


def test_values_are_numbers_in_the_targets_own_unit_exactly_as_stored(indicator_world):
    iw = indicator_world
    data = plan_bytes(iw.world)
    rows = {row["指标"].value: row for row in _rows(load(data)[SHEET])}

    revenue = rows["营业收入"]
    assert revenue["目标"].value == "≥ 2.8万亿元"  # 2.8 stays 2.8, in 万亿元
    q1, q3 = (revenue[layout.period_name(period)] for period in (iw.periods[0], iw.periods[2]))
    assert (q1.data_type, q1.value, q3.value) == ("n", 0.1, 2.1)
    assert rows["清洁能源替代户数"][layout.period_name(iw.periods[2])].value == 123456789.123456

    number = load(data).sheetnames.index(SHEET) + 1
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheet_xml = archive.read(f"xl/worksheets/sheet{number}.xml").decode()
    written = set(re.findall(r"<v>([^<]*)</v>", sheet_xml))
    assert {"0.1", "1.25", "2.1", "82.5", "69.3", "123456789.123456"} <= written  # no float noise, no trailing zeros


def test_status_cells_are_filled_by_status_and_every_status_is_shown(indicator_world):
    iw = indicator_world
    rows = _rows(load(plan_bytes(iw.world))[SHEET])

    by_label = {label: status for status, label in LABELS.items()}
    seen = set()
    for row in rows:
        state = by_label[row["状态"].value]
        seen.add(state)
        assert row["状态"].fill.fgColor.rgb.endswith(STATUS_FILL[state])
    assert seen == set(IndicatorStatus.values)


def test_sheet_has_the_customary_title_headers_borders_and_print_setup(indicator_world):
    w = indicator_world.world
    sheet = load(plan_bytes(w))[SHEET]
    merged = {str(ranges) for ranges in sheet.merged_cells.ranges}
    last = layout.letter(sheet.max_column)
    value_cell = _rows(sheet)[0]["说明"]

    assert sheet["A1"].value == f"{w.plan.title}量化指标完成情况（2016年第三季度）"
    assert sheet["A1"].font.bold and f"A1:{last}1" in merged and f"A2:{last}2" in merged
    assert "报送周期：2016年第三季度（7月1日—9月30日）" in sheet["A2"].value
    assert "汇总单位：市联席办" in sheet["A2"].value
    assert [sheet.cell(3, c).value for c in (1, 7, 10, 14)] == ["序号", "实际值", "本期", "趋势预计"]
    assert [sheet.cell(4, c).value for c in range(7, 14)] == [
        "2016年\n第一季度", "2016年\n第二季度", "2016年\n第三季度", "序时目标值", "状态", "说明", "数据来源",
    ]
    assert {"A3:A4", "G3:I3", "J3:M3", "N3:N4"} <= merged
    assert value_cell.alignment.wrap_text and value_cell.border.left.style == "thin"
    assert (sheet.page_setup.orientation, sheet.page_setup.paperSize) == ("landscape", 9)
    assert (sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$3:$4"
    assert sheet.oddFooter.center.text == "第 &P 页 共 &N 页"
    assert sheet.freeze_panes == "C5"


def test_sheet_follows_the_summary_and_periods_after_the_exported_one_are_left_out(indicator_world):
    iw = indicator_world
    w = iw.world
    later = w.period.__class__.objects.create(
        plan=w.plan, label="2016Q4", start=w.period.end.replace(month=10, day=1), end=w.period.end.replace(month=12, day=31),
        due_date=w.period.end.replace(month=12, day=23),
    )
    IndicatorValueFactory(target=iw.targets["revenue"], period=later, value=Decimal("2.9"))

    workbook = load(plan_bytes(w))

    assert workbook.sheetnames == ["进展情况表", "汇总", SHEET]
    headers = _headers(workbook[SHEET])
    assert "2016年第四季度" not in headers and "2016年第三季度" in headers


def test_a_plan_without_targets_gets_no_indicator_sheet(sheet_world):
    assert SHEET not in load(plan_bytes(sheet_world)).sheetnames
    assert SHEET not in load(unit_bytes(sheet_world, "B")).sheetnames


def test_a_unit_account_exporting_the_plan_gets_only_the_indicators_it_may_see(indicator_world):
    iw = indicator_world
    user = iw.world.users["official_B"]

    rows = _rows(load(plan_bytes(iw.world, user=user))[SHEET])

    visible = Target.objects.visible_to(user).values("pk")
    expected_names = [target.indicator for target in _shown_targets(iw, pk__in=visible)]
    assert [row["指标"].value for row in rows] == expected_names
    assert "营业收入" not in expected_names and "绿色工厂" in expected_names  # T1 is not B's task; T2 is


@pytest.mark.parametrize("unit, owners", [("A", ["A"]), ("B", ["B"]), ("M1", ["C"])])
def test_a_units_workbook_adds_the_indicators_the_unit_enters(indicator_world, unit, owners):
    iw = indicator_world
    w = iw.world

    workbook = load(unit_bytes(w, unit))

    assert workbook.sheetnames[1:] == [SHEET] and workbook.worksheets[0].title == str(w.units[unit])
    sheet = workbook[SHEET]
    visible = Target.objects.visible_to(w.users[f"official_{unit}"]).values("pk")
    owned = _shown_targets(iw, pk__in=visible, owner__in=[w.units[name] for name in owners])
    assert owned and [row["指标"].value for row in _rows(sheet)] == [target.indicator for target in owned]
    assert f"责任单位：{w.units[unit].name}" in sheet["A2"].value


def test_a_returned_unit_workbook_with_its_indicator_sheet_uploads_cleanly(indicator_world):
    w = indicator_world.world

    upload = services.sheet_upload(user=w.users["official_B"], period=w.period, file_name="填报.xlsx", data=unit_bytes(w, "B"))

    assert (upload.state, upload.problems, upload.changes) == (SheetImportState.PREVIEWED, [], [])


def _queries(world) -> int:
    with CaptureQueriesContext(connection) as queries:
        plan_bytes(world)
    return len(queries)


def test_query_count_does_not_grow_with_indicators_or_their_values(indicator_world):
    iw = indicator_world
    before = _queries(iw.world)
    for n in range(5):
        target = TargetFactory(
            plan=iw.world.plan, task=iw.world.t2 if n % 2 else None, owner=iw.world.units["B"], indicator=f"新增指标{n}",
            comparator=Comparator.GTE, value=Decimal(100 + n), unit="万千瓦",
        )
        for period in iw.periods:
            IndicatorValueFactory(target=target, period=period, value=Decimal(n), note="说明", source="来源")

    assert _queries(iw.world) == before
    assert len(_rows(load(plan_bytes(iw.world))[SHEET])) == len(_shown_targets(iw))


def test_today_is_the_tables_date(indicator_world):
    sheet = load(plan_bytes(indicator_world.world))[SHEET]
    assert f"制表日期：{TODAY:%Y年%m月%d日}" in sheet["A2"].value


def test_libreoffice_prints_the_sheet_a4_landscape_one_page_wide_with_every_indicator(indicator_world, lo_profile, tmp_path):  # noqa: F811
    source = tmp_path / "plan.xlsx"
    source.write_bytes(plan_bytes(indicator_world.world))

    pdf = _convert(lo_profile, source, "pdf", tmp_path / "pdf")

    sizes = _page_sizes(pdf)
    assert all(_is_a4_landscape(size) for size in sizes), sizes
    pages = [page for page in range(1, len(sizes) + 1) if "量化指标完成情况" in _page_text(pdf, page)]
    assert pages == [len(sizes)]  # the last sheet, on one page
    text = _page_text(pdf, pages[0])
    assert "序号" in text and "趋势预计" in text and f"第{pages[0]}页共{len(sizes)}页" in text  # both edges: one page wide
    for target in _shown_targets(indicator_world):
        assert target.indicator in text
    assert "滞后序时" in text and "123456789" in text


@pytest.mark.django_db
def test_the_indicator_sheet_runs_as_many_queries_for_2_and_6_earlier_periods():
    import datetime
    import io

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from plans.exports.workbooks import export_plan_workbook
    from plans.models import ReportingPeriod
    from tests.factories import PlanFactory, ReportingPeriodFactory, TargetFactory, TaskFactory, UserFactory

    plan = PlanFactory()
    TargetFactory(plan=plan, task=TaskFactory(plan=plan))
    superuser = UserFactory(is_superuser=True)

    def queries(count):
        plan.periods.all().delete()
        periods = [
            ReportingPeriodFactory(plan=plan, label=f"P{n}", start=datetime.date(2010 + n, 1, 1), end=datetime.date(2010 + n, 3, 31))
            for n in range(count)
        ]
        with CaptureQueriesContext(connection) as captured:
            export_plan_workbook(io.BytesIO(), user=superuser, period=ReportingPeriod.objects.get(pk=periods[-1].pk))
        return len(captured)

    assert queries(2) == queries(6)
