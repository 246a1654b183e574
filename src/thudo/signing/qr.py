"""QR codes that link a paper to its public page (segno, pure Python, no network).

Circular 03/2025/TT-VPCP: the papers of the one-stop mechanism carry a QR code that opens the
dossier's public page; results carry one that opens their verification page.
"""

import base64
import io

import segno


def _make(url: str) -> segno.QRCode:
    # Level M survives a smudged print; the URL is short enough for a small symbol.
    return segno.make(url, error="m", micro=False)


def qr_svg(url: str, *, scale: int = 4) -> str:
    """An inline ``<svg>`` element (no XML declaration), dark modules in black."""
    buf = io.BytesIO()
    _make(url).save(buf, kind="svg", scale=scale, xmldecl=False, svgns=True, nl=False, border=2)
    return buf.getvalue().decode()


def qr_png(url: str, *, scale: int = 6) -> bytes:
    """PNG bytes."""
    buf = io.BytesIO()
    _make(url).save(buf, kind="png", scale=scale, border=2)
    return buf.getvalue()


def qr_data_uri(url: str, *, scale: int = 6) -> str:
    """``data:image/png;base64,...`` for an ``<img src>`` (works in WeasyPrint without fetching)."""
    return "data:image/png;base64," + base64.b64encode(qr_png(url, scale=scale)).decode()
