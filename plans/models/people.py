"""People behind the accounts: a real name, position and phone (Profile), and how a person is
named on every page, sheet and history row — "张伟（市发改委）", never the login name."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from plans.models.units import Membership


class Profile(models.Model):
    """Who an account is: shown wherever the account acted (报送人, 审核人, history, the sheets'
    signature footer). An account without a profile is named by its login name."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name=_("账号"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    position = models.CharField(_("职务"), max_length=100, blank=True, help_text=_("如“办公室主任”。"))
    phone = models.CharField(_("联系电话"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("人员信息")
        verbose_name_plural = _("人员信息")
        ordering = ["name"]

    def __str__(self):
        return self.name


def _cached(user, attribute: str, related: str):
    """user.profile / user.membership read once per user object (None when absent)."""
    if not hasattr(user, attribute):
        try:
            value = getattr(user, related)
        except models.ObjectDoesNotExist:
            value = None
        setattr(user, attribute, value)
    return getattr(user, attribute)


def person_name(user) -> str:
    """The person's name, else the account's login name (an account nobody has named yet)."""
    if user is None:
        return ""
    profile = _cached(user, "_profile", "profile") if user.pk else None
    return profile.name if profile and profile.name else user.get_username()


def person_label(user) -> str:
    """张伟（市发改委） for a unit's account, 李娜（督查室主任） for others with a position, else
    the name alone. The account's str(), so the admin, history and API name people this way."""
    if user is None:
        return ""
    name = person_name(user)
    if not user.pk:
        return name
    if not hasattr(user, "_membership"):  # the same cache as plans.permissions.membership
        cached = user._state.fields_cache  # a select_related("…__membership__unit") already read it
        user._membership = cached["membership"] if "membership" in cached else (
            Membership.objects.select_related("unit").filter(user_id=user.pk).first()
        )
    membership = user._membership
    if membership is not None:
        return f"{name}（{membership.unit}）"
    profile = _cached(user, "_profile", "profile")
    if profile and profile.position:
        return f"{name}（{profile.position}）"
    return name

