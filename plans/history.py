"""An object's history as a ledger (台账): who changed what, when and through what. Each
historical row of django-simple-history becomes an entry: the local time to the minute, the
person (名字（单位）, "已删除的账号", "系统"), the action (新建/修改/删除), the source
(管理后台, 接口, 网页, 命令行, Excel 导入 #id, 方案导入 #id) and each changed field by its
Chinese name with old → new values as the pages show them (choices by label, related rows
by name, 是/否, "（空）"). The admin's object-history page and the API's history route read it.

Where the source comes from: services record an Excel import's and a plan import's reason in
history_change_reason; `record_source`, a receiver of simple-history's
pre_create_historical_record, fills in every other row's reason from the request it was made
in (admin, api, web; none: command)."""
from __future__ import annotations

import datetime
import decimal
import re
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from simple_history.models import HistoricalRecords

from plans.models import person_label

# What record_source stores as history_change_reason (codes, read back by `source_of`).
ADMIN, API, WEB, COMMAND = "admin", "api", "web", "command"
EXCEL, PLAN_IMPORT = "excel", "plan_import"
WITH_A_REQUEST = {ADMIN, API, WEB, EXCEL}  # made by a signed-in account, never by the system

HIDDEN_FIELDS = {"id", "version", "created_at", "updated_at", "source_sha256", "source_text"}  # bookkeeping; a document
SHORT_TEXT = 60  # characters shown of a longer text before "…" (the whole text on request)
MINUTE = "%Y-%m-%d %H:%M"

EXCEL_REASON = re.compile(r"^\s*Excel\s*导入\s*#(\d+)", re.IGNORECASE)
PLAN_IMPORT_REASON = re.compile(r"^(?:导入方案文件|Plan document).*[#＃](\d+)")
BILINGUAL_TAIL = re.compile(r"\s*\([A-Za-z][^()]*\)$")  # "撤回报送 (withdrawn)": the services' bilingual form
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def request_source(request) -> str:
    """The source code of a change made in `request` (None: outside any request)."""
    if request is None:
        return COMMAND
    if request.path.startswith("/api/"):
        return API
    match = getattr(request, "resolver_match", None)
    if match is not None and match.namespace == "admin":
        return ADMIN
    return WEB


def current_source() -> str:
    """The source code of a change made now: from the request being answered, if any (for
    bulk_create_with_history's default_change_reason, which sends no signal)."""
    return request_source(getattr(HistoricalRecords.context, "request", None))


def record_source(sender, history_instance, **kwargs) -> None:
    """pre_create_historical_record: a row saved without a reason of its own (Excel or plan
    import) records where the change came from."""
    if not history_instance.history_change_reason:
        history_instance.history_change_reason = current_source()


@dataclass(frozen=True)
class Source:
    code: str  # admin, api, web, command, excel, plan_import; "" when not recorded
    ref: int | None = None  # the sheet import's or plan import's id
    note: str = ""  # a reason recorded in words (e.g. 撤回报送): shown with the changes, not as a source

    @property
    def label(self) -> str:
        if self.code == EXCEL:
            return _("Excel 导入 #%(id)s") % {"id": self.ref}
        if self.code == PLAN_IMPORT:
            return _("方案导入 #%(id)s") % {"id": self.ref}
        labels = {ADMIN: _("管理后台"), API: _("接口"), WEB: _("网页"), COMMAND: _("命令行")}
        return labels.get(self.code, "")


def source_of(reason: str | None) -> Source:
    reason = (reason or "").strip()
    if reason in (ADMIN, API, WEB, COMMAND):
        return Source(reason)
    if match := EXCEL_REASON.match(reason):
        return Source(EXCEL, int(match.group(1)))
    if match := PLAN_IMPORT_REASON.match(reason):
        return Source(PLAN_IMPORT, int(match.group(1)))
    return Source("", note=BILINGUAL_TAIL.sub("", reason) if CHINESE.search(reason) else reason)


@dataclass(frozen=True)
class Change:
    name: str  # the field's name
    label: str  # its verbose name
    old: str
    new: str
    old_full: str = ""  # the whole text when `old` is shortened
    new_full: str = ""


@dataclass(frozen=True)
class Entry:
    id: int  # the historical row's id
    at: datetime.datetime
    person: str
    action_code: str  # "+", "~", "-" (simple-history's history_type)
    source: Source
    changes: list[Change] = field(default_factory=list)

    @property
    def time(self) -> str:
        return timezone.localtime(self.at).strftime(MINUTE)

    @property
    def action(self) -> str:
        if self.action_code == "+":
            return pgettext("history action", "新建")
        if self.action_code == "-":
            return pgettext("history action", "删除")
        return pgettext("history action", "修改")


def empty() -> str:
    return _("（空）")


def shown_fields(model) -> list[models.Field]:
    """The fields of `model` a ledger shows (what simple-history tracks, less bookkeeping)."""
    return [
        f for f in model.history.model.tracked_fields
        if f.name not in HIDDEN_FIELDS and not f.many_to_many and not f.primary_key
    ]


class Values:
    """Field values as the pages show them; related rows looked up once per ledger."""

    def __init__(self, fields: list[models.Field], records: list):
        wanted: dict[type, set] = {get_user_model(): {record.history_user_id for record in records}}
        for f in fields:
            if f.is_relation:
                wanted.setdefault(f.related_model, set()).update(getattr(record, f.attname) for record in records)
        self.related = {
            related: related._base_manager.in_bulk(ids - {None}) if ids - {None} else {}
            for related, ids in wanted.items()
        }

    def user(self, pk):
        return self.related[get_user_model()].get(pk)

    def show(self, f: models.Field, value) -> str:
        if value is None or value == "":
            return empty()
        if f.is_relation:
            row = self.related.get(f.related_model, {}).get(value)
            if row is None:
                if f.related_model is get_user_model():
                    return _("已删除的账号")
                return _("已删除的%(name)s #%(id)s") % {"name": f.related_model._meta.verbose_name, "id": value}
            return person_label(row) if f.related_model is get_user_model() else str(row)
        if f.flatchoices:
            return str(dict(f.flatchoices).get(value, value))
        if isinstance(value, bool):
            return _("是") if value else _("否")
        if isinstance(value, datetime.datetime):
            return timezone.localtime(value).strftime(MINUTE) if timezone.is_aware(value) else value.strftime(MINUTE)
        if isinstance(value, datetime.date):
            return value.isoformat()
        if isinstance(value, decimal.Decimal):
            return f"{value.normalize():f}"
        return str(value)


def shortened(text: str) -> tuple[str, str]:
    """(what the ledger shows, the whole text if that was shortened else "")."""
    if len(text) <= SHORT_TEXT:
        return text, ""
    return text[:SHORT_TEXT] + "…", text


def change(f: models.Field, values: Values, old, new) -> Change | None:
    """The change of one field, None when it reads the same (two times within a minute)."""
    old_text, new_text = values.show(f, old), values.show(f, new)
    if old is not None and old_text == new_text:
        return None
    old_shown, old_full = shortened(old_text)
    new_shown, new_full = shortened(new_text)
    return Change(f.name, str(f.verbose_name), old_shown, new_shown, old_full, new_full)


def changes(fields, values: Values, record, before) -> list[Change]:
    """What `record` changed from `before` (its previous row); for a new object, the values
    it was created with (left out: empty ones); none for a deletion."""
    if record.history_type == "-":
        return []
    found = []
    for f in fields:
        new = getattr(record, f.attname)
        if before is None or record.history_type == "+":
            if new is not None and new != "":
                found.append(change(f, values, None, new))
        elif getattr(before, f.attname) != new:
            found.append(change(f, values, getattr(before, f.attname), new))
    return [one for one in found if one is not None]


def person(record, source: Source, values: Values) -> str:
    user = values.user(record.history_user_id)
    if user is not None:
        return person_label(user)
    if record.history_user_id is not None or source.code in WITH_A_REQUEST:
        return _("已删除的账号")  # the account was deleted since (its rows keep no name)
    return _("系统")


def ledger(records, model) -> list[Entry]:
    """Entries of the historical rows `records` of one object of `model`, in their order
    (newest first, as simple-history lists them). The oldest row's change is read against
    the row before it, looked up when `records` is one page of a longer history."""
    records = list(records)
    if not records:
        return []
    fields = shown_fields(model)
    oldest = records[-1]
    before_oldest = oldest.prev_record if oldest.history_type != "+" else None
    values = Values(fields, records + ([before_oldest] if before_oldest is not None else []))
    entries = []
    for index, record in enumerate(records):
        before = records[index + 1] if index + 1 < len(records) else before_oldest
        source = source_of(record.history_change_reason)
        entries.append(Entry(
            id=record.history_id, at=record.history_date, person=person(record, source, values),
            action_code=record.history_type, source=source, changes=changes(fields, values, record, before),
        ))
    return entries


def object_ledger(model, pk) -> list[Entry]:
    """The whole history of the object `pk` of `model`, newest first."""
    records = model.history.filter(**{model._meta.pk.attname: pk})
    return ledger(records.order_by("-history_date", "-history_id"), model)
