"""The whole sheet reads its nodes and reports as light rows (rows.SheetNode, rows.SheetReport)
rather than model instances: they must say what the models say."""
import datetime

from plans.exports.rows import SheetNode, TaskDetails, sheet_nodes, visible_nodes
from plans.models import NodeKind, ProgressReport, ReportState, Task

from .conftest import TODAY


def test_sheet_nodes_name_and_light_as_the_model_does(sheet_world):
    period, office = sheet_world.period, sheet_world.users["office"]
    ProgressReport.objects.filter(task=sheet_world.t1).update(state=ReportState.APPROVED, percent=40)
    nodes = visible_nodes(office, period).for_export()
    details = TaskDetails(period.plan_id, period)
    light = list(details.stream(sheet_nodes(nodes)))
    models = list(details.stream(nodes.iterator()))
    assert [type(node) for node in light] == [SheetNode] * len(models)
    assert [str(node) for node in light] == [str(node) for node in models]
    assert [node.pk for node in light] == [node.pk for node in models]
    tasks = [(a, b) for a, b in zip(light, models) if b.kind == NodeKind.TASK]
    assert len(tasks) == 2
    for day in (TODAY, datetime.date(2016, 11, 30)):  # before and after t1's due date
        assert [a.light(day) for a, _b in tasks] == [b.light(day) for _a, b in tasks]
    t1 = next(a for a, _b in tasks if a.pk == sheet_world.t1.pk)
    assert t1.latest_percent == 40 and t1.due_date == datetime.date(2016, 10, 31)


def test_sheet_reports_carry_what_the_report_models_do(sheet_world):
    period = sheet_world.period
    report = sheet_world.report(sheet_world.t1, "A")
    report.progress, report.percent = "已完成燃煤替代50%", 50
    report.save()
    details = TaskDetails(period.plan_id, period)
    nodes = Task.objects.filter(pk=sheet_world.t1.pk).for_export()
    (streamed,) = details.stream(sheet_nodes(nodes))
    (attached,) = details.attach(list(nodes))
    assert len(streamed.period_reports) == len(attached.period_reports) == 3  # A, M1, M2
    for light, model in zip(streamed.period_reports, attached.period_reports):
        assert isinstance(model, ProgressReport)
        for name in ("pk", "unit_id", "state", "status", "percent", "progress", "problems", "next_steps",
                     "review_comment", "version", "export_inputs"):
            assert getattr(light, name) == getattr(model, name), name
        assert light.period == period
    assert any(light.progress == "已完成燃煤替代50%" and light.percent == 50 for light in streamed.period_reports)
