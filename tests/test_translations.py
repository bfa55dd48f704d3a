"""Simplified Chinese comes first: every string the code marks has a zh-hans translation."""

import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command

PO = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_marked_string_is_in_the_catalogue(tmp_path, monkeypatch):
    """makemessages over a copy of the sources finds no msgid the committed catalogue lacks."""
    root = Path(settings.BASE_DIR)
    for folder in ("guji", "census", "conservation", "environment", "templates"):
        shutil.copytree(
            root / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    (tmp_path / "locale").mkdir()
    monkeypatch.chdir(tmp_path)
    call_command("makemessages", locale=["zh_Hans"], verbosity=0)
    found = {e.msgid for e in polib.pofile(str(tmp_path / "locale/zh_Hans/LC_MESSAGES/django.po"))}
    committed = {e.msgid for e in polib.pofile(str(PO)) if not e.obsolete}
    missing = sorted(found - committed)
    assert not missing, f"Run makemessages -l zh_Hans and translate: {missing[:20]}"


def test_the_zh_hans_catalogue_is_complete_and_compiled():
    po = polib.pofile(str(PO))
    untranslated = [e.msgid for e in po.untranslated_entries() if not e.obsolete]
    fuzzy = [e.msgid for e in po if "fuzzy" in e.flags or e.previous_msgid]
    assert not untranslated, f"Untranslated: {untranslated[:20]}"
    assert not fuzzy, f"Fuzzy: {fuzzy[:20]}"
    mo = polib.mofile(str(PO.with_suffix(".mo")))
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
