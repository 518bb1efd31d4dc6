"""python manage.py chinese_catalog: fill plans/locale/zh_Hans from the code's own messages.

The code writes a rule's sentence once in both languages, "中文 (english)"; the English catalog
translates it to English, and this fills the Chinese catalog with its Chinese alone, so each
site shows one language. Run after `makemessages -l en -l zh_Hans …` (README, "Translations"),
then `compilemessages`. Needs polib (requirements-dev.txt)."""
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from plans.bilingual import CJK, chinese_alone

class Command(BaseCommand):
    help = (
        "用中英双语消息的中文部分填写简体中文翻译目录。"
        "Fill the zh_Hans catalog with each bilingual message's Chinese."
    )

    def handle(self, *args, **options):
        import polib

        path = Path(settings.BASE_DIR) / "plans" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
        catalog = polib.pofile(str(path))
        filled = 0
        for entry in catalog:
            chinese = chinese_alone(entry.msgid)
            bilingual = chinese != entry.msgid and CJK.search(chinese)
            if entry.msgid_plural:
                entry.msgstr_plural = {0: chinese if bilingual else ""}
            else:
                entry.msgstr = chinese if bilingual else ""
            entry.flags = [flag for flag in entry.flags if flag != "fuzzy"]
            filled += bool(bilingual)
        catalog.metadata.update({"Language": "zh_Hans", "Plural-Forms": "nplurals=1; plural=0;"})
        catalog.save()
        self.stdout.write(f"已填写 (filled) {filled} / {len(catalog)}: {path}")
