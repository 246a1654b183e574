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


# Vietnamese alphabetical order (TCVN 5712; dictionaries): a ă â b c d đ e ê g h i k l m n o ô ơ
# p q r s t u ư v x y, then the tones: none, huyền, hỏi, ngã, sắc, nặng.
_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_RANK = {c: i for i, c in enumerate(_LETTERS)}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_SHAPES = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn: part of the letter


def _letters(text: str) -> tuple[list[tuple[int, int]], list[int]]:
    base: list[tuple[int, int]] = []
    tones: list[int] = []
    for ch in unicodedata.normalize("NFC", text.lower()):
        parts = unicodedata.normalize("NFD", ch)
        tone = next((_TONES[m] for m in parts[1:] if m in _TONES), 0)
        letter = unicodedata.normalize("NFC", parts[0] + "".join(m for m in parts[1:] if m in _SHAPES))
        rank = _RANK.get(letter)
        # Known letters first in alphabet order; spaces sort before letters; anything else after.
        base.append((1, rank) if rank is not None else ((0, 0) if letter.isspace() else (2, ord(letter))))
        tones.append(tone)
    return base, tones


def vi_sort_key(text: str | None) -> tuple[list[tuple[int, int]], list[int]]:
    """Sort key for Vietnamese alphabetical order: Đ after D, Ô after O, Ư after U (not by code
    point), tones compared only when the letters are equal."""
    base, tones = _letters(clean(text))
    return (base, tones)
