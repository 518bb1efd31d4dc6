"""The permission matrix of tests/test_permissions.py replayed over the API: the same actors,
objects and allowed sets; an action the rules refuse is a 403, an object the actor cannot
see a 404, and a refused action changes nothing."""
import pytest

from plans.models import ProgressReport, ReportState, Task
from tests.api.conftest import ACTORS, ALLOWED

SEES_TASK_T = ALLOWED["view"]  # every actor who sees report A sees its task
ACTIONS = {
    "edit": ("patch", "", {"progress": "通过接口填写", "percent": 50}),
    "submit": ("post", "submit/", {}),
    "approve": ("post", "approve/", {"comment": "同意"}),
    "return": ("post", "return/", {"comment": "请补充数据"}),
    "support": ("post", "inputs/", {"text": "已安排资金500万元。"}),
}


def _prepared(report, action):
    values = {"progress": "已完成燃煤锅炉拆改12台。"}
    if action in ("approve", "return"):
        values["state"] = ReportState.SUBMITTED
    ProgressReport.objects.filter(pk=report.pk).update(**values)
    report.refresh_from_db()
    return report


def _outcome(report):
    report.refresh_from_db()
    return (report.state, report.progress, report.percent, report.inputs.count())


def _expected(actor, allowed, success=200):
    if actor in allowed:
        return success
    return 403 if actor in SEES_TASK_T else 404


@pytest.mark.parametrize("actor", ACTORS)
def test_api_report_visibility_matrix(world, as_actor, actor):
    response = as_actor(actor).get(f"/api/reports/{world.report_a.pk}/")
    assert response.status_code == (200 if actor in ALLOWED["view"] else 404)


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_api_report_action_matrix(world, as_actor, actor, action):
    report = _prepared(world.report_a, action)
    before = _outcome(report)
    method, path, body = ACTIONS[action]
    response = getattr(as_actor(actor), method)(
        f"/api/reports/{report.pk}/{path}", body, format="json", HTTP_IF_MATCH=f'"{report.version}"',
    )
    assert response.status_code == _expected(actor, ALLOWED[action])
    assert (_outcome(report) != before) is (actor in ALLOWED[action])


@pytest.mark.parametrize("actor", ACTORS)
def test_api_task_change_matrix(world, as_actor, actor):
    response = as_actor(actor).patch(f"/api/tasks/{world.task_t.pk}/", {"title": "改掉标题"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == _expected(actor, {"office"})
    assert (Task.objects.get(pk=world.task_t.pk).title != "燃煤替代") is (actor == "office")


@pytest.mark.parametrize("actor", ACTORS)
def test_api_assignment_add_matrix(world, as_actor, actor):
    unit_b = world.task_b.assignments.get().unit_id
    response = as_actor(actor).post(f"/api/tasks/{world.task_t.pk}/assignments/", {"unit": unit_b, "role": "supporting"}, format="json")
    assert response.status_code == _expected(actor, {"office"}, success=201)
    assert world.task_t.assignments.filter(unit_id=unit_b).exists() is (actor == "office")


@pytest.mark.parametrize("actor", ACTORS)
def test_api_task_b_visibility_matrix(world, as_actor, actor):
    response = as_actor(actor).get(f"/api/tasks/{world.task_b.pk}/")
    assert response.status_code == (200 if actor in {"official_b", "leader_b", "office"} else 404)


@pytest.mark.parametrize("actor", ACTORS)
def test_api_period_open_matrix(world, as_actor, actor):
    period = world.report_a.period
    period.is_open = False
    period.save()
    response = as_actor(actor).post(f"/api/periods/{period.pk}/open/", HTTP_IF_MATCH=f'"{period.version}"')
    # every unit account of the world holds a role in the plan, so sees its periods
    assert response.status_code == (200 if actor == "office" else 404 if actor == "other_office" else 403)
    period.refresh_from_db()
    assert period.is_open is (actor == "office")
