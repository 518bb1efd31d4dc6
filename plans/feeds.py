"""Calendar feeds (.ics, RFC 5545) of task deadlines and report due dates, built with the
`icalendar` library.

- A unit's feed: the deadlines of the active tasks on which the unit, or a collective unit
  it belongs to (各县区政府(管委) for 浚县人民政府), holds any role; and the report due date
  of every period of each plan where it (or its collective) is a responsible unit of an
  active task.
- A plan's feed: the deadlines of all its active tasks and the due date of every period.

Every event is an all-day event. Its UID is stable (the row's id, and the unit for a unit's
feed) and its SEQUENCE is the row's `version`, which goes up on every save: a calendar
client that has the event replaces it when a date changes. A recurring deadline with a
first date repeats by an RRULE (每季度 → FREQ=MONTHLY;INTERVAL=3) until the plan ends; one
without a date is left out.

A feed costs a constant number of queries whatever the number of tasks: rows are read as
values(), never one query per task.
"""
from __future__ import annotations

import calendar as month_calendar
import datetime
import re

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.http.request import split_domain_port
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from plans.models import (
    Assignment,
    CalendarFeed,
    Deadline,
    DeadlineKind,
    NodeKind,
    ReportingPeriod,
    Role,
    Task,
    units_answering_for,
)
from plans.periods import MONTHS_PER_PERIOD

PRODID = "-//plans tracker//task deadlines calendar feed 1.0//ZH"
REFRESH = datetime.timedelta(hours=1)  # a hint to clients; the view lets caches keep it 5 minutes
TITLE_CHARS = 30  # a task's title in an event's summary, cut with "…"
_ONE_DAY = datetime.timedelta(days=1)
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,64}")  # what secrets.token_urlsafe gives, within the column


def feed_path(feed: CalendarFeed) -> str:
    return reverse("calendar-feed", args=[feed.token])


def feed_url(request, feed: CalendarFeed) -> str:
    """The feed's full address, as the calendar application needs it."""
    return request.build_absolute_uri(feed_path(feed))


def active_feed(token: str) -> CalendarFeed | None:
    """The feed of a token, None when the token is unknown, malformed or revoked."""
    if not TOKEN_PATTERN.fullmatch(token or ""):
        return None  # never sent to the database (a NUL byte would upset PostgreSQL)
    return CalendarFeed.objects.active().select_related("unit", "plan").filter(token=token).first()


def calendar_name(feed: CalendarFeed) -> str:
    return _("%(name)s · 任务时限") % {"name": feed.unit or feed.plan}


def file_names(feed: CalendarFeed) -> tuple[str, str]:
    """(ASCII name, full name) of the .ics file: unit-12-deadlines.ics, 市发改委-任务时限.ics."""
    kind, pk = ("unit", feed.unit_id) if feed.unit_id else ("plan", feed.plan_id)
    name = re.sub(r'[\\/:*?"<>|\s]+', "-", str(feed.unit or feed.plan)).strip("-") or kind
    suffix = _("任务时限")
    return f"{kind}-{pk}-deadlines.ics", f"{name}-{suffix}.ics"


# --- the feed ----------------------------------------------------------------------------
def feed_ical(feed: CalendarFeed, request) -> bytes:
    """The feed's calendar, serialised (CRLF line ends, lines folded at 75 octets)."""
    return FeedBuilder(feed, request).calendar().to_ical()


def _summary_prefix(kind: str) -> str:
    return {
        DeadlineKind.DUE: _("完成时限："),
        DeadlineKind.START: _("开始："),
        DeadlineKind.PERIOD_END: _("期间截止："),
        DeadlineKind.RECURRING: _("定期："),
    }.get(kind, _("完成时限："))


def _unit_name(row: dict) -> str:
    """A unit as str(Unit) names it: its short name, else its full name."""
    return row["unit__short_name"] or row["unit__name"]


def _last_day(day: datetime.date) -> bool:
    return day.day == month_calendar.monthrange(day.year, day.month)[1]


def recurrence(rule: str, first: datetime.date, until: datetime.date | None) -> dict | None:
    """The RRULE of a recurring deadline first due on `first` (rule "quarterly:3:23",
    "monthly:1:end", "yearly", …; see plans.importers.deadlines), or None for a rule we do
    not know or one that ends before it starts. Kept in step with DTSTART: a day past the
    28th falls on the month's last day in shorter months (BYMONTHDAY=28,…,d;BYSETPOS=-1),
    "end" on every month's last day."""
    frequency, _sep, rest = (rule or "").partition(":")
    months = MONTHS_PER_PERIOD.get(frequency)
    if months is None or (until is not None and until < first):
        return None
    day = rest.partition(":")[2]
    recur: dict = {"freq": "yearly" if months == 12 else "monthly"}
    if months not in (1, 12):
        recur["interval"] = months
    if day == "end" and _last_day(first):
        recur["bymonthday"] = [-1]
    elif first.day > 28:
        wanted = int(day) if day.isdigit() and _last_day(first) and int(day) > first.day else first.day
        recur["bymonthday"] = list(range(28, wanted + 1))
        recur["bysetpos"] = [-1]
    if months == 12 and "bymonthday" in recur:
        recur["bymonth"] = [first.month]
    if until is not None:
        recur["until"] = until
    return recur


class FeedBuilder:
    """Reads a feed's rows (a constant number of queries) and makes the calendar."""

    def __init__(self, feed: CalendarFeed, request):
        self.feed = feed
        self.request = request
        self.host = split_domain_port(request.get_host())[0] or "localhost"
        self.stamp = timezone.now().replace(microsecond=0)
        self.acting = units_answering_for(feed.unit_id) if feed.unit_id else set()  # the unit and its collectives
        # one reverse() for all tasks: the change page's address split around the task's id
        self._task_url = request.build_absolute_uri(reverse("admin:plans_task_change", args=["0"])).rsplit("/0/", 1)

    # rows -----------------------------------------------------------------------------------
    def _assignments(self):
        """The unit's (or its collectives') assignments on active tasks."""
        return Assignment.objects.filter(unit_id__in=self.acting, task__kind=NodeKind.TASK, task__is_active=True)

    def _deadlines(self, tasks):
        changed = Deadline.history.model.objects.filter(id=OuterRef("pk")).order_by("-history_date")
        return (
            Deadline.objects.filter(task_id__in=tasks)
            .exclude(date__isnull=True)
            .annotate(last_modified=Subquery(changed.values("history_date")[:1]))
            .order_by("task__plan_id", "task__position", "position")
            .values(
                "id", "kind", "date", "rule", "text", "version", "last_modified", "task_id", "task__path",
                "task__title", "task__plan__title", "task__plan__period_end", "task__plan__valid_until",
            )
        )

    def _leads(self, tasks) -> dict[int, str]:
        rows = Assignment.objects.filter(task_id__in=tasks, is_lead=True).values(
            "task_id", "unit__name", "unit__short_name"
        )
        return {row["task_id"]: _unit_name(row) for row in rows}

    def _roles(self) -> dict[int, list[str]]:
        """Per task: the unit's roles (牵头单位, 配合单位（各县区政府(管委)）, …)."""
        roles: dict[int, list[str]] = {}
        rows = (
            self._assignments().order_by("task_id", "role", "position")
            .values("task_id", "unit_id", "unit__name", "unit__short_name", "role", "is_lead")
        )
        for row in rows:
            label = _("牵头单位") if row["is_lead"] else str(Role(row["role"]).label)
            if row["unit_id"] != self.feed.unit_id:
                label = _("%(role)s（%(collective)s）") % {"role": label, "collective": _unit_name(row)}
            roles.setdefault(row["task_id"], []).append(label)
        return roles

    def _periods(self):
        if self.feed.unit_id:
            responsible = self._assignments().filter(role=Role.RESPONSIBLE).values("task__plan_id")
            periods = ReportingPeriod.objects.filter(plan_id__in=responsible)
        else:
            periods = ReportingPeriod.objects.filter(plan_id=self.feed.plan_id)
        return periods.order_by("plan_id", "start", "pk").values(
            "id", "label", "start", "end", "due_date", "version", "plan__title",
        )

    # the calendar ---------------------------------------------------------------------------
    def calendar(self) -> Calendar:
        cal = Calendar()
        cal.add("prodid", PRODID)
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("method", "PUBLISH")
        name = calendar_name(self.feed)
        cal.add("name", name)
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", settings.TIME_ZONE)
        cal.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", "PT1H")

        if self.feed.unit_id:
            tasks = self._assignments().values("task_id")
        else:  # every active task of the plan, units assigned or not
            tasks = Task.objects.filter(plan_id=self.feed.plan_id, kind=NodeKind.TASK, is_active=True).values("pk")
        roles = self._roles() if self.feed.unit_id else {}
        leads = self._leads(tasks)
        for row in self._deadlines(tasks):
            cal.add_component(self._deadline_event(row, leads.get(row["task_id"]), roles.get(row["task_id"])))
        for row in self._periods():
            cal.add_component(self._period_event(row))
        return cal

    def _uid(self, kind: str, pk: int) -> str:
        scope = f".unit-{self.feed.unit_id}" if self.feed.unit_id else ""
        return f"{kind}-{pk}{scope}@{self.host}"

    def _event(
        self, uid: str, day: datetime.date, version: int, summary: str, description: list[str], url: str
    ) -> Event:
        event = Event()
        event.add("uid", uid)
        event.add("dtstamp", self.stamp)
        event.add("dtstart", day)
        event.add("dtend", day + _ONE_DAY)
        event.add("sequence", version)
        event.add("summary", summary)
        event.add("description", "\n".join(line for line in description if line))
        event.add("url", url)
        event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
        return event

    def _deadline_event(self, row: dict, lead: str | None, roles: list[str] | None) -> Event:
        task = f"{row['task__path']} {row['task__title']}".strip()
        short = f"{row['task__path']} {Truncator(row['task__title']).chars(TITLE_CHARS)}".strip()
        description = [
            _("任务：%(task)s") % {"task": task},
            _("行动方案：%(plan)s") % {"plan": row["task__plan__title"]},
            _("牵头单位：%(unit)s") % {"unit": lead} if lead else "",
            _("本单位职责：%(roles)s") % {"roles": "、".join(roles)} if roles else "",
            _("时限原文：%(text)s") % {"text": row["text"]} if row["text"] else "",
        ]
        event = self._event(
            self._uid("deadline", row["id"]), row["date"], row["version"], _summary_prefix(row["kind"]) + short,
            description, f"/{row['task_id']}/".join(self._task_url),
        )
        if row["kind"] == DeadlineKind.RECURRING:
            until = row["task__plan__valid_until"] or row["task__plan__period_end"]
            rule = recurrence(row["rule"], row["date"], until)
            if rule is not None:
                event.add("rrule", rule)
        if row["last_modified"] is not None:
            event.add("last-modified", row["last_modified"].astimezone(datetime.timezone.utc).replace(microsecond=0))
        return event

    def _period_event(self, row: dict) -> Event:
        if self.feed.unit_id:
            url = self.request.build_absolute_uri(reverse("inbox"))
        else:
            url = self.request.build_absolute_uri(reverse("admin:plans_reportingperiod_change", args=[row["id"]]))
        description = [
            _("报送周期：%(label)s（%(start)s至%(end)s）")
            % {"label": row["label"], "start": row["start"].isoformat(), "end": row["end"].isoformat()},
            _("行动方案：%(plan)s") % {"plan": row["plan__title"]},
        ]
        summary = _("报送截止：%(plan)s %(period)s") % {"plan": row["plan__title"], "period": row["label"]}
        return self._event(self._uid("period", row["id"]), row["due_date"], row["version"], summary, description, url)
