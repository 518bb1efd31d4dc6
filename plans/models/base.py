"""The abstract base of the rows the API writes with optimistic concurrency."""
from django.db import models
from django.utils.translation import gettext_lazy as _


class Versioned(models.Model):
    """A row the API writes with optimistic concurrency: `version` goes up on every save, and
    the services refuse a write made from an older version (services.StaleVersion)."""

    version = models.PositiveIntegerField(
        _("版本"), default=1, editable=False, help_text=_("每次保存加一；接口据此防止覆盖他人的修改。"),
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            self.version += 1
        super().save(*args, **kwargs)
