"""Units (the departments, governments and collectives a plan assigns work to), their other
spellings, and the accounts that act for them."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from plans.models.choices import UnitKind, valid_choice


class MemberRole(models.TextChoices):
    OFFICIAL = "official", _("填报人")
    LEADER = "leader", _("单位负责人")


class UnitManager(models.Manager):
    def get_by_natural_key(self, name):
        return self.get(name=name)


class Unit(models.Model):
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("上级单位"),
    )
    members = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="collectives",
        verbose_name=_("成员单位"), help_text=_("集合单位（如“各县区政府(管委)”）包含的具体单位。"),
    )
    name = models.CharField(
        _("单位全称"), max_length=200, unique=True,
        help_text=_("规范全称，如“鹤壁市发展和改革委员会”。"),
    )
    short_name = models.CharField(
        _("简称"), max_length=100, blank=True, help_text=_("文件中常用的写法，如“市发改委”。"),
    )
    jurisdiction = models.CharField(
        _("所属行政区"), max_length=50, blank=True, help_text=_("如“鹤壁市”“福建省”。"),
    )
    kind = models.CharField(_("单位类型"), max_length=20, choices=UnitKind.choices, default=UnitKind.DEPARTMENT)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    objects = UnitManager()

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["jurisdiction", "name"]
        constraints = [
            valid_choice("kind", UnitKind, name="plans_unit_kind_valid"),
        ]

    def __str__(self):
        return self.short_name or self.name

    def natural_key(self):
        return (self.name,)

    @property
    def is_collective(self) -> bool:
        return self.kind == UnitKind.COLLECTIVE


class UnitAliasManager(models.Manager):
    def get_by_natural_key(self, jurisdiction, name):
        return self.get(jurisdiction=jurisdiction, name=name)


class UnitAlias(models.Model):
    """Another spelling of a unit within a jurisdiction: 市发改委 and 发改委 in 鹤壁市."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("单位"))
    jurisdiction = models.CharField(_("适用行政区"), max_length=50, blank=True)
    name = models.CharField(_("别名"), max_length=200)

    objects = UnitAliasManager()

    class Meta:
        verbose_name = _("单位别名")
        verbose_name_plural = _("单位别名")
        ordering = ["jurisdiction", "name"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction", "name"], name="plans_unitalias_unique_per_jurisdiction"),
        ]

    def __str__(self):
        return f"{self.name}（{self.jurisdiction}）→ {self.unit.name}"

    def natural_key(self):
        return (self.jurisdiction, self.name)

    natural_key.dependencies = ["plans.unit"]


class Membership(models.Model):
    """An account's unit: its officials (填报人) fill in reports, its leaders (单位负责人) sign them off."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership", verbose_name=_("账号"),
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("单位"))
    role = models.CharField(_("角色"), max_length=20, choices=MemberRole.choices, default=MemberRole.OFFICIAL)

    class Meta:
        verbose_name = _("单位账号")
        verbose_name_plural = _("单位账号")
        ordering = ["unit", "role"]
        constraints = [
            valid_choice("role", MemberRole, name="plans_membership_role_valid"),
        ]

    def __str__(self):
        return f"{self.user} · {self.unit} · {self.get_role_display()}"
