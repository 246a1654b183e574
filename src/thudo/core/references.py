"""Links between modules by reference: an app stores another app's object as a typed string
(``"kpi.target:DG-01"``, ``"documents.incoming:123"``) and never imports it; the owning app
registers how to show such a reference (a label and a page), so the linking app's pages can link
to it (architecture.md, "Cross-module links"). A reference nobody resolves is shown as text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from thudo.core.registries import Registry


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True, eq=False)
class ReferenceKind:
    prefix: str  # the part before the colon: "kpi.target"
    resolve: Callable[[str], Link | None] = field(repr=False)  # the key after the colon → a link


REFERENCES: Registry[ReferenceKind] = Registry("core.references")


def link(ref: str) -> Link | None:
    """The link of a reference ``"<prefix>:<key>"``, or None (unknown kind, or the object is gone)."""
    prefix, sep, key = (ref or "").partition(":")
    if not sep:
        return None
    for kind in REFERENCES:
        if kind.prefix == prefix:
            return kind.resolve(key)
    return None
