"""/api/tasks/{id}/comments/ (a task's thread, 批示 pinned) and the people a unit names for its
part in a task, shown on its assignment. In the permission world, A leads task T, S supports
it and B has nothing to do with it."""
from plans import services
from plans.models import Assignment, PersonKind, TaskComment, person_label


def url(task):
    return f"/api/tasks/{task.pk}/comments/"


def test_a_unit_on_the_task_comments_and_mentions_another(world, as_actor):
    unit_s = world.report_a.task.assignments.get(unit__short_name="市财政局").unit
    response = as_actor("official_a").post(
        url(world.task_t), {"text": "请财政局配合提供资金情况", "mentions": [unit_s.pk]}, format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["author"] == person_label(world.users["official_a"])
    assert (body["unit"], body["is_instruction"], body["text"]) == (world.report_a.unit_id, False, "请财政局配合提供资金情况")
    assert body["mentions"] == [{"id": unit_s.pk, "name": unit_s.name}]
    listed = as_actor("official_s").get(url(world.task_t)).json()["results"]
    assert [row["id"] for row in listed] == [body["id"]]


def test_instructions_come_from_leaders_and_are_pinned(world, as_actor):
    as_actor("official_a").post(url(world.task_t), {"text": "第一条"})
    refused = as_actor("official_a").post(url(world.task_t), {"text": "批示", "is_instruction": True})
    assert refused.status_code == 403 and "只有领导才能作批示" in refused.json()["detail"]

    response = as_actor("office").post(url(world.task_t), {"text": "抓紧落实", "is_instruction": True})
    assert response.status_code == 201 and response.json()["unit"] is None

    listed = as_actor("official_a").get(url(world.task_t)).json()["results"]
    assert [(row["text"], row["is_instruction"]) for row in listed] == [("抓紧落实", True), ("第一条", False)]


def test_comment_refusals_change_nothing(world, as_actor):
    unit_b = world.report_b.unit
    response = as_actor("official_a").post(url(world.task_t), {"text": "x", "mentions": [unit_b.pk]})
    assert response.status_code == 400 and "只能提及承担该任务的单位" in response.json()["detail"]
    response = as_actor("official_a").post(url(world.task_t), {"text": "  "})
    assert response.status_code == 400 and "请填写留言内容" in response.json()["detail"]
    response = as_actor("official_a").post(url(world.task_t), {"text": "x", "mentions": [1, "AAA", 0.5]}, format="json")
    assert response.status_code == 400 and response.json()["errors"]["mentions"][0].startswith("请填写单位编号的列表")
    response = as_actor("official_a").post(url(world.task_t), {"text": "x", "author": 1})
    assert response.status_code == 400 and "author" in response.json()["errors"]
    assert as_actor("official_b").post(url(world.task_t), {"text": "x"}).status_code == 404
    response = as_actor("other_office").post(url(world.task_b), {"text": "x"})
    assert response.status_code == 404
    assert not TaskComment.objects.exists()


def test_a_thread_is_read_by_who_sees_the_task(world, as_actor):
    services.comment_add(user=world.users["office"], task=world.task_t, text="请报进展")
    for actor in ("official_a", "official_s", "member_m", "office"):
        assert len(as_actor(actor).get(url(world.task_t)).json()["results"]) == 1, actor
    for actor in ("official_b", "other_office"):
        assert as_actor(actor).get(url(world.task_t)).status_code == 404, actor
    assert as_actor("office").get("/api/tasks/x/comments/").status_code == 404


def test_assignment_shows_the_people_the_unit_named(world, as_actor):
    lead = Assignment.objects.get(task=world.task_t, is_lead=True)
    services.assignment_person_save(
        user=world.users["leader_a"], assignment=lead, kind=PersonKind.CONTACT, name="王芳", position="科长",
        phone="0392-1234567",
    )
    services.assignment_person_save(
        user=world.users["office"], assignment=lead, kind=PersonKind.LEADER, account=world.users["leader_a"],
    )

    body = as_actor("official_s").get(f"/api/tasks/{world.task_t.pk}/assignments/{lead.pk}/").json()

    people = {row["kind"]: row for row in body["people"]}
    assert people["contact"] | {"id": 0} == {
        "id": 0, "kind": "contact", "kind_label": "联系人", "name": "王芳", "position": "科长",
        "phone": "0392-1234567", "user": None, "version": 1,
    }
    assert people["leader"]["user"] == world.users["leader_a"].pk
    assert people["leader"]["name"] == lead.people.get(kind="leader").display_name
    refused = as_actor("office").patch(
        f"/api/tasks/{world.task_t.pk}/assignments/{lead.pk}/", {"people": [{"kind": "leader", "name": "李四"}]},
        format="json", HTTP_IF_MATCH=f'"{lead.version}"',
    )
    assert refused.status_code == 400 and "people" in refused.json()["errors"]


def people_url(world, assignment, rest=""):
    return f"/api/tasks/{world.task_t.pk}/assignments/{assignment.pk}/people/{rest}"


def test_the_unit_names_replaces_and_removes_its_people(world, as_actor):
    lead = Assignment.objects.get(task=world.task_t, is_lead=True)
    client = as_actor("official_a")

    created = client.post(people_url(world, lead), {"kind": "contact", "name": "王芳", "phone": "13800000000"})
    assert created.status_code == 201, created.content
    assert (created.json()["name"], created.json()["phone"], created["ETag"]) == ("王芳", "13800000000", '"1"')
    stale = client.post(people_url(world, lead), {"kind": "contact", "name": "李娜"}, HTTP_IF_MATCH='"5"')
    assert stale.status_code == 412
    replaced = client.post(people_url(world, lead), {"kind": "contact", "name": "李娜"}, HTTP_IF_MATCH='"1"')
    assert replaced.status_code == 200 and replaced.json()["name"] == "李娜"
    assert lead.people.get().name == "李娜"

    person = lead.people.get()
    assert client.get(people_url(world, lead, f"{person.pk}/")).json()["name"] == "李娜"
    assert client.delete(people_url(world, lead, f"{person.pk}/")).status_code == 400  # no version
    assert client.delete(people_url(world, lead, f"{person.pk}/"), HTTP_IF_MATCH=f'"{person.version}"').status_code == 204
    assert not lead.people.exists()


def test_other_units_cannot_name_people_for_a_units_part(world, as_actor):
    lead = Assignment.objects.get(task=world.task_t, is_lead=True)
    response = as_actor("official_s").post(people_url(world, lead), {"kind": "leader", "name": "赵六"})
    assert response.status_code == 403 and "只能为本单位的分工指定责任人" in response.json()["detail"]
    assert as_actor("official_b").post(people_url(world, lead), {"kind": "leader", "name": "赵六"}).status_code == 404
    response = as_actor("official_a").post(people_url(world, lead), {"kind": "leader", "user": world.users["official_b"].pk})
    assert response.status_code == 400 and "只能指定本单位的账号" in response.json()["detail"]
    response = as_actor("official_a").post(people_url(world, lead), {"kind": "leader"})
    assert response.status_code == 400 and "请选择账号或填写姓名" in response.json()["detail"]
    assert as_actor("official_a").patch(people_url(world, lead, "1/"), {"name": "x"}).status_code == 405
    assert not lead.people.exists()


def test_the_history_of_a_comment_an_acknowledgement_and_a_named_person(world, as_actor):
    from plans.models import Acknowledgement

    comment = services.comment_add(user=world.users["official_a"], task=world.task_t, text="已安排")
    lead = Assignment.objects.get(task=world.task_t, is_lead=True)
    person = services.assignment_person_save(user=world.users["leader_a"], assignment=lead, kind="contact", name="王芳")
    ack = Acknowledgement.objects.get(unit=world.report_a.unit, period=world.report_a.period)
    for kind, pk, author in (
        ("comments", comment.pk, "official_a"), ("assignment-people", person.pk, "leader_a"),
        ("acknowledgements", ack.pk, "office"),
    ):
        ledger = as_actor("official_a").get(f"/api/history/{kind}/{pk}/")
        assert ledger.status_code == 200, (kind, ledger.content)
        assert ledger.json()["entries"][-1]["person"] == person_label(world.users[author]), kind
        assert as_actor("official_b").get(f"/api/history/{kind}/{pk}/").status_code == 404, kind
