"""English and Turkish catalogues are complete and current."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
TR = ROOT / "locale" / "tr" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")


def entries():
    return [e for e in polib.pofile(str(TR)) if not e.obsolete]


def test_turkish_catalogue_is_fully_translated():
    catalogue = polib.pofile(str(TR))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []
    assert len(entries()) > 100


def test_turkish_translations_keep_placeholders():
    for entry in entries():
        if entry.msgid_plural:
            expected = sorted(PLACEHOLDER.findall(entry.msgid_plural))
            for text in entry.msgstr_plural.values():
                assert sorted(PLACEHOLDER.findall(text)) == expected, entry.msgid
        else:
            assert sorted(PLACEHOLDER.findall(entry.msgstr)) == sorted(
                PLACEHOLDER.findall(entry.msgid)
            ), entry.msgid


@pytest.mark.skipif(not shutil.which("xgettext"), reason="needs GNU gettext (xgettext)")
def test_catalogues_hold_every_string_in_the_source(tmp_path):
    """Re-extract the strings from a copy of the source: nothing may be missing."""
    for name in ["apps", "config", "templates", "static", "locale", "manage.py"]:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("*.mo"))
        else:
            shutil.copy(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "tr", "-l", "en", "--no-obsolete"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=120,
    )
    for lang in ["tr", "en"]:
        fresh = {
            e.msgid for e in polib.pofile(str(tmp_path / f"locale/{lang}/LC_MESSAGES/django.po"))
        }
        committed = {
            e.msgid
            for e in polib.pofile(str(ROOT / f"locale/{lang}/LC_MESSAGES/django.po"))
            if not e.obsolete
        }
        missing = fresh - committed
        assert not missing, f"{lang}: run makemessages; missing {sorted(missing)[:10]}"
