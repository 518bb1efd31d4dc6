"""Private, revocable calendar feeds (.ics): what a unit's and a plan's feed contain, parsed
back with the icalendar library; RFC 5545 on the wire; a changed date reaching the
subscriber (same UID, higher SEQUENCE); 404 for unknown and revoked tokens; caching headers;
constant queries; and the admin pages (日历订阅) where feeds are made and revoked."""
import datetime
import re

import pytest
from dateutil.rrule import rrulestr
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from plans import services
from plans.feeds import recurrence
from plans.services.seeds import SEED_PLANS, fixture_path
from plans.models import CalendarFeed, Deadline, DeadlineKind, MemberRole, Plan, Role, Task, Unit, UnitKind
from plans.roles import GROUP_OF_ROLE, OFFICE_GROUP, groups_ensure
from tests.factories import (
    AssignmentFactory,
    DeadlineFactory,
    MembershipFactory,
    PlanFactory,
    ReportingPeriodFactory,
    SectionFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HOST = "testserver"


# --- helpers ------------------------------------------------------------------------------
@pytest.fixture
def superuser():
    return UserFactory(username="root", is_superuser=True)


def make_feed(user, **target):
    return services.feed_create(user=user, **target)


def fetch(client, feed_or_token, **headers):
    token = feed_or_token if isinstance(feed_or_token, str) else feed_or_token.token
    return client.get(reverse("calendar-feed", args=[token]), **headers)


def parsed(response):
    assert response.status_code == 200, response.content[:200]
    return Calendar.from_ical(response.content)


def events(calendar):
    """UID → event."""
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def day(event, name="DTSTART"):
    return event.decoded(name)


def uid(kind, pk, unit=None):
    return f"{kind}-{pk}{f'.unit-{unit.pk}' if unit else ''}@{HOST}"


# --- a plan's feed: the Hebi seed -----------------------------------------------------------
@pytest.fixture
def hebi(superuser):
    """The Hebi plan as imported from its seed, with its four quarterly periods."""
    hebi_seed = next(seed for seed in SEED_PLANS if "hebi" in str(fixture_path(seed)))
    call_command("loaddata", str(fixture_path(hebi_seed)), verbosity=0)
    plan = Plan.objects.get(title__startswith="鹤壁市")
    services.periods_generate(user=None, plan=plan)
    return plan


def test_plan_feed_has_every_active_task_deadline_and_every_period_due_date(client, superuser, hebi):
    retired = hebi.nodes.tasks().filter(deadlines__isnull=False).order_by("position").last()
    Task.objects.filter(pk=retired.pk).update(is_active=False)
    section = SectionFactory(plan=hebi, position=10_000)
    DeadlineFactory(task=section, text="节点时限")  # a section's date is not a task deadline

    calendar = parsed(fetch(client, make_feed(superuser, plan=hebi)))

    expected = Deadline.objects.filter(task__plan=hebi, task__kind="task", task__is_active=True, date__isnull=False)
    periods = list(hebi.periods.order_by("start"))
    assert len(periods) == 4 and expected.count() >= 15
    assert set(events(calendar)) == {uid("deadline", d.pk) for d in expected} | {uid("period", p.pk) for p in periods}
    for deadline in expected.select_related("task"):
        event = events(calendar)[uid("deadline", deadline.pk)]
        assert (day(event), day(event, "DTEND")) == (deadline.date, deadline.date + datetime.timedelta(days=1))
        assert event["SEQUENCE"] == deadline.version
        assert str(event["SUMMARY"]).startswith(f"{dict(due='完成时限：', start='开始：', period_end='期间截止：', recurring='定期：')[deadline.kind]}{deadline.task.path}")
        assert str(event["URL"]) == f"http://{HOST}/admin/plans/task/{deadline.task_id}/change/"
    for period in periods:
        event = events(calendar)[uid("period", period.pk)]
        assert (str(event["SUMMARY"]), day(event)) == (f"报送截止：{hebi.title} {period.label}", period.due_date)
        assert event["SEQUENCE"] == period.version


def test_plan_feed_calendar_properties(client, superuser, hebi):
    calendar = parsed(fetch(client, make_feed(superuser, plan=hebi)))

    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]).startswith("-//")
    assert (str(calendar["CALSCALE"]), str(calendar["METHOD"])) == ("GREGORIAN", "PUBLISH")
    assert str(calendar["X-WR-CALNAME"]) == f"{hebi.title} · 任务时限"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Shanghai"


def test_hebi_recurring_report_deadline_repeats_quarterly_until_the_plan_ends(client, superuser, hebi):
    recurring = Deadline.objects.get(task__plan=hebi, kind=DeadlineKind.RECURRING)

    event = events(parsed(fetch(client, make_feed(superuser, plan=hebi))))[uid("deadline", recurring.pk)]

    assert type(day(event)) is datetime.date and day(event) == datetime.date(2016, 3, 23)  # VALUE=DATE
    assert event["RRULE"].to_ical() == b"FREQ=MONTHLY;UNTIL=20161231;INTERVAL=3"
    dates = [moment.date() for moment in rrulestr(event["RRULE"].to_ical().decode(), dtstart=datetime.datetime(2016, 3, 23))]
    assert dates == [datetime.date(2016, month, 23) for month in (3, 6, 9, 12)]
    description = str(event["DESCRIPTION"])
    assert "时限原文：每季度最后一月的23日前" in description and "牵头单位：" in description


def test_hebi_unit_feed_of_a_county_includes_its_collectives_tasks(client, superuser, hebi):
    """浚县人民政府 is one of 各县区政府(管委): it sees the collective's tasks too."""
    county = Unit.objects.get(name="浚县人民政府")
    collective = Unit.objects.get(name="鹤壁市各县区政府(管委)")
    assert collective.members.filter(pk=county.pk).exists()

    found = events(parsed(fetch(client, make_feed(superuser, unit=county))))

    tasks = Task.objects.filter(assignments__unit__in=[county, collective], is_active=True, kind="task")
    expected = Deadline.objects.filter(task__in=tasks, date__isnull=False)
    assert expected.exists()
    assert tasks.filter(assignments__unit=collective, assignments__role=Role.RESPONSIBLE).exists()
    assert set(found) == {uid("deadline", d.pk, county) for d in expected} | {uid("period", p.pk, county) for p in hebi.periods.all()}
    assert any("（各县区政府(管委)）" in str(event["DESCRIPTION"]) for event in found.values())


# --- a unit's feed: exactly its tasks and its plans' due dates --------------------------------
@pytest.fixture
def unit_world():
    """Unit A (市发改委) is in collective C; plans P1…P5."""
    world = type("World", (), {})()
    world.a = UnitFactory(name="鹤壁市发展和改革委员会", short_name="市发改委")
    world.b = UnitFactory(name="鹤壁市环境保护局", short_name="市环保局")
    world.c = UnitFactory(name="鹤壁市大气污染防治联席会议成员单位", short_name="联席会议成员单位", kind=UnitKind.COLLECTIVE)
    world.c.members.add(world.a)
    world.plans = [PlanFactory(title=f"方案{n}") for n in range(1, 6)]
    p1, p2, p3, p4, p5 = world.plans

    def task(plan, unit, role, title, date, **fields):
        node = TaskFactory(plan=plan, path="1.", title=title, **fields)
        AssignmentFactory(task=node, unit=world.b, role=Role.RESPONSIBLE)  # B leads every task
        AssignmentFactory(task=node, unit=unit, role=role)
        return DeadlineFactory(task=node, date=date, text=f"{date.month}月底前")

    world.responsible = task(p1, world.a, Role.RESPONSIBLE, "燃煤替代", datetime.date(2016, 6, 30))
    world.supporting = task(p2, world.a, Role.SUPPORTING, "扬尘治理", datetime.date(2016, 7, 31))
    world.via_collective = task(p3, world.c, Role.IMPLEMENTING, "秸秆禁烧", datetime.date(2016, 8, 31))
    world.collective_responsible = task(p4, world.c, Role.RESPONSIBLE, "油品升级", datetime.date(2016, 9, 30))
    world.retired = task(p5, world.a, Role.RESPONSIBLE, "已删去任务", datetime.date(2016, 10, 31), is_active=False)
    world.others = task(p1, world.b, Role.SUPPORTING, "别人的任务", datetime.date(2016, 11, 30))
    world.periods = {plan: ReportingPeriodFactory(plan=plan, label="2016Q3") for plan in world.plans}
    return world


def test_unit_feed_has_only_the_tasks_where_the_unit_or_its_collective_holds_a_role(client, superuser, unit_world):
    w = unit_world

    found = events(parsed(fetch(client, make_feed(superuser, unit=w.a))))

    deadlines = {key for key in found if key.startswith("deadline-")}
    assert deadlines == {uid("deadline", d.pk, w.a) for d in (w.responsible, w.supporting, w.via_collective, w.collective_responsible)}
    assert day(found[uid("deadline", w.supporting.pk, w.a)]) == datetime.date(2016, 7, 31)


def test_unit_feed_has_the_due_dates_of_plans_where_it_or_its_collective_is_responsible(client, superuser, unit_world):
    w = unit_world
    p1, p2, p3, p4, p5 = w.plans

    found = events(parsed(fetch(client, make_feed(superuser, unit=w.a))))

    periods = {key for key in found if key.startswith("period-")}
    assert periods == {uid("period", w.periods[p1].pk, w.a), uid("period", w.periods[p4].pk, w.a)}
    assert str(found[uid("period", w.periods[p1].pk, w.a)]["SUMMARY"]) == "报送截止：方案1 2016Q3"


def test_unit_feed_describes_the_task_lead_text_and_the_units_role(client, superuser, unit_world):
    w = unit_world

    found = events(parsed(fetch(client, make_feed(superuser, unit=w.a))))

    supporting = str(found[uid("deadline", w.supporting.pk, w.a)]["DESCRIPTION"]).splitlines()
    assert supporting == ["任务：1. 扬尘治理", "行动方案：方案2", "牵头单位：市环保局", "本单位职责：配合单位", "时限原文：7月底前"]
    collective = str(found[uid("deadline", w.via_collective.pk, w.a)]["DESCRIPTION"])
    assert "本单位职责：负责落实（联席会议成员单位）" in collective
    assert str(found[uid("deadline", w.supporting.pk, w.a)]["SUMMARY"]) == "完成时限：1. 扬尘治理"


def test_unit_feed_is_named_after_the_unit(client, superuser, unit_world):
    response = fetch(client, make_feed(superuser, unit=unit_world.a))

    assert str(parsed(response)["X-WR-CALNAME"]) == "市发改委 · 任务时限"
    disposition = response["Content-Disposition"]
    assert disposition.startswith(f'inline; filename="unit-{unit_world.a.pk}-deadlines.ics"; ')
    assert "filename*=UTF-8''%E5%B8%82%E5%8F%91%E6%94%B9%E5%A7%94-%E4%BB%BB%E5%8A%A1%E6%97%B6%E9%99%90.ics" in disposition


# --- recurring deadlines ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("rule", "first", "until", "ical", "occurrences"),
    [
        ("quarterly:3:23", "2016-03-23", "2016-12-31", "FREQ=MONTHLY;UNTIL=20161231;INTERVAL=3", ["03-23", "06-23", "09-23", "12-23"]),
        ("monthly:1:5", "2016-01-05", "2016-04-30", "FREQ=MONTHLY;UNTIL=20160430", ["01-05", "02-05", "03-05", "04-05"]),
        ("quarterly:3:end", "2016-03-31", "2016-12-31", "FREQ=MONTHLY;UNTIL=20161231;INTERVAL=3;BYMONTHDAY=-1", ["03-31", "06-30", "09-30", "12-31"]),
        ("half-yearly:7:15", "2016-07-15", "2017-12-31", "FREQ=MONTHLY;UNTIL=20171231;INTERVAL=6", ["07-15", "01-15", "07-15"]),
        ("yearly:12:20", "2016-12-20", "2018-12-31", "FREQ=YEARLY;UNTIL=20181231", ["12-20", "12-20", "12-20"]),
        ("monthly:1:31", "2016-01-31", "2016-04-30", "FREQ=MONTHLY;UNTIL=20160430;BYMONTHDAY=28,29,30,31;BYSETPOS=-1", ["01-31", "02-29", "03-31", "04-30"]),
        ("yearly:2:end", "2016-02-29", "2018-12-31", "FREQ=YEARLY;UNTIL=20181231;BYMONTHDAY=-1;BYMONTH=2", ["02-29", "02-28", "02-28"]),
    ],
)
def test_recurrence_rule_matches_the_deadline_rule(rule, first, until, ical, occurrences):
    from icalendar import vRecur

    first, until = datetime.date.fromisoformat(first), datetime.date.fromisoformat(until)

    recur = vRecur(recurrence(rule, first, until)).to_ical().decode()

    assert recur == ical
    dates = [moment.strftime("%m-%d") for moment in rrulestr(recur, dtstart=datetime.datetime.combine(first, datetime.time()))]
    assert dates == occurrences


def test_recurrence_of_an_unknown_rule_or_one_ending_before_it_starts_is_none():
    assert recurrence("fortnightly", datetime.date(2016, 1, 1), None) is None
    assert recurrence("yearly", datetime.date(2016, 1, 1), datetime.date(2015, 12, 31)) is None
    assert recurrence("yearly", datetime.date(2016, 1, 1), None) == {"freq": "yearly"}


def test_recurring_deadline_without_a_date_is_left_out_and_one_with_a_date_repeats(client, superuser):
    plan = PlanFactory(period_start=datetime.date(2016, 1, 1), period_end=datetime.date(2016, 12, 31))
    task = TaskFactory(plan=plan)
    bare = DeadlineFactory(task=task, kind=DeadlineKind.RECURRING, date=None, rule="yearly", text="每年")
    monthly = DeadlineFactory(task=task, kind=DeadlineKind.RECURRING, date=datetime.date(2016, 1, 5), rule="monthly:1:5", text="每月5日前")

    found = events(parsed(fetch(client, make_feed(superuser, plan=plan))))

    assert uid("deadline", bare.pk) not in found
    assert found[uid("deadline", monthly.pk)]["RRULE"].to_ical() == b"FREQ=MONTHLY;UNTIL=20161231"
    assert str(found[uid("deadline", monthly.pk)]["SUMMARY"]).startswith("定期：")


# --- dates change ------------------------------------------------------------------------------
def test_a_changed_deadline_date_reaches_the_feed_with_the_same_uid_and_a_higher_sequence(client, superuser, hebi_task):
    office = UserFactory()
    hebi_task.plan.office_staff.add(office)
    deadline = hebi_task.deadlines.get()
    feed = make_feed(superuser, plan=hebi_task.plan)
    before = events(parsed(fetch(client, feed)))[uid("deadline", deadline.pk)]
    assert day(before) == datetime.date(2016, 10, 31)

    services.deadline_update(user=office, deadline=deadline, date=datetime.date(2016, 11, 30), text="11月底前")

    after = events(parsed(fetch(client, feed)))[uid("deadline", deadline.pk)]
    assert (day(after), day(after, "DTEND")) == (datetime.date(2016, 11, 30), datetime.date(2016, 12, 1))
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert "时限原文：11月底前" in str(after["DESCRIPTION"])
    assert after.decoded("LAST-MODIFIED") <= timezone.now()


def test_a_changed_period_due_date_reaches_the_unit_feed(client, superuser, hebi_task):
    lead = hebi_task.assignments.get(is_lead=True).unit
    period = ReportingPeriodFactory(plan=hebi_task.plan, label="2016Q3")
    feed = make_feed(superuser, unit=lead)
    before = events(parsed(fetch(client, feed)))[uid("period", period.pk, lead)]

    period.due_date = datetime.date(2016, 9, 26)
    period.save()

    after = events(parsed(fetch(client, feed)))[uid("period", period.pk, lead)]
    assert (day(before), day(after)) == (datetime.date(2016, 9, 23), datetime.date(2016, 9, 26))
    assert after["SEQUENCE"] == before["SEQUENCE"] + 1


# --- the wire ----------------------------------------------------------------------------------
def test_body_is_crlf_terminated_folded_at_75_octets_with_the_required_properties(client, superuser, hebi_task):
    Task.objects.filter(pk=hebi_task.pk).update(title="大力推广实施清洁能源替代，加快天然气管网建设，积极推进集中供热和热电联产，" * 3)

    body = fetch(client, make_feed(superuser, plan=hebi_task.plan)).content

    assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b"")
    lines = body.split(b"\r\n")[:-1]
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # the long summary was folded
    unfolded = re.sub(rb"\r\n[ \t]", b"", body).decode("utf-8").split("\r\n")
    assert unfolded[0] == "BEGIN:VCALENDAR" and unfolded[-2] == "END:VCALENDAR"
    head = unfolded[: unfolded.index("BEGIN:VEVENT")]
    assert "VERSION:2.0" in head and any(line.startswith("PRODID:") for line in head)
    vevents = re.findall(r"BEGIN:VEVENT\r\n(.*?)\r\nEND:VEVENT", "\r\n".join(unfolded), re.S)
    assert vevents
    for vevent in vevents:
        names = [line.split(":")[0].split(";")[0] for line in vevent.split("\r\n")]
        assert {"UID", "DTSTAMP", "DTSTART"} <= set(names)
        assert names.count("UID") == 1 and names.count("DTSTAMP") == 1
    assert "DTSTART;VALUE=DATE:20161031" in unfolded and "DTEND;VALUE=DATE:20161101" in unfolded


def test_response_headers(client, superuser, hebi_task):
    response = fetch(client, make_feed(superuser, plan=hebi_task.plan))

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "private, max-age=300"
    assert re.fullmatch(r'W/"[0-9a-f]{40}"', response["ETag"])
    assert re.match(r'inline; filename="plan-\d+-deadlines\.ics"; filename\*=UTF-8\'\'', response["Content-Disposition"])


def test_a_matching_if_none_match_gets_304_until_a_date_changes(client, superuser, hebi_task):
    feed = make_feed(superuser, plan=hebi_task.plan)
    etag = fetch(client, feed)["ETag"]

    not_modified = fetch(client, feed, HTTP_IF_NONE_MATCH=etag)
    assert (not_modified.status_code, not_modified.content) == (304, b"")
    assert not_modified["ETag"] == etag and not_modified["Cache-Control"] == "private, max-age=300"
    assert fetch(client, feed, HTTP_IF_NONE_MATCH='W/"other"').status_code == 200

    deadline = hebi_task.deadlines.get()
    deadline.date = datetime.date(2016, 12, 31)
    deadline.save()
    changed = fetch(client, feed, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_head_answers_like_get_without_a_body_and_other_methods_are_refused(client, superuser, hebi_task):
    feed = make_feed(superuser, plan=hebi_task.plan)
    url = reverse("calendar-feed", args=[feed.token])

    head = client.head(url)

    assert (head.status_code, head.content, head["Content-Type"]) == (200, b"", "text/calendar; charset=utf-8")
    assert client.post(url).status_code == 405
    assert client.put(url).status_code == 405


# --- tokens ------------------------------------------------------------------------------------
def test_unknown_and_revoked_tokens_get_the_same_plain_404(client, superuser, hebi_task):
    feed = make_feed(superuser, plan=hebi_task.plan)
    assert fetch(client, feed).status_code == 200

    services.feed_revoke(user=superuser, feed=feed)
    revoked = fetch(client, feed)
    unknown = fetch(client, "x" * 43)

    assert (revoked.status_code, unknown.status_code) == (404, 404)
    assert revoked.content == unknown.content and revoked["Content-Type"].startswith("text/plain")
    assert feed.token.encode() not in revoked.content


@pytest.mark.parametrize("token", ["%00", "a" * 65, "abc%20def", "..", "%E4%B8%AD"])
def test_malformed_tokens_get_404(client, token):
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_the_feed_needs_no_login_and_ignores_the_session(client, superuser, hebi_task):
    feed = make_feed(superuser, plan=hebi_task.plan)
    client.logout()
    assert fetch(client, feed).status_code == 200


def test_last_fetched_at_is_written_at_most_once_an_hour(client, superuser, hebi_task):
    feed = make_feed(superuser, plan=hebi_task.plan)
    assert feed.last_fetched_at is None

    fetch(client, feed)
    first = CalendarFeed.objects.get(pk=feed.pk).last_fetched_at
    with CaptureQueriesContext(connection) as queries:
        fetch(client, feed)
    assert first is not None
    assert CalendarFeed.objects.get(pk=feed.pk).last_fetched_at == first
    assert not any(query["sql"].lstrip().upper().startswith("UPDATE") for query in queries.captured_queries)

    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=first - datetime.timedelta(hours=2))
    fetch(client, feed)
    assert CalendarFeed.objects.get(pk=feed.pk).last_fetched_at > first - datetime.timedelta(minutes=1)


# --- queries -----------------------------------------------------------------------------------
def add_tasks(plan, unit, count):
    for number in range(count):
        task = TaskFactory(plan=plan, path=f"{number}.")
        AssignmentFactory(task=task, role=Role.RESPONSIBLE)
        AssignmentFactory(task=task, unit=unit, role=Role.SUPPORTING)
        DeadlineFactory(task=task)
        DeadlineFactory(task=task, kind=DeadlineKind.RECURRING, date=datetime.date(2016, 3, 23), rule="quarterly:3:23")


def feed_queries(client, feed):
    fetch(client, feed)  # the first fetch of the hour also notes it
    with CaptureQueriesContext(connection) as queries:
        response = fetch(client, feed)
    return len(queries), len(parsed(response).walk("VEVENT"))


@pytest.mark.parametrize("target", ["unit", "plan"])
def test_queries_do_not_grow_with_the_number_of_tasks(client, superuser, target):
    plan = PlanFactory()
    unit = UnitFactory()
    collective = UnitFactory(kind=UnitKind.COLLECTIVE)
    collective.members.add(unit)
    ReportingPeriodFactory(plan=plan)
    feed = make_feed(superuser, **{target: unit if target == "unit" else plan})
    add_tasks(plan, unit, 2)
    small, small_events = feed_queries(client, feed)

    add_tasks(plan, collective, 10)
    large, large_events = feed_queries(client, feed)

    assert (small_events, large_events) == ((4 if target == "unit" else 5), (24 if target == "unit" else 25))
    assert large == small <= 6


# --- the admin -----------------------------------------------------------------------------------
FEEDS = "/admin/plans/calendarfeed/"


@pytest.fixture
def accounts():
    """An official and a leader of 市发改委, an official of 市环保局, office staff of one plan."""
    groups = groups_ensure()
    world = type("Accounts", (), {})()
    world.unit = UnitFactory(name="鹤壁市发展和改革委员会", short_name="市发改委")
    world.other_unit = UnitFactory(name="鹤壁市环境保护局", short_name="市环保局")
    world.plan = PlanFactory(title="鹤壁市2016年度蓝天工程实施方案")
    world.other_plan = PlanFactory(title="福建省出口产业方案")
    world.official = MembershipFactory(unit=world.unit).user
    world.leader = MembershipFactory(unit=world.unit, role=MemberRole.LEADER).user
    world.stranger = MembershipFactory(unit=world.other_unit).user
    world.office = UserFactory(username="office")
    world.plan.office_staff.add(world.office)
    for user in (world.official, world.stranger):
        user.groups.add(groups[GROUP_OF_ROLE[MemberRole.OFFICIAL]])
    world.leader.groups.add(groups[GROUP_OF_ROLE[MemberRole.LEADER]])
    world.office.groups.add(groups[OFFICE_GROUP])
    return world


def as_user(client, user):
    client.force_login(user)
    return client


def options(html, name):
    select = re.search(rf'<select name="{name}".*?</select>', html, re.S)
    return re.findall(r'<option value="(\d+)"', select.group(0)) if select else []


def test_official_is_offered_own_unit_only_and_creates_its_feed(client, accounts):
    w = accounts
    as_user(client, w.official)

    page = client.get(FEEDS + "add/").content.decode()
    assert options(page, "unit") == [str(w.unit.pk)]
    assert options(page, "plan") == []

    response = client.post(FEEDS + "add/", {"unit": w.unit.pk, "plan": ""})

    feed = CalendarFeed.objects.get()
    assert (feed.unit, feed.plan, feed.created_by, feed.is_active) == (w.unit, None, w.official, True)
    assert response.status_code == 302 and response["Location"] == f"{FEEDS}{feed.pk}/change/"
    change = client.get(response["Location"]).content.decode()
    assert f'value="http://testserver/calendar/{feed.token}.ics"' in change
    assert "有效" in change and "撤销此订阅" in change
    assert fetch(client, feed).status_code == 200


@pytest.mark.parametrize(
    ("post", "sentence"),
    [
        ("other_unit", "只能管理本单位的日历订阅"),
        ("plan", "只有督办人员才能管理方案的日历订阅"),
        ("both", "请选择单位或行动方案之一"),
    ],
)
def test_forged_post_is_refused_with_the_rules_sentence_and_nothing_is_written(client, accounts, post, sentence):
    w = accounts
    data = {
        "other_unit": {"unit": w.other_unit.pk, "plan": ""},
        "plan": {"unit": "", "plan": w.plan.pk},
        "both": {"unit": w.unit.pk, "plan": w.plan.pk},
    }[post]

    response = as_user(client, w.official).post(FEEDS + "add/", data)

    assert response.status_code == 200
    assert sentence in response.content.decode()
    assert options(response.content.decode(), "unit") == [str(w.unit.pk)]
    assert CalendarFeed.objects.count() == 0


def test_office_is_offered_its_plans_and_creates_a_plan_feed(client, accounts):
    w = accounts
    as_user(client, w.office)

    page = client.get(FEEDS + "add/").content.decode()
    assert options(page, "plan") == [str(w.plan.pk)]
    forged = client.post(FEEDS + "add/", {"plan": w.other_plan.pk})
    assert "只有督办人员才能管理方案的日历订阅" in forged.content.decode()

    client.post(FEEDS + "add/", {"unit": "", "plan": w.plan.pk})

    feed = CalendarFeed.objects.get()
    assert (feed.plan, feed.unit, feed.created_by) == (w.plan, None, w.office)


def test_changelist_shows_own_feeds_with_full_url_and_state(client, accounts):
    w = accounts
    mine = make_feed(w.leader, unit=w.unit)  # made by the unit's leader: its official sees it too
    revoked = make_feed(w.official, unit=w.unit)
    services.feed_revoke(user=w.official, feed=revoked)
    theirs = make_feed(w.stranger, unit=w.other_unit)
    plans = make_feed(w.office, plan=w.plan)

    html = as_user(client, w.official).get(FEEDS).content.decode()

    assert f"http://testserver/calendar/{mine.token}.ics" in html
    assert f"http://testserver/calendar/{revoked.token}.ics" in html
    assert theirs.token not in html and plans.token not in html
    assert "有效" in html and "已撤销" in html
    assert client.get(f"{FEEDS}{theirs.pk}/change/").status_code == 404
    office_html = as_user(client, w.office).get(FEEDS).content.decode()
    assert plans.token in office_html and mine.token not in office_html


def test_revoke_action_ends_the_feed(client, accounts):
    w = accounts
    feed = make_feed(w.official, unit=w.unit)
    assert fetch(client, feed).status_code == 200

    response = as_user(client, w.official).post(
        FEEDS, {"action": "revoke_feeds", "_selected_action": [feed.pk]}, follow=True,
    )

    assert "已撤销日历订阅 1 个" in response.content.decode()
    assert CalendarFeed.objects.get(pk=feed.pk).revoked_at is not None
    assert fetch(client, feed).status_code == 404


def test_revoke_button_on_the_change_page_ends_the_feed(client, accounts):
    w = accounts
    feed = make_feed(w.office, plan=w.plan)

    response = as_user(client, w.office).post(f"{FEEDS}{feed.pk}/change/", {"_revoke_feed": "1"}, follow=True)

    html = response.content.decode()
    assert "已撤销该日历订阅" in html and "已撤销" in html and "撤销此订阅" not in html
    assert fetch(client, feed).status_code == 404


def test_another_units_account_cannot_revoke_and_nothing_is_editable(client, accounts):
    w = accounts
    feed = make_feed(w.official, unit=w.unit)

    as_user(client, w.stranger).post(FEEDS, {"action": "revoke_feeds", "_selected_action": [feed.pk]})
    assert client.post(f"{FEEDS}{feed.pk}/change/", {"_revoke_feed": "1"}).status_code == 404
    as_user(client, w.official).post(f"{FEEDS}{feed.pk}/change/", {"unit": w.other_unit.pk, "token": "mine"})

    feed.refresh_from_db()
    assert (feed.is_active, feed.unit, len(feed.token)) == (True, w.unit, 43)
    assert client.post(f"{FEEDS}{feed.pk}/delete/", {"post": "yes"}).status_code == 403
    assert CalendarFeed.objects.filter(pk=feed.pk).exists()


def test_inbox_links_to_calendar_feeds(client, accounts):
    html = as_user(client, accounts.official).get("/admin/inbox/").content.decode()

    assert f'href="{FEEDS}"' in html and f'href="{FEEDS}add/"' in html and "日历订阅" in html
