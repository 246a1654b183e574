"""What a browser would send for a page's form, for tests that post real pages (the admin)."""

from __future__ import annotations

from html.parser import HTMLParser


class _Form(HTMLParser):
    """The values a browser would send for the page's form (inputs, checked boxes, selections)."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in {"submit", "button", "file"}:
            if a.get("type") in {"checkbox", "radio"} and "checked" not in a:
                return
            self.data.setdefault(name, []).append(
                a.get("value") or ("on" if a.get("type") == "checkbox" else "")
            )
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self.data.setdefault(name, []).append("")

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def fields(html: str) -> dict[str, list[str]]:
    """Every named input, checked box and selected option of the page, as a browser sends them."""
    parser = _Form()
    parser.feed(html)
    return parser.data
