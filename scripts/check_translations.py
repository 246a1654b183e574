"""CI check: every translatable string is in the English catalogue, translated, and compiled.

Runs ``makemessages`` on a temporary copy of the package and compares its msgids with the
committed ``locale/en/LC_MESSAGES/django.po``. To update: ``scripts/update_translations.sh``.
"""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "src" / "thudo"
PO = PKG / "locale" / "en" / "LC_MESSAGES" / "django.po"


def ids(po: polib.POFile) -> set[str]:
    return {e.msgid for e in po if not e.obsolete and e.msgid}


def main() -> int:
    if not PO.exists():
        print(f"missing catalogue {PO}")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "thudo"
        shutil.copytree(PKG, copy, ignore=shutil.ignore_patterns("__pycache__"))
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "thudo.conf.settings"}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "django",
                "makemessages",
                "-l",
                "en",
                "--no-obsolete",
                "-i",
                "migrations",
                "--no-location",
                "-v",
                "0",
            ],
            cwd=copy,
            env=env,
            check=True,
        )
        extracted = ids(polib.pofile(str(copy / "locale/en/LC_MESSAGES/django.po")))
    committed = polib.pofile(str(PO))
    missing = sorted(extracted - ids(committed))
    untranslated = [e.msgid for e in committed.untranslated_entries() if not e.obsolete]
    fuzzy = [e.msgid for e in committed.fuzzy_entries()]
    mo = PO.with_suffix(".mo")
    compiled = polib.mofile(str(mo)) if mo.exists() else None
    stale = compiled is None or {e.msgid for e in compiled} < {
        e.msgid for e in committed.translated_entries()
    }
    for title, items in (
        ("missing from the catalogue", missing),
        ("untranslated", untranslated),
        ("fuzzy", fuzzy),
    ):
        if items:
            print(f"{len(items)} strings {title}, e.g.:")
            for m in items[:20]:
                print("   ", m)
    if stale:
        print("django.mo is missing or older than django.po (run scripts/update_translations.sh)")
    return 1 if (missing or untranslated or fuzzy or stale) else 0


if __name__ == "__main__":
    sys.exit(main())
