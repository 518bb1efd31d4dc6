"""我的信息: a person sets the name, position and phone the system shows for them (报送人,
审核人, history, the sheets' signature footer), through services.profile_save."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from plans import services
from plans.models import Profile


class ProfileForm(forms.ModelForm):
    class Meta:
        model = Profile
        fields = ["name", "position", "phone"]
        help_texts = {"name": gettext_lazy("显示在报告、审核记录、历史记录和进展情况表的签字栏中。")}


@staff_member_required
def profile(request):
    stored = Profile.objects.filter(user=request.user).first() or Profile(user=request.user)
    form = ProfileForm(request.POST or None, instance=stored)  # never saved by the form: by the service
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_save(user=request.user, account=request.user, **{
                name: form.cleaned_data[name] for name in ProfileForm.Meta.fields
            })
        except (ValidationError, PermissionDenied) as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已保存您的信息。"))
            return redirect("profile")
    context = {**admin.site.each_context(request), "title": _("我的信息"), "form": form}
    return render(request, "plans/profile.html", context)
