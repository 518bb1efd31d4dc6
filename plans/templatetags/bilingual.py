"""{{ text|one_language }}: a message kept in the code's two-language form ("中文 (english)"),
in the language of the page (plans.bilingual)."""
from django import template

from plans.bilingual import in_language

register = template.Library()


@register.filter
def one_language(text) -> str:
    return in_language(str(text)) if text else ""
