"""Simplified Chinese comes first: every string the code marks has a zh-hans translation."""

import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

ROOT = Path(settings.BASE_DIR)
PO = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
# Apps may keep their own catalogue (<app>/locale/, or a package inside guji/): Django reads
# every installed app's locale/ after LOCALE_PATHS. Together they must cover every marked string.
CATALOGUES = [
    PO,
    *sorted(ROOT.glob("*/locale/zh_Hans/LC_MESSAGES/django.po")),
    *sorted(ROOT.glob("*/*/locale/zh_Hans/LC_MESSAGES/django.po")),
]


def test_every_marked_string_is_in_the_catalogue(tmp_path, monkeypatch):
    """makemessages over a copy of the sources finds no msgid the committed catalogue lacks."""
    root = Path(settings.BASE_DIR)
    for folder in ("guji", "census", "conservation", "environment", "templates"):
        shutil.copytree(
            root / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__", "locale")
        )
    (tmp_path / "locale").mkdir()
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["zh_Hans"], verbosity=0)
    found = {e.msgid for e in polib.pofile(str(tmp_path / "locale/zh_Hans/LC_MESSAGES/django.po"))}
    committed = {e.msgid for po in CATALOGUES for e in polib.pofile(str(po)) if not e.obsolete}
    missing = sorted(found - committed)
    assert not missing, f"Run makemessages -l zh_Hans and translate: {missing[:20]}"


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_zh_hans_catalogue_is_complete_and_compiled(path):
    po = polib.pofile(str(path))
    untranslated = [e.msgid for e in po.untranslated_entries() if not e.obsolete]
    fuzzy = [e.msgid for e in po if "fuzzy" in e.flags or e.previous_msgid]
    assert not untranslated, f"Untranslated: {untranslated[:20]}"
    assert not fuzzy, f"Fuzzy: {fuzzy[:20]}"
    mo = polib.mofile(str(path.with_suffix(".mo")))
    compiled = {e.msgid: e.msgstr for e in mo}
    stale = [e.msgid for e in po.translated_entries() if compiled.get(e.msgid) != e.msgstr]
    assert not stale, f"Run compilemessages: {stale[:10]}"


@pytest.mark.django_db
def test_pages_speak_simplified_chinese_by_default(client):
    response = client.get("/login/")
    assert "登录" in response.content.decode()


@pytest.mark.django_db
def test_english_is_one_switch_away(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"}, follow=True)
    assert response.status_code == 200
    assert "Log in" in response.content.decode()
