"""The forms of a draft plan import's pages: the plan's details and its unit names on the
preview page, one task's units, deadline, drop or join on the task's page. Each turns what the
office typed into corrections (importers.corrections) for services.plan_draft_correct."""
from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from plans.admin.writes import VersionedForm
from plans.importers.corrections import FREQUENCIES, ROLES
from plans.importers.types import ParsedNode
from plans.models import Plan, PlanImport, UnitKind
from plans.services.plan_import import known_unit
from plans.services.plan_review import DraftReview

NAME_SEPARATORS = re.compile(r"[、，,；;\s]+")
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PLAN_FIELDS = (
    "title", "doc_number", "jurisdiction", "issuers", "issued_on", "period_start", "period_end", "coordinator",
)
WIDE = forms.TextInput(attrs={"class": "vLargeTextField", "style": "width: min(40em, 100%)"})
REPORTING_FIELDS = ("reporting_frequency", "reporting_month", "reporting_day")
FREQUENCY_LABELS = {"monthly": _("每月"), "quarterly": _("每季度"), "half-yearly": _("每半年"), "yearly": _("每年")}


def split_names(text: str) -> list[str]:
    return [name for name in NAME_SEPARATORS.split(text or "") if name]


class PlanReviewForm(VersionedForm):
    """The preview page's form: the plan's details (initially as parsed and corrected), the
    plan to update, and for each unit name what it stands for. `review` and `user` are set on
    the class the admin builds for one request."""

    review: DraftReview = None
    user = None

    title = forms.CharField(label=_("方案名称"), max_length=300, widget=WIDE)
    doc_number = forms.CharField(label=_("文号"), max_length=100, required=False)
    jurisdiction = forms.CharField(
        label=_("辖区"), max_length=50, required=False,
        help_text=_("“市”“区”等前缀所指的行政区，如“鹤壁市”；单位按此辖区对应和新建。"),
    )
    issuers = forms.CharField(label=_("印发单位"), required=False, help_text=_("多个单位以“、”分隔。"), widget=WIDE)
    issued_on = forms.DateField(label=_("印发日期"), required=False, widget=DATE_INPUT)
    period_start = forms.DateField(label=_("实施期起"), required=False, widget=DATE_INPUT)
    period_end = forms.DateField(label=_("实施期止"), required=False, widget=DATE_INPUT)
    coordinator = forms.CharField(label=_("督办单位"), max_length=200, required=False)
    reporting_frequency = forms.ChoiceField(
        label=_("报送频次"), required=False, choices=[("", _("未写明"))] + list(FREQUENCY_LABELS.items()),
    )
    reporting_month = forms.IntegerField(
        label=_("报送月份"), required=False, min_value=1, max_value=12,
        help_text=_("每期的第几个月：3 即每季度最后一月，4 即下一季度首月。"),
    )
    reporting_day = forms.IntegerField(
        label=_("报送日"), required=False, min_value=1, max_value=31, help_text=_("留空表示月末。"),
    )

    class Meta:
        model = PlanImport
        fields = ["plan_year", "revises"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parsed, corrections = self.review.shown, self.instance.corrections
        self.initial.update(
            title=parsed.title, doc_number=parsed.doc_number, issuers="、".join(parsed.issuers),
            issued_on=parsed.issued_on, period_start=parsed.period_start, period_end=parsed.period_end,
            coordinator=parsed.coordinator, jurisdiction=parsed.jurisdiction,
        )
        if self.instance.plan_year is None:
            self.initial["plan_year"] = parsed.plan_year
        if parsed.reporting and parsed.reporting.frequency in FREQUENCIES:
            self.initial.update(
                reporting_frequency=parsed.reporting.frequency, reporting_month=parsed.reporting.month,
                reporting_day=parsed.reporting.day,
            )
        self.fields["plan_year"].widget.attrs.update(min=1949, max=2100)
        revises = self.fields["revises"]
        revises.widget = getattr(revises.widget, "widget", revises.widget)  # no add/change/delete plan icons
        revises.queryset = Plan.objects.all() if self.user.is_superuser else Plan.objects.filter(office_staff=self.user)
        revises.empty_label = _("按文号或标题自动查找（找不到则新建）")
        for index, match in enumerate(self.review.units):
            choice = corrections.get("units", {}).get(match.written, {})
            self.fields[f"unit_{index}"] = forms.ChoiceField(
                label=match.written, required=False, choices=self._unit_choices(match),
            )
            self.fields[f"unit_{index}_name"] = forms.CharField(
                label=_("改为"), required=False, max_length=200,
                widget=forms.TextInput(attrs={"list": "import-unit-names", "placeholder": _("单位名称")}),
            )
            if "unit" in choice:
                known = {value for value, _label in self.fields[f"unit_{index}"].choices}
                value = f"unit:{choice['unit']}"
                self.initial[f"unit_{index}"] = value if value in known else "other"
                if value not in known and match.unit:
                    self.initial[f"unit_{index}_name"] = match.unit.name
            elif "new" in choice:
                self.initial[f"unit_{index}"] = f"new:{choice['new']}"
            elif "rename" in choice:
                self.initial[f"unit_{index}"] = "other"
                self.initial[f"unit_{index}_name"] = choice["rename"]

    @staticmethod
    def _unit_choices(match) -> list[tuple[str, str]]:
        automatic = (
            _("已有单位：%(name)s") % {"name": match.unit.name}
            if match.status == "known"
            else _("新建：%(name)s（%(kind)s）") % {"name": match.official_name, "kind": UnitKind(match.kind).label}
        )
        choices = [("", automatic)]
        if match.status in ("mapped", "renamed") and match.unit:
            choices.append((f"unit:{match.unit.pk}", _("对应：%(name)s") % {"name": match.unit.name}))
        choices += [
            (f"unit:{unit.pk}", _("对应：%(name)s（相近）") % {"name": unit.name}) for unit in match.suggestions
        ]
        choices += [(f"new:{kind}", _("新建为：%(kind)s") % {"kind": label}) for kind, label in UnitKind.choices]
        choices.append(("other", _("改名或对应其他单位（填写右侧名称）")))
        return list(dict.fromkeys(choices))

    def unit_rows(self):
        """(match, choice field, name field) per unit name, for the template's table."""
        return [
            (match, self[f"unit_{index}"], self[f"unit_{index}_name"]) for index, match in enumerate(self.review.units)
        ]

    def clean(self):
        cleaned = super().clean()
        for index, match in enumerate(self.review.units):
            if cleaned.get(f"unit_{index}") == "other" and not cleaned.get(f"unit_{index}_name"):
                self.add_error(f"unit_{index}_name", _("请填写“%(name)s”对应的单位名称") % {"name": match.written})
        return cleaned

    # what was typed, as corrections ----------------------------------------------------------
    def corrections(self) -> dict:
        changed, cleaned = set(self.changed_data), self.cleaned_data
        plan = {}
        for name in PLAN_FIELDS:
            if name in changed:
                value = cleaned[name]
                plan[name] = (
                    split_names(value) if name == "issuers"
                    else value.isoformat() if hasattr(value, "isoformat") else value
                )
        if changed & set(REPORTING_FIELDS):
            frequency = cleaned["reporting_frequency"]
            plan["reporting"] = frequency and {
                "frequency": frequency, "month": cleaned["reporting_month"] or 1, "day": cleaned["reporting_day"],
            } or None
        units = {}
        for index, match in enumerate(self.review.units):
            if {f"unit_{index}", f"unit_{index}_name"} & changed:
                units[match.written] = self._unit_choice(cleaned[f"unit_{index}"], cleaned[f"unit_{index}_name"])
        return {part: value for part, value in (("plan", plan), ("units", units)) if value}

    def _unit_choice(self, choice: str, name: str) -> dict | None:
        if choice.startswith("unit:"):
            return {"unit": int(choice.removeprefix("unit:"))}
        if choice.startswith("new:"):
            return {"new": choice.removeprefix("new:")}
        if choice == "other":
            unit = known_unit(name, self.review.shown.jurisdiction)
            return {"unit": unit.pk} if unit else {"rename": name}
        return None

    def draft_values(self) -> dict:
        """plan_year and revises, when changed."""
        return {name: self.cleaned_data[name] for name in ("plan_year", "revises") if name in self.changed_data}


class NodeCorrectionForm(forms.Form):
    """One node of a draft: its units by role, its deadline, dropped or joined to the node
    before it. Initially as parsed and corrected."""

    responsible = forms.CharField(
        label=_("责任单位"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("第一个为牵头单位；多个单位以“、”分隔。全部留空则此项为标题而非任务。"),
    )
    supporting = forms.CharField(label=_("配合单位"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    implementing = forms.CharField(label=_("负责落实"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    deadline_date = forms.DateField(label=_("完成时限（日期）"), required=False, widget=DATE_INPUT)
    deadline_text = forms.CharField(
        label=_("完成时限（原文）"), required=False, max_length=200,
        help_text=_("如“2026年6月底前”。两项都留空则没有时限。"),
    )
    drop = forms.BooleanField(label=_("删除此项（不是任务）"), required=False)
    join = forms.BooleanField(label=_("并入上一项（与上一项是同一任务）"), required=False)
    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, node: ParsedNode, stored: dict, version: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.stored = stored
        first = node.deadlines[0] if node.deadlines else None
        self.initial.update(
            {role: "、".join(getattr(node, role)) for role in ROLES},
            deadline_date=first.date if first else None, deadline_text=first.text if first else "",
            drop=bool(stored.get("drop")), join=bool(stored.get("join")), expected_version=version,
        )
        if len(node.deadlines) > 1:
            self.fields["deadline_text"].help_text = _("原文有 %(count)d 个时限：%(all)s。更改后以此一个为准。") % {
                "count": len(node.deadlines), "all": "；".join(d.text for d in node.deadlines),
            }

    def change(self) -> dict | None:
        """The node's correction as stored after this form: the stored one with what changed."""
        changed, cleaned = set(self.changed_data), self.cleaned_data
        change = dict(self.stored)
        for role in ROLES:
            if role in changed:
                change[role] = split_names(cleaned[role])
        if {"deadline_date", "deadline_text"} & changed:
            date, text = cleaned["deadline_date"], cleaned["deadline_text"].strip()
            change["deadline"] = {"date": date.isoformat() if date else None, "text": text} if date or text else None
        for flag in ("drop", "join"):
            if cleaned[flag]:
                change[flag] = True
            else:
                change.pop(flag, None)
        return change or None
