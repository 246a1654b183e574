"""JSON that comes from outside (a declaration's ``form_data``): parsed and checked before it is stored.

Python's ``json`` accepts ``NaN`` and ``Infinity`` (not JSON: SQLite's ``JSON_VALID`` and
PostgreSQL's ``jsonb`` both refuse them), and a document nested thousands deep exhausts the
recursion limit while parsing or storing it. Both reached a 500 before; now they are a typed
:class:`~thudo.core.errors.InvalidInput` naming the field.
"""

from __future__ import annotations

import json
import math
from typing import Any

from django.utils.translation import gettext as _

from thudo.core.errors import InvalidInput

#: Deepest nesting accepted: a declaration is a form of fields, tables at most; 20 levels is ample.
MAX_DEPTH = 20


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)


def parse_object(text: str, *, field: str) -> dict[str, Any]:
    """A JSON object from ``text``, checked by :func:`check_object`."""
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as exc:
        raise InvalidInput(
            _("Nội dung tờ khai phải là JSON."), fields={field: _("Không phải JSON hợp lệ.")}
        ) from exc
    return check_object(value, field=field)


def check_object(value: Any, *, field: str) -> dict[str, Any]:
    """``value`` itself when it is a JSON object that can be stored as it is: string keys, finite
    numbers, no NUL character, at most :data:`MAX_DEPTH` levels. Walks iteratively (no recursion)."""
    if not isinstance(value, dict):
        raise InvalidInput(
            _("Nội dung tờ khai phải là JSON."), fields={field: _("Phải là một đối tượng JSON.")}
        )
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > MAX_DEPTH:
                raise InvalidInput(
                    _("Nội dung tờ khai lồng quá sâu (tối đa %(n)d cấp).") % {"n": MAX_DEPTH},
                    fields={field: _("Lồng quá sâu.")},
                )
            if isinstance(node, dict):
                for key in node:
                    if not isinstance(key, str) or "\x00" in key:
                        raise InvalidInput(fields={field: _("Tên trường không hợp lệ.")})
                children = list(node.values())
            else:
                children = node
            stack.extend((child, depth + 1) for child in children)
        elif isinstance(node, float) and not math.isfinite(node):
            raise InvalidInput(fields={field: _("Số không hợp lệ (NaN hoặc vô cực).")})
        elif isinstance(node, str) and "\x00" in node:
            raise InvalidInput(fields={field: _("Chứa ký tự không hợp lệ.")})
        elif not (node is None or isinstance(node, bool | int | float | str)):
            raise InvalidInput(fields={field: _("Giá trị không phải JSON.")})
    return value
