"""Text normalisation: NFC for storage, a diacritic-free fold for search.

Vietnamese text arrives composed (NFC) or decomposed (NFD, e.g. from macOS file names and some
keyboards). Everything stored is NFC; search compares folded forms so that "hoan kiem",
"Hoàn Kiếm" and its decomposed spelling all match.
"""

import unicodedata


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def clean(text: str | None) -> str:
    """NFC, trimmed, internal whitespace collapsed."""
    if not text:
        return ""
    return " ".join(nfc(text).split())


def fold(text: str | None) -> str:
    """Lower-case, without diacritics, đ→d, whitespace collapsed: the search key."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return " ".join(stripped.replace("đ", "d").split())
