"""The admin writes domain data only through plans.services: a ModelAdmin or inline with
these mixins hands each form's values to its service (`write`, `remove`), which applies the
same rules as the API (permissions, locks, versions, derived fields). A refusal is shown as
an error message and the admin's transaction saves nothing."""
from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Model
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from plans.admin.common import Refused, RefusalsAsMessages, service_refusals
from plans.models import Versioned

VERSION_FIELD = "expected_version"


class VersionedForm(forms.ModelForm):
    """Carries the version of the row the form was filled from, so a save made from a page
    someone else changed meanwhile is refused (services.StaleVersion) instead of overwriting."""

    expected_version = forms.IntegerField(label=_("版本"), widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields[VERSION_FIELD].initial = self.instance.version


def form_values(form, *, changed_only: bool, exclude: frozenset = frozenset()) -> dict:
    """The model fields the form edits, with their cleaned values (only the changed ones for
    a row that exists); never the primary key, nor the `exclude`d (an inline's parent)."""
    meta = form._meta.model._meta
    edited = {field.name for field in meta.get_fields()} - {meta.pk.name, *exclude}
    return {
        name: form.cleaned_data[name]
        for name in form.fields
        if name in edited and name in form.cleaned_data and (not changed_only or name in form.changed_data)
    }


def adopt(obj: Model, saved: Model) -> None:
    """Make the admin's instance the row the service saved (its id, version, derived fields)."""
    if saved is not obj:
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))


class WritesThroughServices:
    """What a ModelAdmin and its inlines share: the version field on versioned rows' forms,
    and the service calls a subclass names. `write(request, obj, values, expected_version)`
    creates (obj.pk is None) or changes a row and returns the saved row;
    `remove(request, obj, expected_version)` deletes it."""

    def write(self, request, obj, values: dict, expected_version: int | None):
        raise NotImplementedError

    def remove(self, request, obj, expected_version: int | None) -> None:
        raise NotImplementedError

    @property
    def versioned(self) -> bool:
        return issubclass(self.model, Versioned)

    def get_form(self, request, obj=None, **kwargs):  # ModelAdmin
        if self.versioned:
            kwargs.setdefault("form", type("Form", (VersionedForm, self.form), {}))
        return super().get_form(request, obj, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):  # inline
        if self.versioned:
            kwargs.setdefault("form", type("Form", (VersionedForm, self.form), {}))
        formset = super().get_formset(request, obj, **kwargs)
        formset.writer = self
        return formset

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self.versioned or any(VERSION_FIELD in options["fields"] for _name, options in fieldsets):
            return fieldsets
        (name, options), *rest = fieldsets
        return [(name, {**options, "fields": [*options["fields"], VERSION_FIELD]}), *rest]

    def save_form_row(self, request, form, obj, *, change: bool, exclude: frozenset = frozenset()):
        """One form's row through the service; the admin's instance then is the saved row."""
        values = form_values(form, changed_only=change, exclude=exclude)
        expected = form.cleaned_data.get(VERSION_FIELD) if change else None
        with service_refusals():
            adopt(obj, self.write(request, obj, values, expected))

    def remove_form_row(self, request, form, obj):
        expected = form.cleaned_data.get(VERSION_FIELD) if form is not None and self.versioned else None
        with service_refusals():
            self.remove(request, obj, expected)


class InlinesThroughServices(RefusalsAsMessages):
    """Mixin for a ModelAdmin whose inlines (ServiceInline, or read-only) save through the
    services, while the row itself may be saved otherwise (accounts: Django's user admin)."""

    def save_formset(self, request, form, formset, change):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        writer = getattr(formset, "writer", None)
        if writer is None:  # a read-only inline
            return
        parent, deleted = formset.instance, set(formset.deleted_forms) if formset.can_delete else set()
        parent_field = frozenset([formset.fk.name])
        for inline_form in formset.initial_forms:
            obj = inline_form.instance
            if obj.pk is None:
                continue
            if inline_form in deleted:
                writer.remove_form_row(request, inline_form, obj)
                formset.deleted_objects.append(obj)
            elif inline_form.has_changed():
                writer.save_form_row(request, inline_form, obj, change=True, exclude=parent_field)
                formset.changed_objects.append((obj, inline_form.changed_data))
        for inline_form in formset.extra_forms:
            if not inline_form.has_changed() or inline_form in deleted:
                continue
            obj = inline_form.instance
            setattr(obj, formset.fk.name, parent)
            writer.save_form_row(request, inline_form, obj, change=False, exclude=parent_field)
            formset.new_objects.append(obj)


class ServiceModelAdmin(WritesThroughServices, InlinesThroughServices):
    """Mixin for a ModelAdmin whose saves and deletes, its inlines' included, go through the
    services."""

    def save_model(self, request, obj, form, change):
        self.save_form_row(request, form, obj, change=change)

    def save_related(self, request, form, formsets, change):
        # many-to-many fields were set by the service with the row
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_model(self, request, obj):
        self.remove_form_row(request, None, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # all chosen rows or none
            for obj in queryset:
                self.remove_form_row(request, None, obj)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except Refused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return HttpResponseRedirect(request.path)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except Refused as refusal:  # the delete action
            self.message_user(request, str(refusal), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class ServiceInline(WritesThroughServices):
    """Mixin for an inline whose rows the parent ServiceModelAdmin saves through `write` and
    `remove`."""
