"""{% history_ledger records opts as entries %}: the ledger (plans.history) of one page of an
object's historical rows, for the admin's object-history page."""
from django import template

from plans.history import ledger

register = template.Library()


@register.simple_tag
def history_ledger(records, opts):
    return ledger(records, opts.model)
