"""The permission matrix over every URL the server answers, generated from the URLconf.

Every URL pattern (admin pages of every registered model including django-simple-history's
per-version pages, the app's own pages, the API's routes with their format suffixes) is
filled in with the ids of objects an actor may not reach and requested as each actor (two
units' officials and leaders, a member of a collective unit, two plans' offices, anonymous)
with GET and POST (the API also with PATCH and DELETE). Each request must be refused (403,
404, 405, or the login page for anonymous), leave the database exactly as it was, and show
no text of anything outside the actor's reach. Forms are filled as a browser would (the page's
own fields) and their foreign keys replaced by ids the actor may not use; a control run
posts the same forms unforged and must change the database, so the forged runs prove
something. A pattern whose parameters the rules below do not know fails the test: a new URL
gets rules before it lands.
"""
from __future__ import annotations

import datetime
import hashlib
import io
import itertools
import json
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.authtoken.models import Token

from plans import services
from django.core.files.uploadedfile import SimpleUploadedFile

from plans.models import (
    Acknowledgement,
    Assignment,
    AssignmentPerson,
    Attachment,
    CalendarFeed,
    CompletionClaim,
    ExtensionRequest,
    Deadline,
    IndicatorValue,
    Job,
    MemberRole,
    Membership,
    Plan,
    ProgressReport,
    Reminder,
    ReportingPeriod,
    Role,
    PlanImport,
    SheetImport,
    Target,
    Task,
    Unit,
    UnitAlias,
    UnitKind,
)
from plans.roles import GROUP_OF_ROLE, OFFICE_GROUP, groups_ensure
from tests.factories import (
    AssignmentFactory,
    CalendarFeedFactory,
    DeadlineFactory,
    IndicatorValueFactory,
    MembershipFactory,
    PlanFactory,
    PlanIssuerFactory,
    ReminderFactory,
    ReportingPeriodFactory,
    SectionFactory,
    SheetImportFactory,
    TargetFactory,
    TaskFactory,
    UnitFactory,
    UserFactory,
)

User = get_user_model()

UNITS = ["official_a", "leader_a", "official_b", "leader_b", "member_m"]
ACTORS = [*UNITS, "office", "other_office", "anonymous"]

# Who may read each scope of the world. P: plan P's plan-level rows; T and B: the rows of task
# T (units A, collective C with member M, supporting S) and task B (unit B) in plan P; Q: plan
# Q, which none of these units work on; the rest: one unit's or one office's own records.
READERS = {
    "P": {"official_a", "leader_a", "official_b", "leader_b", "member_m", "office"},
    "T": {"official_a", "leader_a", "member_m", "office"},
    "B": {"official_b", "leader_b", "office"},
    "Q": {"other_office"},
    "remA": {"official_a", "leader_a", "office"},
    "remB": {"official_b", "leader_b", "office"},
    "remQ": {"other_office"},
    "feedA": {"official_a", "leader_a"},
    "feedB": {"official_b", "leader_b"},
    "feedP": {"office"},
    "feedQ": {"other_office"},
    "impA": {"leader_a", "office"},
    "impB": {"leader_b", "office"},
    "impQ": {"other_office"},
    "planimpP": {"office"},
    "planimpQ": {"other_office"},
    "ackM": {"member_m", "office"},
    "jobA": {"official_a"},
    "jobO": {"office"},
    "jobQ": {"other_office"},
}
# Who may change rows of each scope (units also write their own reports, values and feeds:
# given per object below). Reminders and uploads are records nobody edits in the admin.
WRITERS = {"P": {"office"}, "T": {"office"}, "B": {"office"}, "Q": {"other_office"}, "shared": {"office", "other_office"}}

REFUSED = {401, 403, 404, 405}
# Fields an added copy of a row must change to be valid (its place in a list)
UNIQUE_ON_ADD = {Deadline: ("position",), Target: ("position",), Assignment: ("position",)}


@dataclass
class Obj:
    instance: object
    scope: str
    marker: str = ""
    writers: set = field(default_factory=set)

    @property
    def readers(self) -> set:
        return READERS[self.scope]


@dataclass
class World:
    users: dict
    objects: dict  # model -> [Obj]

    def add(self, instance, scope, marker="", writers=None):
        writers = set(WRITERS.get(scope, set())) if writers is None else set(writers)
        self.objects.setdefault(type(instance), []).append(Obj(instance, scope, marker, writers))

    def of(self, model) -> list[Obj]:
        return self.objects.get(model, [])

    def markers_hidden_from(self, actor) -> list[str]:
        return sorted({obj.marker for objs in self.objects.values() for obj in objs if obj.marker and actor not in obj.readers})

    def unreadable(self, model, actor) -> list[Obj]:
        """The rows of `model` outside the actor's reach, nearest first (same plan before
        another plan), at most two: the hardest case and the plain one."""
        rows = [obj for obj in self.of(model) if actor not in obj.readers]
        rows.sort(key=lambda obj: obj.scope == "Q")
        return rows[:1] + rows[-1:] if len(rows) > 1 else rows

    def readable(self, model, actor) -> list[Obj]:
        return [obj for obj in self.of(model) if actor in obj.readers][:2]


def build_world() -> World:
    """Plan P (office `office`) with task T (A leads, collective C responsible with member M,
    S supports) and task B (unit B); plan Q (office `other_office`, unit Z) that none of P's
    units work on. Every scoped row carries a marker that must not reach outsiders."""
    world = World(users={}, objects={})
    plan_p = PlanFactory(title="MKPLANP 鹤壁市蓝天工程实施方案")
    plan_q = PlanFactory(title="MKPLANQ 福建省出口产业行动方案")
    unit_a, unit_b, unit_s, unit_m, unit_z = (
        UnitFactory(short_name=name) for name in ("市发改委", "市公安局", "市财政局", "浚县政府", "省商务厅")
    )
    collective = UnitFactory(short_name="各县区政府(管委)", kind=UnitKind.COLLECTIVE)
    collective.members.add(unit_m)
    for plan, scope, issuer in ((plan_p, "P", unit_a), (plan_q, "Q", unit_z)):
        world.add(plan, scope, f"MKPLAN{scope}")
        world.add(PlanIssuerFactory(plan=plan, unit=issuer), scope)
        world.add(SectionFactory(plan=plan, title=f"MKSEC{scope} 主要任务"), scope, f"MKSEC{scope}")
        world.add(TargetFactory(plan=plan, indicator=f"MKGOAL{scope} 优良天数", owner=None), scope, f"MKGOAL{scope}")
    task_t = TaskFactory(plan=plan_p, title="MKTASKT 燃煤替代", text="MKTEXTT")
    task_b = TaskFactory(plan=plan_p, title="MKTASKB 黄标车淘汰")
    task_q = TaskFactory(plan=plan_q, title="MKTASKQ 出口信用保险")
    tasks = {"T": (task_t, [(unit_a, Role.RESPONSIBLE), (collective, Role.RESPONSIBLE), (unit_s, Role.SUPPORTING)]),
             "B": (task_b, [(unit_b, Role.RESPONSIBLE)]),
             "Q": (task_q, [(unit_z, Role.RESPONSIBLE)])}
    for scope, (task, roles) in tasks.items():
        world.add(task, scope, f"MKTASK{scope}")
        for unit, role in roles:
            world.add(AssignmentFactory(task=task, unit=unit, role=role), scope)
        world.add(DeadlineFactory(task=task, text=f"MKDUE{scope}底前"), scope, f"MKDUE{scope}")
        world.add(TargetFactory(plan=task.plan, task=task, indicator=f"MKIND{scope}", owner=roles[0][0]), scope, f"MKIND{scope}")

    accounts = [
        ("official_a", unit_a, MemberRole.OFFICIAL), ("leader_a", unit_a, MemberRole.LEADER),
        ("official_b", unit_b, MemberRole.OFFICIAL), ("leader_b", unit_b, MemberRole.LEADER),
        ("member_m", unit_m, MemberRole.LEADER), ("official_z", unit_z, MemberRole.OFFICIAL),
    ]
    groups = groups_ensure()
    users = world.users
    for name, unit, role in accounts:
        users[name] = MembershipFactory(user=UserFactory(username=name), unit=unit, role=role).user
        users[name].groups.add(groups[GROUP_OF_ROLE[role]])
    for name, plan in (("office", plan_p), ("other_office", plan_q)):
        users[name] = UserFactory(username=name)
        users[name].groups.add(groups[OFFICE_GROUP])
        plan.office_staff.add(users[name])
    users["admin"] = UserFactory(username="admin", is_superuser=True)
    token = apps.get_model("authtoken", "TokenProxy").objects.get(pk=Token.objects.create(user=users["official_b"]).pk)
    for row in [*Membership.objects.all(), *User.objects.all(), *groups.values(), token]:
        world.add(row, "superuser")

    unit_writers = {unit_a.pk: {"official_a", "leader_a"}, unit_b.pk: {"official_b", "leader_b"},
                    unit_m.pk: {"member_m"}, collective.pk: {"member_m"}}
    for plan, scope in ((plan_p, "P"), (plan_q, "Q")):
        office = users["office" if scope == "P" else "other_office"]
        period = ReportingPeriodFactory(plan=plan, label="2016Q3", due_date=datetime.date(2016, 9, 23))
        services.period_open(user=office, period=period)
        world.add(period, scope)
        for report in ProgressReport.objects.filter(period=period).select_related("task"):
            task_scope = next(key for key, (task, _) in tasks.items() if task.pk == report.task_id)
            marker = f"MKREP{task_scope}{report.unit_id}"
            ProgressReport.objects.filter(pk=report.pk).update(progress=marker)
            report.refresh_from_db()
            world.add(report, task_scope, marker, writers=WRITERS[task_scope] | unit_writers.get(report.unit_id, set()))
        for target in Target.objects.filter(plan=plan):
            target_scope = next((key for key, (task, _) in tasks.items() if task.pk == target.task_id), scope)
            marker = f"MKVAL{target.pk}"
            value = IndicatorValueFactory(target=target, period=period, note=marker)
            world.add(value, target_scope, marker, writers=WRITERS[target_scope] | unit_writers.get(target.owner_id, set()))

    # a later period with nothing entered yet: where a copied indicator value may go
    world.add(ReportingPeriodFactory(plan=plan_p, label="2016Q4", start=datetime.date(2016, 10, 1),
                                     end=datetime.date(2016, 12, 31), due_date=datetime.date(2016, 12, 23)), "P")
    for scope, unit, plan in (("remA", unit_a, plan_p), ("remB", unit_b, plan_p), ("remQ", unit_z, plan_q)):
        reminder = ReminderFactory(unit=unit, subject=f"MK{scope.upper()} 催报", body=f"MK{scope.upper()}BODY")
        reminder.plans.add(plan)
        world.add(reminder, scope, f"MK{scope.upper()}")
    for scope, kwargs, creator in (
        ("feedA", {"unit": unit_a}, "official_a"), ("feedB", {"unit": unit_b}, "official_b"),
        ("feedP", {"plan": plan_p, "unit": None}, "office"), ("feedQ", {"plan": plan_q, "unit": None}, "other_office"),
    ):
        token = f"mk{scope.lower()}-{'x' * 30}"
        feed = CalendarFeedFactory(token=token, created_by=users[creator], **kwargs)
        world.add(feed, scope, token, writers=READERS[scope])
    for scope, uploader, plan in (("impA", "leader_a", plan_p), ("impB", "leader_b", plan_p), ("impQ", "other_office", plan_q)):
        upload = SheetImportFactory(period=plan.periods.get(label="2016Q3"), uploaded_by=users[uploader], file_name=f"MK{scope.upper()}.xlsx")
        world.add(upload, scope, f"MK{scope.upper()}")
    for scope, uploader in (("planimpP", "office"), ("planimpQ", "other_office")):
        draft = PlanImport.objects.create(
            source_name=f"MK{scope.upper()}.txt", source_kind="txt", source_sha256="0" * 64, uploaded_by=users[uploader],
            source_text="鹤壁市某某工作方案\n一、重点任务\n（一）推进某项工作。（责任单位：市发改委）",
        )
        world.add(draft, scope, f"MK{scope.upper()}", writers={uploader})
    the_cycle(world, tasks, unit_writers)
    for scope, owner in (("jobA", "official_a"), ("jobO", "office"), ("jobQ", "other_office")):
        job = services.job_create(user=users[owner], kind="export", params={})
        services.job_begin(job_id=job.pk)
        services.job_finish(job=job, content=io.BytesIO(f"MK{scope.upper()}FILE".encode()), filename=f"MK{scope.upper()}.xlsx")
        world.add(job, scope, f"MK{scope.upper()}", writers=set())
    for unit in (unit_a, unit_b, unit_s, unit_m, unit_z, collective):
        world.add(unit, "shared")
    world.add(UnitAlias.objects.create(unit=unit_a, jurisdiction="鹤壁市", name="发改委"), "shared")
    return world


def the_cycle(world: World, tasks: dict, unit_writers: dict) -> None:
    """The supervision cycle's rows: 签收 of each unit (its own accounts sign, its plan's office
    reads), a 延期申请 and a 办结申请 of task T's lead (the task's readers read, the office
    decides) and of plan Q, a 批示 on each task (the task's readers), a named contact on A's part
    of T (A's accounts and the office name people) and evidence on A's report of T."""
    users = world.users
    task_t, task_q = tasks["T"][0], tasks["Q"][0]
    for assignment in world.of(Assignment):  # a unit names the people of its own part (not a collective's)
        if not assignment.instance.unit.is_collective:
            assignment.writers |= unit_writers.get(assignment.instance.unit_id, set())
    scope_of_unit = {}
    for scope, (task, roles) in tasks.items():
        for unit, _role in roles:
            scope_of_unit.setdefault(unit.pk, {"T": "remA", "B": "remB", "Q": "remQ"}[scope])
    for plan_scope, office in (("P", "office"), ("Q", "other_office")):
        plan = next(obj.instance for obj in world.of(Plan) if obj.scope == plan_scope)
        services.acknowledgements_ensure(plan=plan, user=users[office])
    for ack in Acknowledgement.objects.select_related("unit"):
        scope = "ackM" if ack.unit.short_name == "浚县政府" else scope_of_unit[ack.unit_id]
        world.add(ack, scope, writers=unit_writers.get(ack.unit_id, set()) - ({"member_m"} if scope != "ackM" else set()))

    deadline_t = task_t.deadlines.get()
    extension_t = services.extension_request(
        user=users["leader_a"], deadline=deadline_t, requested_date=deadline_t.date + datetime.timedelta(days=30),
        reason="MKEXTT 设备未到", today=deadline_t.date,
    )
    world.add(extension_t, "T", "MKEXTT", writers={"office"})
    world.add(services.completion_claim(user=users["leader_a"], task=task_t, summary="MKCLAIMT 已完成"),
              "T", "MKCLAIMT", writers={"office"})
    unit_z = task_q.assignments.get(is_lead=True).unit
    deadline_q = task_q.deadlines.get()
    world.add(ExtensionRequest.objects.create(
        task=task_q, deadline=deadline_q, unit=unit_z, current_date=deadline_q.date,
        requested_date=deadline_q.date + datetime.timedelta(days=30), reason="MKEXTQ", requested_by=users["official_z"],
    ), "Q", "MKEXTQ", writers={"other_office"})
    world.add(CompletionClaim.objects.create(
        task=task_q, unit=unit_z, summary="MKCLAIMQ", claimed_by=users["official_z"],
    ), "Q", "MKCLAIMQ", writers={"other_office"})

    world.add(services.comment_add(user=users["office"], task=task_t, text="MKCOMT 请加快", is_instruction=True),
              "T", "MKCOMT")
    world.add(services.comment_add(user=users["other_office"], task=task_q, text="MKCOMQ 请加快"), "Q", "MKCOMQ")
    lead_t = task_t.assignments.get(is_lead=True)
    world.add(services.assignment_person_save(
        user=users["leader_a"], assignment=lead_t, kind="contact", name="MKPERT", phone="0392-0000000",
    ), "T", "MKPERT", writers={"office", "official_a", "leader_a"})
    world.add(AssignmentPerson.objects.create(
        assignment=task_q.assignments.get(is_lead=True), kind="leader", name="MKPERQ",
    ), "Q", "MKPERQ", writers={"other_office"})
    for scope, task, uploader, writers in (
        ("T", task_t, "official_a", {"office", "official_a", "leader_a"}), ("Q", task_q, "other_office", {"other_office"}),
    ):
        report = ProgressReport.objects.get(task=task, unit=task.assignments.get(is_lead=True).unit)
        upload = SimpleUploadedFile(f"MKATT{scope}.pdf", f"%PDF-1.4 MKFILE{scope}\n%%EOF\n".encode())
        attachment = services.attachment_add(user=users[uploader], owner=report, upload=upload)
        world.add(attachment, scope, f"MKATT{scope}", writers=writers)


READERS["shared"] = set(ACTORS) - {"anonymous"}
READERS["superuser"] = set()


# --- the URLconf, walked -----------------------------------------------------------------------
@dataclass
class Route:
    pattern: str  # the full pattern text, route or regex
    name: str | None
    callback: object

    @property
    def params(self) -> list[str]:
        """The pattern's parameters in order: named (route converters, regex groups) or positional."""
        return _params(self.pattern)


def _params(pattern: str) -> list[str]:
    found = []
    for match in re.finditer(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)|\((?!\?)[^)]*\)", pattern):
        found.append(match.group(1) or match.group(2) or f"_{len(found)}")
    return found


def _fill(pattern: str, values: list[str]) -> str:
    """The URL of a pattern with its parameters replaced by `values`, in order."""
    values = iter(values)
    url = re.sub(r"<(?:\w+:)?\w+>|\(\?P<\w+>[^)]*\)|\((?!\?)[^)]*\)", lambda _m: next(values), pattern)
    url = url.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "")
    return "/" + url


def routes() -> list[Route]:
    def walk(resolver, prefix):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield Route(prefix + str(entry.pattern), entry.name, entry.callback)

    return list(walk(get_resolver(), ""))


def admin_model_of(route: Route):
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        if route.pattern.startswith(prefix):
            return model, model_admin
    return None, None


API_MODELS = {
    "units": Unit, "plans": Plan, "tasks": Task, "periods": ReportingPeriod, "reports": ProgressReport,
    "sheet-imports": SheetImport, "indicators": Target, "indicator-values": IndicatorValue,
    "plan-imports": PlanImport, "attachments": Attachment, "acknowledgements": Acknowledgement,
    "extension-requests": ExtensionRequest, "completion-claims": CompletionClaim, "jobs": Job,
}
APP_PAGES = {  # our own pages: the model each object parameter stands for
    "progress-sheet": {"period_id": ReportingPeriod},
    "sheet-import": {"pk": SheetImport},
    "public-plan": {"pk": Plan},
    "public-sheet": {"pk": Plan},
    "calendar-feed": {"token": CalendarFeed},
    "attachment-download": {"pk": Attachment},
    "period-evidence-zip": {"period_id": ReportingPeriod},
    "job-detail": {"pk": Job},
    "job-file": {"pk": Job},
}
# Parameters that name no object, with the value each is requested with.
PLAIN_PARAMS = {"format": "json", "app_label": "plans", "url": "no-such-page/"}
# Accounts, and every model of another app registered in the admin (groups, tokens, login
# attempts): the superuser's alone.
SUPERUSER_ONLY = {Membership} | {model for model in admin.site._registry if model._meta.app_label != "plans"}


def api_model_of(route: Route):
    match = re.match(r"api/\^([\w-]+)", route.pattern)
    return API_MODELS.get(match.group(1)) if match else None


# --- what a response may show and do ------------------------------------------------------------
def fingerprint() -> str:
    """Every row of every table the application writes (sessions excluded: logging in and out
    is not a change of data)."""
    digest = hashlib.sha256()
    tables = sorted(
        model._meta.db_table for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label not in {"sessions", "contenttypes", "axes"} and not model._meta.proxy and model._meta.managed
    )
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} ORDER BY 1")
            digest.update(table.encode())
            digest.update(repr(cursor.fetchall()).encode())
    return digest.hexdigest()


def body_text(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                return " ".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
        except zipfile.BadZipFile:
            pass
    return content.decode("utf-8", "replace")


def refused(response, actor: str) -> bool:
    if response.status_code in REFUSED:
        return True
    location = response.get("Location", "")
    if actor == "anonymous" and response.status_code == 302 and "/login/" in location:
        return True
    return False


class FormFields(HTMLParser):
    """The fields of a page's main admin form, as a browser would submit them."""

    def __init__(self):
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._in_form = False
        self._select = None
        self._select_multiple = False
        self._textarea = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("method", "").lower() == "post" and attrs.get("id", "").endswith("_form"):
            self._in_form = True
        if not self._in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind in ("submit", "button", "file"):
                return
            self.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select, self._select_multiple = name, "multiple" in attrs
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.fields.append((self._textarea, "".join(self._text).lstrip("\n")))
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


def form_of(client, url) -> dict | None:
    response = client.get(url)
    if response.status_code != 200:
        return None
    parser = FormFields()
    parser.feed(response.content.decode())
    data: dict[str, list[str]] = {}
    for name, value in parser.fields:
        data.setdefault(name, []).append(value)
    return data or None


def add_form(route: Route, model, actor: str, world: World, clients: dict) -> dict | None:
    """The add page's form filled in with the values of a row the actor may change, as a
    user copying an existing row would (the inlines left empty)."""
    url = _fill(route.pattern, [])
    data = form_of(clients[actor], url) or form_of(clients["admin"], url)
    template = next((obj for obj in world.of(model) if actor in obj.writers), None)
    if data is None or template is None:
        return data
    change = form_of(clients[actor], f"{url.removesuffix('add/')}{template.instance.pk}/change/") or {}
    data.update({name: values for name, values in change.items() if "-" not in name and name in data})
    return data


def forged(data: dict, model, world: World, actor: str) -> dict | None:
    """The form with every foreign key the actor could type replaced by a row it may not use;
    None when the form has no such field."""
    changed = dict(data)
    hit = False
    for name in data:
        try:
            model_field = model._meta.get_field(name)
        except Exception:
            continue
        if not model_field.is_relation or model_field.related_model in (Unit, User):
            continue
        outside = [obj for obj in world.of(model_field.related_model) if actor not in obj.writers]
        outside.sort(key=lambda obj: actor in obj.readers, reverse=True)  # readable but not usable first
        if outside:
            changed[name] = [str(outside[0].instance.pk)]
            hit = True
    return changed if hit else None


# --- the requests ---------------------------------------------------------------------------------
@dataclass
class Case:
    method: str
    url: str
    data: object = None
    content_type: str | None = None
    must_refuse: bool = False  # 403/404/405 (or the login page): the object is outside reach
    redirect_to: str = ""  # a redirect to this URL counts as refused (it says nothing)


def _history_id(instance) -> str:
    history = getattr(type(instance), "history", None)
    if history is None:
        return "1"
    record = history.filter(id=instance.pk).order_by("-history_id").first()
    return str(record.history_id) if record else "1"


def _values(route: Route, obj: Obj) -> list[str]:
    values = []
    for name in route.params:
        if name in PLAIN_PARAMS:
            values.append(PLAIN_PARAMS[name])
        elif name == "token":
            values.append(obj.instance.token)
        elif name == "_1":  # simple-history's version page: the object's latest version
            values.append(_history_id(obj.instance))
        else:
            values.append(str(obj.instance.pk))
    return values


def _object_param_count(route: Route) -> int:
    return sum(1 for name in route.params if name not in PLAIN_PARAMS)


def _api_body(model, world: World, actor: str) -> dict:
    """A JSON body for a create: a readable row's plain fields, every foreign key a row the
    actor may not use."""
    body = {}
    template = next(iter(world.of(model)), None)
    if template is not None:
        for model_field in model._meta.concrete_fields:
            if model_field.primary_key or model_field.is_relation:
                continue
            value = getattr(template.instance, model_field.attname)
            body[model_field.name] = value if isinstance(value, (int, str, bool, type(None))) else str(value)
    for model_field in model._meta.concrete_fields:
        if model_field.is_relation and model_field.related_model not in (Unit, User):
            outside = [obj for obj in world.of(model_field.related_model) if actor not in obj.writers]
            if outside:
                body[model_field.name] = outside[0].instance.pk
    body["value"] = body.get("value") or "1"
    return body


class _Stand_in:
    """A row id for a superuser-only model the world has no row of: refused all the same."""

    pk = 1


def admin_cases(route, model, model_admin, actor, world, clients) -> list[Case]:
    cases = []
    superuser_only = model in SUPERUSER_ONLY
    if _object_param_count(route) == 0:
        url = _fill(route.pattern, [PLAIN_PARAMS.get(name, "") for name in route.params])
        cases.append(Case("GET", url, must_refuse=superuser_only))
        if route.name and route.name.endswith("_add"):
            data = add_form(route, model, actor, world, clients) or {}
            forged_data = forged(data, model, world, actor)
            if forged_data is not None:
                cases.append(Case("POST", url, forged_data, must_refuse=superuser_only))
            elif not any(actor in obj.writers for obj in world.of(model)):  # may not add at all
                cases.append(Case("POST", url, data, must_refuse=superuser_only))
        elif route.name and route.name.endswith("_changelist"):
            untouchable = [str(obj.instance.pk) for obj in world.of(model) if actor not in obj.writers]
            for action in ("delete_selected", *(getattr(model_admin, "actions", None) or [])):
                name = action if isinstance(action, str) else action.__name__
                cases.append(Case("POST", url, {"action": name, "_selected_action": untouchable, "index": "0", "post": "yes"},
                                  must_refuse=superuser_only))
        else:
            cases.append(Case("POST", url, {}, must_refuse=superuser_only))
        return cases
    objects = (world.of(model) or [Obj(_Stand_in(), "superuser")]) if superuser_only else None
    targets = ([(obj, True) for obj in objects[:1]] if superuser_only else
               [(obj, True) for obj in world.unreadable(model, actor)] + [(obj, False) for obj in world.readable(model, actor)])
    for obj, outside in targets:
        url = _fill(route.pattern, _values(route, obj))
        change_url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{obj.instance.pk}/change/"
        redirect_to = change_url if route.name is None else ""
        if isinstance(obj.instance, _Stand_in) and route.name:  # no such row: Django's "does not exist" redirect
            redirect_to = "/admin/"
        cases.append(Case("GET", url, must_refuse=outside, redirect_to=redirect_to))
        data = {}
        if not outside:
            data = form_of(clients[actor], url) or {}
            if actor in obj.writers:
                data = forged(data, model, world, actor)
                if data is None:
                    continue
        cases.append(Case("POST", url, data, must_refuse=outside, redirect_to=redirect_to))
    return cases


def api_cases(route, model, actor, world) -> list[Case]:
    if _object_param_count(route) == 0:
        url = _fill(route.pattern, [PLAIN_PARAMS[name] for name in route.params])
        body = json.dumps(_api_body(model, world, actor), default=str)
        return [Case("GET", url), Case("POST", url, body, "application/json")]
    cases = []
    targets = [(obj, True) for obj in world.unreadable(model, actor)] + [
        (obj, False) for obj in world.readable(model, actor) if actor not in obj.writers
    ]
    for obj, outside in targets:
        url = _fill(route.pattern, _values(route, obj))
        body = json.dumps(_api_body(model, world, actor), default=str)
        cases.append(Case("GET", url, must_refuse=outside))
        for method in ("POST", "PATCH", "DELETE"):
            cases.append(Case(method, url, body, "application/json", must_refuse=outside))
    return cases


def page_cases(route, actor, world) -> list[Case] | None:
    """Our own pages and the other URLs; None for a pattern with parameters no rule knows."""
    object_params = [name for name in route.params if name not in PLAIN_PARAMS]
    if route.name == "view_on_site":
        cases = []
        for model in (Plan, Task, ProgressReport, Target, ReportingPeriod, SheetImport, Reminder, CalendarFeed):
            content_type = ContentType.objects.get_for_model(model)
            for obj in world.unreadable(model, actor):
                cases.append(Case("GET", _fill(route.pattern, [str(content_type.pk), str(obj.instance.pk)]), must_refuse=True))
        return cases
    if object_params:
        models = APP_PAGES.get(route.name)
        if models is None or set(models) != set(object_params):
            return None
        model = next(iter(models.values()))
        cases = []
        public = route.name.startswith("public-")  # no plan of the world is published: hidden from all
        for obj in world.of(model):
            outside = public or actor not in obj.readers
            if model is CalendarFeed:  # the token is the key: a wrong one opens nothing
                obj = Obj(CalendarFeed(token=obj.instance.token[:-4] + "zzzz"), obj.scope)
                outside = True
            url = _fill(route.pattern, _values(route, obj))
            cases.append(Case("GET", url, must_refuse=outside))
            cases.append(Case("POST", url, {"apply": "1"}, must_refuse=outside and not public))
        return cases
    url = _fill(route.pattern, [PLAIN_PARAMS[name] for name in route.params])
    cases = [Case("GET", url), Case("POST", url, {})]
    period = world.unreadable(ReportingPeriod, actor)
    plan = world.unreadable(Plan, actor)
    if period and plan:  # pages that take a plan or period by query: an unreadable one
        query = f"?plan={plan[0].instance.pk}&period={period[0].instance.pk}"
        cases.append(Case("GET", url + query))
        upload = io.BytesIO(b"PK\x03\x04 not a sheet")
        upload.name = "进展情况表.xlsx"
        cases.append(Case("POST", url, {"period": str(period[0].instance.pk), "file": upload}))
    if route.name == "autocomplete":
        for model, model_admin in admin.site._registry.items():
            for field_name in getattr(model_admin, "autocomplete_fields", []):
                query = f"?app_label={model._meta.app_label}&model_name={model._meta.model_name}&field_name={field_name}&term="
                cases.append(Case("GET", url + query))
    return cases


def history_cases(actor: str, world: World) -> list[Case]:
    """/api/history/{kind}/{id}/: an object's ledger, read only, for those who read the object."""
    from plans.api.history import KINDS

    cases = []
    for kind, (model, _rows) in KINDS.items():
        for obj in world.unreadable(model, actor):
            url = f"/api/history/{kind}/{obj.instance.pk}/"
            cases += [Case("GET", url, must_refuse=True), Case("POST", url, "{}", "application/json", must_refuse=True)]
        for obj in world.readable(model, actor):
            url = f"/api/history/{kind}/{obj.instance.pk}/"
            cases += [Case("GET", url), Case("DELETE", url, "{}", "application/json", must_refuse=True)]
    return cases


def cases_for(actor: str, world: World, clients: dict) -> tuple[list[Case], list[str]]:
    cases, unknown = [], []
    for route in routes():
        model, model_admin = admin_model_of(route)
        if "<int:task_id>" in route.pattern:  # a page of the task, kept under another model's admin
            model, model_admin = Task, admin.site._registry[Task]
        if model is not None:
            if not world.of(model) and model not in SUPERUSER_ONLY:
                unknown.append(f"{route.pattern} (no {model.__name__} in the world: add one with its readers)")
                continue
            cases += admin_cases(route, model, model_admin, actor, world, clients)
            continue
        if "history/(?P<kind>" in route.pattern:
            cases += history_cases(actor, world)
            continue
        if route.pattern.startswith("api/^") and route.name:
            model = api_model_of(route)
            if model is None:
                unknown.append(route.pattern)
                continue
            cases += api_cases(route, model, actor, world)
            continue
        found = page_cases(route, actor, world)
        if found is None:
            unknown.append(route.pattern)
        else:
            cases += found
    return cases, unknown


# --- the tests ------------------------------------------------------------------------------------
@pytest.fixture
def world(db):
    return build_world()


def _clients(world: World) -> dict:
    clients = {}
    for name in [*ACTORS, "admin"]:
        clients[name] = Client(raise_request_exception=False)
        if name != "anonymous":
            clients[name].force_login(world.users[name])
    return clients


def _send(client, case: Case):
    kwargs = {"content_type": case.content_type} if case.content_type else {}
    if case.method == "GET":
        return client.get(case.url)
    data = case.data
    if hasattr(data, "get") and any(hasattr(value, "read") for value in data.values()):
        for value in data.values():
            if hasattr(value, "seek"):
                value.seek(0)
    return getattr(client, case.method.lower())(case.url, data if data is not None else {}, **kwargs)


@pytest.mark.parametrize("actor", ACTORS)
def test_every_url_refuses_what_is_outside_reach(world, actor):
    clients = _clients(world)
    cases, unknown = cases_for(actor, world, clients)
    assert not unknown, f"URL patterns without permission rules in {__name__}: {unknown}"
    hidden = world.markers_hidden_from(actor)
    assert hidden, "the world hides something from every actor"
    client = clients[actor]
    failures = []
    before = fingerprint()
    for case in cases:
        response = _send(client, case)
        where = f"{actor} {case.method} {case.url} → {response.status_code}"
        if response.status_code >= 500:
            failures.append(f"{where}: server error")
        if case.must_refuse and not refused(response, actor):
            location = response.get("Location", "")
            if not (case.redirect_to and response.status_code in (301, 302) and location.endswith(case.redirect_to)):
                failures.append(f"{where}: not refused")
        leaked = [marker for marker in hidden if marker in body_text(response)]
        if leaked:
            failures.append(f"{where}: shows {leaked}")
        if case.method != "GET":
            after = fingerprint()
            if after != before:
                failures.append(f"{where}: changed the database")
                before = after
        if actor != "anonymous" and "logout" in case.url:
            client.force_login(world.users[actor])  # its last_login is no finding
            before = fingerprint()
    assert fingerprint() == before
    assert not failures, f"{len(failures)} of {len(cases)} requests:\n" + "\n".join(failures[:60])


def _choices_filled(data: dict, model, world: World, actor: str):
    """The form with its empty foreign keys (shown read-only on the change page the values
    were copied from) filled in with rows the actor may use, each combination in turn."""
    empty = [name for name, values in data.items() if values == [""] and "-" not in name
             and name in {f.name for f in model._meta.concrete_fields if f.is_relation}]
    options = [["", *(str(obj.instance.pk) for obj in world.of(model._meta.get_field(name).related_model)
                      if actor in obj.writers)] for name in empty]
    for combination in itertools.islice(itertools.product(*options), 30):
        yield {**data, **{name: [value] for name, value in zip(empty, combination)}}


def test_the_forged_forms_are_valid_but_for_their_forged_ids(world):
    """Control: each form the matrix forges, posted as filled (a plan's office, its own rows),
    changes the database. Without this, a forged form refused for a missing field would
    prove nothing."""
    clients = _clients(world)
    actor, posted, failures = "office", 0, []
    for route in routes():
        model, model_admin = admin_model_of(route)
        if model is None or model in SUPERUSER_ONLY or not route.name:
            continue
        if route.name.endswith("_add"):
            forms = [(_fill(route.pattern, []), add_form(route, model, actor, world, clients))]
        elif route.name.endswith("_change"):
            forms = [(_fill(route.pattern, [str(obj.instance.pk)]), None) for obj in world.of(model) if actor in obj.writers][:1]
            forms = [(url, form_of(clients[actor], url)) for url, _none in forms]
        else:
            continue
        for url, data in forms:
            if not data or forged(data, model, world, actor) is None:
                continue
            if route.name.endswith("_add"):
                for name in UNIQUE_ON_ADD.get(model, ()):
                    data[name] = [str(int(data[name][0]) + 100)]
            before = fingerprint()
            for filled in _choices_filled(data, model, world, actor):
                response = clients[actor].post(url, filled)
                if response.status_code == 302:
                    break
            posted += 1
            if response.status_code != 302 or fingerprint() == before:
                failures.append(f"{url} → {response.status_code}")
    assert posted >= 8
    assert not failures, failures


def test_every_admin_form_and_inline_limits_its_choices_of_plan_rows():
    """The matrix forges the fields of each page's main form; the inlines' foreign keys are
    held here to the same rule: a link to a plan, task, period or target (other than the
    inline's parent) is offered and accepted only among the rows the user may use."""
    from plans.admin.scoping import UsableChoices

    plan_rows = (Plan, Task, ReportingPeriod, Target)
    unguarded = []
    for model, model_admin in admin.site._registry.items():
        if model in SUPERUSER_ONLY:
            continue
        forms = [(model, type(model_admin), None)] + [
            (inline.model, inline, inline.fk_name or model._meta.model_name) for inline in model_admin.inlines
        ]
        for form_model, admin_class, parent in forms:
            links = [
                field.name for field in form_model._meta.concrete_fields
                if field.is_relation and issubclass(field.related_model, plan_rows) and field.name != parent
                and field.editable
            ]
            if links and not issubclass(admin_class, UsableChoices):
                unguarded.append(f"{admin_class.__name__}: {links}")
    assert not unguarded
