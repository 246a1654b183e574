"""Charts as inline SVG generated on the server (no JavaScript, no CDN). Each chart is decorative
for screen readers (``aria-hidden``) because every page shows the same numbers in a data table."""

from __future__ import annotations

import textwrap

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from thudo.kpi.results import vi_number

# Sized by its container: width 100 %, height from the viewBox (an inline ``style`` attribute
# would be refused by the Content-Security-Policy, and a fixed width overflowed narrow cards).
COLORS = {"excellent": "#1b7f3b", "good": "#2f6db5", "average": "#b7791f", "weak": "#b42318", None: "#8a8f98"}


def _label_lines(label: str, width: int) -> list[str]:
    """A label on at most two lines of ``width`` characters (never cut mid-word; an ellipsis
    only when even two lines cannot hold it)."""
    lines = textwrap.wrap(label, width) or [""]
    if len(lines) > 2:
        lines = [lines[0], textwrap.shorten(" ".join(lines[1:]), width, placeholder="…")]
    return lines


def bars(
    items: list[tuple[str, float | None, str | None]], *, width: int = 560, max_value: float = 100
) -> SafeString:
    """Horizontal bars: ``(label, value or None, class)``; ``None`` is drawn as "no data". Labels
    wrap onto two lines; values are written the Vietnamese way (12,26)."""
    row, label_w, value_w, chars = 36, 220, 56, 34
    height = row * len(items) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" aria-hidden="true" focusable="false" '
        f'width="100%" viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet">'
    ]
    scale = (width - label_w - value_w) / (max_value or 1)
    for i, (label, value, klass) in enumerate(items):
        y = 5 + i * row
        lines = _label_lines(label, chars)
        first = y + (13 if len(lines) > 1 else 21)
        spans = "".join(
            f'<tspan x="0" y="{first + n * 14}">{escape(text)}</tspan>' for n, text in enumerate(lines)
        )
        parts.append(f'<text font-size="12">{spans}</text>')
        if value is None:
            parts.append(f'<text x="{label_w}" y="{y + 21}" font-size="12" fill="#555">—</text>')
            continue
        w = max(1.0, float(value) * scale)
        color = COLORS.get(klass, COLORS[None])
        parts.append(f'<rect x="{label_w}" y="{y + 8}" width="{w:.1f}" height="18" fill="{color}"/>')
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 21}" font-size="12">{vi_number(value)}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (labels escaped above)


def line(points: list[tuple[str, float | None]], *, width: int = 560, height: int = 200) -> SafeString:
    """A line over months (0–100); gaps where a month has no data."""
    pad_l, pad_r, pad_b, pad_t = 34, 24, 24, 12
    inner_w, inner_h = width - pad_l - pad_r, height - pad_b - pad_t
    step = inner_w / max(1, len(points) - 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" aria-hidden="true" focusable="false" '
        f'width="100%" viewBox="0 0 {width} {height}" preserveAspectRatio="xMinYMin meet">'
    ]
    for v in range(0, 101, 20):  # even steps
        y = pad_t + inner_h * (1 - v / 100)
        parts.append(f'<line x1="{pad_l}" x2="{width - pad_r}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{pad_l - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{v}</text>')
    segment: list[str] = []
    for i, (label, value) in enumerate(points):
        x = pad_l + i * step
        parts.append(
            f'<text x="{x:.1f}" y="{height - 6}" font-size="11" text-anchor="middle">{escape(label)}</text>'
        )
        if value is None:
            if len(segment) > 1:
                parts.append(
                    f'<polyline fill="none" stroke="#2f6db5" stroke-width="2" points="{" ".join(segment)}"/>'
                )
            segment = []
            continue
        y = pad_t + inner_h * (1 - float(value) / 100)
        segment.append(f"{x:.1f},{y:.1f}")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#2f6db5"/>')
    if len(segment) > 1:
        parts.append(
            f'<polyline fill="none" stroke="#2f6db5" stroke-width="2" points="{" ".join(segment)}"/>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (labels escaped above)
