"""Messages in one language at a time: the Chinese site says a rule's sentence in Chinese only,
the English site in English only (the code writes them "中文 (english)"); the API answers in
the language its client asks for; and the English catalog leaves nothing untranslated."""
import io
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from plans.permissions import can_edit_profile
from tests.api.conftest import api, as_actor  # noqa: F401  (fixtures)
from tests.api.test_reports import url
from tests.test_permissions import world  # noqa: F401  (the permission world, a fixture)
from tests.factories import UserFactory

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_GLOSS = re.compile(r"(?<!%)\((?=[^)]*[a-z]{3})[^()\u4e00-\u9fff]*\)")
LOCALE = Path(settings.BASE_DIR) / "plans" / "locale"


@pytest.mark.django_db
def test_a_rules_sentence_comes_in_the_language_of_the_site():
    me, other = UserFactory(username="me"), UserFactory(username="other")

    with translation.override("zh-hans"):
        chinese = can_edit_profile(other, me)
    with translation.override("en"):
        english = can_edit_profile(other, me)

    assert chinese == "只能修改本人的信息"
    assert english == "You can only change your own details"


def errors_of(page: str) -> str:
    return " ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', page, re.S))


def test_a_pages_refusal_is_in_chinese_alone_and_after_switching_in_english_alone(client, world):  # noqa: F811
    client.force_login(world.users["official_a"])

    def upload() -> str:
        broken = io.BytesIO(b"PK\x03\x04 not a workbook")
        broken.name = "进展情况表.xlsx"
        return client.post(reverse("sheet-upload"), {"period": world.report_a.period_id, "file": broken}).content.decode()

    chinese = errors_of(upload())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = errors_of(upload())

    assert CJK.search(chinese) and not ENGLISH_GLOSS.search(chinese), chinese
    assert english and not CJK.search(english), english


def test_the_api_answers_in_the_language_its_client_asks_for(world, as_actor):  # noqa: F811
    client = as_actor("leader_a")
    chinese = client.post(url(world.report_a, "submit"), HTTP_IF_MATCH='"1"').json()
    english = client.post(url(world.report_a, "submit"), HTTP_IF_MATCH='"1"', HTTP_ACCEPT_LANGUAGE="en").json()

    chinese_text, english_text = str(chinese), str(english)
    assert "请先填写本期进展情况再报送" in chinese_text and not ENGLISH_GLOSS.search(chinese_text)
    assert "progress" in english_text.lower() and not CJK.search(english_text)


def test_the_admin_ignores_the_browsers_language_and_keeps_chinese(client):
    page = client.get(reverse("admin:login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "用户名" in page


def test_every_message_has_its_english_and_every_bilingual_one_its_chinese_alone():
    english = polib.pofile(str(LOCALE / "en" / "LC_MESSAGES" / "django.po"))
    chinese = polib.pofile(str(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"))

    untranslated = [
        entry.msgid for entry in english
        if "fuzzy" in entry.flags or not (entry.msgstr or any(entry.msgstr_plural.values()))
    ]
    assert untranslated == []
    bilingual = [entry for entry in chinese if CJK.search(entry.msgid) and ENGLISH_GLOSS.search(entry.msgid)]
    assert len(bilingual) > 100
    for entry in bilingual:
        assert entry.msgstr and CJK.search(entry.msgstr) and not ENGLISH_GLOSS.search(entry.msgstr), entry.msgid
    for catalog in ("en", "zh_Hans"):  # compiled as written: the .mo is what the server reads
        folder = LOCALE / catalog / "LC_MESSAGES"
        written = {
            (entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural.get(0, "")
            for entry in polib.pofile(str(folder / "django.po")) if entry.translated()
        }
        compiled = {
            (entry.msgctxt, entry.msgid): entry.msgstr or entry.msgstr_plural.get(0, "")
            for entry in polib.mofile(str(folder / "django.mo")) if entry.msgid
        }
        assert {key: text for key, text in compiled.items() if key in written} == written, catalog


@pytest.mark.parametrize("text, chinese, english", [
    ("请填写配合情况 (the input is empty)", "请填写配合情况", "The input is empty"),
    ("不能修改的字段 (fields that cannot be changed): a, b", "不能修改的字段：a, b", "Fields that cannot be changed: a, b"),
    ("文件不是 Excel 工作簿（.xlsx），请上传 .xlsx 格式的文件 (the file is not an Excel workbook (.xlsx))",
     "文件不是 Excel 工作簿（.xlsx），请上传 .xlsx 格式的文件", "The file is not an Excel workbook (.xlsx)"),
    ("第%(line)s行", "第%(line)s行", "第%(line)s行"),  # a placeholder is no English
    ("各县区政府(管委)", "各县区政府(管委)", "各县区政府(管委)"),  # nor a name's own brackets
    ("plain English", "plain English", "plain English"),
])
def test_a_two_language_sentence_splits_into_each_language(text, chinese, english):
    from plans.bilingual import in_language

    assert in_language(text, "zh-hans") == chinese
    assert in_language(text, "en") == english


def test_the_upload_pages_help_is_in_the_pages_language(client, world):  # noqa: F811
    client.force_login(world.users["official_a"])
    chinese = client.get(reverse("sheet-upload")).content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get(reverse("sheet-upload")).content.decode()

    assert "不超过 10 MB" in chinese
    assert "at most 10 MB" in english and "不超过 10 MB" not in english
