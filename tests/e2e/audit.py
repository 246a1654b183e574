"""What every page must pass in the browser tests (issue 11): it does not scroll sideways, the
console shows no Content-Security-Policy error, and axe-core finds no serious or critical
WCAG 2.1 AA violation.

axe-core is the rules engine from the npm registry (fetched, pinned and hash-checked by
``scripts/fetch_axe.sh``; ADR 0008), evaluated into the page through the DevTools protocol (so
the page's Content-Security-Policy, which forbids inline scripts, stays as it is)."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest

VERSION = "4.14.1"
AXE = Path(os.environ.get("THUDO_AXE_JS") or Path(__file__).parent / ".axe" / f"axe-{VERSION}.min.js")
# WCAG 2.1 A and AA rules; "serious" and "critical" fail the test.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


@cache
def axe_source() -> str:
    if not AXE.exists():
        if os.environ.get("THUDO_AXE_JS"):
            pytest.fail(f"THUDO_AXE_JS={AXE} does not exist (scripts/fetch_axe.sh fetches it)")
        pytest.skip("axe-core is not fetched: run scripts/fetch_axe.sh (npm)")
    return AXE.read_text(encoding="utf-8")


def axe_violations(page) -> list[dict]:
    """The serious and critical WCAG 2.1 AA violations on the page as it is now, each with the
    selectors of (at most three of) the elements concerned."""
    page.evaluate(axe_source())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS,
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"][:3]],
        }
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


# The elements that stick out of the viewport (to say what to fix).
_WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : '') +
    ' ' + Math.round(e.getBoundingClientRect().right))"""


def watch_console(page) -> list[str]:
    """Start collecting the page's console errors; returns the list they are appended to."""
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


def problems(page, console: list[str] | None = None) -> list[str]:
    """What is wrong with the page as it is now (empty: nothing)."""
    out = []
    scroll, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    if scroll > inner:
        out.append(f"scrolls sideways ({scroll} > {inner}): {page.evaluate(_WIDEST)}")
    csp = [m for m in console or [] if "Content Security Policy" in m]
    if csp:
        out.append(f"CSP errors in the console: {csp}")
    out += [f"axe {v['impact']} {v['id']}: {v['help']} — {v['nodes']}" for v in axe_violations(page)]
    return out
