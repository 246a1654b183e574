"""Guided forms (biểu mẫu nhiều bước): the steps, their order and the progress shown on each page.

The pattern every multi-part form follows (architecture, "Forms"): one URL per step holding a
server-side draft (:mod:`thudo.core.drafts`), a plain POST per step that saves what was typed
(also when something is wrong) and moves on, a review step, errors inline with the focus on the
summary. Works without JavaScript. A view declares its steps once::

    STEPS = Wizard([Step("co-quan", _("Cơ quan")), Step("nguoi-nop", _("Người nộp")), ...])

and asks :meth:`Wizard.nav` for the progress list (``web/_wizard_steps.html``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import Http404


@dataclass(frozen=True)
class Step:
    slug: str
    label: str


class Wizard:
    def __init__(self, steps: list[Step]):
        self.steps = steps
        self.slugs = [s.slug for s in steps]

    def check(self, slug: str) -> Step:
        """The step named ``slug`` (404 for any other name in the URL)."""
        if slug not in self.slugs:
            raise Http404
        return self.steps[self.slugs.index(slug)]

    @property
    def first(self) -> str:
        return self.slugs[0]

    def next(self, slug: str) -> str | None:
        i = self.slugs.index(slug)
        return self.slugs[i + 1] if i + 1 < len(self.slugs) else None

    def previous(self, slug: str) -> str | None:
        i = self.slugs.index(slug)
        return self.slugs[i - 1] if i > 0 else None

    def nav(self, current: str, url: Callable[[str], str]) -> list[dict[str, Any]]:
        """``[{number, label, url, state}]``: ``state`` is done, current or todo."""
        i = self.slugs.index(current)
        return [
            {
                "number": n + 1,
                "label": s.label,
                "url": url(s.slug),
                "state": "done" if n < i else "current" if n == i else "todo",
            }
            for n, s in enumerate(self.steps)
        ]
